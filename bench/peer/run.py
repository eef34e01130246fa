"""The side-by-side run: the project (on Neo4j and embedded) against @neo4j/graphql on the same
Neo4j database, for queries (a), (b) and (c) of ``bench.peer.queries``.

1. Generate the students (``bench.peer.students``), empty Neo4j, load the seed and import the
   CSVs through the project's code; the same into a fresh embedded store.
2. Start the three servers (one worker each by default).
3. Identical answers first: (a) and (b) once, (c) for 50 random students, from every side, in
   the normal form of ``queries.normal``; any difference stops the run before it measures.
4. Cypher queries per request, counted by the database: Neo4j's ``db.stats`` query collector
   (invocations per query text) and FalkorDB's ``INFO commandstats``.
5. Load: ``clients`` connections (``bench.peer.load``), a warm-up, then ``repeats`` runs of
   ``requests`` per side per query, sides interleaved; per run the req/s, latency p50/p95,
   and CPU per request of the server processes (service, Neo4j JVM, FalkorDB child, from
   /proc) and of the load generator. Medians over the runs are reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.peer import queries
from bench.peer.data import load_embedded, load_neo4j, write_students
from bench.peer.load import build_request, run_load
from bench.peer.servers import (
    PEER_DIR,
    ROOT,
    Server,
    cpu_seconds,
    free_port,
    neo4j_pid,
    peer_server,
    project_server,
)
from bench.peer.store_gap import gap_at_store
from schema.access import Role
from service.auth import issue_token

__all__ = ["Options", "run"]

RESULTS_DIR = ROOT / "bench" / "results"
CHECKED_STUDENTS = 50


@dataclass
class Options:
    students: int = 2000
    results_per_student: int = 20
    seed: int = 2025
    requests: int = 1000
    repeats: int = 3
    clients: int = 4
    warmup: int = 100
    workers: int = 1
    shape: str = "targets"  # the data design since schema version 3 (bench/peer/shape.mjs)
    embedded: bool = True
    work_dir: Path | None = None
    results_dir: Path = RESULTS_DIR
    neo4j: dict[str, str] = field(default_factory=dict)


def _log(message: str) -> None:
    print(f"[peer {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _post(port: int, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json",
                 **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    if result.get("errors") or not result.get("data"):
        raise RuntimeError(f"port {port} answered with errors: {str(result)[:500]}")
    data: dict[str, Any] = result["data"]
    return data


@dataclass
class _Side:
    name: str  # "project on Neo4j", "@neo4j/graphql", "project embedded"
    api: str  # "project" or "peer"
    server: Server
    store: str  # "neo4j" or "embedded"
    token: str | None = None
    socket: str | None = None  # the embedded engine's unix socket

    def body(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        text = queries.PROJECT[query] if self.api == "project" else queries.PEER[query]
        return {"query": text, "variables": variables}

    def token_for(self, query: str) -> str | None:
        return self.token if query == "c" else None  # framework reads need no token


class _Plan:
    """Every request of the run, the same variables for every side."""

    def __init__(self, options: Options, framework: str, competency: str,
                 students: list[tuple[str, str]]) -> None:
        self.framework, self.competency = framework, competency
        rng = random.Random(options.seed + 7)
        total = options.warmup + options.repeats * options.requests
        self.students = [rng.choice(students) for _ in range(total)]
        self.checked_all = students
        self.checked = rng.sample(students, min(CHECKED_STUDENTS, len(students)))

    def variables(self, side: _Side, query: str, index: int) -> dict[str, Any]:
        return queries.variables(side.api, query, framework=self.framework,
                                 competency=self.competency,
                                 student=self.students[index] if query == "c" else None)


def _check_answers(sides: list[_Side], plan: _Plan) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for query in ("a", "b", "c"):
        cases = [None] if query != "c" else plan.checked
        for student in cases:
            answers = {}
            for side in sides:
                variables = queries.variables(side.api, query, framework=plan.framework,
                                              competency=plan.competency, student=student)
                data = _post(side.server.port, side.body(query, variables),
                             side.token_for(query))
                answers[side.name] = queries.normal(side.api, query, data)
            first = next(iter(answers.values()))
            if not first or any(answer != first for answer in answers.values()):
                raise RuntimeError(f"query ({query}) answers differ for {student}: "
                                   + json.dumps(answers, ensure_ascii=False)[:3000])
        checked[query] = (f"{len(first)} competencies" if query == "a" else
                          f"{first['code']}: {len(first['prerequisites'])} prerequisites"
                          if query == "b" else f"{len(cases)} students")
    return checked


def _neo4j_query_counts(side: _Side, plan: _Plan, query: str, uri: dict[str, str],
                        count: int = 20) -> dict[str, Any]:
    """Cypher queries per request and Neo4j's execution time per request, by db.stats."""
    import neo4j

    driver = neo4j.GraphDatabase.driver(uri["uri"], auth=(uri["user"], uri["password"]))
    try:
        with driver.session(database=uri["database"]) as session:
            session.run("CALL db.stats.stop('QUERIES')").consume()
            session.run("CALL db.stats.clear('QUERIES')").consume()
            session.run("CALL db.stats.collect('QUERIES', {durationSeconds: 600})").consume()
            for index in range(count):
                _post(side.server.port, side.body(query, plan.variables(side, query, index)),
                      side.token_for(query))
            rows = [r.data() for r in session.run("CALL db.stats.retrieve('QUERIES')")]
            session.run("CALL db.stats.stop('QUERIES')").consume()
    finally:
        driver.close()
    calls, micros, texts = 0, 0.0, []
    for row in rows:
        data = row["data"]
        text = data.get("query", "")
        if text.lstrip().upper().startswith("CALL DB.STATS"):
            continue
        summary = data.get("invocationSummary", {})
        n = int(summary.get("invocationCount", 0))
        calls += n
        micros += n * float(summary.get("executionTimeInUs", {}).get("avg", 0))
        texts.append(text)
    return {"queriesPerRequest": round(calls / count, 2),
            "neo4jExecutionMsPerRequest": round(micros / 1000 / count, 3),
            "distinctQueries": len(texts)}


