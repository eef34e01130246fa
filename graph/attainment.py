"""Attainment and the summaries built on it: the one path every writer goes through.

Rules (README "Gap analysis rules"): a result whose score / maxScore reaches the pass ratio
demonstrates, for every competency its assessment MEASURES, the proficiency of that edge; a
certification held demonstrates the proficiency of its EVIDENCES edge. A student's attained
proficiency per competency is the highest demonstrated, kept on the ``STANDS`` edge together
with the evidence that set it (ties: the earliest evidence, then the smaller code), and
raised on ingest, so reads never recompute it from every result.

Every write that changes attainment, enrolment or targets ends in ``refresh_summaries`` (this
module is its home): the ``Cohort`` node of each (program, class label) group the write
touched is rebuilt whole from its members — head count, how many meet each required
competency and their total gap, placement counts per layer, readiness buckets per dimension —
guarded by a revision so concurrent rebuilds cannot leave an older snapshot standing. Each
Student records the group it was last counted in (``cohortProgram``, ``cohortClass``), so a
student who moved is taken out of its old group too. Why whole groups rather than deltas per
edge: attainment exists only where evidence does (no edge per target to mark), a group is
~50–250 students, and a rebuild costs one read of their evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.cypher import Cypher
from graph.evidence import DEFAULT_CERTIFICATION_CAP, counted_proficiency
from graph.ids import LEVEL_ORDER
from graph.scope import ProgramScope, decode_scope
from graph.standing import DIMENSIONS, LAYERS, PLACES
from graph.store import GraphStore, Record

__all__ = ["apply_evidence", "best_evidence", "group_key", "groups_of", "raise_attainment",
           "recompute_attainment", "refresh_groups", "refresh_programs", "refresh_summaries",
           "summarise_group"]

MAX_BATCH = 10_000

# Compare-and-set: the candidate wins on a higher proficiency, then earlier evidence, then
# the smaller code, so the outcome does not depend on the order evidence arrives in.
# A row is a list, [student uid, competency uid, proficiency, at, kind, code] (best_evidence):
# ~1M of them per province import, and a list is a third of a map's text to encode and parse.
RAISE_ATTAINMENT = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row[0]}) "
    "MATCH (c:Competency {uid: row[1]}) "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET a.attained = 0 "
    "WITH a, row, (row[2] > a.attained OR (row[2] = a.attained AND ("
    "a.evidenceAt IS NULL OR row[3] < a.evidenceAt OR (row[3] = a.evidenceAt AND ("
    "row[4] + row[5]) < (a.evidenceKind + a.evidenceCode))))) AS better "
    "SET a.attained = CASE WHEN better THEN row[2] ELSE a.attained END, "
    "a.evidenceKind = CASE WHEN better THEN row[4] ELSE a.evidenceKind END, "
    "a.evidenceCode = CASE WHEN better THEN row[5] ELSE a.evidenceCode END, "
    "a.evidenceAt = CASE WHEN better THEN row[3] ELSE a.evidenceAt END "
    "RETURN count(a) AS touched"
)
RESET_ATTAINMENT = Cypher(
    "UNWIND $students AS sid MATCH (:Student {uid: sid})-[a:STANDS]->(:Competency) "
    "DELETE a RETURN count(*) AS reset"
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
                  certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> list[list[Any]]:
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
    return [[s, c, p, at, kind, code] for (s, c), (p, at, kind, code) in best.items()]


async def raise_attainment(store: GraphStore, rows: Sequence[Sequence[Any]]) -> None:
    """Write ``best_evidence`` rows: each raises its STANDS edge where it is better."""
    for start in range(0, len(rows), MAX_BATCH):
        await store.write(RAISE_ATTAINMENT, {"rows": list(rows[start:start + MAX_BATCH])})


async def apply_evidence(store: GraphStore, raises: Sequence[Sequence[Any]],
                          changed: Iterable[str], defer_summaries: bool,
                          certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
    """After evidence is stored: raise attainment with the batch's best new evidence
    (``best_evidence`` rows), re-derive it for the ``changed`` students, whose earlier
    evidence a correction changed (it can lower it), then refresh the cohort figures of
    every student the batch touched."""
    corrected = sorted(set(changed))
    await raise_attainment(store, raises)
    await recompute_attainment(store, corrected, certification_cap=certification_cap)
    if not defer_summaries:
        await refresh_summaries(store, [row[0] for row in raises] + corrected)


async def recompute_attainment(store: GraphStore, students: Sequence[str], *,
                               certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
    """Re-derive attainment from all evidence: used when a correction lowered a result."""
    if not students:
        return
    await store.write(RESET_ATTAINMENT, {"students": list(students)})
    evidence = await store.read(PASSED_EVIDENCE_OF_STUDENTS, {"students": list(students)})
    await raise_attainment(store, best_evidence(evidence, certification_cap))


# The students' groups: where each is now and where it was last counted.
GROUPS_OF_STUDENTS = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "RETURN s.program AS program, s.classLabel AS classLabel, "
    "s.cohortProgram AS cohortProgram, s.cohortClass AS cohortClass"
)
GROUPS_OF_PROGRAMS = Cypher(
    "UNWIND $programs AS pid MATCH (s:Student {program: pid}) "
    "RETURN DISTINCT s.program AS program, s.classLabel AS classLabel "
    "UNION "
    "UNWIND $programs AS pid MATCH (k:Cohort {program: pid}) "
    "RETURN k.program AS program, k.classLabel AS classLabel"
)
PROGRAM_SCOPES = Cypher(
    "UNWIND $programs AS pid MATCH (p:Program {uid: pid}) "
    "RETURN pid AS program, p.scope AS scope, p.college AS college"
)
# A group's members with their attainment, and the group's revision, read in one query so
# the revision dates the snapshot the rebuild is computed from. A row per group counts its
# members and names only those counted in another group (``moved``); a row per evidenced
# member follows (``rev`` null) with its attainment as two flat lists (competency uids,
# attained levels) rather than a list of pairs: a province's refresh reads ~1M of them, and
# decoding a pair per edge was most of the refresh's time. Members without evidence (a
# freshly enrolled group) cost a count, not a row each: a third of an enrolment's refresh in
# the importer, and half of the engine's work on it.
GROUP_MEMBERS = Cypher(
    "UNWIND $groups AS g "
    "OPTIONAL MATCH (k:Cohort {key: g.key}) "
    "WITH g, coalesce(k.rev, 0) AS rev "
    "OPTIONAL MATCH (s:Student {groupKey: g.key}) "
    "WITH g, rev, count(s) AS members, "
    "collect(CASE WHEN coalesce(s.cohortProgram, '') <> g.program "
    "OR coalesce(s.cohortClass, '') <> g.classLabel THEN s.uid END) AS moved "
    "RETURN g.key AS key, rev, members, moved, [] AS competencies, [] AS levels "
    "UNION ALL "
    "UNWIND $groups AS g "
    "MATCH (s:Student {groupKey: g.key})-[a:STANDS]->(c:Competency) "
    "WITH g.key AS key, s, collect(c.uid) AS competencies, "
    "collect(coalesce(a.attained, 0)) AS levels "
    "RETURN key, null AS rev, null AS members, null AS moved, competencies, levels"
)
# Rebuilt whole, guarded by the revision read with the members: a rebuild computed from a
# snapshot that another rebuild has since replaced writes nothing and is computed again.
WRITE_GROUPS = Cypher(
    "UNWIND $groups AS g "
    "MERGE (k:Cohort {key: g.key}) "
    "ON CREATE SET k.rev = 0 "
    "WITH k, g WHERE coalesce(k.rev, 0) = g.rev "
    "SET k.rev = g.rev + 1, k.college = g.college, k.program = g.program, "
    "k.classLabel = g.classLabel, k.students = g.students, k.figures = g.figures "
    "RETURN g.key AS key"
)
MARK_COUNTED = Cypher(
    "UNWIND $rows AS row MATCH (s:Student {uid: row.uid}) "
    "SET s.cohortProgram = row.program, s.cohortClass = row.classLabel "
    "RETURN count(s) AS marked"
)
_GROUPS_PER_QUERY = 64
_ATTEMPTS = 20


def group_key(program: str, class_label: str | None) -> str:
    """As ENROL_STUDENTS writes ``Student.groupKey`` and the Cohort node's ``key``."""
    return f"{program}|{class_label or ''}"


