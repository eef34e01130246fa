"""Write rules of majors 专业: industry, levels offered, catalogue codes."""

from __future__ import annotations

from collections.abc import Sequence

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
    IN_USE,
    INVALID_VALUE,
    MISSING_FIELD,
    EditResult,
)
from graph.programs import refresh_program_targets
from graph.store import GraphStore

__all__ = ["upsert_majors"]

UPSERT_MAJOR_NODES = Cypher("UNWIND $rows AS row MERGE (n:Major {uid: row.uid}) SET n += row.props")
RELINK_MAJOR_INDUSTRY = relink("Major", "IN_INDUSTRY", "Industry")


async def upsert_majors(store: GraphStore, fw: str, rows: Sequence[Row],
                        actor: Actor) -> EditResult:
    """Create or update majors 专业; a level still used by a program cannot be dropped."""
    batch = Batch(store, fw, "Major", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    nodes, industries = [], []
    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("industry", "levels"))
        if props.get("industry") is not None:
            batch.known("Industry", props["industry"], index, "industry")
        levels = [lv for p, lv in enumerate(props.get("levels") or [])
                  if batch.known("Level", lv, index, f"levels[{p}]")]
        if "levels" in row and not levels:
            batch.error(MISSING_FIELD, "a major is offered at one level at least", index,
                        "levels")
        if len(set(levels)) != len(levels):
            batch.error(INVALID_VALUE, "a level is listed twice", index, "levels")
        props["levels"] = sorted(set(levels), key=lambda lv: batch.levels[lv][0])
        if "catalogCodes" in row:
            catalog = [str(c) for c in row["catalogCodes"] or []]
            for position, entry in enumerate(catalog):
                level, _, number = entry.partition(":")
                if level not in props["levels"] or not number:
                    batch.error(INVALID_VALUE, f"catalog code {entry!r} must be LEVEL:CODE for "
                                "a level of the major", index, f"catalogCodes[{position}]")
            props["catalogCodes"] = sorted(catalog)
        props.setdefault("catalogCodes", [])
        for program, info in batch.codes["Program"].items():
            if info.get("major") == row.get("code") and info.get("level") not in levels \
                    and "levels" in row:
                batch.error(IN_USE, f"program {program} runs this major at {info['level']}: "
                            "that level cannot be dropped", index, "levels")
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        industries.append({"uid": uid, **link_rows([{"target": batch.uid(props["industry"]),
                                                 "props": {}}] if props.get("industry")
                                               else [])})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [(UPSERT_MAJOR_NODES, nodes), (RELINK_MAJOR_INDUSTRY, industries)])
    await refresh_program_targets(store, framework=fw)
    return await finish(batch, actor, "upsertMajors")
