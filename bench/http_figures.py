"""The HTTP part of the bench: the real service, loaded by bench/loadgen.py, beside its floor.

``competency-graph serve`` is started on the filled data directory; N keep-alive clients send
the gap query; CPU per request of the service, its engine and the load generator is read from
/proc (and the generator's thread); a bench-only fixed-answer server (bench/floor.py) on the
same stack serves the same answers the same way, and the ratio to it is reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Figure,
    Log,
    Neo4jTarget,
    Options,
    children,
    command,
    cpu_seconds,
    free_port,
    median,
    neo4j_pid,
    percentile,
    status_kib,
)
from bench.floor import Floor, write_answers
from bench.generate import Slice, student_of
from bench.loadgen import LoadResult, encode_request, fetch, run_load
from schema import Role
from service.auth import issue_token
from service.config import Settings

__all__ = ["COHORT_QUERY", "GAP_QUERY", "Service", "http_figures"]

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
CHECK_EVERY = 10  # every 10th loaded request asks for a reference answer


def _service_cpu(service: Any) -> dict[int, float]:
    """CPU seconds of each service process (serve and its workers), by pid."""
    return {pid: cpu_seconds(pid) for pid in service.service_pids()}


def _per_request(before: dict[int, float], after: dict[int, float],
                 answers: int) -> dict[int, float]:
    """ms of CPU per answered request, by pid (a process absent before counts from 0)."""
    return {pid: (spent - before.get(pid, 0.0)) * 1000 / max(answers, 1)
            for pid, spent in after.items()}


def _worker_spread(service: Service, loops: list[dict[int, float]]) -> Figure:
    """How the workers shared the gap requests: the busiest worker's share of the workers'
    CPU (50 % is an even spread over two, 100 % one worker doing it all), per loop."""
    shares, notes = [], []
    for loop in loops:
        workers = sorted((ms for pid, ms in loop.items() if pid != service.pid),
                         reverse=True)
        total = sum(workers)
        shares.append(100 * workers[0] / total if total else 0.0)
        notes.append(" / ".join(f"{ms:.2f}" for ms in workers)
                     + f" (serve {loop.get(service.pid, 0.0):.2f})")
    return Figure("CPU of the busiest HTTP worker, share of all workers'", round(
        median(shares), 1), "%", samples=shares,
        note="ms per request by worker, per loop: " + "; ".join(notes))



class Service:
    """``competency-graph serve`` as a subprocess on a loopback port."""

    def __init__(self, data_dir: Path, log_file: Path, neo4j: Neo4jTarget | None = None) -> None:
        self.data_dir, self.log_file, self.neo4j = data_dir, log_file, neo4j
        self.engine_name = "FalkorDB" if neo4j is None else "Neo4j"
        self.port = free_port()
        self.secret = secrets.token_urlsafe(32)
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    def start(self, timeout: float = 900.0) -> None:
        import httpx

        env = {**os.environ, "CG_SECRET": self.secret}
        env.pop("CG_BACKEND", None)
        if self.neo4j is not None:
            env.update(self.neo4j.environment())
        started = time.monotonic()
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--data-dir",
                 str(self.data_dir), "--port", str(self.port), "--backend",
                 "embedded" if self.neo4j is None else "neo4j"],
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
        if self.neo4j is not None:
            return neo4j_pid()
        engines = [c for c in children(self.pid) if command(c) == "redis-server"]
        return engines[0] if engines else None

    def service_pids(self) -> list[int]:
        """The serve process and its HTTP worker processes (not the engine)."""
        return [self.pid, *(c for c in children(self.pid) if command(c) != "redis-server")]

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


async def _http_load(service: Service, bodies: Sequence[bytes], clients: int,
                     expected: dict[int, bytes] | None = None,
                     port: int | None = None) -> LoadResult:
    """Send the GraphQL ``bodies`` from ``clients`` keep-alive connections (bench/loadgen.py,
    in a thread of its own so its CPU is that thread's), to the service or to ``port``."""
    token, port = service.token(), port or service.port
    requests = [encode_request("127.0.0.1", port, "/graphql", body, token) for body in bodies]
    return await asyncio.to_thread(run_load, "127.0.0.1", port, requests, clients, expected)


async def _references(service: Service, bodies: Sequence[bytes]) -> list[bytes]:
    """Each body's answer, asked alone and in sequence: what the loaded answers must equal."""
    token = service.token()
    return [await asyncio.to_thread(
        fetch, "127.0.0.1", service.port,
        encode_request("127.0.0.1", service.port, "/graphql", body, token))
        for body in bodies]


async def http_figures(service: Service, generated: Slice, options: Options,
                        log: Log) -> dict[str, Figure]:
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

    engine, name = service.engine_pid(), service.engine_name
    p50s, p95s, rates, failed, sent, checked, mismatched = [], [], [], 0, 0, 0, 0
    service_cpu, engine_cpu, client_cpu = [], [], []
    by_process: list[dict[int, float]] = []
    for _ in range(options.repeats):
        bodies, expected = loop_bodies()
        before = (_service_cpu(service), cpu_seconds(engine) if engine else 0.0)
        load = await _http_load(service, bodies, options.http_clients, expected)
        after = (_service_cpu(service), cpu_seconds(engine) if engine else 0.0)
        p50s.append(percentile(load.latencies, 0.5) * 1000)
        p95s.append(percentile(load.latencies, 0.95) * 1000)
        rates.append(load.rate)
        by_process.append(_per_request(before[0], after[0], load.answers))
        service_cpu.append(sum(by_process[-1].values()))
        engine_cpu.append((after[1] - before[1]) * 1000 / load.answers)
        client_cpu.append(load.client_cpu_ms)
        failed += load.failures
        sent += load.answers
        checked += load.checked
        mismatched += load.mismatches
        if load.first_mismatch is not None:
            log(f"an answer differs from its reference: {load.first_mismatch[:300]!r}")
    clients = options.http_clients
    cpu = median(service_cpu) + median(engine_cpu)
    figures["gap.http.p50"] = Figure(f"gap analysis over HTTP, {clients} clients, p50",
                                     median(p50s), "ms", samples=p50s)
    figures["gap.http.p95"] = Figure(f"gap analysis over HTTP, {clients} clients, p95",
                                     median(p95s), "ms", target="≤ 10 ms",
                                     meets=median(p95s) <= 10, samples=p95s)
    figures["gap.http.rps"] = Figure(f"gap analysis over HTTP, {clients} clients, throughput",
                                     median(rates), "req/s", target="≥ 300 req/s",
                                     meets=median(rates) >= 300, samples=rates)
    figures["gap.http.failures"] = Figure("failed or empty answers", failed, "requests",
                                          target="0", meets=failed == 0)
    figures["gap.http.identical"] = Figure(
        f"answers differing from their reference (checked {checked:,} of {sent:,})",
        mismatched, "requests", target="0", meets=mismatched == 0 and checked > 0)
    figures["gap.http.cpu"] = Figure(
        f"CPU per gap request: service + {name}", round(cpu, 3), "ms", target="≤ 3.5 ms",
        meets=cpu <= 3.5, samples=[s + e for s, e in zip(service_cpu, engine_cpu, strict=True)],
        note=f"service {median(service_cpu):.3f} ms, {name} "
             + (f"{median(engine_cpu):.3f} ms" if engine else "n/a (no engine pid found)")
             + " (medians per loop, from /proc)")
    figures["gap.http.cpu.service"] = Figure(
        "  … of which the service (serve + workers)", round(median(service_cpu), 3), "ms",
        samples=service_cpu)
    figures["gap.http.cpu.workers"] = _worker_spread(service, by_process)
    figures["gap.http.cpu.engine"] = Figure(
        f"  … of which {name}", round(median(engine_cpu), 3) if engine else None, "ms",
        samples=engine_cpu if engine else [])
    figures["gap.http.cpu.client"] = Figure(
        "CPU per gap request: the load generator", round(median(client_cpu), 3), "ms",
        target="≤ 0.3 ms", meets=median(client_cpu) <= 0.3, samples=client_cpu)
    log(f"gap over HTTP: p50 {median(p50s):.2f} ms, p95 {median(p95s):.2f} ms, "
        f"{median(rates):.0f} req/s ({median(service_cpu):.2f} + {median(engine_cpu):.2f} "
        f"+ {median(client_cpu):.3f} ms CPU per request: service + {name} + client); "
        f"{figures['gap.http.cpu.workers'].note}")

    figures.update(await _floor_figures(service, reference_bodies, references, options, log,
                                        median(service_cpu), median(engine_cpu)))

    cohort, cohort_failed = [], 0
    for _ in range(options.repeats):
        load = await _http_load(
            service, [_gap_body({"college": generated.colleges[0]}, COHORT_QUERY)], 1)
        cohort.append(load.latencies[0])
        cohort_failed += load.failures
    figures["cohort.college.http"] = Figure(
        "cohort of one college over HTTP", median(cohort), "s", samples=cohort,
        note=f"{cohort_failed} failed or empty answer(s)" if cohort_failed else None)

    workers = service.service_pids()
    figures["rss.service"] = Figure(
        f"peak RSS of the service ({len(workers)} processes: serve + workers, VmHWM summed)",
        round(sum(status_kib(pid, "VmHWM") for pid in workers) / 1024, 1), "MiB")
    figures["rss.falkordb"] = Figure(
        f"peak RSS of its {service.engine_name} (VmHWM)",
        round(status_kib(engine, "VmHWM") / 1024, 1) if engine else None, "MiB")
    return figures



async def _floor_figures(service: Service, bodies: list[bytes], answers: list[bytes],
                         options: Options, log: Log, service_cpu: float,
                         engine_cpu: float) -> dict[str, Figure]:
    """The same answers from bench/floor.py on the same stack, loaded the same way."""
    work = service.log_file.parent
    write_answers(work / "floor-answers.json", bodies, answers)
    workers = Settings.from_env().worker_count  # what ``serve`` runs, as it reads it
    floor = Floor(free_port(), work / "floor-answers.json", workers, work / "floor.log")
    await asyncio.to_thread(floor.start)
    try:
        def pids() -> list[int]:
            return [floor.pid, *children(floor.pid)]

        rng = random.Random(options.scale.seed + 3)
        warm_up = [bodies[rng.randrange(len(bodies))] for _ in range(100)]
        await _http_load(service, warm_up, options.http_clients, port=floor.port)
        p50s, p95s, rates, server_cpu, client_cpu, bad = [], [], [], [], [], 0
        for _ in range(options.repeats):
            picks = [rng.randrange(len(bodies)) for _ in range(options.http_requests)]
            before = sum(cpu_seconds(pid) for pid in pids())
            load = await _http_load(service, [bodies[i] for i in picks], options.http_clients,
                                    {n: answers[i] for n, i in enumerate(picks)},
                                    port=floor.port)
            server_cpu.append((sum(cpu_seconds(pid) for pid in pids()) - before) * 1000
                              / load.answers)
            p50s.append(percentile(load.latencies, 0.5) * 1000)
            p95s.append(percentile(load.latencies, 0.95) * 1000)
            rates.append(load.rate)
            client_cpu.append(load.client_cpu_ms)
            bad += load.failures + load.mismatches
    finally:
        await asyncio.to_thread(floor.stop)
    floor_cpu = median(server_cpu)
    clients = options.http_clients
    figures = {
        "floor.http.p50": Figure(f"floor: the same answers, fixed-answer endpoint, {clients} "
                                 "clients, p50", median(p50s), "ms", samples=p50s),
        "floor.http.p95": Figure("floor: p95", median(p95s), "ms", samples=p95s),
        "floor.http.rps": Figure("floor: throughput", median(rates), "req/s", samples=rates),
        "floor.http.failures": Figure("floor: failed or differing answers", bad, "requests",
                                      target="0", meets=bad == 0),
        "floor.http.cpu": Figure("floor: server CPU per request (Starlette + uvicorn)",
                                 round(floor_cpu, 3), "ms", samples=server_cpu,
                                 note=f"load generator {median(client_cpu):.3f} ms per request"),
        "gap.http.cpu.ratio": Figure(
            "gap request CPU ÷ floor CPU: service alone", round(service_cpu / floor_cpu, 1)
            if floor_cpu else None, "×",
            note=f"service + engine ÷ floor: {(service_cpu + engine_cpu) / floor_cpu:.1f}×"
            if floor_cpu else None),
    }
    log(f"floor: p50 {median(p50s):.2f} ms, {median(rates):.0f} req/s, {floor_cpu:.3f} ms CPU "
        f"per request; the service costs {service_cpu / max(floor_cpu, 1e-9):.1f}× that")
    return figures
