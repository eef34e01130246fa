"""Closed sets of the API as GraphQL enums, each value named as the code the data uses.

A level code stays ``ZZ`` and a layer code ``GEN`` in the API, so a client's literals keep
working; lower-case store values (``draft``, ``required``, ``admin``) are spelled in capitals,
as GraphQL enums are. ``of`` reads a store value into its member; ``code`` is the other way.
"""

from __future__ import annotations

import functools
from enum import Enum
from typing import TypeVar

import strawberry

__all__ = [
    "AssessmentKind", "CourseKind", "EvidenceKind", "FindingCheck", "FindingKind",
    "FrameworkStatus", "LayerCode", "LevelCode", "PathStepReason", "ReadinessDimension",
    "RoleName", "SkipReason", "code", "codes", "of", "of_opt", "value",
]

E = TypeVar("E", bound=Enum)


@functools.cache
def _members(kind: type[Enum]) -> dict[object, Enum]:
    return {member.value: member for member in kind}


def of(kind: type[E], value: object) -> E:
    """The member whose value is the store's ``value`` (ValueError on anything else). A
    dict lookup first: ``kind(value)`` costs ~1 µs, a report asks ~70 times."""
    member = _members(kind).get(value) if type(value) is str else None
    return member if member is not None else kind(str(value))  # type: ignore[return-value]


def of_opt(kind: type[E], value: object) -> E | None:
    return None if value is None or value == "" else of(kind, value)


def code(value: Enum | str | None) -> str | None:
    """The store value of an input member (plain ``str`` passes through)."""
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else value


def value(member: Enum) -> str:
    """The store value of a member."""
    return str(member.value)


def codes(values: list[E] | None) -> list[str] | None:
    return None if values is None else [str(v.value) for v in values]


@strawberry.enum(description="An education level 层次: ZZ 中职 secondary vocational, GZ 高职专科 "
                             "higher vocational, BK 职业本科 vocational bachelor.")
class LevelCode(Enum):
    ZZ = strawberry.enum_value("ZZ", description="中职 secondary vocational")
    GZ = strawberry.enum_value("GZ", description="高职专科 higher vocational (associate)")
    BK = strawberry.enum_value("BK", description="职业本科 vocational bachelor")


@strawberry.enum(description="A competency layer 层: GEN 通识素养, PRO 专业技能, IND 行业能力.")
class LayerCode(Enum):
    GEN = strawberry.enum_value("GEN", description="通识素养 general AI literacy")
    PRO = strawberry.enum_value("PRO", description="专业技能 professional skills")
    IND = strawberry.enum_value("IND", description="行业能力 industry capability")


@strawberry.enum(description="A readiness dimension: the three layers, and ETH 伦理安全意识 "
                             "(ethics & safety awareness, the ETH strand across them).")
class ReadinessDimension(Enum):
    GEN = strawberry.enum_value("GEN", description="通识素养 general AI literacy")
    PRO = strawberry.enum_value("PRO", description="专业技能 professional skills")
    IND = strawberry.enum_value("IND", description="行业能力 industry capability")
    ETH = strawberry.enum_value("ETH", description="伦理安全意识 ethics & safety awareness")


@strawberry.enum(description="Where a framework version is in its life: drafts are edited, "
                             "published versions are frozen, deprecated ones stay readable.")
class FrameworkStatus(Enum):
    DRAFT = strawberry.enum_value("draft", description="草稿: editable by designers")
    PUBLISHED = strawberry.enum_value("published", description="已发布: frozen, public")
    DEPRECATED = strawberry.enum_value("deprecated", description="已废止: frozen, still readable")
    COPYING = strawberry.enum_value(
        "copying", description="A new version being copied (an interrupted copy resumes)")


@strawberry.enum(description="Whether a course is required 必修 or elective 选修.")
class CourseKind(Enum):
    REQUIRED = strawberry.enum_value("required", description="必修 required")
    ELECTIVE = strawberry.enum_value("elective", description="选修 elective")


@strawberry.enum(description="The form of an assessment 评价工具.")
class AssessmentKind(Enum):
    WRITTEN = strawberry.enum_value("written", description="笔试 written test")
    PRACTICAL = strawberry.enum_value("practical", description="实操 practical test")
    PROJECT = strawberry.enum_value("project", description="项目 project")
    PORTFOLIO = strawberry.enum_value("portfolio", description="作品集 portfolio")


