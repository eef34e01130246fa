"""Write rules of courses 课程: what they teach, at what proficiency, and their prerequisites."""

from __future__ import annotations

from collections.abc import Sequence

from graph import rules
from graph.content import (
    UPSERT_COURSES,
)
from graph.cypher import Cypher
from graph.editing.audit import Actor
from graph.editing.batch import (
    Batch,
    Row,
    finish,
    link_rows,
    recheck,
    relink,
    stored_edges,
    write,
)
from graph.editing.errors import (
    EditResult,
)
from graph.rules import is_design
from graph.store import GraphStore

__all__ = ["upsert_courses"]


COURSE_PREREQUISITE_EDGES = Cypher(
    "MATCH (a:Course {fw: $fw})-[:REQUIRES]->(b:Course) RETURN a.code AS source, b.code AS target"
)
RELINK_TEACHES = relink("Course", "TEACHES", "Competency")
RELINK_COURSE_PREREQUISITES = relink("Course", "REQUIRES", "Course")


async def upsert_courses(store: GraphStore, fw: str, rows: Sequence[Row],
                         actor: Actor) -> EditResult:
    """Create or update courses 课程: what they teach, at what proficiency, and which
    courses come first (a course prerequisite cycle is refused)."""
    batch = Batch(store, fw, "Course", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await stored_edges(batch, "courseTeaches")
    nodes, teaches, prerequisites = [], [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "layer", "kind", "credits", "hours"))
        level = batch.level(props, index)
        if props.get("layer") is not None:
            batch.known("Layer", props["layer"], index, "layer")
        if props.get("kind") is not None:
            batch.refuse(rules.one_of_error(props["kind"], "kind", rules.COURSE_KINDS),
                         index)
        if "credits" in row:
            value = batch.number(row["credits"], index, "credits", 0, 30, open_low=True)
            props["credits"] = float(value) if value is not None else None
        if "hours" in row:
            props["hours"] = batch.number(row["hours"], index, "hours", 1, 2000, whole=True)
        for key, label in (("major", "Major"), ("industry", "Industry")):
            if key in row:
                props[key] = row[key] or None
            props.setdefault(key, None)
            if props[key] is not None:
                batch.known(label, props[key], index, key)
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "teaches", level, is_design(props.get("source")),
                            recheck(batch, row, level, stored))
        if links is not None:
            teaches.append({"uid": uid, **link_rows(links)})
        required = batch.requires(row, index, "Course")
        if required is not None or batch.is_new(row):
            prerequisites.append({"uid": uid, **link_rows({"target": batch.uid(c), "props": {}}
                                                      for c in required or [])})
    batch.cycle(await store.read(COURSE_PREREQUISITE_EDGES, {"fw": fw}), "Course",
                "course prerequisite cycle")
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [(UPSERT_COURSES, nodes), (RELINK_TEACHES, teaches),
                         (RELINK_COURSE_PREREQUISITES, prerequisites)])
    return await finish(batch, actor, "upsertCourses")
