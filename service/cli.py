"""``competency-graph``: serve, migrate, load and validate the seed, issue tokens."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from graph.errors import StoreError
from graph.migrations import migrate
from schema.access import Role
from seed import DEFAULT_SEED_DIR, FrozenFrameworkError, SeedInvalid, load_seed, parse_seed
from service import cli_exchange
from service.auth import issue_token, load_or_create_secret
from service.config import ConfigError, Settings
from service.demo import add_demo_command, run_demo_command
from service.importer import ImportFailed
from service.logs import configure_logging
from service.store_factory import open_store

__all__ = ["main"]


def _store_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="embedded store directory (env CG_DATA_DIR)")
    parser.add_argument("--backend", choices=["embedded", "neo4j"], help="env CG_BACKEND")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="competency-graph",
        description="AI-literacy competency graph for vocational colleges "
                    "(职业院校人工智能素养能力图谱)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL + GraphiQL over HTTP")
    _store_args(serve)
    serve.add_argument("--host", help="env CG_HOST (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="env CG_PORT (default 8000)")
    serve.add_argument("--workers", type=int,
                       help="HTTP worker processes sharing one store (env CG_WORKERS, "
                            "default: the number of cores, at most 4)")

    migrate_cmd = commands.add_parser("migrate", help="create constraints and indexes")
    _store_args(migrate_cmd)

    load = commands.add_parser("load", help="validate and load the reference framework")
    _store_args(load)
    load.add_argument("--seed", type=Path, default=DEFAULT_SEED_DIR, help="seed directory")

    importer = commands.add_parser(
        "import", help="import students, evidence, demand records or teachers from CSV or "
        ".xlsx (validated whole, resumable)")
    _store_args(importer)
    importer.add_argument("kind", choices=["students", "results", "completions",
                                           "certifications", "demand", "teachers",
                                           "teacherEvidence"])
    importer.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or .xlsx with a header row")
    importer.add_argument("--framework", help="framework version of the students' programs "
                                              "(default: the latest published)")
    importer.add_argument("--batch-size", type=int, default=5000)
    importer.add_argument("--check-workers", type=int, default=None,
                          help="processes that check a large file (default: one per core, "
                               "at most 4; 1: check in this process)")
    cli_exchange.add_import_options(importer)

    report = commands.add_parser("report", help="content reports")
    _store_args(report)
    report.add_argument("which", choices=["coverage", "content"])
    report.add_argument("--framework", help="framework version (default: latest published)")
    report.add_argument("--seed", type=Path, default=DEFAULT_SEED_DIR,
                        help="seed directory (report content reads the seed, not the store)")

    validate = commands.add_parser("validate", help="check the seed without writing")
    validate.add_argument("--seed", type=Path, default=DEFAULT_SEED_DIR, help="seed directory")

    add_demo_command(commands)

    token = commands.add_parser("token", help="issue a bearer token")
    token.add_argument("--data-dir", help="where the generated secret lives (env CG_DATA_DIR)")
    token.add_argument("--role", required=True,
                       choices=[r.value for r in Role if r is not Role.ANONYMOUS])
    token.add_argument("--college", help="college code (required for --role college)")
    token.add_argument("--subject", default="cli", help="an opaque label, not a person's name")
    token.add_argument("--days", type=float, default=30.0, help="validity in days")
    cli_exchange.add_commands(commands, _store_args)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env().override(
        data_dir=getattr(args, "data_dir", None), backend=getattr(args, "backend", None),
        host=getattr(args, "host", None), port=getattr(args, "port", None),
        workers=getattr(args, "workers", None), fsync=getattr(args, "fsync", None))


WORKER_HEALTHCHECK_S = 60


class TcpConfig(uvicorn.Config):
    """uvicorn binds the shared socket of its workers with protocol 0, so asyncio never sets
    TCP_NODELAY on their connections and a client that writes a request in two parts waits
    ~40 ms for a delayed ACK (measured: 5 → 50 ms per request). Module level: the config is
    pickled to the worker processes."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP,
                                 fileno=sock.detach())
        return sock