def _bucket(attained: int, required: int) -> int:
    return 5 if attained >= required else (5 * attained) // required


def summarise_group(scope: ProgramScope, members: Sequence[Iterable[Sequence[Any]]], *,
                    unevidenced: int = 0) -> dict[str, Any]:
    """A group's cohort figures from its members' attainment ``[[competency uid, attained],
    …]``: per required competency how many meet it and the total gap, placement counts per
    layer and readiness buckets per dimension — as one JSON text (``figures``): a cohort of
    a province reads ~1,300 groups, and one string a group decodes far faster than lists.
    The rules are ``standing.placement`` and ``standing.readiness`` for each student; the
    work per student is its evidence, not the program's scope. ``unevidenced``: members
    more with no evidence at all, who all stand alike (counted once, times their number)."""
    required = scope.required
    attained_sum = [0] * len(required)
    meeting = [0] * len(required)
    placement = [0] * (len(LAYERS) * len(PLACES))
    ready = [0] * (len(DIMENSIONS) * 6)
    tallies = (attained_sum, meeting, placement, ready)
    for evidence in members:
        _count_member(scope, evidence, *tallies, times=1)
    if unevidenced:
        _count_member(scope, (), *tallies, times=unevidenced)
    n = len(members) + unevidenced
    figures = {"codes": " ".join(item.code for item in required) if n else "",
               "layers": " ".join(item.layer for item in required) if n else "",
               "meeting": meeting if n else [],
               "gapTotal": [n * item.required - attained_sum[i]
                            for i, item in enumerate(required)] if n else [],
               "placement": placement, "readiness": ready}
    return {"students": n, "figures": json.dumps(figures, separators=(",", ":"))}


