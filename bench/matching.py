"""The candidates query (graph/matching.py) on the generated slice: a page of the students of
one college, and of all students, ranked for one job role, timed at the store.

``make bench`` calls ``candidate_timings`` after the cohort figures. Alone, without the HTTP
part and with a cheaper fsync (reads do not depend on it):
``python -m bench --candidates-only [--students 20000 --repeats 7]`` generates the slice,
imports students, results and certifications through ``competency-graph import``'s code and
prints the medians.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bench.generate import Scale, Slice, generate
from graph import matching
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.ids import element_uid
from graph.migrations import migrate
from graph.store import GraphStore
from seed import load_seed
from service.importer import import_csv

__all__ = ["CandidateTimings", "busiest_job", "candidate_timings", "run_alone"]

PAGE = 20


@dataclass(frozen=True, slots=True)
class CandidateTimings:
    job: str
    needs: int
    college: str
    college_students: int  # candidates (students attaining something towards the job)
    all_students: int
    college_seconds: list[float]
    all_seconds: list[float]
    all_engine_cpu: list[float]  # the engine's CPU seconds per query (the machine is shared)
    ordered: bool  # the first page of everyone is in rank order and ranks 1..PAGE


def busiest_job(generated: Slice) -> tuple[str, int]:
    """The generated job role with the most needs (ties: the smaller code)."""
    jobs = yaml.safe_load((generated.seed_dir / "jobs.yaml").read_text(encoding="utf-8"))
    best = min(jobs, key=lambda job: (-len(job["needs"]), job["code"]))
    return str(best["code"]), len(best["needs"])


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a process so far; 0 when unknown."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _seconds(store: GraphStore, job: str, college: str | None,
                   engine: int | None = None, cpu: list[float] | None = None) -> float:
    before = _cpu(engine)
    started = time.perf_counter()
    await matching.candidates(store, job, college=college, limit=PAGE + 1)
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu.append(round(_cpu(engine) - before, 3))
    return seconds


async def candidate_timings(store: GraphStore, generated: Slice, repeats: int,
                            engine: int | None = None) -> CandidateTimings:
    """``engine``: the pid of the embedded engine, to read its CPU time per query."""
    code, needs = busiest_job(generated)
    job = element_uid(generated.framework, code)
    college = generated.colleges[0]
    first = await matching.candidates(store, job, college=None, limit=PAGE)  # warm the plans
    await matching.candidates(store, job, college=college, limit=PAGE)
    keys = [(c.essential_missing, -c.met_total, c.student["code"]) for c in first]
    ordered = keys == sorted(keys) and [c.rank for c in first] == list(range(1, PAGE + 1))
    cpu: list[float] = []
    return CandidateTimings(
        job=code, needs=needs, college=college,
        college_students=await matching.candidate_count(store, job, college=college),
        all_students=await matching.candidate_count(store, job, college=None),
        college_seconds=[await _seconds(store, job, college) for _ in range(repeats)],
        all_seconds=[await _seconds(store, job, None, engine, cpu) for _ in range(repeats)],
        all_engine_cpu=cpu, ordered=ordered)


async def _standalone(scale: Scale, repeats: int, work: Path) -> CandidateTimings:
    generated = await asyncio.to_thread(generate, work / "generated", scale)
    server = EmbeddedServer(work / "data", fsync="no")
    await asyncio.to_thread(server.start)
    store = EmbeddedStore(server.socket_path, server=server)
    try:
        await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
        await load_seed(store, generated.seed_dir)
        for kind in ("students", "results", "certifications"):
            started = time.monotonic()
            report = await import_csv(store, kind, generated.csv[kind],
                                      checkpoint_dir=work / "imports",
                                      framework=generated.framework, progress=None)
            print(f"imported {report.written:,} {kind} in {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)
        return await candidate_timings(store, generated, repeats, server.pid)
    finally:
        await store.close()


def run_alone(scale: Scale, repeats: int) -> int:
    """Generate, import the evidence, time the candidates query, print the medians."""
    with tempfile.TemporaryDirectory(prefix="cg-bench-matching-") as work:
        timings = asyncio.run(_standalone(scale, repeats, Path(work)))
    print(f"candidates for {timings.job} ({timings.needs} needs), first page of {PAGE}, "
          f"median of {repeats}: college {timings.college} "
          f"({timings.college_students:,} candidates) "
          f"{statistics.median(timings.college_seconds):.3f} s; all students "
          f"({timings.all_students:,} candidates of {scale.students:,}) "
          f"{statistics.median(timings.all_seconds):.3f} s, engine CPU "
          f"{statistics.median(timings.all_engine_cpu):.3f} s; ordered: {timings.ordered}")
    print(f"samples: college {[round(s, 3) for s in timings.college_seconds]}, "
          f"all {[round(s, 3) for s in timings.all_seconds]}")
    return 0
