"""What one fast-path run carries, and the two ways the fast path declines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from graph.framework_cache import FrameworkSnapshot
from schema.context import Context

__all__ = ["Getter", "GiveUp", "Ineligible", "Run", "named", "origin"]

Getter = Callable[["Run", Any], Any]


class Ineligible(Exception):
    """The document asks for something this path does not answer (decided once, at plan)."""


class GiveUp(Exception):
    """This request cannot be answered here (a draft, a null where none may be, ...)."""


@dataclass(slots=True)
class Run:
    """One request. It is also the ``info`` the called resolvers get: they read only
    ``info.context`` (``schema.fastpath.calls``)."""

    context: Context
    args: list[dict[str, Any]]

    def snapshot(self, uid: str) -> FrameworkSnapshot:
        snap = self.context.framework.loaded_snapshot(uid.split("|", 1)[0])
        if snap is None:
            raise GiveUp
        return snap


def origin(type_: GraphQLObjectType) -> Any:
    """The strawberry class behind a GraphQL object type."""
    return type_.extensions["strawberry-definition"].origin


def named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_
