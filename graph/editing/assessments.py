"""Write rules of assessments 评价工具: one level, what they measure and with what weight."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph import rules
from graph.content import (
    UPSERT_ASSESSMENTS,
)
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

__all__ = ["upsert_assessments"]


RELINK_MEASURES = relink("Assessment", "MEASURES", "Competency")


async def upsert_assessments(store: GraphStore, fw: str, rows: Sequence[Row],
                             actor: Actor) -> EditResult:
    """Create or update assessments 评价工具 of one level and what they measure (weights)."""
    batch = Batch(store, fw, "Assessment", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await stored_edges(batch, "assessmentMeasures")
    nodes, measures = [], []

    def weight(spec: Row, index: int, where: str) -> dict[str, Any]:
        return {"weight": batch.number(spec.get("weight"), index, f"{where}.weight", 0, 1,
                                       open_low=True)}

    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "kind", "maxScore"))
        level = batch.level(props, index)
        if props.get("kind") is not None:
            batch.refuse(rules.one_of_error(props["kind"], "kind", rules.ASSESSMENT_KINDS),
                         index)
        if "maxScore" in row:
            props["maxScore"] = batch.number(row["maxScore"], index, "maxScore", 1, 100000,
                                             whole=True)
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "measures", level, is_design(props.get("source")),
                            recheck(batch, row, level, stored), weight)
        if links is not None:
            measures.append({"uid": uid, **link_rows(links)})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [(UPSERT_ASSESSMENTS, nodes), (RELINK_MEASURES, measures)])
    return await finish(batch, actor, "upsertAssessments")
