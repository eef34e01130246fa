"""The same Cypher on a real Neo4j 5 server (runs when NEO4J_URI is set, else skips visibly).

Loads the reference seed and runs the GraphQL framework queries against Neo4j, and checks
they answer exactly as the embedded store does (the whole product: test_neo4j_equivalence);
and the backend's own duties: emptying a large graph, quiet schema set-up.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import Cypher, OneRow
from graph.embedded import EmbeddedStore
from graph.errors import StoreError, StoreTimeout, UniquenessViolation
from graph.migrations import SCHEMA_VERSION, current_version, migrate
from graph.neo4j_store import Neo4jStore
from seed import load_seed
from service.importer import import_csv
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM, write_csv

pytestmark = pytest.mark.neo4j

# Neo4j enforces a transaction's timeout from a monitor that looks every 2 s (by default), so
# a read must outlast that to be stopped for sure: 25M rows (~0.4 s) finished untouched
# one time in three. These run ~4 s when not stopped.
SLOW_COUNT = Cypher(
    "UNWIND range(1, 15000) AS a UNWIND range(1, 15000) AS b RETURN count(*) AS n")

QUERIES = [
    "{ levels { code maxProficiency } layers { code } strands { code } }",
    "{ competencies(first: 30) { totalCount edges { cursor node { code "
    "prerequisites(transitive: true) { code } requirements { code progressesTo { code } } } } } }",
    "{ competency(code: \"GEN-02\") { taughtBy { course { code } proficiency { value } } "
    "measuredBy { assessment { code } weight } dependents(transitive: true) { code } } }",
    "{ courses(first: 50, level: GZ) { totalCount nodes { code teaches { competency "
    "{ code } } prerequisites { code } } } }",
]


async def test_a_read_past_its_timeout_is_a_store_timeout(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(StoreTimeout):
        await neo4j_store.read(SLOW_COUNT, timeout=0.001)

SLOW_COUNT_ONE_ROW = OneRow(SLOW_COUNT)


async def test_a_one_row_read_past_its_timeout_is_a_store_timeout(
        neo4j_store: Neo4jStore) -> None:
    """OneRow reads run on the event loop (the async driver): the same timeout holds."""
    with pytest.raises(StoreTimeout):
        await neo4j_store.read(SLOW_COUNT_ONE_ROW, timeout=0.001)


async def test_seed_loads_idempotently_on_neo4j(neo4j_store: Neo4jStore) -> None:
    assert await current_version(neo4j_store) == SCHEMA_VERSION
    assert (await load_seed(neo4j_store)).status == "created"
    assert (await load_seed(neo4j_store)).status == "unchanged"


@pytest.mark.parametrize("query", QUERIES)
async def test_graphql_answers_match_the_embedded_store(
        neo4j_store: Neo4jStore, seeded_store: EmbeddedStore, run_query: Any,
        query: str) -> None:
    await load_seed(neo4j_store)
    on_neo4j = await run_query(query, store=neo4j_store)
    embedded = await run_query(query, store=seeded_store)
    assert on_neo4j.errors is None, on_neo4j.errors
    assert on_neo4j.data == embedded.data


MAKE_FAN = Cypher(
    "UNWIND range(1, $hubs) AS i CREATE (h:DropHub {i: i}) "
    "WITH h UNWIND range(1, $spokes) AS j CREATE (h)-[:SPOKE]->(:DropLeaf {j: j})"
)
GRAPH_SIZE = Cypher(
    "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS edges"
)
UNKNOWN_PROPERTY = Cypher("MATCH (c:Competency) RETURN c.noSuchPropertyAnywhere AS x LIMIT 1")


async def test_drop_all_commits_in_batches_and_empties_the_graph(
        neo4j_store: Neo4jStore) -> None:
    """Batches smaller than the graph: what a 300k-relationship graph does with the default
    batch (one transaction for all of it exceeded dbms.memory.transaction.total.max)."""
    await neo4j_store.write(MAKE_FAN, {"hubs": 30, "spokes": 100})
    assert await neo4j_store.read(GRAPH_SIZE) == [{"nodes": 3031, "edges": 3000}]
    await neo4j_store.drop_all(batch=250)
    assert await neo4j_store.read(GRAPH_SIZE) == [{"nodes": 0, "edges": 0}]
    await migrate(neo4j_store, "2026-01-01T00:00:00+00:00")  # the schema survived the drop
    assert await current_version(neo4j_store) == SCHEMA_VERSION


async def test_schema_setup_is_quiet_but_warnings_still_come_through(
        neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="neo4j.notifications"):
        await migrate(neo4j_store, "2026-01-02T00:00:00+00:00")  # every index exists already
        expected = [r for r in caplog.records if r.name == "neo4j.notifications"]
        assert expected == [], [r.getMessage() for r in expected]
        await neo4j_store.read(UNKNOWN_PROPERTY)
    warnings = [r for r in caplog.records
                if r.name == "neo4j.notifications" and r.levelno == logging.WARNING]
    assert any("noSuchPropertyAnywhere" in r.getMessage() for r in warnings), warnings


GRAPH_VALUES = Cypher(
    "CREATE (a:DropHub {i: 1})-[r:SPOKE]->(b:DropLeaf {j: 2}) "
    "RETURN a, r, [a, b] AS both, {hub: a, n: 3} AS wrapped, a.i AS i"
)


async def test_rows_convert_graph_values_as_record_data_does(neo4j_store: Neo4jStore) -> None:
    """The store reads plain values without Record.data(); graph values still convert."""
    assert await neo4j_store.write(GRAPH_VALUES) == [{
        "a": {"i": 1}, "r": ({"i": 1}, "SPOKE", {"j": 2}), "both": [{"i": 1}, {"j": 2}],
        "wrapped": {"hub": {"i": 1}, "n": 3}, "i": 1}]


GRAPH_VALUES_READ = Cypher(
    "MATCH (a:DropHub)-[r:SPOKE]->(b:DropLeaf) "
    "RETURN a, r, [a, b] AS both, {hub: a, n: 3} AS wrapped, a.i AS i"
)
GRAPH_VALUES_READ_ON_THE_LOOP = OneRow(GRAPH_VALUES_READ)


async def test_one_row_reads_answer_as_the_threads_do(
        neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A OneRow read runs on the event loop, not the store's threads, with the same answer."""
    await neo4j_store.write(GRAPH_VALUES)
    on_threads = await neo4j_store.read(GRAPH_VALUES_READ)
    blocking_reads: list[str] = []
    read = neo4j_store._read

    def counted(query: Cypher, *args: Any) -> list[Any]:
        blocking_reads.append(query)
        return read(query, *args)

    monkeypatch.setattr(neo4j_store, "_read", counted)
    assert on_threads == await neo4j_store.read(GRAPH_VALUES_READ_ON_THE_LOOP)
    assert blocking_reads == []
    assert await neo4j_store.read(GRAPH_VALUES_READ) == on_threads
    assert blocking_reads == [GRAPH_VALUES_READ]
    assert on_threads[0]["r"] == ({"i": 1}, "SPOKE", {"j": 2})


