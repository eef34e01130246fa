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
- the students a job ranks are those of the job's framework version (attainment is kept per
  competency of the student's version), in the college (or all colleges, for admins), program
  and class asked for. A job role without needs ranks no one: there is nothing to match.

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
    "ATTAINMENT_OF_NEED", "Candidate", "JobMatch", "NeedMatch", "candidate_count", "candidates",
    "job_match_count", "job_matches",
]

# THE ONE PLACE that reads a student's attainment (keep it so: a change of the data model
# changes this constant only). In: ``s`` (Student), ``n`` (a NEEDS edge), ``c`` (the Competency
# needed) and what ``{carry}`` names. Out: those, plus ``attained`` (0 without evidence) and the
# evidence that set it (``evidenceKind`` assessment|certification, ``evidenceCode``,
# ``evidenceAt``). Today's model (graph/learners.py): the student's ``STANDS`` edge to the
# competency, maintained on ingest (highest proficiency demonstrated, with its evidence).
ATTAINMENT_OF_NEED = (
    "OPTIONAL MATCH (s)-[stands:STANDS]->(c) "
    "WITH {carry}, coalesce(stands.attained, 0) AS attained, "
    "stands.evidenceKind AS evidenceKind, stands.evidenceCode AS evidenceCode, "
    "stands.evidenceAt AS evidenceAt "
)
_MET = "CASE WHEN attained < n.proficiency THEN attained ELSE n.proficiency END"
_ESSENTIAL_MISSING = (
    "CASE WHEN coalesce(n.essential, false) AND attained < n.proficiency THEN 1 ELSE 0 END")
_NEED_ROW = (
    "[c.code, n.proficiency, coalesce(n.essential, false), attained, evidenceKind, "
    "evidenceCode, evidenceAt]")
_STUDENT_FIELDS = (
    "s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, .classLabel, "
    ".enrolledOn}")

JOB_MATCHES = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "MATCH (j:JobRole {fw: s.fw})-[n:NEEDS]->(c:Competency) "
    "WHERE ($industry IS NULL OR j.industry = $industry) AND ($level IS NULL OR j.level = $level) "
    + ATTAINMENT_OF_NEED.replace("{carry}", "s, j, n, c") +
    f"WITH j, toInteger(sum(n.proficiency)) AS required, toInteger(sum({_MET})) AS met, "
    f"toInteger(sum({_ESSENTIAL_MISSING})) AS essentialMissing, "
    f"collect({_NEED_ROW}) AS needs "
    "ORDER BY essentialMissing, toFloat(met) / required DESC, j.code "
    "SKIP $offset LIMIT $limit "
    "RETURN j {.*} AS jobRole, required, met, essentialMissing, needs"
)
JOB_MATCH_COUNT = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "MATCH (j:JobRole {fw: s.fw}) "
    "WHERE ($industry IS NULL OR j.industry = $industry) AND ($level IS NULL OR j.level = $level) "
    "AND (j)-[:NEEDS]->(:Competency) "
    "RETURN count(j) AS total"
)

# A page of candidates: every student in scope ranked by the aggregates alone, the page cut,
# then the reasons collected for the page's students only (≤ page size × needs rows).
_RANK_AND_PAGE = ATTAINMENT_OF_NEED.replace("{carry}", "s, n, c") + (
    f"WITH s, toInteger(sum({_MET})) AS met, "
    f"toInteger(sum({_ESSENTIAL_MISSING})) AS essentialMissing "
    "ORDER BY essentialMissing, met DESC, s.code "
    "SKIP $offset LIMIT $limit "
    "MATCH (:JobRole {uid: $job})-[n:NEEDS]->(c:Competency) "
    + ATTAINMENT_OF_NEED.replace("{carry}", "s, met, essentialMissing, n, c") +
    f"WITH s, met, essentialMissing, toInteger(sum(n.proficiency)) AS required, "
    f"collect({_NEED_ROW}) AS needs "
    f"RETURN {_STUDENT_FIELDS} AS student, required, met, essentialMissing, needs "
    "ORDER BY essentialMissing, met DESC, student.code"
)
_SCOPE_FILTER = (
    "AND ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
CANDIDATES_OF_COLLEGE = Cypher(
    "MATCH (j:JobRole {uid: $job})-[n:NEEDS]->(c:Competency) "
    "MATCH (s:Student {college: $college}) WHERE s.fw = j.fw " + _SCOPE_FILTER
    + _RANK_AND_PAGE
)
CANDIDATES_OF_ALL = Cypher(
    "MATCH (j:JobRole {uid: $job})-[n:NEEDS]->(c:Competency) "
    "MATCH (s:Student) WHERE s.fw = j.fw " + _SCOPE_FILTER + _RANK_AND_PAGE
)
CANDIDATE_COUNT_OF_COLLEGE = Cypher(
    "MATCH (j:JobRole {uid: $job}) WHERE (j)-[:NEEDS]->(:Competency) "
    "MATCH (s:Student {college: $college}) WHERE s.fw = j.fw " + _SCOPE_FILTER
    + "RETURN count(s) AS total"
)
CANDIDATE_COUNT_OF_ALL = Cypher(
    "MATCH (j:JobRole {uid: $job}) WHERE (j)-[:NEEDS]->(:Competency) "
    "MATCH (s:Student) WHERE s.fw = j.fw " + _SCOPE_FILTER + "RETURN count(s) AS total"
)


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
