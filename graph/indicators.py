"""The evaluation side of a framework version in the graph: the indicator system (评价指标体系),
sample assessment items, crosswalks to international frameworks, and the facts on majors
(offerings per level), jobs and certifications.

(:Dimension)<-[:IN_DIMENSION]-(:Indicator)-[:HAS_BEHAVIOUR]->(:Behaviour)
(:Indicator)-[:JUDGES]->(:Competency)
(:SampleItem)-[:ITEM_OF]->(:Assessment), (:SampleItem)-[:PROBES]->(:Competency)
(:Competency|TeacherTier)-[:ALIGNS_WITH {match, reason…, citation}]->(:ExternalCompetency)
(:Major)-[:OFFERED_AS]->(:MajorOffering); (:CrosswalkLink) holds a crosswalk entry for exports

Every node carries ``fw``, so a version is copied, replaced and deleted like the rest. The
reads return small sets (tens of rows) that the schema layer assembles.
"""

from __future__ import annotations

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["EVALUATION_LABELS", "EVALUATION_WRITE_STEPS", "EvaluationRepository"]

EVALUATION_LABELS = ("Dimension", "Indicator", "Behaviour", "SampleItem", "ExternalCompetency",
                     "MajorOffering", "CrosswalkLink")

UPSERT_DIMENSIONS = Cypher(
    "UNWIND $rows AS row MERGE (n:Dimension {uid: row.uid}) SET n += row.props"
)
UPSERT_INDICATORS = Cypher(
    "UNWIND $rows AS row MERGE (n:Indicator {uid: row.uid}) SET n += row.props "
    "WITH n, row MATCH (d:Dimension {uid: row.dimensionUid}) MERGE (n)-[:IN_DIMENSION]->(d)"
)
UPSERT_BEHAVIOURS = Cypher(
    "UNWIND $rows AS row MATCH (i:Indicator {uid: row.indicatorUid}) "
    "MERGE (n:Behaviour {uid: row.uid}) SET n += row.props MERGE (i)-[:HAS_BEHAVIOUR]->(n)"
)
LINK_INDICATOR_COMPETENCIES = Cypher(
    "UNWIND $rows AS row MATCH (i:Indicator {uid: row.source}) "
    "MATCH (c:Competency {uid: row.target}) MERGE (i)-[:JUDGES]->(c)"
)
UPSERT_SAMPLE_ITEMS = Cypher(
    "UNWIND $rows AS row MATCH (a:Assessment {uid: row.assessmentUid}) "
    "MATCH (c:Competency {uid: row.competencyUid}) "
    "MERGE (n:SampleItem {uid: row.uid}) SET n += row.props "
    "MERGE (n)-[:ITEM_OF]->(a) MERGE (n)-[:PROBES]->(c)"
)
UPSERT_EXTERNALS = Cypher(
    "UNWIND $rows AS row MERGE (n:ExternalCompetency {uid: row.uid}) SET n += row.props"
)
LINK_CROSSWALK_COMPETENCIES = Cypher(
    "UNWIND $rows AS row MATCH (a:Competency {uid: row.source}) "
    "MATCH (b:ExternalCompetency {uid: row.target}) MERGE (a)-[x:ALIGNS_WITH]->(b) "
    "SET x.code = row.code, x.match = row.match, x.reasonZh = row.reasonZh, "
    "x.reasonEn = row.reasonEn, x.citation = row.citation"
)
LINK_CROSSWALK_TIERS = Cypher(
    "UNWIND $rows AS row MATCH (a:TeacherTier {uid: row.source}) "
    "MATCH (b:ExternalCompetency {uid: row.target}) MERGE (a)-[x:ALIGNS_WITH]->(b) "
    "SET x.code = row.code, x.match = row.match, x.reasonZh = row.reasonZh, "
    "x.reasonEn = row.reasonEn, x.citation = row.citation"
)
# The crosswalk entry as a node (for exports); ALIGNS_WITH is the link queries follow.
UPSERT_CROSSWALK_LINKS = Cypher(
    "UNWIND $rows AS row MERGE (n:CrosswalkLink {uid: row.uid}) SET n += row.props"
)
UPSERT_MAJOR_OFFERINGS = Cypher(
    "UNWIND $rows AS row MATCH (m:Major {uid: row.majorUid}) "
    "MERGE (n:MajorOffering {uid: row.uid}) SET n += row.props MERGE (m)-[:OFFERED_AS]->(n)"
)

