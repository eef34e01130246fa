"""Skills-demand records (行业-企业-院校三方联动技能需求动态数据库): observations, kept apart
from framework versions.

A ``(:DemandRecord)`` says: source S (an industry body 行业, an enterprise 企业 or a college
院校, with its name and region) observed on day D that job role J needs competency C at
proficiency P, with importance I (1–5). Records are keyed by job-role and competency *codes*,
which are stable across framework versions, so a record outlives the version it was made
under; nothing links them to versioned nodes. A published version stays frozen: what the
records say now is a view (``graph.demand_analysis``), and bringing it into a draft's NEEDS
edges is an explicit mutation (``apply_demand_to_draft``).

A record is identified by (job role, competency, source kind, source name, region, day):
recording it again updates proficiency and importance, so imports are idempotent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph.cypher import Cypher
from graph.editing import Actor, now_iso
from graph.rowcheck import BatchOutcome, RowCheck, check_size
from graph.store import GraphStore, Record

__all__ = [
    "IMPORTANCE_RANGE",
    "PROFICIENCY_NAMES",
    "SOURCE_KINDS",
    "DemandCatalog",
    "DemandFilter",
    "DemandOutcome",
    "demand_count",
    "demand_page",
    "record_demand",
    "remove_demand",
]

# stored value ← accepted spellings (files say 行业/企业/院校, the API INDUSTRY/…)
SOURCE_KINDS: dict[str, str] = {
    "industry": "industry", "行业": "industry", "行业协会": "industry",
    "enterprise": "enterprise", "企业": "enterprise",
    "college": "college", "院校": "college", "学校": "college",
}
PROFICIENCY_NAMES = {"了解": 1, "运用": 2, "设计": 3, "创新": 4}
IMPORTANCE_RANGE = (1, 5)  # 1 可有可无 nice to have … 5 不可或缺 indispensable

JOB_ROLE_CODES = Cypher(
    "MATCH (j:JobRole) MATCH (f:Framework {uid: j.fw}) "
    "RETURN j.code AS code, j.industry AS industry, f.status AS status, "
    "f.createdAt AS createdAt"
)
COMPETENCY_CODES = Cypher("MATCH (c:Competency) RETURN DISTINCT c.code AS code")
EXISTING_RECORDS = Cypher(
    "UNWIND $uids AS uid MATCH (r:DemandRecord {uid: uid}) RETURN r.uid AS uid, "
    "r.jobRole AS jobRole"
)
WRITE_RECORDS = Cypher(
    "UNWIND $rows AS row MERGE (r:DemandRecord {uid: row.uid}) SET r += row.props "
    "RETURN count(r) AS written"
)
REMOVE_RECORDS = Cypher(
    "UNWIND $uids AS uid MATCH (r:DemandRecord {uid: uid}) DETACH DELETE r "
    "RETURN count(*) AS removed"
)
RECORD_DEMAND_AUDIT = Cypher(
    "CREATE (a:AuditEntry {uid: $uid, at: $at, subject: $subject, role: $role, "
    "mutation: $mutation, codes: $codes, summary: $summary}) RETURN a.uid AS uid"
)
_FILTER = (
    "WHERE ($jobRole IS NULL OR r.jobRole = $jobRole) "
    "AND ($competency IS NULL OR r.competency = $competency) "
    "AND ($industry IS NULL OR r.industry = $industry) "
    "AND ($region IS NULL OR r.region = $region) "
    "AND ($sourceKinds IS NULL OR r.sourceKind IN $sourceKinds) "
    "AND ($since IS NULL OR r.observedOn >= $since) "
    "AND ($until IS NULL OR r.observedOn <= $until) "
)
DEMAND_PAGE = Cypher(
    "MATCH (r:DemandRecord) " + _FILTER + "AND ($after IS NULL OR r.uid < $after) "
    "RETURN r {.*} AS node ORDER BY r.uid DESC LIMIT $limit"
)
DEMAND_COUNT = Cypher("MATCH (r:DemandRecord) " + _FILTER + "RETURN count(r) AS total")


@dataclass
class DemandOutcome(BatchOutcome):
    """A batch outcome that also names its audit entry (None when nothing was written)."""

    audit: str | None = None


@dataclass(frozen=True, slots=True)
class DemandFilter:
    """Which records a read covers; ``None`` fields do not filter."""

    job_role: str | None = None
    competency: str | None = None
    industry: str | None = None
    region: str | None = None
    source_kinds: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None

    def params(self) -> dict[str, Any]:
        return {"jobRole": self.job_role, "competency": self.competency,
                "industry": self.industry, "region": self.region,
                "sourceKinds": list(self.source_kinds) if self.source_kinds else None,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}


class DemandCatalog:
    """The codes records may name: job roles and competencies of any framework version."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._jobs: dict[str, str] | None = None
        self._competencies: set[str] | None = None

    async def job_industries(self) -> dict[str, str]:
        """Job-role code → its industry, as the newest published version (else draft) says."""
        if self._jobs is None:
            ranked: dict[str, tuple[tuple[bool, str], str]] = {}
            for row in await self._store.read(JOB_ROLE_CODES):
                rank = (row["status"] == "published", str(row["createdAt"] or ""))
                if row["code"] not in ranked or rank > ranked[row["code"]][0]:
                    ranked[row["code"]] = (rank, str(row["industry"]))
            self._jobs = {code: industry for code, (_, industry) in ranked.items()}
        return self._jobs

    async def competencies(self) -> set[str]:
        if self._competencies is None:
            self._competencies = {r["code"] for r in await self._store.read(COMPETENCY_CODES)}
        return self._competencies


