"""Export and erasure of one student: complete, exact for the cohort, audited anonymously."""

from __future__ import annotations

from typing import Any

from graph import analytics, learners, privacy
from graph.embedded import EmbeddedStore
from seed import load_seed
from tests.learner_data import CERTIFICATIONS, COLLEGE, FW, GZ_ASSESSMENTS, result, student


def _comparable(report: analytics.CohortReport) -> dict[str, Any]:
    return {"students": report.students,
            "competencies": sorted((c["code"], c["students"], c["meeting"], c["gapTotal"])
                                   for c in report.competencies if c["students"]),
            "placement": {k: {level: n for level, n in v.items() if n}
                          for k, v in report.placement.items()},
            "readiness": {k: {bucket: n for bucket, n in v.items() if n}
                          for k, v in report.readiness.items()}}


async def test_erase_removes_everything_and_keeps_cohorts_exact(store: EmbeddedStore) -> None:
    await load_seed(store)
    codes = ["ERASE-1", "KEEP-1", "KEEP-2"]
    assert (await learners.record_students(store, [student(c) for c in codes], FW)).ok
    rows = [result(code, assessment, 90 - 10 * i, "2025-01-15")
            for i, code in enumerate(codes) for assessment in GZ_ASSESSMENTS[:4]]
    assert (await learners.record_results(store, rows)).ok
    assert (await learners.record_certifications(store, [
        {"college": COLLEGE, "student": "ERASE-1", "certification": CERTIFICATIONS[0],
         "heldOn": "2025-02-01"}])).ok

    exported = await privacy.export_student(store, learners.student_uid(COLLEGE, "ERASE-1"))
    assert exported is not None and exported["student"]["code"] == "ERASE-1"
    links = exported["relationships"]
    assert len(links["TOOK"]) == 4 and links["HOLDS"][0]["heldOn"] == "2025-02-01"
    assert links["ENROLLED_IN"][0]["target"] == "P-AI-GZ" and links["STANDS"]

    outcome = await privacy.erase_student(store, learners.student_uid(COLLEGE, "ERASE-1"),
                                          COLLEGE, subject="office-1", role="college")
    assert outcome.erased and outcome.relationships >= 6 and outcome.record_uid
    assert await privacy.export_student(store, learners.student_uid(COLLEGE, "ERASE-1")) is None
    maintained = await analytics.cohort_report(store, college=COLLEGE)
    scanned = await analytics.cohort_report_by_scan(store, college=COLLEGE)
    assert maintained.students == 2
    assert _comparable(maintained) == _comparable(scanned)

    records = await privacy.erasure_records(store, COLLEGE)
    assert [r["uid"] for r in records] == [outcome.record_uid]
    assert "ERASE-1" not in repr(records)  # the audit never names the student
    again = await privacy.erase_student(store, learners.student_uid(COLLEGE, "ERASE-1"),
                                        COLLEGE, subject="office-1", role="college")
    assert not again.erased and again.record_uid is None
