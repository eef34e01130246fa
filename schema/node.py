"""Relay's ``Node``: a global id on every framework element, and ``node(id:)`` / ``nodes(ids:)``.

A global id is ``base64("Type:key")``: the key of a versioned element is its uid
(``CODE@VERSION|CODE``), of a level, layer or strand its code. Codes stay the everyday way
in (``competency(code:)``); a global id lets a client cache and refetch any object without
knowing which root field and version it came from. ``node`` obeys the same rules as the
code lookups: an element of a draft version resolves only for designers and admins.

Students and teachers are *not* Nodes: their records are tenant data (a college token
sees its own college only), and a second way in would be a second place to get that rule
right; they are fetched by code and college as before.
"""

from __future__ import annotations

import base64
import binascii

import strawberry

__all__ = ["Node", "from_global_id", "to_global_id"]


def to_global_id(type_name: str, key: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, str] | None:
    """(type name, key), or None when the id is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(global_id.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, key = text.partition(":")
    return (type_name, key) if sep and type_name and key else None


@strawberry.interface(description="An object with a global id 全局标识: fetch it again with "
                                  "node(id:) or nodes(ids:).")
class Node:
    @strawberry.field(description="Global id: opaque, stable, unique across types and versions")
    def id(self) -> strawberry.ID:
        return to_global_id(type(self).__name__, self.node_key())

    def node_key(self) -> str:
        """What the id encodes; versioned elements: their uid."""
        return str(getattr(self, "_uid"))  # noqa: B009  (every element type has a private _uid)
