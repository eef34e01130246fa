"""Importing students: a file that moves students between programs and classes leaves every
cohort group equal to the full aggregation (the groups they left included), importing it
again changes nothing, a resumed import still rebuilds what the writes before it touched, and
a program removed between the check and the write is reported by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import service.importer as importer
from graph import analytics, learners
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.ids import element_uid
from graph.store import GraphStore
from seed import load_seed
from service.importer import ImportFailed, import_csv
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM
from tests.test_import import write_csv

OTHER_PROGRAM = "P-MFG-GZ"
HEADER = ["code", "college", "program", "classLabel", "enrolledOn"]
STUDENTS = Cypher(
    "MATCH (s:Student) OPTIONAL MATCH (s)-[:ENROLLED_IN]->(p:Program) "
    "RETURN s.uid AS uid, s.program AS program, s.classLabel AS classLabel, "
    "s.groupKey AS groupKey, s.cohortProgram AS cohortProgram, s.cohortClass AS cohortClass, "
    "s.programCode AS programCode, s.level AS level, s.major AS major, s.fw AS fw, "
    "s.enrolledOn AS enrolledOn, collect(p.uid) AS enrolledIn ORDER BY uid"
)
COHORTS = Cypher(
    "MATCH (k:Cohort) RETURN k.key AS key, k.students AS students, k.figures AS figures "
    "ORDER BY key"
)


def _first_file(path: Path) -> Path:
    """30 students of PROGRAM in classes A, B, none, and S010–S019 in X."""
    return write_csv(path, HEADER, [[f"S{i:03d}", COLLEGE, PROGRAM,
                                     "X" if 10 <= i < 20 else ["A", "B", ""][i % 3],
                                     "2024-09-01"] for i in range(30)])


def _second_file(path: Path) -> Path:
    """S000–S009 move program, S010–S019 move class (no one is left in X), S020–S029 stay,
    S030–S034 are new."""
    rows: list[list[Any]] = []
    for i in range(35):
        program, label = PROGRAM, ["A", "B", ""][i % 3]
        if i < 10:
            program = OTHER_PROGRAM
        elif i < 20:
            label = "C"
        rows.append([f"S{i:03d}", COLLEGE, program, label, "2025-02-01"])
    return write_csv(path, HEADER, rows)


async def _with_evidence(store: GraphStore, tmp_path: Path) -> None:
    await load_seed(store)
    first = await import_csv(store, "students", _first_file(tmp_path / "s1.csv"),
                             checkpoint_dir=tmp_path / "cp1", framework=FW, progress=None)
    assert first.written == 30
    rows = [[COLLEGE, f"S{i:03d}", GZ_ASSESSMENTS[(i + j) % len(GZ_ASSESSMENTS)],
             (i * 17 + j * 29) % 101, f"2025-01-{1 + j:02d}"]
            for i in range(30) for j in range(4)]
    results = write_csv(tmp_path / "r.csv", ["college", "student", "assessment", "score",
                                              "takenAt"], rows)
    await import_csv(store, "results", results, checkpoint_dir=tmp_path / "cp1",
                     progress=None)


async def _assert_cohorts_exact(store: GraphStore) -> None:
    for scope in ({"college": COLLEGE}, {"program": element_uid(FW, PROGRAM)},
                  {"program": element_uid(FW, OTHER_PROGRAM)},
                  {"college": COLLEGE, "class_label": "C"}, {"class_label": "X"},
                  {"class_label": "A"}, {}):
        served = await analytics.cohort_report(store, **scope)
        assert served == await analytics.cohort_report_by_scan(store, **scope), scope


async def test_moves_between_programs_and_classes_keep_every_group_exact(
        store: EmbeddedStore, tmp_path: Path) -> None:
    await moves_keep_every_group_exact(store, tmp_path)


async def test_a_resumed_import_rebuilds_the_groups_left_before_it_stopped(
        store: EmbeddedStore, tmp_path: Path) -> None:
    """The batches written before a crash reported their groups to a process that died: the
    resumed import looks the file's students up instead."""
    await resumed_import_rebuilds_the_groups_left(store, tmp_path)


