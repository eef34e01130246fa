"""Root fields for dashboards: a college's classes, and its class × competency heatmap in one
request.

Student data, so the same rule as ``cohort``: a college token sees its own college, admins
any; the shares are the ones ``cohort(college, program, classLabel)`` reports per class.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.dashboard import class_reports, classes_of
from graph.ids import element_uid
from schema.context import Context
from schema.enums import LayerCode, of
from schema.errors import ApiError
from schema.permissions import CanReadStudents
from schema.types import Competency

__all__ = ["DashboardQuery"]


@strawberry.type(description="How many students of one class meet one competency their "
                             "program requires.")
class HeatmapCell:
    competency_code: str = strawberry.field(description="The competency (a column)")
    layer_code: LayerCode = strawberry.field(description="Its layer: GEN, PRO or IND")
    students: int = strawberry.field(description="Students of the class whose program "
                                                 "requires it")
    meeting: int = strawberry.field(description="Of those, how many attain the required "
                                                "proficiency")
    share: float = strawberry.field(
        description="Share meeting it: meeting / students, 0–1 (4 decimals)")
    gap_total: int = strawberry.field(description="Σ gap over the class's students")


@strawberry.type(description="One class (a row of the heatmap) and its shares.")
class HeatmapRow:
    class_label: str = strawberry.field(description="The class label students were "
                                                    "recorded with")
    program_code: str = strawberry.field(description="The class's program")
    students: int = strawberry.field(description="Students in the class")
    cells: list[HeatmapCell] = strawberry.field(
        description="One per competency the program requires, ordered by code")


@strawberry.type(description="A class × competency heatmap of shares meeting the target.")
class CohortHeatmap:
    college: str = strawberry.field(description="The college's code")
    competency_codes: list[str] = strawberry.field(
        description="The columns: every competency some class's program requires, by code")
    rows: list[HeatmapRow] = strawberry.field(
        description="The classes, by program and class label")
    _framework: strawberry.Private[str]

    @strawberry.field(description="The columns' competencies (names, layer, strands).")
    async def competencies(self, info: Info[Context, Any]) -> list[Competency]:
        loader = info.context.nodes["Competency"]
        rows = await loader.load_many([element_uid(self._framework, code)
                                       for code in self.competency_codes])
        return [Competency.of(row) for row in rows if row]


def _college(info: Info[Context, Any], college: str | None) -> str:
    principal = info.context.principal
    college = college or principal.college
    if college is None:
        raise ApiError("COLLEGE_REQUIRED", "name the college")
    if not principal.can_see_college(college):
        raise ApiError("FORBIDDEN", f"no access to the students of college {college}",
                       college=college)
    return college


async def _program_of(info: Info[Context, Any], college: str, program: str | None,
                      framework: str | None) -> str | None:
    """The uid of a program of ``college`` (None: no program filter)."""
    if program is None:
        return None
    fw = (await info.context.resolve_framework(framework))["uid"]
    row = await info.context.nodes["Program"].load(element_uid(fw, program))
    if row is None or row.get("college") != college:
        raise ApiError("UNKNOWN_PROGRAM", f"no program {program} at college {college}",
                       program=program)
    return str(row["uid"])


@strawberry.type(description="A class of a college: its label, program and head count.")
class CohortClass:
    class_label: str = strawberry.field(description="The class label students were "
                                                    "recorded with")
    program_code: str = strawberry.field(description="The class's program")
    students: int = strawberry.field(description="Students in the class")


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="The classes of a college (or of one of its programs), by "
                                  "program and label: what a class filter offers.",
                      permission_classes=[CanReadStudents])
    async def cohort_classes(
        self, info: Info[Context, Any],
        college: Annotated[str | None, strawberry.argument(
            description="College code; a college token: its own")] = None,
        program: Annotated[str | None, strawberry.argument(
            description="Only this program's classes")] = None,
        framework: Annotated[strawberry.ID | None, strawberry.argument(
            description="Framework version id (CODE@VERSION); default: the latest "
                        "published")] = None,
    ) -> list[CohortClass]:
        college = _college(info, college)
        program_uid = await _program_of(info, college, program, framework)
        return [CohortClass(class_label=label, program_code=code, students=students)
                for _, code, label, students in await classes_of(info.context.store, college,
                                                                 program_uid)]

    @strawberry.field(description="Class × competency heatmap of a college (or of one of its "
                                  "programs): per class, the share of its students meeting "
                                  "each competency their program requires.",
                      permission_classes=[CanReadStudents])
    async def cohort_heatmap(
        self, info: Info[Context, Any],
        college: Annotated[str | None, strawberry.argument(
            description="College code; a college token: its own")] = None,
        program: Annotated[str | None, strawberry.argument(
            description="Only this program's classes")] = None,
        framework: Annotated[strawberry.ID | None, strawberry.argument(
            description="Framework version id (CODE@VERSION); default: the latest "
                        "published")] = None,
    ) -> CohortHeatmap:
        context = info.context
        college = _college(info, college)
        fw = (await context.resolve_framework(framework))["uid"]
        program_uid = await _program_of(info, college, program, framework)
        rows: list[HeatmapRow] = []
        codes: set[str] = set()
        for item in await class_reports(context.store, college, program_uid):
            cells = [HeatmapCell(competency_code=c["code"], layer_code=of(LayerCode, c["layer"]),
                                 students=c["students"], meeting=c["meeting"],
                                 share=round(c["meeting"] / c["students"], 4)
                                 if c["students"] else 0.0, gap_total=c["gapTotal"])
                     for c in item.report.competencies]
            codes.update(cell.competency_code for cell in cells)
            rows.append(HeatmapRow(class_label=item.class_label,
                                   program_code=item.program_code,
                                   students=item.report.students, cells=cells))
        return CohortHeatmap(college=college, competency_codes=sorted(codes), rows=rows,
                             _framework=fw)
