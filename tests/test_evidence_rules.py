"""The evidence rules of README "规则 · The rules", one test each: the exact pass test, the
certification cap, the earliest certification date, the learning path's order and ties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from graph import analytics, learners
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.evidence import DEFAULT_CERTIFICATION_CAP, passes
from graph.paths import _choose, _order
from schema import Context, Principal, Role, build_schema
from seed import load_seed
from tests.learner_data import COLLEGE, FW, result, student

PASSED = Cypher(
    "MATCH (:Student {uid: $student})-[r:TOOK]->(a:Assessment) "
    "RETURN a.code AS assessment, r.takenAt AS takenAt, r.passed AS passed ORDER BY takenAt"
)
HELD_ON = Cypher(
    "MATCH (:Student {uid: $student})-[h:HOLDS]->(c:Certification) "
    "RETURN c.code AS certification, h.heldOn AS heldOn"
)
# CERT-1X-AIDL-M evidences PRO-AI-03 at 3; A-PRO-AI-GZ-02 measures it at 3 (the seed).
CERT = "CERT-1X-AIDL-M"


async def _standing(store: EmbeddedStore, code: str) -> dict[str, analytics.Standing]:
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, code))
    assert record is not None
    return {s.code: s for s in (await analytics.student_report(store, record)).standings}


@pytest.mark.parametrize(("score", "max_score", "ratio", "expected"), [
    (59.99996, 100, 0.6, False),  # rounding to 6 places would let it pass
    ("59.99996", "100", 0.6, False),  # as a CSV cell
    (60, 100, 0.6, True),
    (38.94, 64.9, 0.6, True),  # exactly 0.6; in binary floating point 38.94/64.9 < 0.6
    (4.02, 6.7, 0.6, True),
    (Decimal("0.1") + Decimal("0.2"), Decimal("0.5"), 0.6, True),
    (2, 3, 0.6667, False),
])
def test_the_pass_test_is_exact(score: Any, max_score: Any, ratio: float,
                                expected: bool) -> None:
    assert 38.94 / 64.9 < 0.6  # the artefact the decimal comparison avoids
    assert passes(score, max_score, ratio) is expected


async def test_a_result_just_below_the_pass_ratio_demonstrates_nothing(
        store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S001")], FW)).ok
    rows = [{**result("S001", "A-PRO-AI-GZ-01", 59.99996, "2025-01-10"), "maxScore": 100},
            {**result("S001", "A-PRO-AI-GZ-02", "38.94", "2025-01-11"), "maxScore": "64.9"}]
    assert (await learners.record_results(store, rows)).ok
    passed = await store.read(PASSED, {"student": learners.student_uid(COLLEGE, "S001")})
    assert [(r["assessment"], r["passed"]) for r in passed] == [
        ("A-PRO-AI-GZ-01", False), ("A-PRO-AI-GZ-02", True)]
    standing = await _standing(store, "S001")
    assert standing["PRO-AI-01"].attained == 0  # measured only by the failed assessment
    assert standing["PRO-AI-03"].evidence_code == "A-PRO-AI-GZ-02"


async def test_a_certification_counts_up_to_the_cap_only(store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S001"), student("S002")], FW)).ok
    cert = {"college": COLLEGE, "certification": CERT, "heldOn": "2025-02-01"}
    assert (await learners.record_certifications(store, [{**cert, "student": "S001"}])).ok
    assert (await learners.record_certifications(store, [{**cert, "student": "S002"}],
                                                 certification_cap=3)).ok
    capped, uncapped = await _standing(store, "S001"), await _standing(store, "S002")
    assert DEFAULT_CERTIFICATION_CAP == 2
    assert (capped["PRO-AI-03"].attained, capped["PRO-AI-03"].evidence_kind) == (
        2, "certification")
    assert uncapped["PRO-AI-03"].attained == 3  # a configured cap of 3 lets it count fully
    # the college's own assessment demonstrates the full proficiency ...
    taken = result("S001", "A-PRO-AI-GZ-02", 80, "2025-03-01")
    assert (await learners.record_results(store, [taken])).ok
    standing = await _standing(store, "S001")
    assert (standing["PRO-AI-03"].attained, standing["PRO-AI-03"].evidence_kind) == (
        3, "assessment")
    # ... and when a correction fails it, attainment is re-derived with the cap again
    assert (await learners.record_results(store, [{**taken, "score": 10}])).ok
    standing = await _standing(store, "S001")
    assert (standing["PRO-AI-03"].attained, standing["PRO-AI-03"].evidence_kind) == (
        2, "certification")


async def test_every_answer_shows_the_evidence_kind(store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S001")], FW)).ok
    assert (await learners.record_certifications(store, [
        {"college": COLLEGE, "student": "S001", "certification": CERT,
         "heldOn": "2025-02-01"}])).ok
    query = """{ student(code: "S001") { standing { competencyCode attained evidence { kind } }
        evidence { kind proficiency countedProficiency } }
      jobMatches(student: "S001", first: 100) { edges { node {
        needs { competencyCode attained evidence { kind } } } } } }"""
    answer = await build_schema().execute(query, context_value=Context(
        store, Principal(Role.COLLEGE, "c", college=COLLEGE)))
    assert answer.errors is None, answer.errors
    standings = [s for s in answer.data["student"]["standing"] if s["attained"]]
    needs = [n for e in answer.data["jobMatches"]["edges"] for n in e["node"]["needs"]
             if n["attained"]]
    assert standings and needs
    assert all(item["evidence"]["kind"] == "CERTIFICATION" for item in standings + needs)
    listed = answer.data["student"]["evidence"]
    assert {e["proficiency"] for e in listed} == {2, 3}  # CERT-1X-AIDL-M evidences 3 and 2
    assert all(e["countedProficiency"] == min(e["proficiency"], DEFAULT_CERTIFICATION_CAP)
               for e in listed)


async def test_a_certification_recorded_twice_keeps_the_earliest_date(
        store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S001"), student("S002")], FW)).ok
    for code, days in (("S001", ["2025-09-01", "2025-03-01", "2025-06-01"]),
                       ("S002", ["2025-03-01", "2025-09-01", "2025-06-01"])):
        for day in days:
            assert (await learners.record_certifications(store, [
                {"college": COLLEGE, "student": code, "certification": CERT,
                 "heldOn": day}])).ok
        held = await store.read(HELD_ON, {"student": learners.student_uid(COLLEGE, code)})
        assert held == [{"certification": CERT, "heldOn": "2025-03-01"}], code
        assert (await _standing(store, code))["PRO-AI-03"].evidence_at == "2025-03-01"


def _course(level: str, teaches: dict[str, int]) -> dict[str, Any]:
    return {"level": level, "teaches": teaches}


def test_a_course_comes_after_the_courses_teaching_its_gaps_prerequisites() -> None:
    courses = {"C-B": _course("GZ", {"X": 2}), "C-A": _course("GZ", {"P": 2})}
    order, conflicts = _order({"C-B": {"X"}, "C-A": {"P"}}, courses, {}, {"X": {"P"}},
                              {"GZ": 1})
    assert order == ["C-A", "C-B"] and conflicts == []  # by code alone C-A would come first
    order, _ = _order({"C-A": {"X"}, "C-B": {"P"}},
                      {"C-A": _course("GZ", {"X": 2}), "C-B": _course("GZ", {"P": 2})},
                      {}, {"X": {"P"}}, {"GZ": 1})
    assert order == ["C-B", "C-A"]  # the competency order overrides the code order


def test_a_declared_course_prerequisite_wins_over_the_competency_order() -> None:
    # C-A closes X whose prerequisite P is taught by C-B, but C-B REQUIRES C-A
    courses = {"C-A": _course("GZ", {"X": 2}), "C-B": _course("GZ", {"P": 2})}
    order, conflicts = _order({"C-A": {"X"}, "C-B": {"P"}}, courses, {"C-B": {"C-A"}},
                              {"X": {"P"}}, {"GZ": 1})
    assert order == ["C-A", "C-B"]
    assert [(c.course, c.wanted_after, c.won_by) for c in conflicts] == [
        ("C-A", "C-B", "course-prerequisite")]


def test_between_two_competency_wishes_the_earlier_course_code_wins() -> None:
    courses = {"C-A": _course("GZ", {"X": 2, "Q": 1}), "C-B": _course("GZ", {"Y": 2, "P": 1})}
    order, conflicts = _order({"C-A": {"X"}, "C-B": {"Y"}}, courses, {},
                              {"X": {"P"}, "Y": {"Q"}}, {"GZ": 1})
    assert order == ["C-B", "C-A"]  # C-A's wish (after C-B) is added first
    assert [(c.course, c.wanted_after, c.won_by) for c in conflicts] == [
        ("C-B", "C-A", "competency-order")]


def test_the_greedy_choice_and_its_tie_breaks() -> None:
    def offer(credits: float, *gaps: str) -> dict[str, Any]:
        return {"credits": credits, "teaches": dict.fromkeys(gaps, 2)}

    gaps = dict.fromkeys(["G1", "G2", "G3", "G4"], 2)
    # most gaps per credit first: 3 gaps / 2 credits beats 2 gaps / 1.5 credits
    chosen, left = _choose({"C-A": offer(1.5, "G1", "G2"), "C-B": offer(2, "G1", "G2", "G3")},
                           gaps)
    assert list(chosen) == ["C-B"] and left == {"G4"}
    # the same ratio (10 gaps a credit, as exact fractions): the more gaps closed wins
    chosen, _ = _choose({"C-A": offer(0.1, "G4"), "C-B": offer(0.3, "G1", "G2", "G3")}, gaps)
    assert next(iter(chosen)) == "C-B"
    # the same ratio and the same number of gaps: the smaller code, prefixes included
    chosen, _ = _choose({"C-10": offer(1, "G1"), "C-1": offer(1, "G1")}, {"G1": 2})
    assert list(chosen) == ["C-1"]
    # a course teaching below the required proficiency closes nothing
    chosen, left = _choose({"C-A": {"credits": 1, "teaches": {"G1": 1}}}, {"G1": 2})
    assert chosen == {} and left == {"G1"}


TEACHES = Cypher(
    "MATCH (co:Course {fw: $fw})-[:TEACHES]->(c:Competency) "
    "RETURN co.code AS course, collect(c.code) AS teaches"
)
COMPETENCY_PREREQUISITES = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) "
    "RETURN a.code AS competency, b.code AS prerequisite"
)


async def test_a_real_path_keeps_the_competency_order_or_says_why(
        store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S001")], FW)).ok
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    report = await analytics.student_report(store, record)
    gaps = await analytics.gaps_against(store, record, report.standings)
    path = await analytics.learning_path(store, record, [g for g in gaps if g.gap > 0],
                                         report.standings)
    position = {step.course: i for i, step in enumerate(path.steps)}
    teaches = {r["course"]: set(r["teaches"]) for r in await store.read(TEACHES, {"fw": FW})}
    prerequisites: dict[str, set[str]] = {}
    for row in await store.read(COMPETENCY_PREREQUISITES, {"fw": FW}):
        prerequisites.setdefault(row["competency"], set()).add(row["prerequisite"])
    dropped = {(c.course, c.wanted_after) for c in path.conflicts}
    checked = 0
    for step in path.steps:
        needed = set().union(*(prerequisites.get(g, set()) for g in step.closes))
        for other in position:
            if other != step.course and teaches[other] & needed:
                checked += 1
                assert position[other] < position[step.course] or (
                    step.course, other) in dropped, (step.course, other)
    assert checked > 0, "the seed's path should exercise the competency order"