@strawberry.enum(description="What a piece of student evidence is.")
class EvidenceKind(Enum):
    ASSESSMENT = strawberry.enum_value("assessment", description="An assessment result 测评成绩")
    CERTIFICATION = strawberry.enum_value(
        "certification", description="An enterprise certification held 企业认证")


@strawberry.enum(description="Which check of a program report found a problem.")
class FindingCheck(Enum):
    COVERAGE = strawberry.enum_value("COVERAGE", description="Targets taught by courses")
    ORDER = strawberry.enum_value("ORDER", description="Courses after their prerequisites")
    ASSESSMENT = strawberry.enum_value("ASSESSMENT", description="Targets measured")
    ARTICULATION = strawberry.enum_value(
        "ARTICULATION", description="中高本贯通: one level's program to the next")


@strawberry.enum(description="What a program-report finding says.")
class FindingKind(Enum):
    NOT_TAUGHT = strawberry.enum_value("NOT_TAUGHT", description="No course teaches a target")
    BELOW_TARGET = strawberry.enum_value(
        "BELOW_TARGET", description="Taught, but below the target proficiency")
    ELECTIVE_ONLY = strawberry.enum_value(
        "ELECTIVE_ONLY", description="Taught by electives only")
    NOT_TARGETED = strawberry.enum_value(
        "NOT_TARGETED", description="A course teaches what the program does not target")
    PREREQUISITE_NOT_IN_PROGRAM = strawberry.enum_value(
        "PREREQUISITE_NOT_IN_PROGRAM", description="A prerequisite course is missing")
    COURSE_BEFORE_PREREQUISITE = strawberry.enum_value(
        "COURSE_BEFORE_PREREQUISITE", description="A course comes before its prerequisite")
    COMPETENCY_BEFORE_PREREQUISITE = strawberry.enum_value(
        "COMPETENCY_BEFORE_PREREQUISITE",
        description="A competency is taught before one it requires")
    UNMEASURED = strawberry.enum_value("UNMEASURED", description="No assessment measures it")
    MEASURED_BELOW_TARGET = strawberry.enum_value(
        "MEASURED_BELOW_TARGET", description="Measured, but below the target")
    NOT_TAUGHT_BEFORE = strawberry.enum_value(
        "NOT_TAUGHT_BEFORE", description="The earlier level's program does not teach it")
    TAUGHT_BELOW_BEFORE = strawberry.enum_value(
        "TAUGHT_BELOW_BEFORE", description="The earlier program teaches it below its target")
    REPEATED = strawberry.enum_value(
        "REPEATED", description="The next program repeats a target without raising it")
    CONSOLIDATION = strawberry.enum_value(
        "CONSOLIDATION", description="A cited consolidation 巩固, not a defect")


@strawberry.enum(description="Why a course is on a learning path.")
class PathStepReason(Enum):
    GAP = strawberry.enum_value("gap", description="It closes a gap")
    PREREQUISITE = strawberry.enum_value(
        "prerequisite", description="A course that closes a gap needs it first")


@strawberry.enum(description="Why a demand application left a need out.")
class SkipReason(Enum):
    NOT_IN_FRAMEWORK = strawberry.enum_value(
        "NOT_IN_FRAMEWORK", description="The draft has no such competency (add it first)")
    ABOVE_LEVEL_MAX = strawberry.enum_value(
        "ABOVE_LEVEL_MAX", description="The demand exceeds the job level's maximum and the "
                                       "need already stands at it")


@strawberry.enum(name="Role", description="A caller's role 角色: admin everything; designer "
                                          "(课程/专业建设团队) edits frameworks; college (院校) "
                                          "its own students; reader the published framework.")
class RoleName(Enum):
    ADMIN = strawberry.enum_value("admin", description="管理员 everything")
    DESIGNER = strawberry.enum_value("designer", description="设计者 edits frameworks and drafts")
    COLLEGE = strawberry.enum_value("college", description="院校 its own college's records")
    READER = strawberry.enum_value("reader", description="读者 the published framework")
    ANONYMOUS = strawberry.enum_value("anonymous", description="匿名 no token")
