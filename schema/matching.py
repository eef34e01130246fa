"""Matching both ways in GraphQL (岗位匹配): ``jobMatches`` for a student, ``candidates`` for a
job role. Student data, so the same tenancy as ``student``/``students``: a college token for
its own college, admins for all; the ranking itself runs in the store (graph/matching.py)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry

from graph import analytics, learners, matching
from graph.ids import element_uid
from schema.access import Role
from schema.batches import Info
from schema.context import Context
from schema.enums import EvidenceKind, LevelCode, code, of
from schema.errors import ApiError
from schema.learners import EvidenceRef, Student, _program_uid, _require_college
from schema.permissions import CanReadStudents
from schema.relay import Connection, Edge, PageInfo, page_size
from schema.types import Competency, JobRole, when

__all__ = ["MatchingQuery"]

NodeT = TypeVar("NodeT")
_PREFIX = "rank:"


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def _decode(cursor: str | None) -> int:
    """The offset after the cursor's element (0 without a cursor)."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError("BAD_CURSOR", "the cursor is not one this API issued") from None
    number = text[len(_PREFIX):]
    if not text.startswith(_PREFIX) or not number.isdigit() or len(number) > 9:
        raise ApiError("BAD_CURSOR", "the cursor is not one this API issued")
    return int(number)


@strawberry.type(description="One need of a job role against a student's attainment, with "
                             "the evidence that set the attained value.")
class NeedMatch:
    competency_code: str
    required: int
    attained: int
    gap: int = strawberry.field(description="The gap: max(0, required − attained)")
    essential: bool
    met: bool = strawberry.field(description="Met: attained ≥ required")
    evidence: EvidenceRef | None = strawberry.field(
        description="What set the attained value (kind: assessment or certification); null "
                    "when nothing is attained")
    _uid: strawberry.Private[str]

    @staticmethod
    def of(need: matching.NeedMatch, fw: str) -> NeedMatch:
        evidence = None
        if need.evidence_kind and need.evidence_code:
            evidence = EvidenceRef(kind=of(EvidenceKind, need.evidence_kind),
                                   code=need.evidence_code, at=when(need.evidence_at))
        return NeedMatch(competency_code=need.competency, required=need.required,
                         attained=need.attained, gap=need.gap, essential=need.essential,
                         met=need.met, evidence=evidence, _uid=element_uid(fw, need.competency))

    @strawberry.field
    async def competency(self, info: Info) -> Competency | None:
        row = await info.context.nodes["Competency"].load(self._uid)
        return Competency.of(row) if row else None


@strawberry.type(description="Why a match ranks where it does.")
class MatchReasons:
    rank: int = strawberry.field(description="1-based position in the whole ranking")
    essential_met: bool = strawberry.field(description="Every essential need met")
    essential_missing: int = strawberry.field(description="Essential needs not met")
    coverage: float = strawberry.field(
        description="Σ min(attained, required) / Σ required over the job role's needs")
    needs: list[NeedMatch] = strawberry.field(description="All needs, essential first")

    @strawberry.field(description="The needs met")
    def needs_met(self) -> list[NeedMatch]:
        return [need for need in self.needs if need.met]

    @strawberry.field(description="The needs not met, with their gaps")
    def gaps(self) -> list[NeedMatch]:
        return [need for need in self.needs if not need.met]


def _reasons(item: Any, fw: str) -> dict[str, Any]:
    return {"rank": item.rank, "essential_met": item.essential_met,
            "essential_missing": item.essential_missing, "coverage": round(item.coverage, 4),
            "needs": [NeedMatch.of(need, fw) for need in item.needs]}


@strawberry.type(description="A job role ranked for a student.")
class JobMatch(MatchReasons):
    job_role: JobRole


@strawberry.type(description="A student ranked for a job role.")
class Candidate(MatchReasons):
    student: Student


