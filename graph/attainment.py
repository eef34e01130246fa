"""Attainment and the summaries built on it: the one path every writer goes through.

Rules (README "Gap analysis rules"): a result whose score / maxScore reaches the pass ratio
demonstrates, for every competency its assessment MEASURES, the proficiency of that edge; a
certification held demonstrates the proficiency of its EVIDENCES edge. A student's attained
proficiency per competency is the highest demonstrated, kept on the ``STANDS`` edge together
with the evidence that set it (ties: the earliest evidence, then the smaller code), and
raised on ingest, so reads never recompute it from every result.

Every write that changes attainment or targets ends in ``refresh_summaries`` (this module is
its home): each Student's placement and readiness sums, and the ``TALLY`` edges of its
(program, class) ``Cohort``. Each ``STANDS`` edge records what it last contributed (``tKey``,
``tMeet``, ``tGap``), so a sync moves only differences and is exact whichever write changed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.cypher import Cypher
from graph.evidence import DEFAULT_CERTIFICATION_CAP, counted_proficiency
from graph.ids import LEVEL_ORDER
from graph.standing import LAYERS
from graph.store import GraphStore, Record

__all__ = ["apply_evidence", "best_evidence", "recompute_attainment", "refresh_summaries"]

MAX_BATCH = 10_000

# Compare-and-set: the candidate wins on a higher proficiency, then earlier evidence, then
# the smaller code, so the outcome does not depend on the order evidence arrives in.
RAISE_ATTAINMENT = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row.student}) "
    "MATCH (c:Competency {uid: row.competency}) "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET a.attained = 0, a.required = 0, a.layer = c.layer, "
    "a.eth = 'ETH' IN c.strands, a.inScope = false "
    "WITH a, row, (row.proficiency > a.attained OR (row.proficiency = a.attained AND ("
    "a.evidenceAt IS NULL OR row.at < a.evidenceAt OR (row.at = a.evidenceAt AND ("
    "row.kind + row.code) < (a.evidenceKind + a.evidenceCode))))) AS better "
    "SET a.attained = CASE WHEN better THEN row.proficiency ELSE a.attained END, "
    "a.evidenceKind = CASE WHEN better THEN row.kind ELSE a.evidenceKind END, "
    "a.evidenceCode = CASE WHEN better THEN row.code ELSE a.evidenceCode END, "
    "a.evidenceAt = CASE WHEN better THEN row.at ELSE a.evidenceAt END "
    "RETURN count(a) AS touched"
)
RESET_ATTAINMENT = Cypher(
    "UNWIND $students AS sid MATCH (:Student {uid: sid})-[a:STANDS]->(:Competency) "
    "SET a.attained = 0, a.evidenceKind = null, a.evidenceCode = null, a.evidenceAt = null "
    "RETURN count(a) AS reset"
)
PASSED_EVIDENCE_OF_STUDENTS = Cypher(
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[r:TOOK]->(a:Assessment)-[m:MEASURES]->(c:Competency) "
    "WHERE r.passed "
    "RETURN sid AS student, c.uid AS competency, m.proficiency AS proficiency, "
    "'assessment' AS kind, a.code AS code, r.takenAt AS at "
    "UNION ALL "
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[h:HOLDS]->(e:Certification)-[v:EVIDENCES]->(c:Competency) "
    "RETURN sid AS student, c.uid AS competency, v.proficiency AS proficiency, "
    "'certification' AS kind, e.code AS code, h.heldOn AS at"
)


def _better(candidate: tuple[int, str, str, str], current: tuple[int, str, str, str]) -> bool:
    """Higher proficiency wins; then the earlier evidence; then the smaller kind+code."""
    proficiency, at, kind, code = candidate
    best_p, best_at, best_kind, best_code = current
    if proficiency != best_p:
        return proficiency > best_p
    if at != best_at:
        return at < best_at
    return kind + code < best_kind + best_code


def best_evidence(candidates: Iterable[Mapping[str, Any]],
                  certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> list[dict[str, Any]]:
    """The best candidate per (student, competency), as RAISE_ATTAINMENT rows; each counts
    for what the evidence rules let it (a certification up to the cap)."""
    best: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    for row in candidates:
        key = (row["student"], row["competency"])
        counted = counted_proficiency(str(row["kind"]), int(row["proficiency"]),
                                      certification_cap)
        value = (counted, str(row["at"]), str(row["kind"]), str(row["code"]))
        if key not in best or _better(value, best[key]):
            best[key] = value
    return [{"student": s, "competency": c, "proficiency": p, "at": at, "kind": kind,
             "code": code} for (s, c), (p, at, kind, code) in best.items()]


async def _raise(store: GraphStore, candidates: list[dict[str, Any]],
                 certification_cap: int) -> None:
    rows = best_evidence(candidates, certification_cap)
    for start in range(0, len(rows), MAX_BATCH):
        await store.write(RAISE_ATTAINMENT, {"rows": rows[start:start + MAX_BATCH]})


async def apply_evidence(store: GraphStore, candidates: list[dict[str, Any]],
                          written: Sequence[Record], defer_summaries: bool,
                          certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
    """After evidence is stored: raise attainment with the new candidates, re-derive it for
    students whose earlier evidence was changed (a correction can lower it), then refresh
    the summaries and cohort tallies of every student the batch touched."""
    changed = sorted({r["student"] for r in written
                      if r["before"] is not None and r["before"] != r["now"]})
    await _raise(store, candidates, certification_cap)
    await recompute_attainment(store, changed, certification_cap=certification_cap)
    if not defer_summaries:
        await refresh_summaries(store, [row["student"] for row in candidates] + changed)


async def recompute_attainment(store: GraphStore, students: Sequence[str], *,
                               certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
    """Re-derive attainment from all evidence: used when a correction lowered a result."""
    if not students:
        return
    await store.write(RESET_ATTAINMENT, {"students": list(students)})
    evidence = await store.read(PASSED_EVIDENCE_OF_STUDENTS, {"students": list(students)})
    await _raise(store, evidence, certification_cap)


# A student's summary, recomputed whole from its STANDS edges: placement per layer (null
# without any in-scope competency there) and readiness sums per dimension. The rules are
# the ones ``placement`` and ``readiness`` below apply to one student. Grouping by layer
# first keeps the work per edge small (ten sums instead of one per layer and level).
_PLACED = "CASE WHEN inScope = 0 THEN null " + " ".join(
    f"WHEN n{level} > 0 AND ok{level} = n{level} THEN '{level}'"
    for level in reversed(LEVEL_ORDER)) + " ELSE 'NONE' END"
_LAYER_SETS = ", ".join(
    f"s.place{layer} = head([x IN layers WHERE x[0] = '{layer}' | x[1]]), "
    f"s.req{layer} = coalesce(head([x IN layers WHERE x[0] = '{layer}' | x[2]]), 0), "
    f"s.att{layer} = coalesce(head([x IN layers WHERE x[0] = '{layer}' | x[3]]), 0)"
    for layer in LAYERS)
SUMMARIZE_STUDENTS = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "OPTIONAL MATCH (s)-[a:STANDS]->(:Competency) "
    "WITH s, a.layer AS layer, sum(CASE WHEN a.inScope THEN 1 ELSE 0 END) AS inScope, "
    + ", ".join(
        f"sum(CASE WHEN a.inScope AND a.req{level} IS NOT NULL THEN 1 ELSE 0 END) AS n{level}, "
        f"sum(CASE WHEN a.inScope AND a.attained >= a.req{level} THEN 1 ELSE 0 END) "
        f"AS ok{level}" for level in LEVEL_ORDER) + ", "
    "sum(CASE WHEN a.required > 0 THEN a.required ELSE 0 END) AS req, "
    "sum(CASE WHEN a.required > 0 THEN (CASE WHEN a.attained < a.required THEN a.attained "
    "ELSE a.required END) ELSE 0 END) AS att, "
    "sum(CASE WHEN a.required > 0 AND a.eth THEN a.required ELSE 0 END) AS reqEth, "
    "sum(CASE WHEN a.required > 0 AND a.eth THEN (CASE WHEN a.attained < a.required "
    "THEN a.attained ELSE a.required END) ELSE 0 END) AS attEth "
    f"WITH s, collect([layer, {_PLACED}, toInteger(req), toInteger(att)]) AS layers, "
    "toInteger(sum(reqEth)) AS reqEth, toInteger(sum(attEth)) AS attEth "
    f"SET {_LAYER_SETS}, s.reqETH = reqEth, s.attETH = attEth "
    "RETURN count(s) AS summarized"
)
# Moves each changed contribution of the students' STANDS edges into the tallies of their
# (program, class) group: the old contribution out of the group it was counted in, the new
# one into the current group, summed per (group, competency) so each tally is set once.
# Every read happens before the aggregation and every write after it, in one query, so a
# tally and the marks on its edges never disagree.
SYNC_COHORT_TALLIES = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "WITH s, s.program + '|' + coalesce(s.classLabel, '') AS group "
    "MATCH (s)-[a:STANDS]->(c:Competency) "
    "WITH s, a, c, CASE WHEN a.required > 0 THEN group ELSE null END AS key, "
    "CASE WHEN a.required > 0 AND a.attained >= a.required THEN 1 ELSE 0 END AS meet, "
    "CASE WHEN a.required > a.attained THEN a.required - a.attained ELSE 0 END AS gap "
    "WHERE coalesce(a.tKey, '') <> coalesce(key, '') OR coalesce(a.tMeet, 0) <> meet "
    "OR coalesce(a.tGap, 0) <> gap "
    "UNWIND [[a.tKey, -1, -coalesce(a.tMeet, 0), -coalesce(a.tGap, 0), null, null, null], "
    "[key, 1, meet, gap, s.college, s.program, s.classLabel]] AS part "
    "WITH a, c, key, meet, gap, part WHERE part[0] IS NOT NULL "
    "WITH c, part[0] AS cohort, sum(part[1]) AS dn, sum(part[2]) AS dm, sum(part[3]) AS dg, "
    "head(collect(part[4])) AS college, head(collect(part[5])) AS program, "
    "head(collect(part[6])) AS classLabel, collect([a, key, meet, gap]) AS marks "
    "MERGE (k:Cohort {key: cohort}) "
    "ON CREATE SET k.college = college, k.program = program, k.classLabel = classLabel "
    "MERGE (k)-[t:TALLY]->(c) "
    "ON CREATE SET t.students = 0, t.meeting = 0, t.gapTotal = 0 "
    "SET t.students = toInteger(t.students + dn), t.meeting = toInteger(t.meeting + dm), "
    "t.gapTotal = toInteger(t.gapTotal + dg) "
    "WITH marks UNWIND marks AS mark "
    "WITH mark[0] AS a, mark[1] AS key, mark[2] AS meet, mark[3] AS gap "
    "SET a.tKey = key, a.tMeet = meet, a.tGap = gap "
    "RETURN count(*) AS moved"
)
_SUMMARY_BATCH = 2000


async def refresh_summaries(store: GraphStore, students: Sequence[str]) -> None:
    """Bring the students' summaries and their groups' tallies up to date with their STANDS
    edges. Idempotent, and exact after any write: a re-run after a crash completes it."""
    unique = sorted(set(students))
    for start in range(0, len(unique), _SUMMARY_BATCH):
        batch = unique[start:start + _SUMMARY_BATCH]
        await store.write(SUMMARIZE_STUDENTS, {"students": batch})
        await store.write(SYNC_COHORT_TALLIES, {"students": batch})
