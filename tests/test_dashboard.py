"""cohortHeatmap: per class, the same shares as cohort(classLabel) — on the demo data."""

from __future__ import annotations

from typing import Any

from graph.embedded import EmbeddedStore
from schema import Context, Principal, Role
from service.demo import DEMO_CLASSES

GZ = Principal(Role.COLLEGE, "test", "COL-DEMO-GZ")
HEATMAP = """query($college: String, $program: String) {
  cohortHeatmap(college: $college, program: $program) {
    college competencyCodes competencies { code layerCode strandCodes }
    rows { classLabel programCode students
           cells { competencyCode layerCode students meeting share gapTotal } } } }"""
COHORT = """query($college: String, $program: String, $classLabel: String) {
  cohort(college: $college, program: $program, classLabel: $classLabel) {
    students competencies { competencyCode layerCode students meeting share gapTotal } } }"""


async def _run(schema: Any, store: EmbeddedStore, query: str, principal: Principal,
               **variables: Any) -> Any:
    return await schema.execute(query, variable_values=variables,
                                context_value=Context(store, principal))


async def test_each_row_is_the_cohort_of_its_class(schema: Any,
                                                   demo_store: EmbeddedStore) -> None:
    result = await _run(schema, demo_store, HEATMAP, GZ)
    assert result.errors is None, result.errors
    heatmap = result.data["cohortHeatmap"]
    expected = [(c.program, c.label, c.size) for c in DEMO_CLASSES if c.college == "COL-DEMO-GZ"]
    assert sorted((r["programCode"], r["classLabel"], r["students"]) for r in heatmap["rows"]) \
        == sorted(expected)
    for row in heatmap["rows"]:
        cohort = await _run(schema, demo_store, COHORT, GZ, program=row["programCode"],
                            classLabel=row["classLabel"])
        assert cohort.errors is None, cohort.errors
        assert cohort.data["cohort"]["students"] == row["students"]
        assert cohort.data["cohort"]["competencies"] == row["cells"]
    columns = {c for r in heatmap["rows"] for c in (x["competencyCode"] for x in r["cells"])}
    assert heatmap["competencyCodes"] == sorted(columns)
    assert [c["code"] for c in heatmap["competencies"]] == heatmap["competencyCodes"]


async def test_a_program_filter_keeps_its_classes(schema: Any,
                                                  demo_store: EmbeddedStore) -> None:
    result = await _run(schema, demo_store, HEATMAP, GZ, program="P-AI-GZ")
    assert result.errors is None, result.errors
    labels = [r["classLabel"] for r in result.data["cohortHeatmap"]["rows"]]
    assert labels == ["AI-2301", "AI-2401", "AI-2402"]


async def test_other_colleges_and_anonymous_callers_are_refused(
        schema: Any, demo_store: EmbeddedStore) -> None:
    other = await _run(schema, demo_store, HEATMAP, GZ, college="COL-DEMO-BK")
    assert other.errors and other.errors[0].extensions["code"] == "FORBIDDEN"
    foreign = await _run(schema, demo_store, HEATMAP, GZ, program="P-AI-BK")
    assert foreign.errors and foreign.errors[0].extensions["code"] == "UNKNOWN_PROGRAM"
    anonymous = await _run(schema, demo_store, HEATMAP, Principal(Role.ANONYMOUS),
                           college="COL-DEMO-GZ")
    assert anonymous.errors and anonymous.errors[0].extensions["code"] == "FORBIDDEN"
    admin = await _run(schema, demo_store, HEATMAP, Principal(Role.ADMIN),
                       college="COL-DEMO-BK")
    assert admin.errors is None
    assert {r["classLabel"] for r in admin.data["cohortHeatmap"]["rows"]} == {"BAI-2201",
                                                                               "BEC-2301"}


async def test_classes_are_listed_with_their_head_counts(schema: Any,
                                                         demo_store: EmbeddedStore) -> None:
    query = """query($program: String) { cohortClasses(program: $program) {
        classLabel programCode students } }"""
    result = await _run(schema, demo_store, query, GZ)
    assert result.errors is None, result.errors
    expected = sorted((c.program, c.label, c.size) for c in DEMO_CLASSES
                      if c.college == "COL-DEMO-GZ")
    assert [(r["programCode"], r["classLabel"], r["students"])
            for r in result.data["cohortClasses"]] == expected
    one = await _run(schema, demo_store, query, GZ, program="P-MFG-GZ")
    assert [r["classLabel"] for r in one.data["cohortClasses"]] == ["MFG-2301", "MFG-2401"]
