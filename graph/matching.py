"""Matching both ways (岗位匹配, 004 指引 三(三)): job roles for a student, students for a job.

The rules (README "Matching"):
- a need of job role J (``NEEDS {proficiency, essential}``) is **met** when the student's
  attained proficiency reaches it; its gap is ``max(0, required − attained)``;
- ``coverage`` = Σ min(attained, required) / Σ required over J's needs (needs weighted by the
  proficiency they ask for);
- ranking: fewest essential needs unmet first (all essentials met ranks above any coverage),
  then the higher coverage, then the smaller code (job role code, or student code). For one
  job every student shares Σ required, so candidates compare the integer Σ min(attained,
  required); job roles compare the ratio, which is exact for equal fractions.
- the candidates for a job are the students of the job's framework version (attainment is
  kept per competency of the student's version) in the college (or all colleges, for
  admins), program and class asked for who attain something towards at least one of its
  needs (coverage > 0): a student with nothing towards the job is no candidate for it (and
  would only rank last). A job role without needs ranks no one; jobMatches lists every job
  role with needs, whatever its coverage.

Both queries are pushed down to the store: one query per page, the same text on both
backends, offset pages (``SKIP``/``LIMIT``) over a total order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = [
    "ATTAINMENT_READS", "Candidate", "JobMatch", "NeedMatch", "candidate_count", "candidates",
    "job_match_count", "job_matches",
]

# THE ONE PLACE that reads a student's attainment (keep it so: a change of the data model
# changes this constant only). Today's model (graph/attainment.py): the student's ``STANDS``
# edge to the competency, present where evidence is, with ``attained`` (the highest
# proficiency demonstrated) and the evidence that set it. Two shapes of the same read, both
# taking ``c`` (a Competency needed) and passing on what ``{carry}`` names:
# - ``of_student``: for a bound student ``s``: ``attained`` (0 without evidence),
#   ``evidenceKind`` (assessment | certification), ``evidenceCode``, ``evidenceAt``;
# - ``holders``: one row per student ``s`` attaining anything of ``c``, with ``attained``
#   (> 0). It walks the competency's edges instead of testing every student, which is what
#   keeps a ranking of 20,000 students within budget.
ATTAINMENT_READS = {
    "of_student": (
        "OPTIONAL MATCH (s)-[stands:STANDS]->(c) "
        "WITH {carry}, coalesce(stands.attained, 0) AS attained, "
        "stands.evidenceKind AS evidenceKind, stands.evidenceCode AS evidenceCode, "
        "stands.evidenceAt AS evidenceAt "
    ),
    "holders": (
        "MATCH (c)<-[stands:STANDS]-(s) WHERE stands.attained > 0 "
        "WITH {carry}, s, stands.attained AS attained "
    ),
}
_OF_STUDENT = ATTAINMENT_READS["of_student"]
# A job's needs, as values: read once per need, not once per (student, need) row.
_NEEDS_OF_JOB = (
    "MATCH (:JobRole {uid: $job})-[n:NEEDS]->(c:Competency) "
    "WITH c, n.proficiency AS required, coalesce(n.essential, false) AS essential "
)
_MET = "CASE WHEN attained < required THEN attained ELSE required END"
_ESSENTIAL_MISSING = "CASE WHEN essential AND attained < required THEN 1 ELSE 0 END"
_ESSENTIAL_MET = "CASE WHEN essential AND attained >= required THEN 1 ELSE 0 END"
_NEED_ROW = (
    "[c.code, required, essential, attained, evidenceKind, evidenceCode, evidenceAt]")
_STUDENT_FIELDS = (
    "s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, .classLabel, "
    ".enrolledOn}")

JOB_MATCHES = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "MATCH (j:JobRole {fw: s.fw})-[n:NEEDS]->(c:Competency) "
    "WHERE ($industry IS NULL OR j.industry = $industry) AND ($level IS NULL OR j.level = $level) "
    "WITH s, j, c, n.proficiency AS required, coalesce(n.essential, false) AS essential "
    + _OF_STUDENT.replace("{carry}", "s, j, c, required, essential") +
    f"WITH j, toInteger(sum(required)) AS requiredTotal, toInteger(sum({_MET})) AS met, "
    f"toInteger(sum({_ESSENTIAL_MISSING})) AS essentialMissing, "
    f"collect({_NEED_ROW}) AS needs "
    "ORDER BY essentialMissing, toFloat(met) / requiredTotal DESC, j.code "
    "SKIP $offset LIMIT $limit "
    "RETURN j {.*} AS jobRole, requiredTotal AS required, met, essentialMissing, needs"
)
JOB_MATCH_COUNT = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "MATCH (j:JobRole {fw: s.fw}) "
    "WHERE ($industry IS NULL OR j.industry = $industry) AND ($level IS NULL OR j.level = $level) "
    "AND (j)-[:NEEDS]->(:Competency) "
    "RETURN count(j) AS total"
)

# Candidates: the students in scope attaining something of the job's needs, ranked by the
# aggregates alone; the page is cut, then the reasons are collected for its students only
# (≤ page size × needs rows). Ranking by essential needs met (descending) is ranking by
# essential needs missing (ascending): the job's essential needs are the same for everyone.
_SCOPE_FILTER = (
    "($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
_RANKED = (
    f"WITH s, sum({_MET}) AS met, sum({_ESSENTIAL_MET}) AS essentialMet "
    "WITH s, met, essentialMet WHERE met > 0 "
)
_PAGE = (
    "WITH s, met, essentialMet ORDER BY essentialMet DESC, met DESC, s.code, s.college "
    "SKIP $offset LIMIT $limit "
    + _NEEDS_OF_JOB.replace("WITH c,", "WITH s, met, c,")
    + _OF_STUDENT.replace("{carry}", "s, met, c, required, essential") +
    f"WITH s, met, toInteger(sum(required)) AS requiredTotal, "
    f"toInteger(sum({_ESSENTIAL_MISSING})) AS essentialMissing, collect({_NEED_ROW}) AS needs "
    f"RETURN {_STUDENT_FIELDS} AS student, requiredTotal AS required, toInteger(met) AS met, "
    "essentialMissing, "
    "needs ORDER BY essentialMissing, met DESC, student.code, student.college"
)
# One college: its students (an index lookup) against each need.
_OF_COLLEGE = (
    _NEEDS_OF_JOB + "MATCH (s:Student {college: $college}) WHERE s.fw = c.fw AND "
    + _SCOPE_FILTER + _OF_STUDENT.replace("{carry}", "s, c, required, essential") + _RANKED
)
# Every college: the holders of each need (STANDS edges point into the student's own
# version, so the version needs no test).
_OF_ALL = (
    _NEEDS_OF_JOB + ATTAINMENT_READS["holders"].replace("{carry}", "required, essential")
    + "WHERE " + _SCOPE_FILTER + _RANKED
)
CANDIDATES_OF_COLLEGE = Cypher(_OF_COLLEGE + _PAGE)
CANDIDATES_OF_ALL = Cypher(_OF_ALL + _PAGE)
CANDIDATE_COUNT_OF_COLLEGE = Cypher(_OF_COLLEGE + "RETURN count(s) AS total")
CANDIDATE_COUNT_OF_ALL = Cypher(_OF_ALL + "RETURN count(s) AS total")


@dataclass(frozen=True, slots=True)
class NeedMatch:
    """One need of a job role against a student's attainment, with the evidence behind it."""

    competency: str
    required: int
    essential: bool
    attained: int
    evidence_kind: str | None
    evidence_code: str | None
    evidence_at: str | None

    @property
    def met(self) -> bool:
        return self.attained >= self.required

    @property
    def gap(self) -> int:
        return max(0, self.required - self.attained)