# Run by graph.content after the curriculum steps (they link to its nodes).
EVALUATION_WRITE_STEPS: tuple[tuple[str, Cypher], ...] = (
    ("majorOfferings", UPSERT_MAJOR_OFFERINGS),
    ("dimensions", UPSERT_DIMENSIONS),
    ("indicators", UPSERT_INDICATORS),
    ("behaviours", UPSERT_BEHAVIOURS),
    ("indicatorCompetencies", LINK_INDICATOR_COMPETENCIES),
    ("items", UPSERT_SAMPLE_ITEMS),
    ("externals", UPSERT_EXTERNALS),
    ("crosswalkCompetencies", LINK_CROSSWALK_COMPETENCIES),
    ("crosswalkTiers", LINK_CROSSWALK_TIERS),
    ("crosswalkLinks", UPSERT_CROSSWALK_LINKS),
)

# ---- reads ---------------------------------------------------------------------------------
DIMENSIONS = Cypher(
    "MATCH (d:Dimension {fw: $fw}) RETURN d {.*} AS node ORDER BY d.order"
)
INDICATORS = Cypher(
    "MATCH (i:Indicator {fw: $fw}) WHERE $dimension IS NULL OR i.dimension = $dimension "
    "RETURN i {.*} AS node ORDER BY i.code"
)
INDICATOR_BEHAVIOURS = Cypher(
    "MATCH (i:Indicator {fw: $fw})-[:HAS_BEHAVIOUR]->(b:Behaviour) "
    "RETURN i.code AS indicator, b {.*} AS node ORDER BY b.rank, b.code"
)
INDICATOR_COMPETENCIES = Cypher(
    "MATCH (i:Indicator {fw: $fw})-[:JUDGES]->(c:Competency) "
    "RETURN i.code AS indicator, c {.*} AS node ORDER BY c.code"
)
_SAMPLE_ITEM_WHERE = (
    "MATCH (n:SampleItem {fw: $fw}) "
    "WHERE ($competency IS NULL OR n.competency = $competency) "
    "AND ($level IS NULL OR n.level = $level) "
    "AND ($assessment IS NULL OR n.assessment = $assessment) "
)
SAMPLE_ITEMS = Cypher(
    _SAMPLE_ITEM_WHERE + "AND ($after IS NULL OR n.code > $after) "
    "RETURN n {.*} AS node ORDER BY n.code LIMIT $limit"
)
SAMPLE_ITEM_COUNT = Cypher(_SAMPLE_ITEM_WHERE + "RETURN count(n) AS total")
EXTERNALS = Cypher(
    "MATCH (e:ExternalCompetency {fw: $fw}) WHERE $scheme IS NULL OR e.scheme = $scheme "
    "RETURN e {.*} AS node ORDER BY e.scheme, e.code"
)
CROSSWALK = Cypher(
    "MATCH (a {fw: $fw})-[x:ALIGNS_WITH]->(e:ExternalCompetency) "
    "WHERE ($scheme IS NULL OR e.scheme = $scheme) AND ($from IS NULL OR a.code = $from) "
    "RETURN a.code AS fromCode, labels(a) AS fromLabels, x {.*} AS link, e.code AS external "
    "ORDER BY x.code"
)
MAJOR_OFFERINGS = Cypher(
    "MATCH (o:MajorOffering {fw: $fw}) WHERE $major IS NULL OR o.major = $major "
    "OPTIONAL MATCH (l:Level {code: o.level}) "
    "RETURN o {.*} AS node ORDER BY o.major, l.rank"
)
CONSOLIDATIONS = Cypher(
    "MATCH (r:Requirement {fw: $fw}) WHERE r.consolidation IS NOT NULL "
    "RETURN r {.*} AS node ORDER BY r.competency, r.rank"
)
JOB_CLASSIFICATIONS = Cypher(
    "MATCH (j:JobRole {fw: $fw}) "
    "WHERE $classification IS NULL OR j.classification = $classification "
    "RETURN j {.*} AS node ORDER BY j.code"
)
CERTIFICATION_KINDS = Cypher(
    "MATCH (c:Certification {fw: $fw}) WHERE $kind IS NULL OR c.kind = $kind "
    "RETURN c {.*} AS node ORDER BY c.code"
)
COMPETENCY_KINDS = Cypher(
    "MATCH (c:Competency {fw: $fw}) WHERE ($kind IS NULL OR c.kind = $kind) "
    "AND ($layer IS NULL OR c.layer = $layer) "
    "RETURN c {.*} AS node ORDER BY c.code LIMIT $limit"
)


