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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.cohort_figures import summarise_group
from graph.cohort_rebuild import group_key, refresh_groups
from graph.cypher import Cypher
from graph.evidence import DEFAULT_CERTIFICATION_CAP, counted_proficiency
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.cohort_tallies import CohortTallies

__all__ = ["Grouped", "apply_evidence", "best_evidence", "better_evidence", "group_key",
           "grouped_raises", "groups_of", "raise_attainment", "recompute_attainment",
           "refresh_groups", "refresh_programs", "refresh_summaries", "summarise_group"]

MAX_BATCH = 10_000

# Compare-and-set: the candidate wins on a higher proficiency, then earlier evidence, then
# the smaller code, so the outcome does not depend on the order evidence arrives in. A new
# edge takes the row as it is; an existing one is written only where the row is better (most
# rows of an import create their edge, and a conditional SET of every property cost ~20 % of
# the query).
# Rows come grouped by student (``Grouped``): $competencies are [position, uid] of the
# competencies the rows name by position, $students is [[student uid, [[competency position,
# proficiency, at, kind, code], …]], …]. Each competency and each student is looked up once,
# not once per row; the ORDER BY keeps the collected list in position order on every engine,
# and a competency that is gone is a [null] there, so the positions of the others hold.
RAISE_ATTAINMENT = Cypher(
    "UNWIND $competencies AS node "
    "OPTIONAL MATCH (c:Competency {uid: node[1]}) "
    "WITH node, c ORDER BY node[0] "
    "WITH collect([c]) AS competencies "
    "UNWIND $students AS student "
    "MATCH (s:Student {uid: student[0]}) "
    "SET s.standingBy = CASE WHEN s.standingBy = $token THEN $token END "
    "WITH s, student, competencies "
    "UNWIND student[1] AS row "
    "WITH s, row, competencies[row[0]][0] AS c WHERE c IS NOT NULL "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET s.noStanding = null, a.attained = row[1], a.evidenceAt = row[2], "
    "a.evidenceKind = row[3], a.evidenceCode = row[4] "
    "WITH a, row WHERE row[1] > a.attained OR (row[1] = a.attained AND ("
    "a.evidenceAt IS NULL OR row[2] < a.evidenceAt OR (row[2] = a.evidenceAt AND ("
    "row[3] + row[4]) < (a.evidenceKind + a.evidenceCode)))) "
    "SET a.attained = row[1], a.evidenceAt = row[2], a.evidenceKind = row[3], "
    "a.evidenceCode = row[4] "
    "RETURN count(a) AS raised"
)
# The first attainment of students that have none (``noStanding``, see graph.enrolment), in
# the RAISE_ATTAINMENT rows: created outright where a write runs alone (see
# graph.learners.CREATE_RESULTS); a student whose flag is gone is left out (``created``
# falls short) and raised by RAISE_ATTAINMENT instead.
# ``standingBy``: the import (``$token``, see graph.cohort_tallies) that wrote a student's
# whole attainment, from none. Its own later raises keep the mark, any other write of the
# student's attainment clears it ($token is null there), so a marked student stands exactly
# as that import counted it, and the import's cohort rebuild does not read it back.
CREATE_STANDING = Cypher(
    "UNWIND $competencies AS node "
    "OPTIONAL MATCH (c:Competency {uid: node[1]}) "
    "WITH node, c ORDER BY node[0] "
    "WITH collect([c]) AS competencies "
    "UNWIND $students AS student "
    "MATCH (s:Student {uid: student[0]}) WHERE s.noStanding = true "
    "UNWIND student[1] AS row "
    "WITH s, row, competencies[row[0]][0] AS c WHERE c IS NOT NULL "
    "CREATE (s)-[:STANDS {attained: row[1], evidenceAt: row[2], evidenceKind: row[3], "
    "evidenceCode: row[4]}]->(c) "
    "WITH s, count(*) AS made "
    "SET s.noStanding = null, s.standingBy = $token "
    "RETURN sum(made) AS created"
)
RESET_ATTAINMENT = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "SET s.standingBy = null "
    "WITH s OPTIONAL MATCH (s)-[a:STANDS]->(:Competency) "
    "DELETE a RETURN count(a) AS reset"
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


def better_evidence(candidate: tuple[int, str, str, str],
                    current: tuple[int, str, str, str]) -> bool:
    """Higher proficiency wins; then the earlier evidence; then the smaller kind+code."""
    proficiency, at, kind, code = candidate
    best_p, best_at, best_kind, best_code = current
    if proficiency != best_p:
        return proficiency > best_p
    if at != best_at:
        return at < best_at
    return kind + code < best_kind + best_code