async def moves_keep_every_group_exact(store: GraphStore, tmp_path: Path) -> None:
    """(Also run on Neo4j: tests/test_neo4j_enrolment.py.)"""
    await _with_evidence(store, tmp_path)
    second = _second_file(tmp_path / "s2.csv")
    report = await import_csv(store, "students", second, checkpoint_dir=tmp_path / "cp2",
                              framework=FW, progress=None, batch_size=7)  # mixed batches
    assert report.written == 35
    students = await store.read(STUDENTS)
    assert len(students) == 35
    for row in students:  # one enrolment each, counted in its own group, program's fields
        assert row["enrolledIn"] == [row["program"]]
        assert row["groupKey"] == f"{row['program']}|{row['classLabel'] or ''}"
        assert (row["cohortProgram"], row["cohortClass"]) == (row["program"],
                                                              row["classLabel"])
        assert (row["fw"], row["level"], row["enrolledOn"]) == (FW, "GZ", "2025-02-01")
    moved = {row["uid"]: row for row in students}
    assert moved[learners.student_uid(COLLEGE, "S003")]["programCode"] == OTHER_PROGRAM
    assert moved[learners.student_uid(COLLEGE, "S013")]["classLabel"] == "C"
    assert moved[learners.student_uid(COLLEGE, "S032")]["classLabel"] is None
    await _assert_cohorts_exact(store)
    everyone = await analytics.cohort_report(store)
    assert everyone.students == 35

    cohorts = await store.read(COHORTS)
    again = await import_csv(store, "students", second, checkpoint_dir=tmp_path / "cp3",
                             framework=FW, progress=None, batch_size=7)
    assert again.written == 35
    assert await store.read(STUDENTS) == students  # importing it again changes nothing
    assert await store.read(COHORTS) == cohorts


async def resumed_import_rebuilds_the_groups_left(store: GraphStore, tmp_path: Path) -> None:
    await _with_evidence(store, tmp_path)
    second = _second_file(tmp_path / "s2.csv")
    table = importer.open_import(second, "students")
    written_before_the_crash = list(table.rows())[:14]  # two batches of 7: S000–S013 moved
    outcome = await learners.record_students(store, written_before_the_crash, FW,
                                             defer_summaries=True)
    assert outcome.ok and outcome.written == 14
    checkpoint = importer._checkpoint_path(tmp_path / "cp2", second, "students")
    (tmp_path / "cp2").mkdir()
    importer._save_checkpoint(checkpoint, 14, complete=False)
    report = await import_csv(store, "students", second, checkpoint_dir=tmp_path / "cp2",
                              framework=FW, progress=None, batch_size=7)
    assert (report.resumed_from, report.written) == (14, 21)
    await _assert_cohorts_exact(store)


async def test_a_program_removed_between_check_and_write_is_reported(
        store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await load_seed(store)
    path = write_csv(tmp_path / "s.csv", HEADER, [
        [f"S{i}", COLLEGE, PROGRAM if i < 4 else OTHER_PROGRAM, "A", "2024-09-01"]
        for i in range(8)])
    checked = importer._check_file

    async def check_then_remove(*args: object, **kwargs: object) -> set[str]:
        students = await checked(*args, **kwargs)  # type: ignore[arg-type]
        await store.write(Cypher("MATCH (p:Program {uid: $uid}) DETACH DELETE p "
                                 "RETURN count(*) AS n"), {"uid": element_uid(FW, OTHER_PROGRAM)})
        return students

    monkeypatch.setattr(importer, "_check_file", check_then_remove)
    with pytest.raises(ImportFailed) as failed:
        await import_csv(store, "students", path, checkpoint_dir=tmp_path / "cp",
                         framework=FW, progress=None, batch_size=4)
    [problem] = failed.value.problems
    assert (problem.code, problem.line) == ("STORE_CHANGED", 6)  # the second batch: 6–9
    assert "4 of the students on lines 6–9" in problem.message
    assert len(await store.read(STUDENTS)) == 4  # the first batch was written