class EvaluationRepository:
    """Reads of one framework version's evaluation content."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    async def _nodes(self, query: Cypher, **params: object) -> list[Record]:
        return [row["node"] for row in await self._store.read(query, params)]

    async def dimensions(self, fw: str) -> list[Record]:
        return await self._nodes(DIMENSIONS, fw=fw)

    async def indicators(self, fw: str, dimension: str | None = None) -> list[Record]:
        return await self._nodes(INDICATORS, fw=fw, dimension=dimension)

    async def behaviours(self, fw: str) -> dict[str, list[Record]]:
        found: dict[str, list[Record]] = {}
        for row in await self._store.read(INDICATOR_BEHAVIOURS, {"fw": fw}):
            found.setdefault(row["indicator"], []).append(row["node"])
        return found

    async def judged(self, fw: str) -> dict[str, list[Record]]:
        found: dict[str, list[Record]] = {}
        for row in await self._store.read(INDICATOR_COMPETENCIES, {"fw": fw}):
            found.setdefault(row["indicator"], []).append(row["node"])
        return found

    async def sample_items(self, fw: str, *, competency: str | None, level: str | None,
                           assessment: str | None, after: str | None,
                           limit: int) -> list[Record]:
        return await self._nodes(SAMPLE_ITEMS, fw=fw, competency=competency, level=level,
                                 assessment=assessment, after=after, limit=limit)

    async def sample_item_count(self, fw: str, *, competency: str | None, level: str | None,
                                assessment: str | None) -> int:
        rows = await self._store.read(SAMPLE_ITEM_COUNT, {
            "fw": fw, "competency": competency, "level": level, "assessment": assessment})
        return int(rows[0]["total"]) if rows else 0

    async def externals(self, fw: str, scheme: str | None) -> list[Record]:
        return await self._nodes(EXTERNALS, fw=fw, scheme=scheme)

    async def crosswalk(self, fw: str, scheme: str | None, source: str | None) -> list[Record]:
        return await self._store.read(CROSSWALK, {"fw": fw, "scheme": scheme, "from": source})

    async def offerings(self, fw: str, major: str | None) -> list[Record]:
        return await self._nodes(MAJOR_OFFERINGS, fw=fw, major=major)

    async def consolidations(self, fw: str) -> list[Record]:
        return await self._nodes(CONSOLIDATIONS, fw=fw)

    async def job_roles(self, fw: str, classification: str | None) -> list[Record]:
        return await self._nodes(JOB_CLASSIFICATIONS, fw=fw, classification=classification)

    async def certifications(self, fw: str, kind: str | None) -> list[Record]:
        return await self._nodes(CERTIFICATION_KINDS, fw=fw, kind=kind)

    async def competencies(self, fw: str, *, kind: str | None, layer: str | None,
                           limit: int) -> list[Record]:
        return await self._nodes(COMPETENCY_KINDS, fw=fw, kind=kind, layer=layer, limit=limit)
