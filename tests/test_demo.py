"""The demo dataset: deterministic, written through the batch functions, idempotent, varied."""

from __future__ import annotations

from typing import Any

from graph import analytics
from graph.curriculum import program_report
from graph.editing import audit_count
from graph.embedded import EmbeddedStore
from graph.framework import FrameworkRepository
from graph.learners import record_totals, student_uid
from service.demo import DEMO_CLASSES, generate_demo, load_demo


async def _snapshot(store: EmbeddedStore) -> dict[str, Any]:
    """What a second run must leave exactly as it was."""
    cohort = await analytics.cohort_report(store)
    record = await analytics.student_record(store, student_uid("COL-DEMO-GZ", "S00001"))
    assert record is not None
    report = await analytics.student_report(store, record)
    return {"cohort": (cohort.students, cohort.competencies, dict(cohort.placement),
                       dict(cohort.readiness)),
            "S00001": [(s.code, s.required, s.attained, s.evidence_code, s.evidence_at)
                       for s in report.standings]}


def test_the_generator_is_deterministic() -> None:
    first, second = generate_demo(), generate_demo()
    assert first.students == second.students and first.results == second.results
    assert first.completions == second.completions
    assert first.certifications == second.certifications
    assert 200 <= len(first.students) <= 600
    assert len(first.students) == sum(c.size for c in DEMO_CLASSES)
    codes = [(s["college"], s["code"]) for s in first.students]
    assert len(set(codes)) == len(codes)
    assert ("COL-DEMO-GZ", "S00001") in codes


async def test_demo_loads_once_and_a_second_run_changes_nothing(
        demo_store: EmbeddedStore) -> None:
    store = demo_store  # loaded once by the fixture
    data = generate_demo()
    totals = {"students": len(data.students), "results": len(data.results),
              "completions": len(data.completions), "certifications": len(data.certifications)}
    assert await record_totals(store) == totals
    before = await _snapshot(store)
    audit_before = await audit_count(store, None)
    frameworks_before = await FrameworkRepository(store).frameworks()
    again = await load_demo(store)
    assert again.totals == totals and not again.skipped
    assert await _snapshot(store) == before
    assert await audit_count(store, None) == audit_before
    assert await FrameworkRepository(store).frameworks() == frameworks_before
    assert again.draft == "AIL@2025.2"
    skipped = await load_demo(store, if_empty=True)
    assert skipped.skipped and skipped.totals == totals

    # The README's student has evidence, strengths and gaps.
    record = await analytics.student_record(store, student_uid("COL-DEMO-GZ", "S00001"))
    assert record is not None
    report = await analytics.student_report(store, record)
    assert any(s.gap > 0 for s in report.standings)
    assert any(s.attained > 0 and s.evidence_code for s in report.standings)

    # The views need variety: several placements per layer, spread readiness, classes that
    # differ from one another.
    cohort = await analytics.cohort_report(store, college="COL-DEMO-GZ")
    for layer in ("GEN", "PRO", "IND"):
        assert len([n for n in cohort.placement[layer].values() if n > 0]) >= 2, layer
    for dimension in ("GEN", "PRO", "ETH"):
        assert len(cohort.readiness[dimension]) >= 4, dimension
    shares = set()
    for group in DEMO_CLASSES:
        if group.college == "COL-DEMO-GZ":
            one = await analytics.cohort_report(store, college=group.college,
                                                class_label=group.label)
            assert one.students == group.size
            shares.add(tuple(c["meeting"] for c in one.competencies))
    assert len(shares) > 1


async def test_demo_needs_the_reference_framework(store: EmbeddedStore) -> None:
    try:
        await load_demo(store)
    except ValueError as exc:
        assert "competency-graph load" in str(exc)
    else:
        raise AssertionError("the demo loaded without its framework")


async def test_the_demo_draft_gives_the_checks_and_the_diff_something_to_show(
        demo_store: EmbeddedStore) -> None:
    draft = await FrameworkRepository(demo_store).framework("AIL@2025.2")
    assert draft is not None and draft["status"] == "draft"
    assert draft["previousVersion"] == "AIL@2025.1"
    report = await program_report(demo_store, "AIL@2025.2", "P-AI-GZ")
    kinds = {f.kind for f in report.coverage + report.order + report.assessment}
    assert {"NOT_TAUGHT", "BELOW_TARGET", "COURSE_BEFORE_PREREQUISITE"} <= kinds
    published = await program_report(demo_store, "AIL@2025.1", "P-AI-GZ")
    assert not published.coverage + published.order  # the reference program stays clean
