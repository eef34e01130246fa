"""GraphQL types of what a framework version organises around its competencies: a college's
programs 人才培养方案 (courses by semester) and the teacher tiers 教师胜任力层级. They point at
``schema.types``; nothing there points back, so they live apart."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph.store import Record
from schema.context import Context
from schema.enums import LevelCode, of
from schema.node import Node
from schema.reference import FRAMEWORK_ID, _edges, _node
from schema.types import Competency, Course, Major

__all__ = ["Program", "ProgramCourse", "TeacherTier"]


@strawberry.type(description="A course of a program: its semester, and whether required.")
class ProgramCourse:
    course: Course
    semester: int
    required: bool


@strawberry.type(description="A college's 人才培养方案 for a major at a level.")
class Program(Node):
    code: str
    name_zh: str
    name_en: str
    level_code: LevelCode
    major_code: str
    college_code: str = strawberry.field(description="The college 院校 whose program it is")
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Program:
        return Program(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                       level_code=of(LevelCode, row["level"]), major_code=row["major"],
                       college_code=row["college"], source=row.get("source"),
                       framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def major(self, info: Info[Context, Any]) -> Major | None:
        row = await _node(info, "Major", self.framework, self.major_code)
        return Major.of(row) if row else None

    @strawberry.field
    async def courses(self, info: Info[Context, Any]) -> list[ProgramCourse]:
        return [ProgramCourse(course=Course.of(r["node"]), semester=int(r["semester"]),
                              required=bool(r["required"]))
                for r in await _edges(info, "programCourses", self._uid)]


@strawberry.type(description="A teacher competency tier: 普及层, 深化层, 研发层.")
class TeacherTier(Node):
    code: str
    rank: int
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> TeacherTier:
        return TeacherTier(code=row["code"], rank=int(row["rank"]), name_zh=row["nameZh"],
                           name_en=row["nameEn"], description_zh=row.get("descriptionZh"),
                           description_en=row.get("descriptionEn"), source=row.get("source"),
                           framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def competencies(self, info: Info[Context, Any]) -> list[Competency]:
        return [Competency.of(r["node"])
                for r in await _edges(info, "teacherTierCompetencies", self._uid)]
