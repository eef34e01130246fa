"""Relay-style connections with keyset cursors and a lazily counted ``totalCount``.

Pages are ordered by ``code``; the cursor is the opaque last code, so inserting elements
never shifts a page. ``totalCount`` runs a separate count in the store, and only when the
client asks for it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from schema.context import Context
from schema.errors import ApiError

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "encode_cursor", "page_size"]

NodeT = TypeVar("NodeT")
_PREFIX = "code:"


def encode_cursor(code: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{code}".encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError("BAD_CURSOR", "the cursor is not one this API issued") from None
    if not text.startswith(_PREFIX):
        raise ApiError("BAD_CURSOR", "the cursor is not one this API issued")
    return text[len(_PREFIX):]


def page_size(context: Context, first: int | None) -> int:
    limit = context.limits.max_page_size
    if first is None:
        return min(context.limits.default_page_size, limit)
    if first < 0:
        raise ApiError("BAD_PAGE_SIZE", "first must not be negative")
    if first > limit:
        raise ApiError("PAGE_TOO_LARGE", f"first may be at most {limit}", max=limit)
    return first


@strawberry.type(description="Where a page stands in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More elements follow this page")
    has_previous_page: bool = strawberry.field(
        description="Elements precede this page (pages go forward only: true after a cursor)")
    start_cursor: str | None = strawberry.field(description="The first edge's cursor")
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: pass it as `after` for the next page")


@strawberry.type(description="One element of a page, with the cursor that points at it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque position of this element")
    node: NodeT = strawberry.field(description="The element")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The elements of this page")
    page_info: PageInfo = strawberry.field(description="Where this page stands")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many elements match in all; counted in the store.")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def build_connection(rows: list[dict[str, object]], size: int, after: str | None,
                     make: Callable[[dict[str, object]], NodeT],
                     count: Callable[[], Awaitable[int]]) -> Connection[NodeT]:
    """``rows`` holds up to size + 1 rows: the extra one only tells that a next page exists."""
    page = rows[:size]
    edges = [Edge(cursor=encode_cursor(str(row["code"])), node=make(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )
