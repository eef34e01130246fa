"""Demand against a program (programDemandReport) and into a draft (applyDemandToDraft): a
published version stays frozen, a draft changes only when asked, and the edit is audited."""

from __future__ import annotations

from typing import Any

from graph import demand_analysis, versions
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from schema import Context, Principal, Role, build_schema
from tests.records_data import AS_OF, DEMAND, DESIGNER, FW, PROGRAM, records_store

__all__ = ["records_store"]

READER = Principal(Role.READER, "reader-1")
DESIGNER_TOKEN = Principal(Role.DESIGNER, "designer-1")
PROGRAM_TAUGHT = Cypher(
    "MATCH (p:Program {uid: $program})-[:INCLUDES]->(:Course)-[t:TEACHES]->(c:Competency) "
    "RETURN c.code AS code, max(t.proficiency) AS taught"
)
JOB_NEEDS = Cypher(
    "MATCH (j:JobRole {fw: $fw})-[n:NEEDS]->(c:Competency) "
    "RETURN j.code AS job, c.code AS competency, n.proficiency AS proficiency, "
    "n.essential AS essential"
)


async def run(store: EmbeddedStore, principal: Principal, query: str,
              variables: dict[str, Any] | None = None) -> Any:
    return await build_schema().execute(query, variable_values=variables,
                                        context_value=Context(store, principal))


REPORT = """
query Report($program: String!, $asOf: Date) {
  programDemandReport(program: $program, asOf: $asOf) {
    programCode framework asOf jobRoleCodes needsConsidered
    gaps { jobRoleCode competencyCode demanded { value } essential slope reasons
      frameworkProficiency taughtProficiency teachingCourseCodes inFramework sources }
  }
}
"""


async def _needs(store: EmbeddedStore, fw: str) -> dict[tuple[str, str], tuple[int, bool]]:
    return {(r["job"], r["competency"]): (int(r["proficiency"]), bool(r["essential"]))
            for r in await store.read(JOB_NEEDS, {"fw": fw})}


async def test_rising_needs_no_course_teaches(records_store: EmbeddedStore) -> None:
    outcome = await run(records_store, READER, REPORT, {"program": PROGRAM,
                                                        "asOf": AS_OF.isoformat()})
    assert outcome.errors is None, outcome.errors
    report = outcome.data["programDemandReport"]
    assert report["jobRoleCodes"] == ["JOB-IT-02", "JOB-IT-03", "JOB-IT-04"]
    taught = {r["code"]: int(r["taught"]) for r in await records_store.read(
        PROGRAM_TAUGHT, {"program": f"{FW}|{PROGRAM}"})}
    needs = await _needs(records_store, FW)
    rows = [dict(r, uid=str(i)) for i, r in enumerate(DEMAND)]
    slopes = demand_analysis.job_slopes(rows, "year")
    expected = set()
    for need in demand_analysis.aggregate(rows, AS_OF):
        key = (need.job_role, need.competency)
        if need.job_role not in report["jobRoleCodes"]:
            continue
        rising = (slopes.get(key, 0) >= 0.25 or key not in needs
                  or need.proficiency > needs[key][0])
        if rising and taught.get(need.competency, 0) < need.proficiency:
            expected.add(key)
    gaps = {(g["jobRoleCode"], g["competencyCode"]): g for g in report["gaps"]}
    assert set(gaps) == expected and ("JOB-IT-02", "IND-IT-05") in expected
    trend = gaps[("JOB-IT-02", "IND-IT-05")]
    assert trend["reasons"] == ["RISING_TREND", "ABOVE_FRAMEWORK"] and trend["slope"] == 1.0
    assert trend["frameworkProficiency"] == 2 and trend["taughtProficiency"] < 3
    new = gaps.get(("JOB-IT-03", "GEN-28"))
    if new is not None:  # the seed's program teaches GEN-28 below 3
        assert new["reasons"] == ["NEW_NEED"] and new["frameworkProficiency"] is None
    assert ("JOB-IT-04", "GEN-26") not in gaps  # falling and within the framework's need
    essentials = [g["essential"] for g in report["gaps"]]
    assert essentials == sorted(essentials, reverse=True)
    unknown = await run(records_store, READER, REPORT, {"program": "P-NOPE"})
    assert unknown.errors[0].extensions["code"] == "UNKNOWN_PROGRAM"


APPLY = """
mutation Apply($fw: ID!, $jobs: [String!], $asOf: Date) {
  applyDemandToDraft(framework: $fw, jobRoles: $jobs, asOf: $asOf) {
    framework auditEntryId errors { code field message }
    changes { jobRoleCode competencyCode before beforeEssential after essential capped }
    skipped { jobRoleCode competencyCode reason }
  }
}
"""


async def test_applying_demand_changes_a_draft_only(records_store: EmbeddedStore) -> None:
    frozen = await run(records_store, DESIGNER_TOKEN, APPLY, {"fw": FW, "asOf": "2025-06-30"})
    assert frozen.data["applyDemandToDraft"]["errors"][0]["code"] == "FRAMEWORK_FROZEN"
    refused = await run(records_store, READER, APPLY, {"fw": FW})
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    published = await _needs(records_store, FW)
    made = await versions.create_version(records_store, FW, "2026.9", DESIGNER)
    assert not made.errors
    draft = "AIL@2026.9"
    outcome = await run(records_store, DESIGNER_TOKEN, APPLY,
                        {"fw": draft, "jobs": ["JOB-IT-02", "JOB-IT-03"], "asOf": "2025-06-30"})
    assert outcome.errors is None, outcome.errors
    payload = outcome.data["applyDemandToDraft"]
    assert payload["errors"] == [] and payload["auditEntryId"]
    changes = {(c["jobRoleCode"], c["competencyCode"]): c for c in payload["changes"]}
    assert changes[("JOB-IT-02", "IND-IT-05")]["after"] == 3
    before = published[("JOB-IT-02", "IND-IT-05")]
    assert changes[("JOB-IT-02", "IND-IT-05")]["before"] == before[0]
    capped = changes[("JOB-IT-02", "IND-IT-06")]
    assert capped["capped"] and capped["after"] == 3 and not capped["essential"]  # GZ's max
    assert {"jobRoleCode": "JOB-IT-02", "competencyCode": "GEN-17",
            "reason": "ABOVE_LEVEL_MAX"} in payload["skipped"]  # already at the maximum
    assert changes[("JOB-IT-03", "GEN-28")]["before"] is None
    assert ("JOB-IT-02", "PRO-AI-05") not in changes  # the aggregate equals the draft's need
    after = await _needs(records_store, draft)
    assert after[("JOB-IT-02", "IND-IT-05")] == (3, True)
    assert after[("JOB-IT-03", "GEN-28")] == (3, False)
    rows = [dict(r, uid=str(i)) for i, r in enumerate(DEMAND)]
    touched = {(a.job_role, a.competency) for a in demand_analysis.aggregate(rows, AS_OF)
               if a.job_role in {"JOB-IT-02", "JOB-IT-03"}}
    untouched = {k: v for k, v in published.items() if k not in touched}
    assert all(after[k] == v for k, v in untouched.items())  # needs without records stay
    assert await _needs(records_store, FW) == published  # the published version is frozen
    audit = await run(records_store, DESIGNER_TOKEN,
                      "query Audit($fw: ID) { auditTrail(framework: $fw) { nodes { mutation "
                      "codes summary } } }", {"fw": draft})
    entry = audit.data["auditTrail"]["nodes"][0]
    assert entry["mutation"] == "applyDemandToDraft" and entry["codes"] == [
        "JOB-IT-02", "JOB-IT-03"]
    assert "JOB-IT-02:IND-IT-05" in entry["summary"]["changed"]
    unknown = await run(records_store, DESIGNER_TOKEN, APPLY, {"fw": draft, "jobs": ["JOB-X"]})
    assert unknown.data["applyDemandToDraft"]["errors"][0]["code"] == "UNKNOWN_CODE"
    hidden = await run(records_store, READER,
                       "query S($fw: ID) { teacherStandard(framework: $fw) { code } }",
                       {"fw": draft})
    assert hidden.errors[0].extensions["code"] == "FRAMEWORK_NOT_FOUND"  # drafts: designers
    query = "query S($fw: ID) { teacherStandard(framework: $fw) { code } }"
    copied = await run(records_store, DESIGNER_TOKEN, query, {"fw": draft})
    original = await run(records_store, READER, query, {"fw": FW})
    assert copied.data["teacherStandard"] == original.data["teacherStandard"] != []
