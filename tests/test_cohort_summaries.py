"""The maintained cohort data (student summaries, per-group tallies) always equals the cohort
aggregated from every STANDS edge, whatever sequence of writes produced it: enrolments,
moves between programs and classes, results and their corrections, certifications and
program target changes."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import analytics, learners
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.ids import element_uid
from graph.migrations import migrate
from graph.programs import refresh_program_targets
from seed import load_seed
from tests.learner_data import CERTIFICATIONS, COLLEGE, FW, GZ_ASSESSMENTS, student

GRAPH = "cohort-summaries"
PROGRAMS = ["P-AI-GZ", "P-MFG-GZ"]
CLASSES = ["A", "B"]
_runs = itertools.count(1)

operation = st.one_of(
    st.tuples(st.just("enrol"), st.integers(0, 3), st.sampled_from(PROGRAMS),
              st.sampled_from(CLASSES)),
    st.tuples(st.just("result"), st.integers(0, 3), st.sampled_from(GZ_ASSESSMENTS),
              st.integers(0, 100), st.sampled_from(["2025-01-01", "2025-03-01"])),
    st.tuples(st.just("certify"), st.integers(0, 3), st.sampled_from(CERTIFICATIONS),
              st.sampled_from(["2025-02-01", "2024-12-01"])),
    st.tuples(st.just("retarget"), st.sampled_from(PROGRAMS)),
)


@pytest.fixture(scope="module")
def graph(embedded_server: EmbeddedServer) -> Iterator[str]:
    async def prepare() -> None:
        store = EmbeddedStore(embedded_server.socket_path, graph_name=GRAPH)
        await migrate(store, "2026-01-01T00:00:00+00:00")
        await load_seed(store)
        await store.close()

    asyncio.run(prepare())
    yield GRAPH

    async def drop() -> None:
        store = EmbeddedStore(embedded_server.socket_path, graph_name=GRAPH)
        await store.drop_all()
        await store.close()

    asyncio.run(drop())


def _comparable(report: analytics.CohortReport) -> dict[str, Any]:
    return {"students": report.students,
            "competencies": sorted((c["code"], c["layer"], c["students"], c["meeting"],
                                    c["gapTotal"]) for c in report.competencies),
            "placement": {k: dict(v) for k, v in report.placement.items() if v},
            "readiness": {k: dict(v) for k, v in report.readiness.items() if v}}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_maintained_cohort_equals_the_full_aggregation(embedded_server: EmbeddedServer,
                                                       graph: str,
                                                       operations: list[Any]) -> None:
    prefix = f"C{next(_runs):04d}-"  # students of earlier examples stay: cohorts are shared

    async def run() -> None:
        store = EmbeddedStore(embedded_server.socket_path, graph_name=graph)
        try:
            enrolled: set[int] = set()
            for op in operations:
                kind, rest = op[0], op[1:]
                if kind == "enrol":
                    number, program, label = rest
                    outcome = await learners.record_students(
                        store, [student(f"{prefix}{number}", program=program,
                                        class_label=label)], FW)
                    assert outcome.ok, outcome.errors
                    enrolled.add(number)
                elif kind == "result" and rest[0] in enrolled:
                    number, assessment, score, taken_at = rest
                    outcome = await learners.record_results(store, [{
                        "college": COLLEGE, "student": f"{prefix}{number}",
                        "assessment": assessment, "score": score, "takenAt": taken_at}])
                    assert outcome.ok, outcome.errors
                elif kind == "certify" and rest[0] in enrolled:
                    number, certification, held_on = rest
                    outcome = await learners.record_certifications(store, [{
                        "college": COLLEGE, "student": f"{prefix}{number}",
                        "certification": certification, "heldOn": held_on}])
                    assert outcome.ok, outcome.errors
                elif kind == "retarget":
                    await refresh_program_targets(store, [element_uid(FW, rest[0])])
            for scope in ({"college": COLLEGE}, {"program": element_uid(FW, PROGRAMS[0])},
                          {"college": COLLEGE, "class_label": "A"}, {}):
                served = await analytics.cohort_report(store, **scope)
                reference = await analytics.cohort_report_by_scan(store, **scope)
                assert _comparable(served) == _comparable(reference), scope
        finally:
            await store.close()

    asyncio.run(run())
