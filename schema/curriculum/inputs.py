"""Inputs of the curriculum edits: omitted fields (UNSET) keep the stored value."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from graph import editing
from schema.context import Context
from schema.enums import (
    AssessmentKind,
    CourseKind,
    LayerCode,
    LevelCode,
)
from schema.errors import ApiError

MAX_BATCH = 1000
NodeT = TypeVar("NodeT")


def _context(info: Info[Context, Any]) -> Context:
    return info.context


def _actor(info: Info[Context, Any]) -> editing.Actor:
    principal = _context(info).principal
    return editing.Actor(subject=principal.subject, role=principal.role.value)


# ---- inputs --------------------------------------------------------------------------------
@strawberry.input(description="What one level asks of a competency.")
class RequirementInput:
    level: LevelCode
    proficiency: int = strawberry.field(description="1 了解 · 2 运用 · 3 设计 · 4 创新, at most "
                                                    "the level's maxProficiency")
    descriptor_zh: str
    descriptor_en: str
    source: str | None = strawberry.field(
        default=None, description="Default: the competency's source")


@strawberry.input(description="An extra progression from this competency's requirement at "
                              "one level to another competency's requirement at a higher "
                              "level (the chain ZZ → GZ → BK within a competency is implied).")
class ProgressionInput:
    from_level: LevelCode = strawberry.field(
        name="from", description="The level of this competency's requirement that progresses")
    competency: str
    level: LevelCode


@strawberry.input(description="A competency 能力; omitted fields keep their stored value, a "
                              "given list replaces the stored one.")
class CompetencyInput:
    code: str
    layer: LayerCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    strands: list[str] | None = UNSET
    major: str | None = strawberry.field(default=UNSET,
                                         description="Required for a PRO competency")
    industry: str | None = strawberry.field(default=UNSET,
                                            description="Required for an IND competency")
    requires: list[str] | None = strawberry.field(default=UNSET,
                                                  description="Prerequisite competencies")
    requirements: list[RequirementInput] | None = UNSET
    progresses_to: list[ProgressionInput] | None = UNSET


@strawberry.input(description="A competency a course teaches, at a proficiency.")
class TeachingInput:
    competency: str
    proficiency: int


@strawberry.input(description="A course 课程; omitted fields keep their stored value.")
class CourseInput:
    code: str
    level: LevelCode | None = UNSET
    layer: LayerCode | None = UNSET
    kind: CourseKind | None = strawberry.field(default=UNSET, description="required or elective")
    credits: float | None = UNSET
    hours: int | None = UNSET
    major: str | None = UNSET
    industry: str | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    teaches: list[TeachingInput] | None = UNSET
    requires: list[str] | None = strawberry.field(default=UNSET,
                                                  description="Prerequisite courses")


@strawberry.input(description="A competency an assessment measures, at a proficiency, with a "
                              "weight (0–1].")
class MeasureInput:
    competency: str
    proficiency: int
    weight: float


@strawberry.input(description="An assessment 评价工具 of one level.")
class AssessmentInput:
    code: str
    level: LevelCode | None = UNSET
    kind: AssessmentKind | None = strawberry.field(
        default=UNSET, description="written, practical, project or portfolio")
    max_score: int | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    measures: list[MeasureInput] | None = UNSET


@strawberry.input(description="A competency a job role needs, at a proficiency.")
class NeedInput:
    competency: str
    proficiency: int
    essential: bool = False


@strawberry.input(description="A typical job 岗位.")
class JobRoleInput:
    code: str
    industry: str | None = UNSET
    level: LevelCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    needs: list[NeedInput] | None = UNSET


@strawberry.input(description="A major 专业.")
class MajorInput:
    code: str
    industry: str | None = UNSET
    levels: list[LevelCode] | None = strawberry.field(
        default=UNSET, description="Levels it is offered at 开设层次")
    catalog_codes: list[str] | None = strawberry.field(
        default=UNSET, description="Official 专业目录 codes as LEVEL:CODE")
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET


@strawberry.input(description="A course of a program, in a semester.")
class ProgramCourseInput:
    course: str
    semester: int
    required: bool = True


@strawberry.input(description="A program's own target for a competency, instead of the level's.")
class OverrideInput:
    competency: str
    proficiency: int


@strawberry.input(description="A program 人才培养方案: courses by semester and target "
                              "overrides.")
class ProgramInput:
    code: str
    college: str | None = UNSET
    major: str | None = UNSET
    level: LevelCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    courses: list[ProgramCourseInput] | None = UNSET
    overrides: list[OverrideInput] | None = UNSET


_KEYS = {"from_level": "from"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    """An input object as the dict graph/ validates: omitted (UNSET) fields are left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_KEYS.get(f.name, _camel(f.name)): _plain(getattr(value, f.name))
                for f in dataclasses.fields(value) if getattr(value, f.name) is not UNSET}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    if len(items) > MAX_BATCH:
        raise ApiError("BATCH_TOO_LARGE", f"at most {MAX_BATCH} rows per call", max=MAX_BATCH)
    return [_plain(item) for item in items]