def _serve(settings: Settings) -> int:
    """Run the HTTP workers. With the embedded backend this process owns the engine (and the
    data directory's lock), supervises it, and the workers connect to its socket, so several
    cores serve requests from one store; on Neo4j each worker has its own driver."""
    from graph.embedded import EmbeddedStore
    from graph.embedded_server import EmbeddedServer
    from service.app import PARENT_ENV
    from service.metrics import MULTIPROCESS_ENV

    server: EmbeddedServer | None = None
    environment = settings.environment()
    try:
        if settings.backend == "embedded":
            server = EmbeddedServer(settings.data_dir, fsync=settings.fsync)
            server.start(supervised=True)

            async def prepare(socket_path: str) -> None:
                store = EmbeddedStore(socket_path)
                try:
                    await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
                finally:
                    await store.close()

            asyncio.run(prepare(server.socket_path))
            environment["CG_EMBEDDED_SOCKET"] = server.socket_path
        else:
            asyncio.run(_migrate(settings))
        load_or_create_secret(settings.secret, settings.data_dir)  # before workers race to it
        workers = settings.worker_count
        environment[PARENT_ENV] = str(os.getpid())
        if workers > 1:  # one metrics file per worker, summed at scrape time
            metrics_dir = settings.data_dir.resolve() / "run" / "metrics"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(parents=True, mode=0o700)
            environment[MULTIPROCESS_ENV] = str(metrics_dir)
        os.environ.update(environment)
        print(f"GraphQL + GraphiQL on http://{settings.host}:{settings.port}/graphql "
              f"({workers} worker(s))", file=sys.stderr)
        # uvicorn kills a worker that has not answered its supervisor's ping within the
        # healthcheck timeout (5 s by default), and a spawned worker answers only once it has
        # imported the app: on a busy machine that took longer, so workers were killed and
        # respawned in a loop while starting (seen: 11 s to ready, twice the CPU).
        config = TcpConfig("service.app:app_from_env", factory=True, host=settings.host,
                            port=settings.port, workers=workers, log_config=None,
                            access_log=False, timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
        if config.workers > 1:
            from service.workers import serve_workers

            serve_workers(config)  # each connection to the worker holding the fewest
        else:
            uvicorn.Server(config).run()
    finally:
        if server is not None:
            server.stop()
    return 0


async def _migrate(settings: Settings) -> int:
    store = await open_store(settings, run_migrations=False)
    try:
        version = await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
    finally:
        await store.close()
    print(f"schema at version {version}")
    return 0


async def _load(settings: Settings, seed_dir: Path) -> int:
    parse_seed(seed_dir)  # refuse a bad seed before starting anything
    store = await open_store(settings)
    try:
        outcome = await load_seed(store, seed_dir)
    finally:
        await store.close()
    total = sum(outcome.counts.values())
    print(f"framework {outcome.uid}: {outcome.status} ({total} rows)")
    for name, count in outcome.counts.items():
        if count:
            print(f"  {name:<24} {count}")
    return 0


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    from graph.framework import FrameworkRepository
    from service.importer import import_csv

    if not args.file.is_file():
        raise ValueError(f"no such file: {args.file}")
    store = await open_store(settings)
    try:
        framework = args.framework
        if framework is None and args.kind == "students":
            latest = await FrameworkRepository(store).latest_published()
            if latest is None:
                raise ValueError("no published framework: run `competency-graph load` first")
            framework = latest["uid"]
        report = await import_csv(store, args.kind, args.file,
                                  checkpoint_dir=settings.data_dir / "imports",
                                  framework=framework, pass_ratio=settings.pass_ratio,
                                  certification_cap=settings.certification_cap,
                                  batch_size=args.batch_size, check_workers=args.check_workers,
                                  **cli_exchange.import_options(args))
    finally:
        await store.close()
    if report.resumed_from and not report.written:
        print(f"{args.file}: already imported ({report.rows} rows)")
    else:
        resumed = f", resumed after row {report.resumed_from}" if report.resumed_from else ""
        print(f"{args.file}: {report.written} {args.kind} rows written in "
              f"{report.seconds:.1f} s ({report.rows_per_second:,.0f}/s){resumed}")
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    from graph.coverage import coverage, format_coverage
    from graph.framework import FrameworkRepository

    store = await open_store(settings)
    try:
        framework = args.framework
        if framework is None:
            latest = await FrameworkRepository(store).latest_published()
            if latest is None:
                raise ValueError("no published framework: run `competency-graph load` first")
            framework = latest["uid"]
        cells = await coverage(store, framework)
    finally:
        await store.close()
    print(f"coverage of {framework} (ETH: competencies on the safety & ethics strand)")
    print(format_coverage(cells))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        configure_logging(settings.log_level)
        if args.command == "serve":
            return _serve(settings)
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "load":
            return asyncio.run(_load(settings, args.seed))
        if args.command == "report" and args.which == "content":
            from seed.report import run as content_report
            return content_report(args.seed)
        if args.command == "report":
            return asyncio.run(_report(settings, args))
        if args.command == "import":
            return asyncio.run(_import(settings, args))
        if args.command in cli_exchange.COMMANDS:
            return cli_exchange.run(settings, args)
        if args.command == "demo":
            return asyncio.run(run_demo_command(settings, args))
        if args.command == "validate":
            content = parse_seed(args.seed)
            rows = sum(len(r) for r in content.rows.values())
            print(f"seed OK: framework {content.uid}, {rows} rows")
            return 0
        if args.command == "token":
            secret = load_or_create_secret(settings.secret, settings.data_dir)
            print(issue_token(secret, Role(args.role), subject=args.subject,
                              college=args.college, ttl_days=args.days))
            return 0
    except ImportFailed as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SeedInvalid as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ConfigError, FrozenFrameworkError, ValueError, StoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # expected: one line, no traceback
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
