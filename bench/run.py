"""Run the benchmark: generate, import through the product's path, measure, report.

The order matters: the store is filled and measured in this process first; then it is closed
(a data directory is locked to one process) and the real service is started on it as a
subprocess, so the HTTP figures include everything a deployment pays for: Starlette,
strawberry, authentication, logging and the store behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import platform
import random
import subprocess
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS_DIR,
    ROOT,
    Figure,
    Log,
    Neo4jTarget,
    Options,
    median,
    neo4j_pid,
    percentile,
    status_kib,
)
from bench.generate import Slice, generate, student_of
from bench.http_figures import GAP_QUERY, Service, http_figures
from bench.matching import candidate_timings
from graph import analytics, learners
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.framework import FrameworkRepository
from graph.ids import element_uid
from graph.migrations import migrate
from graph.store import GraphStore
from schema import ANONYMOUS, Context, build_schema
from seed import load_seed
from service.importer import ImportReport, import_csv

__all__ = ["GAP_QUERY", "NESTED_QUERY", "RESULTS_DIR", "Options", "run"]

NESTED_QUERY = """
{ competencies(first: 50) {
    edges { node { code
      prerequisites { code
        taughtBy { proficiency { value } course { code } } } } } } }
"""
IMPORT_ORDER = ("students", "results", "completions", "certifications")




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
                self.samples[name].append(status_kib(pid, "VmRSS"))
            self._done.wait(self.every)

    def stop(self) -> dict[str, list[int]]:
        self._done.set()
        self.join()
        for name, pid in self.pids.items():
            self.samples[name].append(status_kib(pid, "VmRSS"))
        return self.samples


# ---- the store-level part -----------------------------------------------------------------
async def _open_store(data_dir: Path, fsync: str) -> tuple[EmbeddedStore, EmbeddedServer]:
    """What ``EmbeddedStore.start`` does, keeping the server to read its pid."""
    server = EmbeddedServer(data_dir, fsync=fsync)
    await asyncio.to_thread(server.start)
    store = EmbeddedStore(server.socket_path, server=server)
    await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
    return store, server


async def _open(options: Options, data_dir: Path) -> tuple[GraphStore, int | None]:
    """The store the run measures and its engine's pid: a fresh embedded store
    (fsync=always), or the Neo4j of ``options.neo4j`` emptied first (the JVM's pid if found)."""
    if options.neo4j is None:
        store, server = await _open_store(data_dir, "always")
        return store, server.pid
    from graph.neo4j_store import Neo4jStore

    target = options.neo4j
    neo4j = await Neo4jStore.connect(target.uri, target.user, target.password,
                                     target.database)
    await neo4j.drop_all()
    await migrate(neo4j, datetime.now(UTC).isoformat(timespec="seconds"))
    return neo4j, neo4j_pid()


async def _drop_neo4j(target: Neo4jTarget) -> None:
    from graph.neo4j_store import Neo4jStore

    store = await Neo4jStore.connect(target.uri, target.user, target.password, target.database)
    try:
        await store.drop_all()
    finally:
        await store.close()


async def _import_all(store: GraphStore, engine_pid: int | None, generated: Slice,
                      data_dir: Path, kinds: Sequence[str], log: Log
                      ) -> tuple[dict[str, ImportReport], dict[str, dict[str, list[int]]]]:
    reports: dict[str, ImportReport] = {}
    memory: dict[str, dict[str, list[int]]] = {}
    for kind in kinds:
        pids = {"importer": os.getpid(), **({"engine": engine_pid} if engine_pid else {})}
        sampler = _RssSampler(pids)
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


async def _store_figures(store: GraphStore, generated: Slice, options: Options,
                         log: Log, server_pid: int | None = None) -> dict[str, Figure]:
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
    figures["gap.store.p50"] = Figure("gap analysis, store level, p50", median(p50s), "ms",
                                      samples=p50s)
    figures["gap.store.p95"] = Figure("gap analysis, store level, p95", median(p95s), "ms",
                                      samples=p95s)
    log(f"gap at the store: p50 {median(p50s):.2f} ms, p95 {median(p95s):.2f} ms")

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
        f"cohort of one college ({college_students:,} students)", median(one), "s",
        samples=one)
    figures["cohort.all"] = Figure(
        f"cohort of all students ({everyone_report.students:,})", median(everyone), "s",
        target="≤ 0.3 s", meets=median(everyone) <= 0.3, samples=everyone)
    log(f"cohort: college {median(one):.3f} s, all {median(everyone):.3f} s")

    # candidates for a job role (graph/matching.py): a first page, ranked in the store
    matched = await candidate_timings(store, generated, options.repeats, server_pid)
    figures["candidates.college"] = Figure(
        f"candidates for {matched.job} ({matched.needs} needs), one college "
        f"({matched.college_students:,} candidates), first page",
        median(matched.college_seconds), "s", samples=matched.college_seconds)
    figures["candidates.all"] = Figure(
        f"candidates for {matched.job}, all {options.scale.students:,} students "
        f"({matched.all_students:,} candidates), first page", median(matched.all_seconds),
        "s", target="≤ 0.3 s", meets=median(matched.all_seconds) <= 0.3 and matched.ordered,
        samples=matched.all_seconds,
        note=(f"engine CPU {median(matched.all_engine_cpu):.3f} s"
              + ("" if matched.ordered else "; page out of order")))
    log(f"candidates: college {median(matched.college_seconds):.3f} s, "
        f"all {median(matched.all_seconds):.3f} s")

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
        f"{generated.deepest_depth} edges), p50", median(transitive), "ms",
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
                             f"write batches median {median(batches):,.0f} rows/s")
        if kind == "results":
            figure.target, figure.meets = "≥ 50,000 rows/s", report.rows_per_second >= 50_000
        figures[f"ingest.{kind}{label.replace(' ', '.')}"] = figure
    if "results" in memory:
        rss, engine = memory["results"]["importer"], memory["results"].get("engine") or [0]
        half = rss[len(rss) // 2:] or rss
        growth = (max(half) - half[0]) / 1024
        figures[f"ingest.results.memory{label.replace(' ', '.')}"] = Figure(
            f"importer RSS during the results import{label}: growth over the 2nd half",
            round(growth, 1), "MiB", target="flat (≤ 25 MiB)", meets=growth <= 25,
            note=f"start {rss[0] / 1024:.0f} MiB, peak {max(rss) / 1024:.0f} MiB, end "
                 f"{rss[-1] / 1024:.0f} MiB; the engine (holds the data) "
                 f"{engine[0] / 1024:.0f} → {max(engine) / 1024:.0f} MiB peak")
    return figures


async def _measure(options: Options, work: Path, log: Log) -> dict[str, Any]:
    scale = options.scale
    log(f"generating {scale.students:,} students × {scale.results_per_student} results "
        f"(seed {scale.seed}) in {work}")
    started = time.monotonic()
    generated = await asyncio.to_thread(generate, work / "generated", scale)
    log(f"generated in {time.monotonic() - started:.1f} s: {generated.rows}")

    figures: dict[str, Figure] = {}
    data_dir = work / "data"
    store, engine_pid = await _open(options, data_dir)
    try:
        seconds = await _timed(lambda: load_seed(store, generated.seed_dir))
        figures["load.framework"] = Figure("validate + load the framework (seed YAML)",
                                           round(seconds, 2), "s")
        log(f"framework loaded in {seconds:.1f} s")
        reports, memory = await _import_all(store, engine_pid, generated, data_dir,
                                            IMPORT_ORDER, log)
        figures.update(_ingest_figures(reports, memory))
        imported = {kind: report.written for kind, report in reports.items()}
        totals = await learners.record_totals(store)
        figures["ingest.rowsMatch"] = Figure(
            "rows in the store = rows generated", int(totals == generated.rows), "bool",
            target="1", meets=totals == generated.rows,
            note=None if totals == generated.rows else f"store {totals}, CSV {generated.rows}")
        figures.update(await _store_figures(store, generated, options, log, engine_pid))
    finally:
        await store.close()

    service = Service(data_dir, work / "service.log", options.neo4j)
    log(f"starting the service on the same {options.backend} store")
    await asyncio.to_thread(service.start)
    try:
        figures["service.start"] = Figure(
            "service start-up on the filled store"
            + (" (AOF load)" if options.neo4j is None else ""),
            round(service.start_seconds, 2), "s")
        log(f"service ready in {service.start_seconds:.1f} s")
        figures.update(await http_figures(service, generated, options, log))
    finally:
        await asyncio.to_thread(service.stop)

    if options.everysec:
        log("again with appendfsync everysec: framework, students, results")
        second = work / "data-everysec"
        store, server = await _open_store(second, "everysec")
        try:
            await load_seed(store, generated.seed_dir)
            reports, memory = await _import_all(store, server.pid, generated, second,
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


def _measure_on_backend(options: Options, work: Path, log: Log) -> dict[str, Any]:
    """Embedded: measure. Neo4j: hold ``options.neo4j_lock`` (the instance is shared) and leave the
    database empty afterwards (``Neo4jStore.drop_all``)."""
    if options.neo4j is None:
        return asyncio.run(_measure(options, work, log))
    with contextlib.ExitStack() as stack:
        if options.neo4j_lock is not None:
            log(f"waiting for {options.neo4j_lock}")
            fcntl.flock(stack.enter_context(options.neo4j_lock.open("a")), fcntl.LOCK_EX)
        try:
            return asyncio.run(_measure(options, work, log))
        finally:
            log("dropping the bench's data from Neo4j")
            asyncio.run(_drop_neo4j(options.neo4j))


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
    log = Log(options.progress)
    if options.quick:
        options = replace(options, repeats=1, gap_samples=min(options.gap_samples, 50),
                          http_requests=min(options.http_requests, 200))
    commit = _git("rev-parse", "--short", "HEAD")
    start_load = list(os.getloadavg())
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
        measured = _measure_on_backend(options, work, log)
    finally:
        if temporary is not None:
            temporary.cleanup()
    figures: dict[str, Figure] = measured.pop("figures")
    result = {
        "commit": commit, "dirty": dirty, "utc": now.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadAverage": {"start": start_load, "end": list(os.getloadavg())},
                    "platform": platform.platform()},
        "parameters": {"students": options.scale.students,
                       "resultsPerStudent": options.scale.results_per_student,
                       "seed": options.scale.seed, "repeats": options.repeats,
                       "quick": options.quick, "gapSamples": options.gap_samples,
                       "httpRequests": options.http_requests,
                       "httpClients": options.http_clients, "backend": options.backend,
                       "fsync": "always" if options.neo4j is None else None},
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
          f"{options.backend} store, medians of {options.repeats} run(s), load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print(_table(figures))
    print(f"\nJSON: {path}")
    return result