def record_uid(job_role: str, competency: str, kind: str, source: str, region: str,
               observed_on: str) -> str:
    """The day first (pages run newest first by uid), then a digest of the identity."""
    key = json.dumps([job_role, competency, kind, source, region], ensure_ascii=False)
    return f"{observed_on}#{hashlib.sha256(key.encode()).hexdigest()[:16]}"


async def _checked(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                   catalog: DemandCatalog, today: date) -> tuple[RowCheck, list[Record]]:
    check = RowCheck(rows)
    jobs = await catalog.job_industries()
    competencies = await catalog.competencies()
    clean: list[Record] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        job = check.text(index, row, "jobRole")
        competency = check.text(index, row, "competency")
        if job is not None and job not in jobs:
            check.fail(index, "UNKNOWN_JOB_ROLE", f"no job role {job} in any framework version",
                       "jobRole")
            job = None
        if competency is not None and competency not in competencies:
            check.fail(index, "UNKNOWN_COMPETENCY",
                       f"no competency {competency} in any framework version", "competency")
            competency = None
        proficiency = check.whole(index, row, "proficiency", 1, 4, "PROFICIENCY_OUT_OF_RANGE",
                                  names=PROFICIENCY_NAMES)
        importance = check.whole(index, row, "importance", *IMPORTANCE_RANGE,
                                 "IMPORTANCE_OUT_OF_RANGE")
        kind = check.choice(index, row, "sourceKind", SOURCE_KINDS, "BAD_SOURCE_KIND")
        source = check.text(index, row, "sourceName")
        region = check.text(index, row, "region")
        observed = check.day(index, row, "observedOn", not_after=today)
        values = (job, competency, proficiency, importance, kind, source, region, observed)
        if any(v is None for v in values):
            continue
        assert job and competency and kind and source and region and observed
        uid = record_uid(job, competency, kind, source, region, observed)
        if check.duplicate(index, (uid,), seen, "job role, competency, source, region and day"):
            continue
        clean.append({"uid": uid, "props": {
            "uid": uid, "jobRole": job, "competency": competency, "industry": jobs[job],
            "proficiency": proficiency, "importance": importance, "sourceKind": kind,
            "sourceName": source, "region": region, "observedOn": observed}})
    return check, clean


