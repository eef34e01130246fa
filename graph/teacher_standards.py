"""The teacher competency standard of a framework version (教师人工智能教学胜任力标准).

(:TeacherStandard {tier, layer, evidenceKind, minHours | minCount, roles, withinYears})
-[:FOR_TIER]->(:TeacherTier), -[:IN_LAYER]->(:Layer). Items carry ``fw`` like every versioned
element, so a version is copied, replaced and deleted with them; their content is seed data
(``seed/framework/teacherStandards.yaml``), checked by ``seed.teaching``.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["EVIDENCE_KINDS", "PROJECT_ROLES", "TEACHING_WRITE_STEPS", "StandardItem",
           "TierInfo", "standard_of"]

# 培训 · 企业实践 · 项目 (企业人工智能项目、研发) · 教学案例 (004 指引 六(二)2)
EVIDENCE_KINDS = ("training", "enterprisePractice", "project", "teachingCase")
PROJECT_ROLES = ("lead", "core", "member")  # 负责人 · 核心成员 · 参与成员

UPSERT_TEACHER_STANDARDS = Cypher(
    "UNWIND $rows AS row MERGE (n:TeacherStandard {uid: row.uid}) SET n += row.props "
    "WITH n, row MATCH (t:TeacherTier {uid: row.tier}) MERGE (n)-[:FOR_TIER]->(t) "
    "WITH n, row MATCH (y:Layer {code: row.layer}) MERGE (n)-[:IN_LAYER]->(y)"
)
# Run by graph.content after the curriculum steps (tiers must exist first).
TEACHING_WRITE_STEPS: tuple[tuple[str, Cypher], ...] = (
    ("teacherStandards", UPSERT_TEACHER_STANDARDS),
)

TIERS_AND_STANDARD = Cypher(
    "MATCH (t:TeacherTier {fw: $fw}) OPTIONAL MATCH (s:TeacherStandard)-[:FOR_TIER]->(t) "
    "RETURN t {.*} AS tier, t.rank AS rank, collect(s {.*}) AS items ORDER BY rank"
)


@dataclass(frozen=True, slots=True)
class StandardItem:
    """One item of the standard and the evidence that demonstrates it."""

    code: str
    tier: str
    layer: str
    evidence_kind: str
    min_hours: int | None
    min_count: int | None
    roles: tuple[str, ...]
    within_years: int | None
    props: Record

    @staticmethod
    def of(row: Record) -> StandardItem:
        def whole(key: str) -> int | None:
            value = row.get(key)
            return int(value) if value is not None else None

        return StandardItem(code=row["code"], tier=row["tier"], layer=row["layer"],
                            evidence_kind=row["evidenceKind"], min_hours=whole("minHours"),
                            min_count=whole("minCount"), roles=tuple(row.get("roles") or ()),
                            within_years=whole("withinYears"), props=row)


@dataclass(frozen=True, slots=True)
class TierInfo:
    code: str
    rank: int
    props: Record
    items: tuple[StandardItem, ...]


async def standard_of(store: GraphStore, fw: str) -> list[TierInfo]:
    """The tiers of version ``fw`` in rank order, each with its standard items by code."""
    tiers = []
    for row in await store.read(TIERS_AND_STANDARD, {"fw": fw}):
        items = sorted((StandardItem.of(item) for item in row["items"] if item),
                       key=lambda item: item.code)
        tier = row["tier"]
        tiers.append(TierInfo(tier["code"], int(tier["rank"]), tier, tuple(items)))
    return tiers
