"""Run the benchmark: generate, import through the product's path, measure, report.

The order matters: the store is filled and measured in this process first; then it is closed
(a data directory is locked to one process) and the real service is started on it as a
subprocess, so the HTTP figures include everything a deployment pays for: Starlette,
strawberry, authentication, logging and the store behind them.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import Scale, Slice, generate, student_of
from bench.loadgen import LoadResult, encode_request, fetch, run_load
from bench.matching import candidate_timings
from graph import analytics, learners
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.framework import FrameworkRepository
from graph.ids import element_uid
from graph.migrations import migrate
from schema import ANONYMOUS, Context, Role, build_schema
from seed import load_seed
from service.auth import issue_token
from service.importer import ImportReport, import_csv

__all__ = ["GAP_QUERY", "NESTED_QUERY", "Options", "run"]

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

GAP_QUERY = """
query Gap($code: String!, $college: String) {
  student(code: $code, college: $college) {
    standing(onlyGaps: true) { competencyCode gap }
    readiness { dimension ratio }
    placement { layerCode levelCode }
  }
}
"""
COHORT_QUERY = """
query Cohort($college: String) {
  cohort(college: $college) {
    students
    commonGaps(limit: 5) { competencyCode students meeting }
    placement { layerCode levelCode students }
  }
}
"""
NESTED_QUERY = """
{ competencies(first: 50) {
    edges { node { code
      prerequisites { code
        taughtBy { proficiency { value } course { code } } } } } } }
"""
CHECK_EVERY = 10  # every 10th loaded request asks for a reference answer
IMPORT_ORDER = ("students", "results", "completions", "certifications")


@dataclass(frozen=True, slots=True)
class Options:
    scale: Scale = field(default_factory=Scale)
    repeats: int = 3
    quick: bool = False
    gap_samples: int = 400  # students per store-level timing loop
    http_requests: int = 2_000  # requests per HTTP timing loop, over 4 clients
    http_clients: int = 4
    everysec: bool = False  # also import results into a store with appendfsync everysec
    work_dir: Path | None = None  # default: a temporary directory, removed afterwards
    results_dir: Path = RESULTS_DIR
    progress: bool = True


@dataclass
class Figure:
    label: str
    value: float | int | None
    unit: str
    target: str | None = None
    meets: bool | None = None
    samples: list[float] = field(default_factory=list)
    note: str | None = None


class _Log:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{time.monotonic() - self.started:7.1f} s] {message}", file=sys.stderr,
                  flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# ---- process facts from /proc -------------------------------------------------------------
def _status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _service_cpu(service: Any) -> float:
    return sum(_cpu_seconds(pid) for pid in service.service_pids())


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (the engine is started from a worker thread)."""
    try:
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
        return found
    except OSError:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                            found.append(int(entry))
                except OSError:
                    continue
        return found


