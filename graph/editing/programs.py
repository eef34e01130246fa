"""Write rules of programs 人才培养方案: courses by semester and target overrides."""

from __future__ import annotations

from collections.abc import Sequence

from graph import rules
from graph.cypher import Cypher
from graph.editing.audit import Actor
from graph.editing.batch import (
    Batch,
    Row,
    finish,
    link_rows,
    relink,
    write,
)
from graph.editing.errors import (
    INVALID_VALUE,
    EditResult,
)
from graph.programs import refresh_program_targets
from graph.rules import is_design
from graph.store import GraphStore

__all__ = ["upsert_programs"]

UPSERT_PROGRAM_NODES = Cypher(
    "UNWIND $rows AS row MERGE (n:Program {uid: row.uid}) SET n += row.props"
)

RELINK_PROGRAM_MAJOR = relink("Program", "FOR_MAJOR", "Major")
RELINK_PROGRAM_COURSES = relink("Program", "INCLUDES", "Course")
RELINK_PROGRAM_OVERRIDES = relink("Program", "OVERRIDES", "Competency")
RELINK_PROGRAM_COLLEGE = Cypher(
    "UNWIND $rows AS row MATCH (p:Program {uid: row.uid}) "
    "OPTIONAL MATCH (c:College)-[old:OFFERS]->(p) WHERE c.code <> row.college DELETE old "
    "WITH DISTINCT p, row MATCH (c:College {code: row.college}) MERGE (c)-[:OFFERS]->(p)"
)


async def upsert_programs(store: GraphStore, fw: str, rows: Sequence[Row],
                          actor: Actor) -> EditResult:
    """Create or update programs 人才培养方案: courses by semester (required or elective)
    and target overrides; then refresh the programs' targets."""
    batch = Batch(store, fw, "Program", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    nodes, colleges, majors, courses, overrides = [], [], [], [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("college", "major", "level"))
        level = batch.level(props, index)
        if props.get("college") is not None:
            batch.known("College", props["college"], index, "college")
        major = props.get("major")
        if major is not None and batch.known("Major", major, index, "major") and level:
            offered = batch.codes["Major"][major].get("levels") or []
            batch.refuse(rules.major_level_error(major, level, offered), index)
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        colleges.append({"uid": uid, "college": props.get("college")})
        majors.append({"uid": uid, **link_rows([{"target": batch.uid(str(major)), "props": {}}])})
        if "courses" in row or batch.is_new(row):
            courses.append({"uid": uid, **link_rows(_program_courses(batch, row, index))})
        if "overrides" in row or batch.is_new(row):
            links = batch.links(row, index, "overrides", level,
                                is_design(props.get("source")), None)
            overrides.append({"uid": uid, **link_rows(links or [])})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [(UPSERT_PROGRAM_NODES, nodes), (RELINK_PROGRAM_COLLEGE, colleges),
                         (RELINK_PROGRAM_MAJOR, majors), (RELINK_PROGRAM_COURSES, courses),
                         (RELINK_PROGRAM_OVERRIDES, overrides)])
    await refresh_program_targets(store, [str(node["uid"]) for node in nodes])
    return await finish(batch, actor, "upsertPrograms")


def _program_courses(batch: Batch, row: Row, index: int) -> list[Row]:
    links: list[Row] = []
    seen: set[str] = set()
    for position, spec in enumerate(row.get("courses") or []):
        where = f"courses[{position}]"
        course = spec.get("course")
        if course in seen:
            batch.error(INVALID_VALUE, f"course {course} is listed twice", index, where)
            continue
        if not batch.known("Course", course, index, f"{where}.course"):
            continue
        seen.add(course)
        semester = batch.number(spec.get("semester"), index, f"{where}.semester", 1, 12,
                                whole=True)
        required = spec.get("required", True)
        if required is None:
            required = True
        batch.refuse(rules.flag_error(required, "required"), index, f"{where}.required")
        links.append({"target": batch.uid(course),
                      "props": {"semester": semester, "required": bool(required)}})
    return links
