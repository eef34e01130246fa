"""A results import counts the cohort figures of the students it gives their first
attainment as it writes them (graph.cohort_tallies), and its rebuild reads only the others.
The figures must be exactly those of a rebuild that reads every member back, whatever the
file's order and whatever another writer did in between."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph import learners
from graph.attainment import refresh_summaries
from graph.cohort_rebuild import GROUP_MEMBERS
from graph.cohort_tallies import CohortTallies
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import load_seed
from service.importer import import_csv
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM, result, student, write_csv

COHORTS = Cypher(
    "MATCH (k:Cohort) RETURN k.key AS key, k.students AS students, k.figures AS figures "
    "ORDER BY key"
)
STUDENTS = Cypher("MATCH (s:Student) RETURN s.uid AS uid ORDER BY uid")


def _tokens_sent(store: EmbeddedStore) -> list[str]:
    """The tokens of every group the rebuild's reads name from now on."""
    sent: list[str] = []
    read = store.read

    async def watched(query: Cypher, params: Any = None, **kwargs: Any) -> list[Any]:
        if query is GROUP_MEMBERS:
            sent.extend(group["token"] for group in params["groups"])
        return await read(query, params, **kwargs)

    store.read = watched  # type: ignore[method-assign]
    return sent


async def _read_whole(store: EmbeddedStore) -> list[Any]:
    """Every group rebuilt again by reading all its members back."""
    await refresh_summaries(store, [row["uid"] for row in await store.read(STUDENTS)])
    return await store.read(COHORTS)


async def test_an_imports_counted_figures_are_those_read_back(store: EmbeddedStore,
                                                              tmp_path: Path) -> None:
    """Two classes; batches of 3 split students, and S004 comes back at the end of the file
    (its class is then read whole); S005 has an earlier certification (not counted, read)."""
    await load_seed(store)
    codes = ["S001", "S002", "S003", "S004", "S005", "S006"]
    students = write_csv(tmp_path / "students.csv",
                          ["code", "college", "program", "classLabel", "enrolledOn"],
                          [[c, COLLEGE, PROGRAM, f"AI-240{i % 2}", "2024-09-01"]
                           for i, c in enumerate(codes)])
    await import_csv(store, "students", students, checkpoint_dir=tmp_path / "cp",
                     framework=FW, progress=None)
    assert (await learners.record_certifications(store, [
        {"college": COLLEGE, "student": "S005", "certification": "CERT-1X-CV-M",
         "heldOn": "2025-06-01"}])).ok
    rows: list[list[object]] = [
        [COLLEGE, code, assessment, 95 - 7 * day - i, f"2025-02-1{day}"]
        for i, code in enumerate(codes) for day, assessment in enumerate(GZ_ASSESSMENTS[:5])]
    rows.append([COLLEGE, "S004", GZ_ASSESSMENTS[6], 99, "2025-03-01"])
    results = write_csv(tmp_path / "results.csv",
                         ["college", "student", "assessment", "score", "takenAt"], rows)
    tokens = _tokens_sent(store)
    report = await import_csv(store, "results", results, checkpoint_dir=tmp_path / "cp",
                              progress=None, batch_size=3)
    assert report.written == len(rows)
    assert any(tokens) and not all(tokens)  # one class counted, S004's read whole
    counted = await store.read(COHORTS)
    assert [row["students"] for row in counted] == [3, 3]
    assert counted == await _read_whole(store)


async def test_a_write_between_leaves_the_figures_exact(store: EmbeddedStore) -> None:
    """S002's attainment is raised by another writer after the import counted it: the
    store no longer carries the import's mark, so its group is read whole."""
    await load_seed(store)
    assert (await learners.record_students(
        store, [student(c) for c in ("S001", "S002", "S003")], FW)).ok
    batch = await learners.check_results(store, [
        result(code, assessment, 88 - 9 * day, f"2025-01-1{day}")
        for code in ("S001", "S002", "S003") for day, assessment in enumerate(GZ_ASSESSMENTS[:3])])
    tallies = CohortTallies()
    first = dict(zip(batch.first_standing, batch.first_groups, strict=True))
    assert len(first) == 3
    done = tallies.take(batch.results.students, batch.raises.students, batch.raises.nodes,
                        first)
    assert (await learners.write_results(store, batch, defer_summaries=True,
                                         token=tallies.token)).written == 9
    await tallies.count(store, done)
    await tallies.flush(store)
    assert (await learners.record_results(
        store, [result("S002", GZ_ASSESSMENTS[6], 100, "2025-03-01")],
        defer_summaries=True)).written == 1
    tokens = _tokens_sent(store)
    uids = [learners.student_uid(COLLEGE, c) for c in ("S001", "S002", "S003")]
    await refresh_summaries(store, uids, tallies)
    assert tokens[0] == tallies.token and tokens[-1] == ""  # tried, then read whole
    assert await store.read(COHORTS) == await _read_whole(store)