@dataclass
class Grouped:
    """Write rows gathered under their student, each naming its node (an assessment, a
    competency) by position in ``nodes``: the write then looks each student and each node up
    once per query instead of once per row — a third of the engine's work per row — and the
    rows' text is shorter. Plain lists, so a checked batch spills small (marshal)."""

    nodes: list[str] = field(default_factory=list)
    students: list[list[Any]] = field(default_factory=list)  # [[student uid, [row, …]], …]

    @property
    def rows(self) -> int:
        return sum(len(rows) for _, rows in self.students)

    def chunks(self, limit: int) -> Iterator[Grouped]:
        """At most ``limit`` rows a query (a student's rows may be split)."""
        part: list[list[Any]] = []
        size = 0
        for uid, rows in self.students:
            for start in range(0, len(rows), limit):
                piece = rows[start:start + limit]
                if size + len(piece) > limit and part:
                    yield Grouped(self.nodes, part)
                    part, size = [], 0
                part.append([uid, piece])
                size += len(piece)
        if part:
            yield Grouped(self.nodes, part)

    def split(self, wanted: set[str]) -> tuple[Grouped, Grouped]:
        """The students in ``wanted`` and the others, naming the same nodes."""
        if not wanted:
            return Grouped(self.nodes), Grouped(self.nodes, list(self.students))
        chosen: list[list[Any]] = []
        others: list[list[Any]] = []
        for entry in self.students:
            (chosen if entry[0] in wanted else others).append(entry)
        return Grouped(self.nodes, chosen), Grouped(self.nodes, others)

    def params(self, nodes: str) -> dict[str, Any]:
        """The nodes go as [position, uid] pairs, ordered by position in the query: an
        index into the parameter list (``$nodes[i]``) keeps FalkorDB off the uid index."""
        return {nodes: [[i, uid] for i, uid in enumerate(self.nodes)],
                "students": self.students}


def best_evidence(candidates: Iterable[Mapping[str, Any]],
                  certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> Grouped:
    """The best candidate per (student, competency), as RAISE_ATTAINMENT rows; each counts
    for what the evidence rules let it (a certification up to the cap)."""
    best: dict[str, dict[str, tuple[int, str, str, str]]] = {}
    for row in candidates:
        mine = best.setdefault(row["student"], {})
        counted = counted_proficiency(str(row["kind"]), int(row["proficiency"]),
                                      certification_cap)
        value = (counted, str(row["at"]), str(row["kind"]), str(row["code"]))
        current = mine.get(row["competency"])
        if current is None or better_evidence(value, current):
            mine[row["competency"]] = value
    return grouped_raises(best)


def grouped_raises(best: Mapping[str, Mapping[str, tuple[int, str, str, str]]]) -> Grouped:
    """Student → competency → (proficiency, at, kind, code) as RAISE_ATTAINMENT rows."""
    index: dict[str, int] = {}
    students = []
    for student, mine in best.items():
        rows = []
        for competency, value in mine.items():
            position = index.get(competency)
            if position is None:
                position = index[competency] = len(index)
            rows.append([position, *value])
        students.append([student, rows])
    return Grouped(list(index), students)


async def raise_attainment(store: GraphStore, rows: Grouped,
                           first: set[str] | None = None, token: str | None = None) -> None:
    """Write ``best_evidence`` rows: each raises its STANDS edge where it is better. The
    students in ``first`` had no attainment when checked (and the store runs each write
    alone, ``GraphStore.isolated_writes``): theirs is created outright, marked with the
    import's ``token`` (see CREATE_STANDING)."""
    new, known = rows.split(first or set())
    for part in new.chunks(MAX_BATCH):
        [created] = await store.write(CREATE_STANDING,
                                      {**part.params("competencies"), "token": token})
        if int(created["created"]) != part.rows:  # a flag went since the check
            known.students += part.students
    for part in known.chunks(MAX_BATCH):
        await store.write(RAISE_ATTAINMENT, {**part.params("competencies"), "token": token})


async def apply_evidence(store: GraphStore, raises: Grouped,
                          changed: Iterable[str], defer_summaries: bool,
                          certification_cap: int = DEFAULT_CERTIFICATION_CAP,
                          first: set[str] | None = None, token: str | None = None) -> None:
    """After evidence is stored: raise attainment with the batch's best new evidence
    (``best_evidence`` rows), re-derive it for the ``changed`` students, whose earlier
    evidence a correction changed (it can lower it), then refresh the cohort figures of
    every student the batch touched."""
    corrected = sorted(set(changed))
    await raise_attainment(store, raises, first, token)
    await recompute_attainment(store, corrected, certification_cap=certification_cap)
    if not defer_summaries:
        await refresh_summaries(store, [uid for uid, _ in raises.students] + corrected)


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


async def refresh_summaries(store: GraphStore, students: Sequence[str],
                            tallies: CohortTallies | None = None) -> None:
    """Bring the cohort figures of the students' groups up to date: every writer that
    changes attainment, enrolment or targets ends here. Idempotent and exact after any
    sequence of writes; a re-run after a crash completes it. ``tallies``: what a results
    import counted as it wrote (graph.cohort_tallies), not read back where it still holds."""
    await refresh_groups(store, await groups_of(store, students), tallies)


async def refresh_programs(store: GraphStore, programs: Sequence[str]) -> None:
    """Every group of the programs (their targets changed)."""
    rows = await store.read(GROUPS_OF_PROGRAMS, {"programs": list(programs)})
    await refresh_groups(store, {(r["program"], r["classLabel"] or "") for r in rows
                                 if r["program"] is not None})