def _connection(items: Sequence[NodeT], size: int, offset: int,
                count: Callable[[], Awaitable[int]]) -> Connection[NodeT]:
    """``items`` holds up to size + 1 ranked elements; the extra one only says a page follows."""
    page = list(items[:size])
    edges = [Edge(cursor=_encode(offset + i + 1), node=node) for i, node in enumerate(page)]
    return Connection(edges=edges, page_info=PageInfo(
        has_next_page=len(items) > size, has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None), _count=count)


FirstArg = Annotated[int | None, strawberry.argument(
    description="Page size (default 20, at most the server's cap)")]
AfterArg = Annotated[str | None, strawberry.argument(description="endCursor of the previous page")]


@strawberry.type
class MatchingQuery:
    @strawberry.field(description="Job roles of the student's framework version ranked for "
                                  "the student: fewest essential needs unmet first, then the "
                                  "higher coverage, then the code; each with its reasons.",
                      permission_classes=[CanReadStudents])
    async def job_matches(
        self, info: Info,
        student: Annotated[str, strawberry.argument(description="Student code")],
        college: Annotated[str | None, strawberry.argument(
            description="College code (a college token: its own, the default)")] = None,
        industry: Annotated[str | None, strawberry.argument(
            description="Only job roles of this industry")] = None,
        level: Annotated[LevelCode | None, strawberry.argument(
            description="Only job roles of this entry level (ZZ, GZ, BK)")] = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[JobMatch]:
        context: Context = info.context
        college = _require_college(context.principal, college)
        size = page_size(context, first)
        offset = _decode(after)
        uid = learners.student_uid(college, student)
        record = await analytics.student_record(context.store, uid)
        if record is None:
            raise ApiError("UNKNOWN_STUDENT", f"no student {student} at college {college}",
                           student=student, college=college)
        fw = str(record["fw"])
        found = await matching.job_matches(context.store, uid, industry=industry,
                                           level=code(level), offset=offset, limit=size + 1)
        items = [JobMatch(job_role=JobRole.of(m.job_role), **_reasons(m, fw)) for m in found]

        async def count() -> int:
            return await matching.job_match_count(context.store, uid, industry=industry,
                                                  level=code(level))

        return _connection(items, size, offset, count)

    @strawberry.field(description="A college's students (admins: any college, or all when "
                                  "omitted) ranked for a job role: fewest essential needs "
                                  "unmet first, then the higher coverage, then the code; "
                                  "each with its reasons.",
                      permission_classes=[CanReadStudents])
    async def candidates(
        self, info: Info,
        job_role: Annotated[str, strawberry.argument(description="Job role code")],
        college: Annotated[str | None, strawberry.argument(
            description="College code (a college token: its own, the default; admins: all "
                        "colleges when omitted)")] = None,
        program: Annotated[str | None, strawberry.argument(
            description="Only students of this program code")] = None,
        class_label: Annotated[str | None, strawberry.argument(
            description="Only students of this class")] = None,
        framework: Annotated[strawberry.ID | None, strawberry.argument(
            description="Framework version id of the job role (default: the latest "
                        "published)")] = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Candidate]:
        context: Context = info.context
        principal = context.principal
        if college is not None or principal.role is not Role.ADMIN:
            college = _require_college(principal, college)
        size = page_size(context, first)
        offset = _decode(after)
        fw = str((await context.resolve_framework(framework))["uid"])
        job = element_uid(fw, job_role)
        if await context.nodes["JobRole"].load(job) is None:
            raise ApiError("UNKNOWN_JOBROLE", f"no job role {job_role} in {fw}",
                           jobRole=job_role)
        program_uid = await _program_uid(context, program, framework)
        found = await matching.candidates(context.store, job, college=college,
                                          program=program_uid, class_label=class_label,
                                          offset=offset, limit=size + 1)
        items = [Candidate(student=Student.of(c.student), **_reasons(c, fw)) for c in found]

        async def count() -> int:
            return await matching.candidate_count(context.store, job, college=college,
                                                  program=program_uid,
                                                  class_label=class_label)

        return _connection(items, size, offset, count)