@dataclass(frozen=True, slots=True)
class _Ranked:
    rank: int  # 1-based position in the whole ranking
    required: int
    met_total: int  # Σ min(attained, required)
    essential_missing: int
    needs: list[NeedMatch]

    @property
    def coverage(self) -> float:
        return self.met_total / self.required if self.required else 1.0

    @property
    def essential_met(self) -> bool:
        return self.essential_missing == 0


@dataclass(frozen=True, slots=True)
class JobMatch(_Ranked):
    job_role: Record


@dataclass(frozen=True, slots=True)
class Candidate(_Ranked):
    student: Record


def _needs(rows: Sequence[Sequence[Any]]) -> list[NeedMatch]:
    needs = [NeedMatch(competency=str(code), required=int(required), essential=bool(essential),
                       attained=int(attained or 0), evidence_kind=kind, evidence_code=code_,
                       evidence_at=str(at) if at is not None else None)
             for code, required, essential, attained, kind, code_, at in rows]
    return sorted(needs, key=lambda need: (not need.essential, need.competency))


def _ranked(row: Mapping[str, Any], rank: int) -> dict[str, Any]:
    return {"rank": rank, "required": int(row["required"]), "met_total": int(row["met"]),
            "essential_missing": int(row["essentialMissing"]), "needs": _needs(row["needs"])}


async def job_matches(store: GraphStore, student: str, *, industry: str | None = None,
                      level: str | None = None, offset: int = 0,
                      limit: int = 20) -> list[JobMatch]:
    """Job roles of the student's framework version, best fit first (one store query)."""
    rows = await store.read(JOB_MATCHES, {"student": student, "industry": industry,
                                          "level": level, "offset": offset, "limit": limit})
    return [JobMatch(job_role=row["jobRole"], **_ranked(row, offset + i + 1))
            for i, row in enumerate(rows)]


async def job_match_count(store: GraphStore, student: str, *, industry: str | None = None,
                          level: str | None = None) -> int:
    rows = await store.read(JOB_MATCH_COUNT, {"student": student, "industry": industry,
                                              "level": level})
    return int(rows[0]["total"]) if rows else 0


async def candidates(store: GraphStore, job: str, *, college: str | None,
                     program: str | None = None, class_label: str | None = None,
                     offset: int = 0, limit: int = 20) -> list[Candidate]:
    """Students in scope ranked for the job role ``job`` (a uid), one store query a page.
    ``college`` None: every college (for admins)."""
    params = {"job": job, "college": college, "program": program, "classLabel": class_label,
              "offset": offset, "limit": limit}
    query = CANDIDATES_OF_ALL if college is None else CANDIDATES_OF_COLLEGE
    rows = await store.read(query, params)
    return [Candidate(student=row["student"], **_ranked(row, offset + i + 1))
            for i, row in enumerate(rows)]


async def candidate_count(store: GraphStore, job: str, *, college: str | None,
                          program: str | None = None, class_label: str | None = None) -> int:
    params = {"job": job, "college": college, "program": program, "classLabel": class_label}
    query = CANDIDATE_COUNT_OF_ALL if college is None else CANDIDATE_COUNT_OF_COLLEGE
    rows = await store.read(query, params)
    return int(rows[0]["total"]) if rows else 0
