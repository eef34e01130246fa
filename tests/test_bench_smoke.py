"""The benchmark harness at toy scale: generator, import, one pass of every measurement.

No timing is asserted (the machine is shared); the properties are: every generated row is
imported and stored, the nested query stays within its nesting depth, the transitive
prerequisites are exactly the generated ones, and the JSON carries every figure.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bench import Options, Scale, run
from bench.common import Neo4jTarget
from bench.generate import generate
from bench.scaling import table
from seed import parse_seed

FIGURES = (
    "load.framework", "ingest.students", "ingest.results", "ingest.completions",
    "ingest.certifications", "ingest.results.memory", "ingest.rowsMatch", "gap.store.p50",
    "gap.store.p95", "cohort.college", "cohort.all", "prerequisites.transitive.p50",
    "prerequisites.transitive.found", "roundTrips.nested", "service.start", "gap.http.p50",
    "gap.http.p95", "gap.http.rps", "gap.http.failures", "gap.http.cpu",
    "gap.http.cpu.client", "gap.http.cpu.service", "gap.http.cpu.engine",
    "gap.http.identical", "floor.http.p50", "floor.http.rps",
    "floor.http.cpu", "floor.http.failures", "gap.http.cpu.ratio",
    "cohort.college.http", "rss.service", "rss.falkordb",
)

def test_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    scale = Scale(students=30, results_per_student=5, seed=7)
    first = generate(tmp_path / "a", scale)
    second = generate(tmp_path / "b", scale)
    for kind, path in first.csv.items():
        assert path.read_bytes() == second.csv[kind].read_bytes()
    content = parse_seed(first.seed_dir)  # the product's validator accepts it
    assert len(content.rows["competencies"]) == first.counts["competencies"] == 600
    assert len(content.rows["assessments"]) == 2000
    assert first.deepest_depth >= 8
    assert first.rows["results"] == 30 * 5


def test_bench_runs_end_to_end_at_toy_scale(tmp_path: Path) -> None:
    result = run(Options(scale=Scale(students=200, results_per_student=10), quick=True,
                         work_dir=tmp_path / "work", results_dir=tmp_path / "results",
                         progress=False))
    figures = result["figures"]
    missing = [key for key in FIGURES if figures.get(key, {}).get("value") is None]
    assert not missing, missing
    generated = result["generated"]["rows"]
    assert generated == {"students": 200, "results": 2000,
                         "completions": generated["completions"],
                         "certifications": generated["certifications"]}
    assert result["imported"] == generated
    assert result["stored"] == generated
    assert figures["ingest.rowsMatch"]["meets"] is True
    trips = figures["roundTrips.nested"]
    assert trips["meets"] is True and 1 <= trips["value"] <= 6
    assert figures["prerequisites.transitive.found"]["meets"] is True
    assert figures["gap.http.failures"]["value"] == 0
    identical = figures["gap.http.identical"]
    assert identical["value"] == 0 and identical["meets"] is True
    assert figures["floor.http.failures"]["value"] == 0
    assert figures["cohort.all"]["label"].endswith("(200)")
    saved = json.loads(Path(result["path"]).read_text())
    assert saved["figures"].keys() == figures.keys()
    assert saved["commit"] == result["commit"]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table([saved]).splitlines()}
    assert rows["figure"].endswith("| 200 students |")
    assert rows["answers differing from their reference"].endswith("| 0 |")
    assert f"{figures['ingest.results']['value']:,}" in rows["results ingest, rows/s"]


@pytest.mark.neo4j
def test_bench_runs_on_neo4j_and_leaves_it_empty(tmp_path: Path) -> None:
    """``--backend neo4j`` at toy scale: the same figures, engine CPU from the JVM, and the
    database emptied afterwards (the runner holds the Neo4j lock, so the bench does not)."""
    target = Neo4jTarget.from_env()
    if target is None:
        pytest.skip("NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD are not set: no Neo4j to bench")
    result = run(Options(scale=Scale(students=60, results_per_student=5), quick=True,
                         work_dir=tmp_path / "work", results_dir=tmp_path / "results",
                         progress=False, neo4j=target, neo4j_lock=None))
    figures = result["figures"]
    assert result["parameters"]["backend"] == "neo4j"
    assert result["stored"] == result["generated"]["rows"]
    assert figures["gap.http.failures"]["value"] == 0
    assert figures["gap.http.identical"]["value"] == 0
    assert figures["floor.http.failures"]["value"] == 0
    assert figures["gap.http.cpu"]["value"] > 0

    async def remaining() -> dict[str, int]:
        from graph import learners
        from graph.neo4j_store import Neo4jStore

        store = await Neo4jStore.connect(target.uri, target.user, target.password,
                                         target.database)
        try:
            return await learners.record_totals(store)
        finally:
            await store.close()

    left = asyncio.run(remaining())
    assert not any(left.values()), left  # record_totals: {} on an empty graph