def _embedded_query_counts(side: _Side, plan: _Plan, query: str,
                           count: int = 20) -> dict[str, Any]:
    import redis

    client = redis.Redis(unix_socket_path=side.socket)

    def calls() -> int:
        stats = client.info("commandstats")
        return sum(int(v["calls"]) for k, v in stats.items()
                   if k.lower() in {"cmdstat_graph.query", "cmdstat_graph.ro_query"})

    before = calls()
    for index in range(count):
        _post(side.server.port, side.body(query, plan.variables(side, query, index)),
              side.token_for(query))
    return {"queriesPerRequest": round((calls() - before) / count, 2)}


def _cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def _load_run(side: _Side, plan: _Plan, query: str, start: int, count: int,
              clients: int) -> dict[str, Any]:
    requests = [build_request("127.0.0.1", side.server.port, "/graphql",
                              json.dumps(side.body(query, plan.variables(side, query, i)))
                              .encode(), side.token_for(query))
                for i in range(start, start + count)]
    service = side.server.pids(engine=False)
    engine = side.server.pids(engine=True) if side.store == "embedded" else (
        [p] if (p := neo4j_pid()) else [])
    before = (_cpu(service), _cpu(engine))
    result = run_load("127.0.0.1", side.server.port, requests, clients)
    after = (_cpu(service), _cpu(engine))
    n = max(result.answers, 1)
    latencies = sorted(result.latencies)
    return {"answers": result.answers, "bad": result.bad, "rps": result.rate,
            "p50ms": latencies[len(latencies) // 2] * 1000,
            "p95ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
            "serviceCpuMs": (after[0] - before[0]) * 1000 / n,
            "storeCpuMs": (after[1] - before[1]) * 1000 / n,
            "clientCpuMs": result.client_cpu * 1000 / n}


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(float(statistics.median(r[key] for r in runs)), 3)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip()


def _start_sides(options: Options, work: Path, secret: str) -> list[_Side]:
    sides = []
    project = project_server("neo4j", work / "project-neo4j", free_port(), options.workers,
                             secret, work / "project-neo4j.log")
    peer = peer_server(free_port(), options.shape, work / "peer.log")
    token = issue_token(secret, Role.ADMIN, subject="peer-bench", ttl_days=1)
    sides.append(_Side("project on Neo4j", "project", project, "neo4j", token))
    sides.append(_Side("@neo4j/graphql on Neo4j", "peer", peer, "neo4j"))
    if options.embedded:
        data_dir = work / "embedded"
        embedded = project_server("embedded", data_dir, free_port(), options.workers, secret,
                                  work / "project-embedded.log")
        sides.append(_Side("project embedded", "project", embedded, "embedded", token,
                           str(data_dir / "falkordb.sock")))
    for side in sides:
        side.server.start()
        _log(f"{side.name} up on port {side.server.port}")
    return sides


def _ensure_node_modules() -> None:
    if not (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir():
        _log("installing the peer's locked packages (npm ci)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=PEER_DIR, check=True)


def run(options: Options) -> dict[str, Any]:
    _ensure_node_modules()
    work = options.work_dir or Path(tempfile.mkdtemp(prefix="cg-peer-"))
    work.mkdir(parents=True, exist_ok=True)
    n4j = options.neo4j
    try:
        _log(f"generating {options.students} students × {options.results_per_student} results")
        generated = write_students(work / "csv", options.students,
                                   options.results_per_student, options.seed)
        for old in work.glob("checkpoints-*"):
            shutil.rmtree(old)
        loading = {"neo4j": asyncio.run(load_neo4j(n4j["uri"], n4j["user"], n4j["password"],
                                                   n4j["database"], generated["paths"], work))}
        _log(f"Neo4j loaded: {loading['neo4j']}")
        if options.embedded:
            shutil.rmtree(work / "embedded", ignore_errors=True)
            loading["embedded"] = load_embedded(work / "embedded", generated["paths"], work)
            _log(f"embedded store loaded: {loading['embedded']}")
        competency, depth, found = queries.deepest_competency()
        plan = _Plan(options, generated["framework"], competency, generated["students"])
        sides = _start_sides(options, work, secrets.token_urlsafe(32))
        try:
            return _measure(options, sides, plan, loading, generated,
                            {"code": competency, "chainEdges": depth, "prerequisites": found})
        finally:
            for side in sides:
                side.server.stop()
    finally:
        if options.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _measure(options: Options, sides: list[_Side], plan: _Plan, loading: dict[str, Any],
             generated: dict[str, Any], competency: dict[str, Any]) -> dict[str, Any]:
    identical = _check_answers(sides, plan)
    _log(f"identical answers: {identical}")
    n4j = options.neo4j
    counts = {q: {side.name: (_embedded_query_counts(side, plan, q) if side.store == "embedded"
                              else _neo4j_query_counts(side, plan, q, n4j)) for side in sides}
              for q in ("a", "b", "c")}
    figures: dict[str, Any] = {}
    for query in ("a", "b", "c"):
        runs: dict[str, list[dict[str, Any]]] = {side.name: [] for side in sides}
        for side in sides:
            _load_run(side, plan, query, 0, options.warmup, options.clients)
        for repeat in range(options.repeats):
            start = options.warmup + repeat * options.requests
            for side in sides:  # interleaved, so drift on the shared machine hits every side
                runs[side.name].append(_load_run(side, plan, query, start, options.requests,
                                                 options.clients))
        figures[query] = {}
        for side in sides:
            samples = runs[side.name]
            entry: dict[str, Any] = {key: _median(samples, key) for key in (
                "rps", "p50ms", "p95ms", "serviceCpuMs", "storeCpuMs", "clientCpuMs")}
            entry["serverCpuMs"] = round(entry["serviceCpuMs"] + entry["storeCpuMs"], 3)
            entry["bad"] = sum(r["bad"] for r in samples)
            entry.update(counts[query][side.name])
            entry["runs"] = samples
            figures[query][side.name] = entry
            _log(f"({query}) {side.name}: {entry['rps']:.1f} req/s, server CPU "
                 f"{entry['serverCpuMs']:.2f} ms/req (service {entry['serviceCpuMs']:.2f} + "
                 f"store {entry['storeCpuMs']:.2f}), client {entry['clientCpuMs']:.3f} ms, "
                 f"{entry['queriesPerRequest']} queries/req")
    # after the load runs, so both engines are warm (a JVM just after the import is not)
    embedded = next((side.socket for side in sides if side.store == "embedded"), None)
    store_gap = gap_at_store(n4j, embedded, plan.checked_all, options.seed)
    _log("gap at the store, p50: " + ", ".join(
        f"{k} {v['p50ms']:.2f} ms (client CPU {v['clientCpuMs']:.2f})" for k, v in
        store_gap.items() if isinstance(v, dict)) + f", ratio {store_gap.get('ratio')}")
    return {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "loadavg": os.getloadavg()},
        "options": {"students": options.students, "results": options.results_per_student,
                    "seed": options.seed, "requests": options.requests,
                    "repeats": options.repeats, "clients": options.clients,
                    "warmup": options.warmup, "workers": options.workers,
                    "shape": options.shape},
        "data": {"rows": generated["rows"], "loadSeconds": loading},
        "competency": competency,
        "queries": queries.NAMES,
        "identicalAnswers": identical,
        "gapAtStore": store_gap,
        "figures": figures,
    }


def table(result: dict[str, Any]) -> str:
    lines = ["| query | side | req/s | server CPU ms/req (service + store) | p50 / p95 ms "
             "| Cypher queries/req | client CPU ms/req |", "|---|---|---|---|---|---|---|"]
    for query, by_side in result["figures"].items():
        for name, f in by_side.items():
            lines.append(
                f"| ({query}) | {name} | {f['rps']:.1f} | {f['serverCpuMs']:.2f} "
                f"({f['serviceCpuMs']:.2f} + {f['storeCpuMs']:.2f}) | {f['p50ms']:.1f} / "
                f"{f['p95ms']:.1f} | {f['queriesPerRequest']} | {f['clientCpuMs']:.3f} |")
    gap = result.get("gapAtStore", {})
    if "ratio" in gap:
        lines.append(f"\ngap at the store, p50: Neo4j {gap['neo4j']['p50ms']:.2f} ms, embedded "
                     f"{gap['embedded']['p50ms']:.2f} ms: {gap['ratio']:.2f}×")
    return "\n".join(lines)
