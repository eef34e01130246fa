"""A student's first results and attainment are created outright (``CREATE_RESULTS``,
``CREATE_STANDING``) where the store runs each write alone; everything else merges. Both
ways must leave the same graph: these run each scenario with the fast path and without it
(as on Neo4j) and compare everything the students have."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graph import learners
from graph.attainment import CREATE_STANDING
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import load_seed
from service.importer import import_csv
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM, result, student, write_csv

EVERYTHING = Cypher(
    "MATCH (s:Student)-[r]->(x) RETURN s.uid AS s, type(r) AS t, properties(r) AS p, "
    "x.uid AS x ORDER BY s, t, x, p.takenAt"
)
FLAGS = Cypher(
    "MATCH (s:Student) RETURN s.code AS code, s.noResults AS noResults, "
    "s.noStanding AS noStanding ORDER BY code"
)

Scenario = Callable[[EmbeddedStore, Path], Awaitable[None]]


def _counting(store: EmbeddedStore) -> list[str]:
    """The write queries ``store`` runs from now on."""
    sent: list[str] = []
    write = store.write

    async def counted(query: Cypher, params: Any = None) -> list[Any]:
        sent.append(query)
        return await write(query, params)

    store.write = counted  # type: ignore[method-assign]
    return sent


async def _both_ways(store: EmbeddedStore, tmp_path: Path, scenario: Scenario
                     ) -> tuple[list[Any], list[Any], list[str]]:
    """The scenario's graph with the create path, the same without it, and the queries the
    create path ran."""
    await load_seed(store)
    sent = _counting(store)
    await scenario(store, tmp_path / "fast")
    fast = await store.read(EVERYTHING), await store.read(FLAGS)
    await store.drop_all()
    await load_seed(store)
    store.isolated_writes = False
    await scenario(store, tmp_path / "merged")
    merged = await store.read(EVERYTHING), await store.read(FLAGS)
    assert fast[0] == merged[0]
    assert fast[1] == merged[1]
    return fast[0], fast[1], sent


async def test_first_evidence_is_created_once_whatever_came_between_check_and_write(
        store: EmbeddedStore, tmp_path: Path) -> None:
    """S001 gets a result after its batch was checked (its flag is gone at the write: the
    batch merges it), S003 holds a certification first (its attainment is merged), S002 is
    new to both (created outright); a later correction merges."""
    async def scenario(store: EmbeddedStore, _: Path) -> None:
        assert (await learners.record_students(
            store, [student(c) for c in ("S001", "S002", "S003")], FW)).ok
        assert (await learners.record_certifications(store, [
            {"college": COLLEGE, "student": "S003", "certification": "CERT-1X-CV-M",
             "heldOn": "2025-06-01"}])).ok
        batch = await learners.check_results(store, [
            result(code, assessment, 90 - 10 * day, f"2025-01-1{day}")
            for code in ("S001", "S002", "S003")
            for day, assessment in enumerate(GZ_ASSESSMENTS[:4])])
        assert not batch.errors
        assert sorted(batch.first_results) == [learners.student_uid(COLLEGE, c)
                                               for c in ("S001", "S002", "S003")]
        assert sorted(batch.first_standing) == [learners.student_uid(COLLEGE, c)
                                                for c in ("S001", "S002")]
        assert (await learners.record_results(
            store, [result("S001", GZ_ASSESSMENTS[0], 20, "2025-01-10")])).written == 1
        assert (await learners.write_results(store, batch)).written == 12
        assert (await learners.record_results(
            store, [result("S002", GZ_ASSESSMENTS[1], 10, "2025-01-11")])).written == 1

    graph, flags, sent = await _both_ways(store, tmp_path, scenario)
    assert sent.count(learners.CREATE_RESULTS) == 2  # S001's single result, then the batch
    assert CREATE_STANDING in sent
    took = [(row["s"], row["x"], row["p"]["takenAt"]) for row in graph if row["t"] == "TOOK"]
    assert len(took) == len(set(took)) == 12
    scores = {(row["s"], row["x"]): row["p"]["score"] for row in graph if row["t"] == "TOOK"}
    uid = learners.student_uid(COLLEGE, "S001")
    assert scores[(uid, f"{FW}|{GZ_ASSESSMENTS[0]}")] == 90  # the batch wrote after the 20
    stands = [(row["s"], row["x"]) for row in graph if row["t"] == "STANDS"]
    assert stands and len(stands) == len(set(stands))
    assert [(f["code"], f["noResults"], f["noStanding"]) for f in flags] == [
        ("S001", None, None), ("S002", None, None), ("S003", None, None)]


async def test_an_import_creates_a_students_first_results_once_across_its_batches(
        store: EmbeddedStore, tmp_path: Path) -> None:
    """Batches of 3 rows split each student's 5 results, and the last repeats the first
    with another score: every batch was checked before any was written, so the later ones
    must merge what the first created, and the later score stands."""
    async def scenario(store: EmbeddedStore, work: Path) -> None:
        codes = ("S001", "S002")
        students = write_csv(work / "students.csv",
                              ["code", "college", "program", "classLabel", "enrolledOn"],
                              [[c, COLLEGE, PROGRAM, "AI-2401", "2024-09-01"] for c in codes])
        await import_csv(store, "students", students, checkpoint_dir=work / "cp",
                         framework=FW, progress=None)
        rows: list[list[object]] = [
            [COLLEGE, code, assessment, 95 - day * 12, f"2025-02-1{day}"]
            for code in codes for day, assessment in enumerate(GZ_ASSESSMENTS[:4])]
        rows.append([COLLEGE, "S001", GZ_ASSESSMENTS[0], 30, "2025-02-10"])
        results = write_csv(work / "results.csv",
                             ["college", "student", "assessment", "score", "takenAt"], rows)
        report = await import_csv(store, "results", results, checkpoint_dir=work / "cp",
                                  progress=None, batch_size=3)
        assert report.written == 9

    graph, flags, sent = await _both_ways(store, tmp_path, scenario)
    assert learners.CREATE_RESULTS in sent
    took = {(row["s"], row["x"], row["p"]["takenAt"]): row["p"]["score"]
            for row in graph if row["t"] == "TOOK"}
    assert len(took) == len([row for row in graph if row["t"] == "TOOK"]) == 8
    uid = learners.student_uid(COLLEGE, "S001")
    assert took[(uid, f"{FW}|{GZ_ASSESSMENTS[0]}", "2025-02-10")] == 30
    assert all(f["noResults"] is None for f in flags)
