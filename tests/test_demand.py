"""Skills-demand records: validated whole with typed row errors, the aggregate and its
history, trends, and who may read and write them."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from graph import demand, demand_analysis
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from schema import ANONYMOUS, Context, Principal, Role, build_schema
from tests.records_data import AS_OF, DEMAND, DESIGNER, ENTERPRISE, record, records_store

__all__ = ["records_store"]

COUNT_RECORDS = Cypher("MATCH (r:DemandRecord) RETURN count(r) AS n")
READER = Principal(Role.READER, "reader-1")
DESIGNER_TOKEN = Principal(Role.DESIGNER, "designer-1")
COLLEGE_TOKEN = Principal(Role.COLLEGE, "office-gz", "COL-DEMO-GZ")


async def run(store: EmbeddedStore, principal: Principal, query: str,
              variables: dict[str, Any] | None = None) -> Any:
    return await build_schema().execute(query, variable_values=variables,
                                        context_value=Context(store, principal))


async def count(store: EmbeddedStore) -> int:
    return int((await store.read(COUNT_RECORDS))[0]["n"])


async def test_a_bad_batch_names_every_row_and_writes_nothing(
        records_store: EmbeddedStore) -> None:
    before = await count(records_store)
    rows = [
        record("JOB-NOPE", "GEN-01", 2, 3, "enterprise", ENTERPRISE, "2025-01-01"),
        record("JOB-IT-02", "GEN-99", 2, 3, "enterprise", ENTERPRISE, "2025-01-01"),
        record("JOB-IT-02", "GEN-01", 5, 3, "enterprise", ENTERPRISE, "2025-01-01"),
        record("JOB-IT-02", "GEN-01", 2, 0, "enterprise", ENTERPRISE, "2025-01-01"),
        record("JOB-IT-02", "GEN-01", 2, 3, "政府", ENTERPRISE, "2025-01-01"),
        record("JOB-IT-02", "GEN-01", 2, 3, "enterprise", ENTERPRISE, "2025-07-01"),
        record("JOB-IT-02", "GEN-01", 2, 3, "enterprise", ENTERPRISE, "2025/13/01"),
        record("JOB-IT-02", "GEN-02", "运用", "4.0", "企业", ENTERPRISE, "2025-01-02"),
        record("JOB-IT-02", "GEN-02", 3, 4, "enterprise", ENTERPRISE, "2025-01-02"),
        {**record("JOB-IT-02", "GEN-01", 2, 3, "enterprise", ENTERPRISE, "2025-01-01"),
         "sourceName": " "},
    ]
    outcome = await demand.record_demand(records_store, rows, actor=DESIGNER, today=AS_OF)
    assert [(e.index, e.code, e.field) for e in outcome.errors] == [
        (0, "UNKNOWN_JOB_ROLE", "jobRole"), (1, "UNKNOWN_COMPETENCY", "competency"),
        (2, "PROFICIENCY_OUT_OF_RANGE", "proficiency"),
        (3, "IMPORTANCE_OUT_OF_RANGE", "importance"), (4, "BAD_SOURCE_KIND", "sourceKind"),
        (5, "FUTURE_DATE", "observedOn"), (6, "BAD_DATE", "observedOn"),
        (8, "DUPLICATE_ROW", None), (9, "MISSING_FIELD", "sourceName")]
    assert outcome.errors[7].other == 7  # row 8 repeats row 7 (运用 = 2, 4.0 = 4, 企业)
    assert outcome.written == 0 and await count(records_store) == before


async def test_recording_again_updates_the_same_observation(store: EmbeddedStore) -> None:
    from seed import load_seed

    await load_seed(store)
    row = record("JOB-IT-02", "GEN-07", 2, 3, "enterprise", ENTERPRISE, "2025-01-01")
    first = await demand.record_demand(store, [row], actor=DESIGNER, today=AS_OF)
    again = await demand.record_demand(store, [{**row, "proficiency": 3}], actor=DESIGNER,
                                       today=AS_OF)
    assert first.ok and again.ok and first.audit and again.audit
    (node,) = await demand.demand_page(store, demand.DemandFilter(), None, 10)
    assert node["proficiency"] == 3 and node["industry"] == "IT"
    assert (await demand.remove_demand(store, ["nope"], DESIGNER)).errors[0].code == (
        "UNKNOWN_RECORD")
    assert (await demand.remove_demand(store, [node["uid"]], DESIGNER)).written == 1
    assert await count(store) == 0


def test_the_aggregate_takes_each_sources_latest_weighted_by_importance() -> None:
    rows = [dict(r, uid=str(i)) for i, r in enumerate(DEMAND)]
    by_key = {(a.job_role, a.competency): a for a in demand_analysis.aggregate(rows, AS_OF)}
    rising = by_key[("JOB-IT-02", "IND-IT-05")]
    assert rising.sources == 2 and rising.source_kinds == ("enterprise", "industry")
    assert rising.mean_proficiency == 3 and rising.importance == Fraction(9, 2)
    assert rising.essential and rising.latest == "2025-04-10"
    half = by_key[("JOB-IT-03", "PRO-AI-03")]
    assert half.mean_proficiency == Fraction(5, 2) and half.proficiency == 3  # half up
    assert not half.essential  # mean importance 3 < 4
    earlier = {(a.job_role, a.competency): a
               for a in demand_analysis.aggregate(rows, date(2024, 6, 30))}
    assert earlier[("JOB-IT-02", "IND-IT-05")].proficiency == 2
    assert ("JOB-IT-03", "GEN-28") not in earlier
    history = demand_analysis.history(rows, "JOB-IT-02", "IND-IT-05")
    assert [(p.on, p.proficiency, p.sources) for p in history] == [
        ("2023-03-01", 1, 1), ("2024-03-01", 2, 1), ("2025-03-01", 3, 1), ("2025-04-10", 3, 2)]


def test_rounding_and_the_pooled_slope_are_exact() -> None:
    assert [demand_analysis.round_half_up(Fraction(n, 2)) for n in (3, 4, 5)] == [2, 2, 3]
    assert demand_analysis.round_half_up(Fraction(249, 100)) == 2
    # two job roles, each flat; a naive slope over all points would fall from 3 to 1
    assert demand_analysis.pooled_slope([[(0, Fraction(3)), (1, Fraction(3))],
                                         [(1, Fraction(1)), (2, Fraction(1))]]) == 0
    assert demand_analysis.pooled_slope([[(0, Fraction(1)), (1, Fraction(2)),
                                          (2, Fraction(3))]]) == 1
    assert demand_analysis.pooled_slope([[(5, Fraction(2))]]) is None
    assert demand_analysis.period_of("2024-08", "half") == (2024 * 2 + 1, "2024-H2")
    assert demand_analysis.period_of("2024-08", "quarter") == (2024 * 4 + 2, "2024-Q3")


TRENDS = """
query Trends($industry: String, $region: String, $groupBy: [DemandGrouping!],
             $direction: TrendDirection, $period: TrendPeriod!) {
  demandTrends(industry: $industry, region: $region, groupBy: $groupBy,
               direction: $direction, period: $period) {
    competencyCode industryCode region slope change direction jobRoles
    points { period meanProficiency records } competency { code nameZh }
  }
}
"""


async def test_trends_rise_and_fall_by_industry_and_region(
        records_store: EmbeddedStore) -> None:
    outcome = await run(records_store, READER, TRENDS, {"period": "YEAR"})
    assert outcome.errors is None, outcome.errors
    trends = {t["competencyCode"]: t for t in outcome.data["demandTrends"]}
    assert trends["IND-IT-05"]["slope"] == 1.0 and trends["IND-IT-05"]["direction"] == "RISING"
    assert [p["period"] for p in trends["IND-IT-05"]["points"]] == ["2023", "2024", "2025"]
    assert trends["PRO-AI-05"]["slope"] == 0.5
    assert trends["GEN-26"]["direction"] == "FALLING" and trends["GEN-26"]["change"] == -1.0
    assert "GEN-28" not in trends and "PRO-AI-03" not in trends  # one period only
    slopes = [t["slope"] for t in outcome.data["demandTrends"]]
    assert slopes == sorted(slopes, reverse=True)
    assert trends["IND-IT-05"]["competency"]["code"] == "IND-IT-05"
    local = await run(records_store, READER, TRENDS, {"period": "YEAR", "region": "云帆市"})
    assert "GEN-26" not in {t["competencyCode"] for t in local.data["demandTrends"]}
    grouped = await run(records_store, READER, TRENDS,
                        {"period": "YEAR", "groupBy": ["INDUSTRY"], "direction": "RISING"})
    pairs = {(t["competencyCode"], t["industryCode"]) for t in grouped.data["demandTrends"]}
    assert ("GEN-07", "AUTO") in pairs and ("IND-IT-05", "IT") in pairs
    assert all(t["direction"] == "RISING" for t in grouped.data["demandTrends"])
    it_only = await run(records_store, READER, TRENDS, {"period": "YEAR", "industry": "IT"})
    assert "GEN-07" not in {t["competencyCode"] for t in it_only.data["demandTrends"]}


JOB_DEMAND = """
query JobDemand($job: String!, $asOf: Date) {
  jobDemand(jobRole: $job, asOf: $asOf) {
    jobRoleCode asOf framework jobRole { code nameZh }
    needs { competencyCode proficiency { value } meanProficiency importance essential
      sources sourceKinds latestObservedOn frameworkProficiency frameworkEssential
      records { id sourceKind sourceName observedOn proficiency { value } }
      history { on proficiency sources } competency { code } }
  }
}
"""


async def test_job_demand_beside_the_frozen_framework(records_store: EmbeddedStore) -> None:
    outcome = await run(records_store, READER, JOB_DEMAND,
                        {"job": "JOB-IT-02", "asOf": "2025-06-30"})
    assert outcome.errors is None, outcome.errors
    data = outcome.data["jobDemand"]
    assert data["framework"] == "AIL@2025.1" and data["jobRole"]["code"] == "JOB-IT-02"
    needs = {n["competencyCode"]: n for n in data["needs"]}
    rising = needs["IND-IT-05"]
    assert rising["proficiency"]["value"] == 3 and rising["frameworkProficiency"] == 2
    assert rising["sourceKinds"] == ["ENTERPRISE", "INDUSTRY"] and rising["essential"]
    assert [r["observedOn"] for r in rising["records"]] == ["2025-03-01", "2025-04-10"]
    assert [h["proficiency"] for h in rising["history"]] == [1, 2, 3, 3]
    assert needs["GEN-17"]["proficiency"]["value"] == 4  # demand may exceed the level's max
    unknown = await run(records_store, READER, JOB_DEMAND, {"job": "JOB-NOPE"})
    assert unknown.errors[0].extensions["code"] == "UNKNOWN_JOB_ROLE"


RECORD = """
mutation Record($rows: [DemandRecordInput!]!) {
  recordDemand(rows: $rows) { written auditEntryId errors { code index field message } }
}
"""
RECORDS = """query Records {
  demandRecords(first: 2, jobRole: "JOB-IT-02") { totalCount edges { node { id observedOn } } }
}"""


async def test_who_reads_and_who_writes(records_store: EmbeddedStore,
                                        store: EmbeddedStore) -> None:
    refused = await run(records_store, ANONYMOUS, RECORDS)
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    page = await run(records_store, COLLEGE_TOKEN, RECORDS)
    assert page.errors is None and page.data["demandRecords"]["totalCount"] == 8
    days = [e["node"]["observedOn"] for e in page.data["demandRecords"]["edges"]]
    assert days == sorted(days, reverse=True)
    row = {"jobRole": "JOB-IT-01", "competency": "GEN-06", "proficiency": 2, "importance": 4,
           "sourceKind": "COLLEGE", "sourceName": "云帆职业技术学院", "region": "云帆市",
           "observedOn": "2025-03-03"}
    for principal in (COLLEGE_TOKEN, READER):
        outcome = await run(records_store, principal, RECORD, {"rows": [row]})
        assert outcome.errors[0].extensions["code"] == "FORBIDDEN"
    from seed import load_seed

    await load_seed(store)
    written = await run(store, DESIGNER_TOKEN, RECORD, {"rows": [row, {**row, "importance": 9}]})
    assert written.data["recordDemand"]["errors"] == [
        {"code": "IMPORTANCE_OUT_OF_RANGE", "index": 1, "field": "importance",
         "message": "importance must be a whole number in 1..5, got 9"}]
    written = await run(store, DESIGNER_TOKEN, RECORD, {"rows": [row]})
    assert written.data["recordDemand"]["written"] == 1
    audit = await run(store, DESIGNER_TOKEN, "query Audit { auditTrail { nodes { mutation "
                                             "framework subject codes summary } } }")
    entry = audit.data["auditTrail"]["nodes"][0]
    assert entry["mutation"] == "recordDemand" and entry["framework"] is None
    assert entry["subject"] == "designer-1" and entry["codes"] == ["JOB-IT-01"]
    assert entry["summary"]["created"] == 1