def _count_member(scope: ProgramScope, evidence: Iterable[Sequence[Any]],
                  attained_sum: list[int], meeting: list[int], placement: list[int],
                  ready: list[int], *, times: int) -> None:
    """Add ``times`` members with this ``evidence`` to a group's tallies."""
    index, by_uid = scope.required_index, scope.by_uid
    met = dict(scope.met_by_nothing)
    dims = dict.fromkeys(scope.required_total, 0)
    for uid, value in evidence:
        if uid is None or not value:
            continue
        item = by_uid.get(uid)
        if item is None:
            continue
        i = index.get(uid)
        if i is not None:
            part = value if value < item.required else item.required
            attained_sum[i] += part * times
            if value >= item.required:
                meeting[i] += times
            for dimension in item.dimensions:
                dims[dimension] += part
        for level, needed in item.levels.items():
            if 0 < needed <= value:
                met[(item.layer, level)] = met.get((item.layer, level), 0) + 1
    for layer in scope.layers:
        placed = "NONE"
        for level in reversed(LEVEL_ORDER):
            asked = scope.asked.get((layer, level), 0)
            if asked and met.get((layer, level), 0) == asked:
                placed = level
                break
        placement[LAYERS.index(layer) * len(PLACES) + PLACES.index(placed)] += times
    for dimension, total in scope.required_total.items():
        ready[DIMENSIONS.index(dimension) * 6 + _bucket(dims[dimension], total)] += times


