"""Cohort analytics types: shares, placement counts, readiness buckets."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.enums import (
    LayerCode,
    LevelCode,
    ReadinessDimension,
)
from schema.learners.standing import (
    _context,
)
from schema.types import Competency


@strawberry.type(description="How many students of a cohort meet one competency their program "
                             "requires.")
class CompetencyShare:
    competency_code: str
    layer_code: LayerCode
    students: int = strawberry.field(description="Students whose program requires it")
    meeting: int
    share: float = strawberry.field(description="Share meeting it: meeting / students")
    gap_total: int
    _uid: strawberry.Private[str]

    @strawberry.field
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        row = await _context(info).nodes["Competency"].load(self._uid)
        return Competency.of(row) if row else None


@strawberry.type(description="How many students of a cohort reached a level in a layer.")
class PlacementCount:
    layer_code: LayerCode
    level_code: LevelCode | None
    students: int


@strawberry.type(description="How many students' readiness on a dimension falls in a fifth of 0–1.")
class ReadinessBucket:
    dimension: ReadinessDimension
    lower: float = strawberry.field(description="Lower bound of the fifth (inclusive)")
    upper: float = strawberry.field(description="Upper bound (exclusive, 1.0 inclusive)")
    students: int


@strawberry.type(description="A cohort (college, program or class) in one aggregation.")
class CohortReport:
    students: int
    competencies: list[CompetencyShare]
    placement: list[PlacementCount]
    readiness: list[ReadinessBucket]

    @strawberry.field(description="The competencies most students miss.")
    def common_gaps(self, limit: int = 10) -> list[CompetencyShare]:
        missing = [c for c in self.competencies if c.meeting < c.students]
        missing.sort(key=lambda c: (-(c.students - c.meeting), c.competency_code))
        return missing[:max(0, min(limit, 100))]
