"""Write rules of typical jobs 岗位 and the competencies they need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph import rules
from graph.content import (
    UPSERT_JOB_ROLES,
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

__all__ = ["upsert_job_roles"]

RELINK_NEEDS = relink("JobRole", "NEEDS", "Competency")


async def upsert_job_roles(store: GraphStore, fw: str, rows: Sequence[Row],
                           actor: Actor, *, mutation: str = "upsertJobRoles",
                           summary: Mapping[str, Any] | None = None) -> EditResult:
    """Create or update typical jobs 岗位 and the competencies they need (``mutation`` and
    ``summary``: what the audit entry records, for edits made on behalf of another one)."""
    batch = Batch(store, fw, "JobRole", rows)
    if not await batch.open() or batch.errors:
        return EditResult(errors=batch.errors)
    stored = await stored_edges(batch, "jobRoleNeeds")
    nodes, needs = [], []

    def essential(spec: Row, index: int, where: str) -> dict[str, Any]:
        value = spec.get("essential", False)
        if value is None:
            value = False
        batch.refuse(rules.flag_error(value, "essential"), index, f"{where}.essential")
        return {"essential": bool(value)}

    for index, row in enumerate(batch.rows):
        props = batch.props(row, index, ("level", "industry"))
        level = batch.level(props, index)
        if props.get("industry") is not None:
            batch.known("Industry", props["industry"], index, "industry")
        uid = batch.uid(str(row.get("code")))
        nodes.append({"uid": uid, "props": props})
        links = batch.links(row, index, "needs", level, is_design(props.get("source")),
                            recheck(batch, row, level, stored), essential)
        if links is not None:
            needs.append({"uid": uid, **link_rows(links)})
    if batch.errors:
        return EditResult(errors=batch.errors)
    await write(store, [(UPSERT_JOB_ROLES, nodes), (RELINK_NEEDS, needs)])
    return await finish(batch, actor, mutation, summary)
