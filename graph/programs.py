"""A program's targets and scope: what each of its students must reach.

By default a program (培养方案) at level L of major M targets L's requirement of every 通识素养
competency, M's 专业技能 competencies and M's industry's 行业能力 competencies; an OVERRIDES
edge changes a target. Targets are kept as ``(:Program)-[:TARGETS {proficiency}]->
(:Competency)`` edges. The program's *scope* (the same competencies at every level, for
placement) is kept as ``IN_SCOPE {reqZZ, reqGZ, reqBK}`` edges. Both are refreshed whenever a
program or its framework changes, and so are the ``STANDS`` edges of its students, so gap and
cohort queries read targets directly instead of re-deriving them per student.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.attainment import refresh_summaries
from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["program_targets", "refresh_program_targets"]

_SCOPE = (
    "(c.layer = 'GEN' OR (c.layer = 'PRO' AND c.major = m.code) "
    "OR (c.layer = 'IND' AND c.industry = m.industry))"
)
REFRESH_PROGRAM_TARGETS = Cypher(
    "UNWIND $programs AS pid "
    "MATCH (p:Program {uid: pid})-[:FOR_MAJOR]->(m:Major) "
    "OPTIONAL MATCH (p)-[old:TARGETS]->() "
    "DELETE old "
    "WITH DISTINCT p, m "
    "MATCH (c:Competency)-[:HAS_REQUIREMENT]->(r:Requirement) "
    "WHERE c.fw = p.fw AND r.level = p.level AND " + _SCOPE + " "
    "OPTIONAL MATCH (p)-[o:OVERRIDES]->(c) "
    "MERGE (p)-[t:TARGETS]->(c) "
    "SET t.proficiency = coalesce(o.proficiency, r.proficiency) "
    "RETURN count(t) AS targets"
)
REFRESH_PROGRAM_SCOPE = Cypher(
    "UNWIND $programs AS pid "
    "MATCH (p:Program {uid: pid})-[:FOR_MAJOR]->(m:Major) "
    "OPTIONAL MATCH (p)-[old:IN_SCOPE]->() "
    "DELETE old "
    "WITH DISTINCT p, m "
    "MATCH (c:Competency) WHERE c.fw = p.fw AND " + _SCOPE + " "
    "OPTIONAL MATCH (c)-[:HAS_REQUIREMENT]->(rz:Requirement {level: 'ZZ'}) "
    "OPTIONAL MATCH (c)-[:HAS_REQUIREMENT]->(rg:Requirement {level: 'GZ'}) "
    "OPTIONAL MATCH (c)-[:HAS_REQUIREMENT]->(rb:Requirement {level: 'BK'}) "
    "MERGE (p)-[s:IN_SCOPE]->(c) "
    "SET s.reqZZ = rz.proficiency, s.reqGZ = rg.proficiency, s.reqBK = rb.proficiency "
    "RETURN count(s) AS scope"
)
PROGRAMS_OF_FRAMEWORK = Cypher("MATCH (p:Program {fw: $fw}) RETURN p.uid AS uid ORDER BY uid")
PROGRAM_TARGETS = Cypher(
    "MATCH (:Program {uid: $program})-[t:TARGETS]->(c:Competency) "
    "RETURN c.uid AS uid, c.code AS code, c.layer AS layer, c.strands AS strands, "
    "t.proficiency AS proficiency ORDER BY c.code"
)
STUDENTS_OF_PROGRAMS = Cypher(
    "UNWIND $programs AS pid MATCH (:Program {uid: pid})<-[:ENROLLED_IN]-(s:Student) "
    "RETURN s.uid AS uid"
)

# A student's standing on every competency of its program's scope; ``attained`` and its
# evidence survive the refresh, the targets are taken from the program again.
REFRESH_STANDING = Cypher(
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[:ENROLLED_IN]->(p:Program)-[sc:IN_SCOPE]->(c:Competency) "
    "OPTIONAL MATCH (p)-[t:TARGETS]->(c) "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET a.attained = 0 "
    "SET a.required = coalesce(t.proficiency, 0), a.reqZZ = sc.reqZZ, a.reqGZ = sc.reqGZ, "
    "a.reqBK = sc.reqBK, a.layer = c.layer, a.eth = 'ETH' IN c.strands, a.inScope = true "
    "RETURN count(a) AS standing"
)
# Competencies that left the scope (the student changed program) keep what was attained
# but no longer count as required.
RETIRE_STANDING = Cypher(
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[a:STANDS]->(c:Competency) "
    "MATCH (s)-[:ENROLLED_IN]->(p:Program) "
    "WHERE a.inScope AND NOT (p)-[:IN_SCOPE]->(c) "
    "SET a.inScope = false, a.required = 0, a.reqZZ = null, a.reqGZ = null, a.reqBK = null "
    "RETURN count(a) AS retired"
)

_BATCH = 2000


async def refresh_standing(store: GraphStore, students: Sequence[str], *,
                           summaries: bool = True) -> None:
    """Re-derive the targets on the students' STANDS edges from their programs, and (unless
    a bulk import defers them) the summaries and cohort tallies that depend on them."""
    for start in range(0, len(students), _BATCH):
        batch = list(students[start:start + _BATCH])
        await store.write(REFRESH_STANDING, {"students": batch})
        await store.write(RETIRE_STANDING, {"students": batch})
        if summaries:
            await refresh_summaries(store, batch)


async def refresh_program_targets(store: GraphStore, programs: Sequence[str] | None = None,
                                  *, framework: str | None = None) -> int:
    """Recompute TARGETS and IN_SCOPE for the given programs (or all of a framework), and
    the standing of their students; idempotent. Returns the number of target edges."""
    if programs is None:
        rows = await store.read(PROGRAMS_OF_FRAMEWORK, {"fw": framework})
        programs = [row["uid"] for row in rows]
    if not programs:
        return 0
    rows = await store.write(REFRESH_PROGRAM_TARGETS, {"programs": list(programs)})
    await store.write(REFRESH_PROGRAM_SCOPE, {"programs": list(programs)})
    students = await store.read(STUDENTS_OF_PROGRAMS, {"programs": list(programs)})
    await refresh_standing(store, [row["uid"] for row in students])
    return int(rows[0]["targets"]) if rows else 0


async def program_targets(store: GraphStore, program: str) -> list[Record]:
    return await store.read(PROGRAM_TARGETS, {"program": program})