async def groups_of(store: GraphStore, students: Sequence[str]) -> set[tuple[str, str]]:
    """(program, class label) of each student's group, and of the group it was last
    counted in when it has moved since."""
    groups: set[tuple[str, str]] = set()
    unique = sorted(set(students))
    for start in range(0, len(unique), MAX_BATCH):
        for row in await store.read(GROUPS_OF_STUDENTS,
                                    {"students": unique[start:start + MAX_BATCH]}):
            if row["program"] is not None:
                groups.add((row["program"], row["classLabel"] or ""))
            if row["cohortProgram"] is not None:
                groups.add((row["cohortProgram"], row["cohortClass"] or ""))
    return groups


async def refresh_summaries(store: GraphStore, students: Sequence[str]) -> None:
    """Bring the cohort figures of the students' groups up to date: every writer that
    changes attainment, enrolment or targets ends here. Idempotent and exact after any
    sequence of writes; a re-run after a crash completes it."""
    await refresh_groups(store, await groups_of(store, students))


async def refresh_programs(store: GraphStore, programs: Sequence[str]) -> None:
    """Every group of the programs (their targets changed)."""
    rows = await store.read(GROUPS_OF_PROGRAMS, {"programs": list(programs)})
    await refresh_groups(store, {(r["program"], r["classLabel"] or "") for r in rows
                                 if r["program"] is not None})


async def refresh_groups(store: GraphStore, groups: set[tuple[str, str]]) -> None:
    """Rebuild each (program, class label) group's ``Cohort`` node whole from its members."""
    pending = sorted(groups)
    marks: list[dict[str, Any]] = []
    for start in range(0, len(pending), _GROUPS_PER_QUERY):
        marks += await _rebuild(store, pending[start:start + _GROUPS_PER_QUERY])
    # only once every group is rebuilt: a student that moved is marked as counted in its new
    # group after its old group stopped counting it, so a crash in between loses nothing
    for start in range(0, len(marks), MAX_BATCH):
        await store.write(MARK_COUNTED, {"rows": marks[start:start + MAX_BATCH]})


async def _rebuild(store: GraphStore, groups: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Rebuild a few groups; returns the members to mark as counted in them."""
    scopes = {row["program"]: row for row in await store.read(
        PROGRAM_SCOPES, {"programs": sorted({program for program, _ in groups})})}
    marks: list[dict[str, Any]] = []
    for _ in range(_ATTEMPTS):
        heads: dict[str, Record] = {}
        evidenced: dict[str, list[Iterable[Sequence[Any]]]] = {}
        for row in await store.read(GROUP_MEMBERS, {"groups": [
                {"key": group_key(p, c), "program": p, "classLabel": c} for p, c in groups]}):
            if row["rev"] is not None:
                heads[row["key"]] = row
            else:
                evidenced.setdefault(row["key"], []).append(
                    zip(row["competencies"], row["levels"], strict=True))
        writes = []
        moved: dict[str, list[dict[str, Any]]] = {}
        for program, label in groups:
            key = group_key(program, label)
            found, head, members = scopes.get(program), heads.get(key), evidenced.get(key, [])
            summary = summarise_group(
                decode_scope(found["scope"] if found else None), members,
                unevidenced=(int(head["members"]) if head else 0) - len(members))
            writes.append({"key": key, "rev": int(head["rev"]) if head else 0,
                           "program": program, "classLabel": label or None,
                           "college": found["college"] if found else None, **summary})
            moved[key] = [{"uid": uid, "program": program, "classLabel": label or None}
                          for uid in (head["moved"] if head else [])]
        done = {row["key"] for row in await store.write(WRITE_GROUPS, {"groups": writes})}
        for key in done:
            marks += moved[key]
        groups = [(p, c) for p, c in groups if group_key(p, c) not in done]
        if not groups:
            return marks
    raise RuntimeError(f"cohort groups kept changing while being rebuilt: {groups}")
