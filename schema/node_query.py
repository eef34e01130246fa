"""``node(id:)`` and ``nodes(ids:)``: any framework element by its global id (``schema.node``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.store import Record
from schema.context import Context
from schema.errors import ApiError
from schema.node import Node, from_global_id
from schema.programs import Program, TeacherTier
from schema.types import (
    Assessment,
    Certification,
    Competency,
    Course,
    Industry,
    JobRole,
    Layer,
    Level,
    Major,
    Requirement,
    Strand,
)

__all__ = ["MAX_IDS", "NodeQuery"]

MAX_IDS = 100

# Versioned elements: type name → how to build it from its store record (label = type name).
_ELEMENTS: dict[str, Callable[[Record], Node]] = {
    cls.__name__: cls.of for cls in (Competency, Requirement, Course, Major, Industry,
                                     Assessment, Certification, JobRole, Program, TeacherTier)
}
# Framework-wide reference data: type name → (global list, builder).
_GLOBALS: dict[str, tuple[str, Callable[[Record], Node]]] = {
    "Level": ("levels", Level.of), "Layer": ("layers", Layer.of),
    "Strand": ("strands", Strand.of),
}


async def _resolve(context: Context, global_id: str) -> Node | None:
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    type_name, key = decoded
    if type_name in _GLOBALS:
        name, build = _GLOBALS[type_name]
        row = await context.global_by_code(name, key)
        return build(row) if row else None
    if type_name not in _ELEMENTS or "|" not in key:
        return None
    try:  # the same visibility as the code lookups: drafts for designers and admins only
        await context.resolve_framework(key.split("|", 1)[0])
    except ApiError:
        return None
    row = await context.nodes[type_name].load(key)
    return _ELEMENTS[type_name](row) if row else None


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any framework element by its global id (null: unknown, or "
                                  "in a version you may not see).")
    async def node(self, info: Info[Context, Any], id: Annotated[
            strawberry.ID, strawberry.argument(
                description="A global id, as an element's id field gives it")],
    ) -> Node | None:
        return await _resolve(info.context, id)

    @strawberry.field(description=f"Framework elements by global id, in the order asked (at "
                                  f"most {MAX_IDS}; null where unknown or not visible).")
    async def nodes(self, info: Info[Context, Any], ids: Annotated[list[strawberry.ID],
            strawberry.argument(description=f"Global ids (at most {MAX_IDS})")],
    ) -> list[Node | None]:
        if len(ids) > MAX_IDS:
            raise ApiError("TOO_MANY_IDS", f"at most {MAX_IDS} ids per call", max=MAX_IDS)
        # together, so the loaders batch the lookups: one store query per label
        return list(await asyncio.gather(*(_resolve(info.context, i) for i in ids)))
