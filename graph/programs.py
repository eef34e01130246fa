"""A program's targets and scope: what each of its students must reach.

By default a program (培养方案) at level L of major M targets L's requirement of every 通识素养
competency, M's 专业技能 competencies and M's industry's 行业能力 competencies; an OVERRIDES
edge changes a target. Targets are kept as ``(:Program)-[:TARGETS {proficiency}]->
(:Competency)`` edges. The program's *scope* (the same competencies at every level, for
placement) is kept as ``IN_SCOPE {reqZZ, reqGZ, reqBK}`` edges, and both together as the
program's ``scope`` text (``graph.scope``), which student reports read. All are refreshed
whenever a program or its framework changes, and so are the cohort figures of its groups;
nothing per student is copied from the program.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.attainment import refresh_programs
from graph.cypher import Cypher
from graph.scope import encode_scope
from graph.store import GraphStore, Record

__all__ = ["program_targets", "refresh_program_targets", "write_program_scopes"]

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
# The scope as rows for ``graph.scope.encode_scope``, per program.
PROGRAM_SCOPE_ROWS = Cypher(
    "UNWIND $programs AS pid "
    "MATCH (p:Program {uid: pid})-[sc:IN_SCOPE]->(c:Competency) "
    "OPTIONAL MATCH (p)-[t:TARGETS]->(c) "
    "RETURN pid AS program, collect([c.uid, c.code, c.layer, 'ETH' IN c.strands, "
    "coalesce(t.proficiency, 0), sc.reqZZ, sc.reqGZ, sc.reqBK]) AS rows"
)
SET_PROGRAM_SCOPE = Cypher(
    "UNWIND $rows AS row MATCH (p:Program {uid: row.program}) SET p.scope = row.scope "
    "RETURN count(p) AS written"
)


async def write_program_scopes(store: GraphStore, programs: Sequence[str]) -> None:
    """``Program.scope`` from the program's IN_SCOPE and TARGETS edges (``graph.scope``)."""
    found = {row["program"]: row["rows"] for row in await store.read(
        PROGRAM_SCOPE_ROWS, {"programs": list(programs)})}
    await store.write(SET_PROGRAM_SCOPE, {"rows": [
        {"program": uid, "scope": encode_scope(found.get(uid) or [])} for uid in programs]})


async def refresh_program_targets(store: GraphStore, programs: Sequence[str] | None = None,
                                  *, framework: str | None = None) -> int:
    """Recompute TARGETS, IN_SCOPE and ``scope`` for the given programs (or all of a
    framework), and their groups' cohort figures; idempotent. Returns the number of target
    edges."""
    if programs is None:
        rows = await store.read(PROGRAMS_OF_FRAMEWORK, {"fw": framework})
        programs = [row["uid"] for row in rows]
    if not programs:
        return 0
    rows = await store.write(REFRESH_PROGRAM_TARGETS, {"programs": list(programs)})
    await store.write(REFRESH_PROGRAM_SCOPE, {"programs": list(programs)})
    await write_program_scopes(store, list(programs))
    await refresh_programs(store, list(programs))
    return int(rows[0]["targets"]) if rows else 0


async def program_targets(store: GraphStore, program: str) -> list[Record]:
    return await store.read(PROGRAM_TARGETS, {"program": program})