async def record_demand(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                        actor: Actor | None = None, catalog: Any = None,
                        dry_run: bool = False, today: date | None = None,
                        **_: Any) -> DemandOutcome:
    """Record demand rows (jobRole, competency, proficiency, importance, sourceKind,
    sourceName, region, observedOn), checked whole; a batch with any bad row writes nothing.

    ``actor`` is who the audit entry names (a file import: the CLI). ``catalog`` may be a
    ``DemandCatalog`` reused across the batches of one file (the importer passes its own
    lookups, which are ignored here).
    """
    check_size(rows)
    lookups = catalog if isinstance(catalog, DemandCatalog) else DemandCatalog(store)
    check, clean = await _checked(store, rows, lookups, today or datetime.now(UTC).date())
    if check.errors:
        return DemandOutcome(errors=check.errors)
    if dry_run or not clean:
        return DemandOutcome()
    uids = [row["uid"] for row in clean]
    existing = {r["uid"] for r in await store.read(EXISTING_RECORDS, {"uids": uids})}
    at = now_iso()
    for row in clean:
        row["props"]["recordedAt"] = at
    written = await store.write(WRITE_RECORDS, {"rows": clean})
    jobs = sorted({row["props"]["jobRole"] for row in clean})
    audit = await _audit(
        store, actor or Actor("cli-import", "admin"), "recordDemand", jobs,
        {"created": len(clean) - len(existing), "updated": len(existing),
         "competencies": sorted({row["props"]["competency"] for row in clean})}, at)
    return DemandOutcome(written=int(written[0]["written"]) if written else 0, audit=audit)


async def remove_demand(store: GraphStore, uids: Sequence[str],
                        actor: Actor) -> DemandOutcome:
    """Delete records by id (a wrong observation); unknown ids are row errors, and then
    nothing is deleted."""
    check_size(uids)
    found = {r["uid"]: str(r["jobRole"])
             for r in await store.read(EXISTING_RECORDS, {"uids": list(uids)})}
    check = RowCheck([{} for _ in uids])
    seen: dict[tuple[Any, ...], int] = {}
    for index, uid in enumerate(uids):
        if uid not in found:
            check.fail(index, "UNKNOWN_RECORD", f"no demand record {uid!r}", "id")
        else:
            check.duplicate(index, (uid,), seen, "id")
    if check.errors:
        return DemandOutcome(errors=check.errors)
    removed = await store.write(REMOVE_RECORDS, {"uids": list(found)})
    audit = await _audit(store, actor, "removeDemandRecords", sorted(set(found.values())),
                         {"removed": sorted(found)}, now_iso())
    return DemandOutcome(written=int(removed[0]["removed"]) if removed else 0, audit=audit)


async def _audit(store: GraphStore, actor: Actor, mutation: str, codes: Sequence[str],
                 summary: Mapping[str, Any], at: str) -> str:
    """An audit entry outside any framework version (it names no ``fw``)."""
    rows = await store.write(RECORD_DEMAND_AUDIT, {
        "uid": f"{at}#{secrets.token_hex(4)}", "at": at, "subject": actor.subject,
        "role": actor.role, "mutation": mutation, "codes": list(codes),
        "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True)})
    return str(rows[0]["uid"])


async def demand_page(store: GraphStore, flt: DemandFilter, after: str | None,
                      limit: int) -> list[Record]:
    """Newest observation first; ``after`` is the id of the last record of the last page."""
    rows = await store.read(DEMAND_PAGE, {**flt.params(), "after": after, "limit": limit})
    return [row["node"] for row in rows]


async def demand_count(store: GraphStore, flt: DemandFilter) -> int:
    rows = await store.read(DEMAND_COUNT, flt.params())
    return int(rows[0]["total"]) if rows else 0
