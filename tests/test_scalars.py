"""Date-times leave the API with an offset, whatever the record gave."""

from __future__ import annotations

import datetime as dt

from graph import learners
from graph.embedded import EmbeddedStore
from schema import Context, Principal, Role, build_schema
from schema.scalars import serialize_datetime
from seed import load_seed
from tests.learner_data import FW, result, student


def test_naive_times_are_utc_and_aware_ones_keep_their_offset() -> None:
    assert serialize_datetime(dt.datetime(2024, 12, 3)) == "2024-12-03T00:00:00+00:00"
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert serialize_datetime(dt.datetime(2024, 12, 3, 9, 30, tzinfo=beijing)) == (
        "2024-12-03T09:30:00+08:00")


async def test_evidence_recorded_on_a_day_is_sent_with_an_offset(store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("DT-1")], FW)).ok
    assert (await learners.record_results(store, [
        result("DT-1", "A-GEN-GZ-01", 90, "2025-01-05")])).ok
    outcome = await build_schema().execute(
        'query { student(code: "DT-1", college: "COL-DEMO-GZ") { evidence { at } } }',
        context_value=Context(store, Principal(Role.ADMIN, "admin")))
    assert outcome.errors is None, outcome.errors
    times = [e["at"] for e in outcome.data["student"]["evidence"]]
    assert times and all(t == "2025-01-05T00:00:00+00:00" for t in times), times