class _RssSampler(threading.Thread):
    """Samples the resident set of some processes while an import runs (flat memory?)."""

    def __init__(self, pids: dict[str, int], every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: dict[str, list[int]] = {name: [] for name in pids}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            for name, pid in self.pids.items():
                self.samples[name].append(_status_kib(pid, "VmRSS"))
            self._done.wait(self.every)

    def stop(self) -> dict[str, list[int]]:
        self._done.set()
        self.join()
        for name, pid in self.pids.items():
            self.samples[name].append(_status_kib(pid, "VmRSS"))
        return self.samples


# ---- the store-level part -----------------------------------------------------------------
async def _open_store(data_dir: Path, fsync: str) -> tuple[EmbeddedStore, EmbeddedServer]:
    """What ``EmbeddedStore.start`` does, keeping the server to read its pid."""
    server = EmbeddedServer(data_dir, fsync=fsync)
    await asyncio.to_thread(server.start)
    store = EmbeddedStore(server.socket_path, server=server)
    await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
    return store, server


async def _import_all(store: EmbeddedStore, server: EmbeddedServer, generated: Slice,
                      data_dir: Path, kinds: Sequence[str], log: _Log
                      ) -> tuple[dict[str, ImportReport], dict[str, dict[str, list[int]]]]:
    reports: dict[str, ImportReport] = {}
    memory: dict[str, dict[str, list[int]]] = {}
    assert server.pid is not None
    for kind in kinds:
        sampler = _RssSampler({"importer": os.getpid(), "falkordb": server.pid})
        sampler.start()
        try:
            report = await import_csv(store, kind, generated.csv[kind],
                                      checkpoint_dir=data_dir / "imports",
                                      framework=generated.framework, progress=None)
        finally:
            memory[kind] = sampler.stop()
        reports[kind] = report
        log(f"imported {report.written:,} {kind} in {report.seconds:.1f} s "
            f"({report.rows_per_second:,.0f}/s)")
    return reports, memory


async def _timed(action: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def _store_figures(store: EmbeddedStore, generated: Slice, options: Options,
                         log: _Log, server_pid: int | None = None) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    rng = random.Random(options.scale.seed + 1)
    colleges = options.scale.colleges

    # per-student gap analysis: the report behind the GraphQL standing/readiness/placement
    p50s, p95s = [], []
    for _ in range(options.repeats):
        picks = [student_of(rng.randrange(options.scale.students), colleges)
                 for _ in range(options.gap_samples)]
        records = [await analytics.student_record(store, learners.student_uid(college, code))
                   for college, code in picks]
        timings = []
        for record in records:
            assert record is not None
            started = time.perf_counter()
            await analytics.student_report(store, record)
            timings.append(time.perf_counter() - started)
        p50s.append(percentile(timings, 0.5) * 1000)
        p95s.append(percentile(timings, 0.95) * 1000)
    figures["gap.store.p50"] = Figure("gap analysis, store level, p50", _median(p50s), "ms",
                                      samples=p50s)
    figures["gap.store.p95"] = Figure("gap analysis, store level, p95", _median(p95s), "ms",
                                      samples=p95s)
    log(f"gap at the store: p50 {_median(p50s):.2f} ms, p95 {_median(p95s):.2f} ms")

    # cohorts: one college, and everyone (what an admin sees without a college)
    college = generated.colleges[0]
    report = await analytics.cohort_report(store, college=college)  # warm the plan cache
    college_students = report.students
    one = [await _timed(lambda: analytics.cohort_report(store, college=college))
           for _ in range(options.repeats)]
    everyone_report = await analytics.cohort_report(store)
    everyone = [await _timed(lambda: analytics.cohort_report(store))
                for _ in range(options.repeats)]
    figures["cohort.college"] = Figure(
        f"cohort of one college ({college_students:,} students)", _median(one), "s",
        samples=one)
    figures["cohort.all"] = Figure(
        f"cohort of all students ({everyone_report.students:,})", _median(everyone), "s",
        target="≤ 0.3 s", meets=_median(everyone) <= 0.3, samples=everyone)
    log(f"cohort: college {_median(one):.3f} s, all {_median(everyone):.3f} s")

    # candidates for a job role (graph/matching.py): a first page, ranked in the store
    matched = await candidate_timings(store, generated, options.repeats, server_pid)
    figures["candidates.college"] = Figure(
        f"candidates for {matched.job} ({matched.needs} needs), one college "
        f"({matched.college_students:,} candidates), first page",
        _median(matched.college_seconds), "s", samples=matched.college_seconds)
    figures["candidates.all"] = Figure(
        f"candidates for {matched.job}, all {options.scale.students:,} students "
        f"({matched.all_students:,} candidates), first page", _median(matched.all_seconds),
        "s", target="≤ 0.3 s", meets=_median(matched.all_seconds) <= 0.3 and matched.ordered,
        samples=matched.all_seconds,
        note=(f"engine CPU {_median(matched.all_engine_cpu):.3f} s"
              + ("" if matched.ordered else "; page out of order")))
    log(f"candidates: college {_median(matched.college_seconds):.3f} s, "
        f"all {_median(matched.all_seconds):.3f} s")

    # transitive prerequisites of the deepest competency, through the repository
    repository = FrameworkRepository(store)
    deepest = element_uid(generated.framework, generated.deepest)
    found = await repository.edges("allPrerequisites", [deepest])
    transitive = []
    for _ in range(options.repeats):
        runs = [await _timed(lambda: repository.edges("allPrerequisites", [deepest]))
                for _ in range(10 if options.quick else 50)]
        transitive.append(percentile(runs, 0.5) * 1000)
    figures["prerequisites.transitive.p50"] = Figure(
        f"transitive prerequisites of {generated.deepest} (chain of "
        f"{generated.deepest_depth} edges), p50", _median(transitive), "ms",
        samples=transitive)
    figures["prerequisites.transitive.found"] = Figure(
        "  … prerequisites found = generated", len(found[0]), "nodes",
        target=str(generated.deepest_prerequisites),
        meets=len(found[0]) == generated.deepest_prerequisites)

    # round trips of a nested query, executed in process like tests/test_dataloaders.py
    # (the second request: the first also reads the published version into the framework cache)
    schema = build_schema()
    await schema.execute(NESTED_QUERY, context_value=Context(store, ANONYMOUS))
    before = store.round_trips
    result = await schema.execute(NESTED_QUERY, context_value=Context(store, ANONYMOUS))
    trips = store.round_trips - before
    if result.errors:
        raise RuntimeError(f"nested query failed: {result.errors}")
    depth = nesting_depth(NESTED_QUERY)
    figures["roundTrips.nested"] = Figure(
        "store round trips, competencies → prerequisites → taughtBy { course }", trips,
        "queries", target=f"≤ nesting depth {depth}", meets=trips <= depth)
    return figures


def nesting_depth(document: str) -> int:
    """Levels of fields that have a selection set (objects), as a reader counts nesting."""
    from graphql import FieldNode, SelectionSetNode, parse
    from graphql.language import OperationDefinitionNode

    def depth(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        return max((1 + depth(s.selection_set) for s in selection_set.selections
                    if isinstance(s, FieldNode) and s.selection_set is not None), default=0)

    return max(depth(d.selection_set) for d in parse(document).definitions
               if isinstance(d, OperationDefinitionNode))


# ---- the HTTP part --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Service:
    """``competency-graph serve`` as a subprocess on a loopback port."""

    def __init__(self, data_dir: Path, log_file: Path) -> None:
        self.data_dir, self.log_file = data_dir, log_file
        self.port = _free_port()
        self.secret = secrets.token_urlsafe(32)
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    def start(self, timeout: float = 900.0) -> None:
        import httpx

        env = {**os.environ, "CG_SECRET": self.secret}
        env.pop("CG_BACKEND", None)
        started = time.monotonic()
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--data-dir",
                 str(self.data_dir), "--port", str(self.port), "--backend", "embedded"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                tail = self.log_file.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the service exited at start-up:\n{tail}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    self.start_seconds = time.monotonic() - started
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the service was not ready within {timeout} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def engine_pid(self) -> int | None:
        engines = [c for c in _children(self.pid) if _command(c) == "redis-server"]
        return engines[0] if engines else None

    def service_pids(self) -> list[int]:
        """The serve process and its HTTP worker processes (not the engine)."""
        return [self.pid, *(c for c in _children(self.pid) if _command(c) != "redis-server")]

    def token(self) -> str:
        return issue_token(self.secret, Role.ADMIN, subject="bench", ttl_days=1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _gap_body(variables: dict[str, Any], query: str = GAP_QUERY) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


async def _http_load(service: _Service, bodies: Sequence[bytes], clients: int,
                     expected: dict[int, bytes] | None = None) -> LoadResult:
    """Send the GraphQL ``bodies`` from ``clients`` keep-alive connections (bench/loadgen.py,
    in a thread of its own so its CPU is that thread's)."""
    token = service.token()
    requests = [encode_request("127.0.0.1", service.port, "/graphql", body, token)
                for body in bodies]
    return await asyncio.to_thread(run_load, "127.0.0.1", service.port, requests, clients,
                                   expected)


async def _references(service: _Service, bodies: Sequence[bytes]) -> list[bytes]:
    """Each body's answer, asked alone and in sequence: what the loaded answers must equal."""
    token = service.token()
    return [await asyncio.to_thread(
        fetch, "127.0.0.1", service.port,
        encode_request("127.0.0.1", service.port, "/graphql", body, token))
        for body in bodies]


async def _http_figures(service: _Service, generated: Slice, options: Options,
                        log: _Log) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    rng = random.Random(options.scale.seed + 2)

    def student() -> dict[str, Any]:
        return dict(zip(("college", "code"),
                        student_of(rng.randrange(options.scale.students),
                                   options.scale.colleges), strict=True))

    warm_up = [_gap_body(student()) for _ in range(min(100, options.http_requests))]
    await _http_load(service, warm_up, options.http_clients)  # imports, plan cache, pools
    reference_bodies = [_gap_body(student()) for _ in range(10 if options.quick else 50)]
    references = await _references(service, reference_bodies)

    def loop_bodies() -> tuple[list[bytes], dict[int, bytes]]:
        """Random students; every CHECK_EVERY-th request is a reference student's."""
        bodies, expected = [], {}
        for index in range(options.http_requests):
            if index % CHECK_EVERY == 0:
                pick = rng.randrange(len(references))
                bodies.append(reference_bodies[pick])
                expected[index] = references[pick]
            else:
                bodies.append(_gap_body(student()))
        return bodies, expected

    engine = service.engine_pid()
    p50s, p95s, rates, failed, sent, checked, mismatched = [], [], [], 0, 0, 0, 0
    service_cpu, engine_cpu, client_cpu = [], [], []
    for _ in range(options.repeats):
        bodies, expected = loop_bodies()
        before = (_service_cpu(service), _cpu_seconds(engine) if engine else 0.0)
        load = await _http_load(service, bodies, options.http_clients, expected)
        after = (_service_cpu(service), _cpu_seconds(engine) if engine else 0.0)
        p50s.append(percentile(load.latencies, 0.5) * 1000)
        p95s.append(percentile(load.latencies, 0.95) * 1000)
        rates.append(load.rate)
        service_cpu.append((after[0] - before[0]) * 1000 / load.answers)
        engine_cpu.append((after[1] - before[1]) * 1000 / load.answers)
        client_cpu.append(load.client_cpu_ms)
        failed += load.failures
        sent += load.answers
        checked += load.checked
        mismatched += load.mismatches
        if load.first_mismatch is not None:
            log(f"an answer differs from its reference: {load.first_mismatch[:300]!r}")
    clients = options.http_clients
    cpu = _median(service_cpu) + _median(engine_cpu)
    figures["gap.http.p50"] = Figure(f"gap analysis over HTTP, {clients} clients, p50",
                                     _median(p50s), "ms", samples=p50s)
    figures["gap.http.p95"] = Figure(f"gap analysis over HTTP, {clients} clients, p95",
                                     _median(p95s), "ms", target="≤ 10 ms",
                                     meets=_median(p95s) <= 10, samples=p95s)
    figures["gap.http.rps"] = Figure(f"gap analysis over HTTP, {clients} clients, throughput",
                                     _median(rates), "req/s", target="≥ 300 req/s",
                                     meets=_median(rates) >= 300, samples=rates)
    figures["gap.http.failures"] = Figure("failed or empty answers", failed, "requests",
                                          target="0", meets=failed == 0)
    figures["gap.http.identical"] = Figure(
        f"answers differing from their reference (checked {checked:,} of {sent:,})",
        mismatched, "requests", target="0", meets=mismatched == 0 and checked > 0)
    figures["gap.http.cpu"] = Figure(
        "CPU per gap request: service + FalkorDB", round(cpu, 3), "ms", target="≤ 3.5 ms",
        meets=cpu <= 3.5, samples=[s + e for s, e in zip(service_cpu, engine_cpu, strict=True)],
        note=f"service {_median(service_cpu):.3f} ms, FalkorDB {_median(engine_cpu):.3f} ms "
             "(medians per loop, from /proc)")
    figures["gap.http.cpu.client"] = Figure(
        "CPU per gap request: the load generator", round(_median(client_cpu), 3), "ms",
        target="≤ 0.3 ms", meets=_median(client_cpu) <= 0.3, samples=client_cpu)
    log(f"gap over HTTP: p50 {_median(p50s):.2f} ms, p95 {_median(p95s):.2f} ms, "
        f"{_median(rates):.0f} req/s ({_median(service_cpu):.2f} + {_median(engine_cpu):.2f} "
        f"+ {_median(client_cpu):.3f} ms CPU per request: service + FalkorDB + client)")

    cohort = []
    for _ in range(options.repeats):
        load = await _http_load(
            service, [_gap_body({"college": generated.colleges[0]}, COHORT_QUERY)], 1)
        cohort.append(load.latencies[0])
        failed += load.failures
    figures["cohort.college.http"] = Figure("cohort of one college over HTTP", _median(cohort),
                                            "s", samples=cohort)

    workers = service.service_pids()
    figures["rss.service"] = Figure(
        f"peak RSS of the service ({len(workers)} processes: serve + workers, VmHWM summed)",
        round(sum(_status_kib(pid, "VmHWM") for pid in workers) / 1024, 1), "MiB")
    figures["rss.falkordb"] = Figure(
        "peak RSS of its FalkorDB child (VmHWM)",
        round(_status_kib(engine, "VmHWM") / 1024, 1) if engine else None, "MiB")
    return figures


# ---- the whole run ----------------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _ingest_figures(reports: dict[str, ImportReport], memory: dict[str, dict[str, list[int]]],
                    label: str = "") -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for kind, report in reports.items():
        batches = [5000 / s for s in report.batches[:-1]] or [
            report.written / max(sum(report.batches), 1e-9)]
        figure = Figure(f"ingest {kind}{label} (validate + write, whole file)",
                        round(report.rows_per_second), "rows/s",
                        note=f"{report.written:,} rows in {report.seconds:.1f} s; "
                             f"write batches median {_median(batches):,.0f} rows/s")
        if kind == "results":
            figure.target, figure.meets = "≥ 50,000 rows/s", report.rows_per_second >= 50_000
        figures[f"ingest.{kind}{label.replace(' ', '.')}"] = figure
    if "results" in memory:
        rss, engine = memory["results"]["importer"], memory["results"]["falkordb"]
        half = rss[len(rss) // 2:] or rss
        growth = (max(half) - half[0]) / 1024
        figures[f"ingest.results.memory{label.replace(' ', '.')}"] = Figure(
            f"importer RSS during the results import{label}: growth over the 2nd half",
            round(growth, 1), "MiB", target="flat (≤ 25 MiB)", meets=growth <= 25,
            note=f"start {rss[0] / 1024:.0f} MiB, peak {max(rss) / 1024:.0f} MiB, end "
                 f"{rss[-1] / 1024:.0f} MiB; FalkorDB (holds the data) "
                 f"{engine[0] / 1024:.0f} → {max(engine) / 1024:.0f} MiB peak")
    return figures


async def _measure(options: Options, work: Path, log: _Log) -> dict[str, Any]:
    scale = options.scale
    log(f"generating {scale.students:,} students × {scale.results_per_student} results "
        f"(seed {scale.seed}) in {work}")
    started = time.monotonic()
    generated = await asyncio.to_thread(generate, work / "generated", scale)
    log(f"generated in {time.monotonic() - started:.1f} s: {generated.rows}")

    figures: dict[str, Figure] = {}
    data_dir = work / "data"
    store, server = await _open_store(data_dir, "always")
    try:
        seconds = await _timed(lambda: load_seed(store, generated.seed_dir))
        figures["load.framework"] = Figure("validate + load the framework (seed YAML)",
                                           round(seconds, 2), "s")
        log(f"framework loaded in {seconds:.1f} s")
        reports, memory = await _import_all(store, server, generated, data_dir, IMPORT_ORDER,
                                            log)
        figures.update(_ingest_figures(reports, memory))
        imported = {kind: report.written for kind, report in reports.items()}
        totals = await learners.record_totals(store)
        figures["ingest.rowsMatch"] = Figure(
            "rows in the store = rows generated", int(totals == generated.rows), "bool",
            target="1", meets=totals == generated.rows,
            note=None if totals == generated.rows else f"store {totals}, CSV {generated.rows}")
        figures.update(await _store_figures(store, generated, options, log, server.pid))
    finally:
        await store.close()

    service = _Service(data_dir, work / "service.log")
    log("starting the service on the same data directory")
    await asyncio.to_thread(service.start)
    try:
        figures["service.start"] = Figure(
            "service start-up on the filled data directory (AOF load)",
            round(service.start_seconds, 2), "s")
        log(f"service ready in {service.start_seconds:.1f} s")
        figures.update(await _http_figures(service, generated, options, log))
    finally:
        await asyncio.to_thread(service.stop)

    if options.everysec:
        log("again with appendfsync everysec: framework, students, results")
        second = work / "data-everysec"
        store, server = await _open_store(second, "everysec")
        try:
            await load_seed(store, generated.seed_dir)
            reports, memory = await _import_all(store, server, generated, second,
                                                ("students", "results"), log)
            figures.update(_ingest_figures(reports, memory, " fsync everysec"))
        finally:
            await store.close()

    return {
        "imported": imported, "stored": totals,
        "generated": {"rows": generated.rows, "framework": generated.counts,
                      "deepest": generated.deepest, "deepestDepth": generated.deepest_depth,
                      "deepestPrerequisites": generated.deepest_prerequisites},
        "figures": figures,
    }


def _table(figures: dict[str, Figure]) -> str:
    lines = [f"{'figure':<74} {'value':>14}  {'target':<22} ok"]
    lines.append("-" * len(lines[0]))
    for figure in figures.values():
        value = figure.value
        shown = ("–" if value is None else f"{value:,.3f}" if isinstance(value, float)
                 and abs(value) < 10 else f"{value:,.0f}" if isinstance(value, float)
                 else f"{value:,}")
        ok = "" if figure.meets is None else ("yes" if figure.meets else "NO")
        lines.append(f"{figure.label[:74]:<74} {shown:>10} {figure.unit:<5} "
                     f"{figure.target or '':<22} {ok}")
        if figure.note:
            lines.append(f"    {figure.note}")
    return "\n".join(lines)


def run(options: Options) -> dict[str, Any]:
    """Generate, import, measure; write the JSON and return it."""
    log = _Log(options.progress)
    if options.quick:
        options = replace(options, repeats=1, gap_samples=min(options.gap_samples, 50),
                          http_requests=min(options.http_requests, 200))
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    now = datetime.now(UTC)
    temporary = None
    if options.work_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="cg-bench-")
        work = Path(temporary.name)
    else:
        work = options.work_dir
        work.mkdir(parents=True, exist_ok=True)
    try:
        measured = asyncio.run(_measure(options, work, log))
    finally:
        if temporary is not None:
            temporary.cleanup()
    figures: dict[str, Figure] = measured.pop("figures")
    result = {
        "commit": commit, "dirty": dirty, "utc": now.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "parameters": {"students": options.scale.students,
                       "resultsPerStudent": options.scale.results_per_student,
                       "seed": options.scale.seed, "repeats": options.repeats,
                       "quick": options.quick, "gapSamples": options.gap_samples,
                       "httpRequests": options.http_requests,
                       "httpClients": options.http_clients, "fsync": "always"},
        **measured,
        "figures": {key: {k: v for k, v in vars(f).items() if v is not None and v != []}
                    for key, f in figures.items()},
    }
    options.results_dir.mkdir(parents=True, exist_ok=True)
    name = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{commit or 'nocommit'}{'-dirty' if dirty else ''}"
    path = options.results_dir / f"{name}.json"
    temporary_path = path.with_suffix(".tmp")
    temporary_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    temporary_path.replace(path)
    result["path"] = str(path)
    print(f"\nbenchmark at commit {commit}{' (uncommitted changes)' if dirty else ''}, "
          f"{options.scale.students:,} students × {options.scale.results_per_student} results, "
          f"medians of {options.repeats} run(s)\n")
    print(_table(figures))
    print(f"\nJSON: {path}")
    return result
