"""Students and evidence on the reference seed: validation, idempotency and the rules."""

from __future__ import annotations

from graph import analytics, learners
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import load_seed
from tests.learner_data import (
    COLLEGE,
    FW,
    GZ_ASSESSMENTS,
    OTHER_COLLEGE,
    PROGRAM,
    result,
    student,
)

COUNT_TOOK = Cypher("MATCH (:Student)-[r:TOOK]->(:Assessment) RETURN count(r) AS n")
COUNT_STUDENTS = Cypher("MATCH (s:Student) RETURN count(s) AS n")
EVERYTHING = Cypher(
    "MATCH (s:Student)-[r]->(x) RETURN s.uid AS s, type(r) AS t, properties(r) AS p, "
    "x.uid AS x ORDER BY s, t, x, p.takenAt"
)


async def _ready(store: EmbeddedStore, *codes: str) -> None:
    await load_seed(store)
    outcome = await learners.record_students(store, [student(c) for c in codes], FW)
    assert outcome.ok, outcome.errors


async def test_students_enrol_with_their_program_targets(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None and record["programCode"] == PROGRAM and record["level"] == "GZ"
    report = await analytics.student_report(store, record)
    required = {s.code: s.required for s in report.standings if s.required}
    assert required and all(s.attained == 0 for s in report.standings)
    layers = {s.layer for s in report.standings if s.required}
    assert layers == {"GEN", "PRO", "IND"}


async def test_a_pass_demonstrates_the_measured_proficiency(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    await learners.record_results(store, [result("S001", "A-PRO-AI-GZ-01", 60, "2025-01-10"),
                                          result("S001", "A-PRO-AI-GZ-02", 59, "2025-01-11")])
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
    assert standing["PRO-AI-01"].attained == 3  # 60/100 reaches the 0.6 pass ratio
    assert (standing["PRO-AI-01"].evidence_kind, standing["PRO-AI-01"].evidence_code,
            standing["PRO-AI-01"].evidence_at) == ("assessment", "A-PRO-AI-GZ-01", "2025-01-10")
    assert standing["PRO-AI-03"].attained == 0  # 59/100 does not
    assert standing["PRO-AI-03"].gap == standing["PRO-AI-03"].required


async def test_a_certification_demonstrates_its_proficiency(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    outcome = await learners.record_certifications(store, [
        {"college": COLLEGE, "student": "S001", "certification": "CERT-1X-CV-M",
         "heldOn": "2025-06-01"}])
    assert outcome.ok
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
    assert standing["PRO-AI-07"].attained == 2
    assert standing["PRO-AI-07"].evidence_kind == "certification"


async def test_importing_twice_leaves_one_copy(store: EmbeddedStore) -> None:
    await _ready(store, "S001", "S002")
    rows = [result(s, a, 75, f"2025-03-0{i + 1}") for s in ("S001", "S002")
            for i, a in enumerate(GZ_ASSESSMENTS[:5])]
    assert (await learners.record_results(store, rows)).written == 10
    snapshot = await store.read(EVERYTHING)
    assert (await learners.record_results(store, rows)).written == 10
    assert (await learners.record_students(store, [student("S001"), student("S002")], FW)).ok
    assert await store.read(COUNT_TOOK) == [{"n": 10}]
    assert await store.read(EVERYTHING) == snapshot


async def test_a_bad_row_rejects_the_whole_batch(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    before = await store.read(EVERYTHING)
    rows = [
        result("S001", "A-GEN-GZ-01", 80, "2025-01-01"),          # fine
        result("S404", "A-GEN-GZ-01", 80, "2025-01-01"),          # unknown student
        result("S001", "A-NOPE", 80, "2025-01-01"),               # unknown assessment
        result("S001", "A-GEN-GZ-02", 101, "2025-01-01"),         # score above max
        result("S001", "A-GEN-GZ-03", 80, "2025-02-30"),          # no such date
        result("S001", "A-GEN-GZ-01", 90, "2025-01-01"),          # duplicate of row 0
        {"college": COLLEGE, "student": "S001", "assessment": "A-GEN-GZ-04"},  # missing
    ]
    outcome = await learners.record_results(store, rows)
    assert outcome.written == 0
    found = {(e.index, e.code) for e in outcome.errors}
    assert found == {(1, "UNKNOWN_STUDENT"), (2, "UNKNOWN_ASSESSMENT"), (3, "SCORE_OUT_OF_RANGE"),
                     (4, "BAD_DATE"), (5, "DUPLICATE_ROW"), (6, "MISSING_FIELD")}
    assert await store.read(EVERYTHING) == before


async def test_student_batch_validation(store: EmbeddedStore) -> None:
    await load_seed(store)
    outcome = await learners.record_students(store, [
        student("S1"), student("S1"), student("S2", program="P-NOPE"),
        student("S3", college="COL-NOPE"), student("S4", program="P-AI-BK"),
        {**student("S5"), "enrolledOn": "yesterday"}], FW)
    assert {(e.index, e.code) for e in outcome.errors} == {
        (1, "DUPLICATE_ROW"), (2, "UNKNOWN_PROGRAM"), (3, "UNKNOWN_COLLEGE"),
        (4, "PROGRAM_OF_OTHER_COLLEGE"), (5, "BAD_DATE")}
    assert await store.read(COUNT_STUDENTS) == [{"n": 0}]


async def test_a_college_may_write_only_its_own_students(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    outcome = await learners.record_results(
        store, [result("S001", "A-GEN-GZ-01", 80, "2025-01-01")],
        allowed_colleges={OTHER_COLLEGE})
    assert [e.code for e in outcome.errors] == ["FORBIDDEN_COLLEGE"]


async def test_a_corrected_score_lowers_attainment(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    await learners.record_results(store, [result("S001", "A-PRO-AI-GZ-01", 90, "2025-01-10")])
    await learners.record_results(store, [result("S001", "A-PRO-AI-GZ-01", 30, "2025-01-10")])
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
    assert standing["PRO-AI-01"].attained == 0 and standing["PRO-AI-01"].evidence_code is None
    assert await store.read(COUNT_TOOK) == [{"n": 1}]


async def test_readiness_and_placement_follow_the_rules(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    await learners.record_results(store, [result("S001", a, 100, f"2025-02-0{i + 1}")
                                          for i, a in enumerate(GZ_ASSESSMENTS[:5])])
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    report = await analytics.student_report(store, record)
    general = [s for s in report.standings if s.layer == "GEN" and s.required]
    expected = sum(min(s.attained, s.required) for s in general) / sum(
        s.required for s in general)
    ratio = {r.dimension: r.ratio for r in report.readiness}
    assert abs(ratio["GEN"] - expected) < 1e-9
    assert ratio["PRO"] == 0.0
    # every GZ general assessment passed: GZ reached in GEN unless some BK requirement is met too
    assert report.placement["GEN"] in {"GZ", "BK"}
    assert report.placement["PRO"] is None


async def test_learning_path_closes_gaps_in_prerequisite_order(store: EmbeddedStore) -> None:
    await _ready(store, "S001")
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    report = await analytics.student_report(store, record)
    gaps = [s for s in report.standings if s.gap > 0]
    path = await analytics.learning_path(store, record, gaps, report.standings)
    position = {step.course: i for i, step in enumerate(path.steps)}
    closed = {c for step in path.steps for c in step.closes}
    assert closed | set(path.uncovered) == {g.code for g in gaps}
    prerequisites = await store.read(Cypher(
        "MATCH (a:Course {fw: $fw})-[:REQUIRES]->(b:Course) RETURN a.code AS a, b.code AS b"),
        {"fw": FW})
    for row in prerequisites:
        if row["a"] in position and row["b"] in position:
            assert position[row["b"]] < position[row["a"]]
        if row["a"] in position:
            assert row["b"] in position  # an unsatisfied prerequisite is pulled in


async def test_cohort_is_one_query_and_counts_right(store: EmbeddedStore) -> None:
    await _ready(store, "S001", "S002", "S003")
    await learners.record_results(store, [result("S001", "A-PRO-AI-GZ-01", 100, "2025-01-01"),
                                          result("S002", "A-PRO-AI-GZ-01", 100, "2025-01-01")])
    before = store.round_trips
    report = await analytics.cohort_report(store, college=COLLEGE)
    assert store.round_trips - before == 1
    assert report.students == 3
    share = {c["code"]: c for c in report.competencies}
    assert share["PRO-AI-01"]["students"] == 3 and share["PRO-AI-01"]["meeting"] == 2
    assert sum(report.placement["GEN"].values()) == 3
    assert sum(report.readiness["PRO"].values()) == 3


async def test_a_certificate_recorded_again_keeps_its_earliest_date(
        store: EmbeddedStore) -> None:
    await _ready(store, "S001", "S002")
    rows = {code: {"college": COLLEGE, "student": code, "certification": "CERT-1X-CV-M"}
            for code in ("S001", "S002")}
    for code, days in (("S001", ("2025-06-01", "2026-01-15")),
                       ("S002", ("2026-01-15", "2025-06-01"))):  # both arrival orders
        for day in days:
            assert (await learners.record_certifications(
                store, [{**rows[code], "heldOn": day}])).ok
    for code in ("S001", "S002"):
        record = await analytics.student_record(store, learners.student_uid(COLLEGE, code))
        assert record is not None
        standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
        assert standing["PRO-AI-07"].evidence_at == "2025-06-01", code


async def test_a_checked_batch_counts_out_what_vanished_before_its_write(
        store: EmbeddedStore) -> None:
    """The importer writes batches its check pass kept: a student erased in between is not
    written, and the count says so (the importer reports STORE_CHANGED)."""
    from graph.privacy import erase_student

    await _ready(store, "S001", "S002")
    batch = await learners.check_results(store, [
        result("S001", "A-PRO-AI-GZ-01", 90, "2025-01-10"),
        result("S002", "A-PRO-AI-GZ-01", 90, "2025-01-10")])
    assert not batch.errors and batch.results.rows == 2 and batch.raises.students
    assert (await erase_student(store, learners.student_uid(COLLEGE, "S002"), COLLEGE,
                                subject="test", role="admin")).erased
    outcome = await learners.write_results(store, batch)
    assert outcome.written == 1
    assert (await store.read(COUNT_TOOK))[0]["n"] == 1


async def test_a_correction_in_a_checked_batch_lowers_attainment(
        store: EmbeddedStore) -> None:
    """The write reports which students a correction flipped (pass → fail), so their
    attainment is re-derived from all their evidence."""
    await _ready(store, "S001")
    await learners.record_results(store, [result("S001", "A-PRO-AI-GZ-01", 90, "2025-01-10")])
    batch = await learners.check_results(store, [
        result("S001", "A-PRO-AI-GZ-01", 10, "2025-01-10")])
    assert batch.results.rows and not batch.raises.students  # a fail raises nothing
    assert (await learners.write_results(store, batch)).written == 1
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "S001"))
    assert record is not None
    standing = {s.code: s for s in (await analytics.student_report(store, record)).standings}
    assert standing["PRO-AI-01"].attained == 0


REMOVE_ASSESSMENT = Cypher(
    "MATCH (a:Assessment {uid: $uid}) DETACH DELETE a RETURN count(*) AS removed"
)
TOOK_CODES = Cypher(
    "MATCH (:Student)-[r:TOOK]->(a:Assessment) RETURN a.code AS code, r.takenAt AS at "
    "ORDER BY code"
)


async def test_a_vanished_assessment_shifts_no_row_onto_another(store: EmbeddedStore) -> None:
    """A written batch names each assessment by its position in the batch's list: one
    removed between the check and the write is skipped, and the rows after it in the list
    still reach their own assessment."""
    await _ready(store, "S001")
    first, gone, last = GZ_ASSESSMENTS[:3]
    batch = await learners.check_results(store, [
        result("S001", code, 90, f"2025-01-1{day}")
        for day, code in enumerate((first, gone, last))])
    assert batch.results.nodes == [f"{FW}|{code}" for code in (first, gone, last)]
    await store.write(REMOVE_ASSESSMENT, {"uid": batch.results.nodes[1]})
    assert (await learners.write_results(store, batch)).written == 2
    assert [(row["code"], row["at"]) for row in await store.read(TOOK_CODES)] == [
        (first, "2025-01-10"), (last, "2025-01-12")]


def test_grouped_rows_split_into_queries_of_at_most_the_limit() -> None:
    """A checked batch goes to the store in parts of at most MAX_BATCH rows; a student with
    more rows than that is split, and nothing is lost or repeated."""
    from graph.attainment import Grouped

    grouped = Grouped(["n0", "n1"], [["a", [[0, i] for i in range(5)]], ["b", [[1, 9]]],
                                     ["c", [[0, i] for i in range(3)]]])
    parts = list(grouped.chunks(4))
    assert [part.rows for part in parts] == [4, 2, 3]
    assert all(part.nodes == grouped.nodes for part in parts)
    assert [(uid, row) for part in parts for uid, rows in part.students for row in rows] == [
        (uid, row) for uid, rows in grouped.students for row in rows]
    assert grouped.params("assessments")["assessments"] == [[0, "n0"], [1, "n1"]]