WRITE_SENT_AS_A_READ = Cypher("CREATE (:Probe {i: 1}) RETURN 1 AS ok")
PROBES = Cypher("MATCH (p:Probe) RETURN count(p) AS n")


async def test_reads_run_in_read_sessions(neo4j_store: Neo4jStore) -> None:
    """Reads are auto-commit transactions in read-access sessions (one round trip, routed to
    readers): the server refuses a write sent as a read, not retried, and nothing is written."""
    with pytest.raises(StoreError, match=r"(?i)read"):
        await neo4j_store.read(WRITE_SENT_AS_A_READ)
    assert await neo4j_store.read(PROBES) == [{"n": 0}]


DROP_COHORT_KEY_CONSTRAINT = Cypher("DROP CONSTRAINT cohort_key_unique IF EXISTS")
SCHEMA_VERSION_1_COHORT_KEY = Cypher(
    "CREATE INDEX cohort_key_index IF NOT EXISTS FOR (n:Cohort) ON (n.key)")
COHORT_KEY_INDEXES = Cypher(
    "SHOW INDEXES YIELD name, labelsOrTypes, properties, owningConstraint "
    "WHERE labelsOrTypes = ['Cohort'] AND properties = ['key'] "
    "RETURN name, owningConstraint")
TWO_COHORTS = Cypher("UNWIND [1, 2] AS i CREATE (:Cohort {key: 'P|class'})")


async def test_a_key_that_became_unique_replaces_its_plain_index(
        neo4j_store: Neo4jStore) -> None:
    """Schema version 1 had a plain index on Cohort.key; migrating makes it a constraint."""
    await neo4j_store.write(DROP_COHORT_KEY_CONSTRAINT)
    await neo4j_store.write(SCHEMA_VERSION_1_COHORT_KEY)
    assert await neo4j_store.read(COHORT_KEY_INDEXES) == [
        {"name": "cohort_key_index", "owningConstraint": None}]
    await migrate(neo4j_store, "2026-01-03T00:00:00+00:00")
    assert await neo4j_store.read(COHORT_KEY_INDEXES) == [
        {"name": "cohort_key_unique", "owningConstraint": "cohort_key_unique"}]
    with pytest.raises(UniquenessViolation):
        await neo4j_store.write(TWO_COHORTS)


async def test_an_import_draws_no_warnings(neo4j_store: Neo4jStore, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """Students, then results (their first attainment, then a raise): every query an import
    sends is one Neo4j has no warning for (unknown property keys, nulls left out of an
    aggregate), so a warning in the log is news."""
    await load_seed(neo4j_store)
    codes = ["S001", "S002", "S003"]
    students = write_csv(tmp_path / "students.csv",
                         ["code", "college", "program", "classLabel", "enrolledOn"],
                         [[c, COLLEGE, PROGRAM, "AI-2401", "2024-09-01"] for c in codes])
    results = write_csv(tmp_path / "results.csv",
                        ["college", "student", "assessment", "score", "takenAt"],
                        [[COLLEGE, c, assessment, 90 - 5 * day, f"2025-02-1{day}"]
                         for c in codes for day, assessment in enumerate(GZ_ASSESSMENTS[:4])])
    with caplog.at_level(logging.WARNING, logger="neo4j.notifications"):
        await import_csv(neo4j_store, "students", students, checkpoint_dir=tmp_path / "cp",
                         framework=FW, progress=None)
        report = await import_csv(neo4j_store, "results", results,
                                  checkpoint_dir=tmp_path / "cp", progress=None, batch_size=5)
    assert report.written == 12
    warnings = [r.getMessage()[:300] for r in caplog.records
                if r.name == "neo4j.notifications" and r.levelno >= logging.WARNING]
    assert warnings == []
