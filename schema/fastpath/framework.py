"""Browsing a frozen framework version from the process's cache (``graph.framework_cache``).

When a published version is cached there is nothing left to wait for after the framework
lookup: a handful of resolver fields (prerequisites, dependents, requirements,
progressions, major and industry, the connection's ``nodes`` and ``totalCount``) read the
snapshot, and every object is built by the same ``Type.of(row)`` the resolvers use, once
per snapshot row (then shared by the requests).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import Any

from graphql import GraphQLObjectType

from graph.framework import CompetencyFilter
from graph.framework_cache import FrameworkSnapshot
from graph.ids import element_uid
from schema.enums import code as enum_code
from schema.fastpath.run import GiveUp, Run, named, origin
from schema.node import to_global_id
from schema.relay import build_connection, decode_cursor, page_size

__all__ = ["RESOLVERS", "ROOTS"]

Resolve = Callable[[Run, Any, dict[str, Any]], Any]


class _Count:
    """A connection's count, known without a store call (``totalCount`` reads ``value``)."""

    __slots__ = ("value",)

    def __init__(self, value: Callable[[], int]) -> None:
        self.value = value

    async def __call__(self) -> int:
        return self.value()


def _built(snap: FrameworkSnapshot, build: Callable[[Any], Any], row: Any) -> Any:
    """``build(row)``, once per snapshot row: the snapshot is frozen and nothing writes to
    the objects (graphql-core reads sources, never sets them), so requests share them."""
    key = (build, id(row))  # the row lives as long as the snapshot that holds the memo
    found = snap.memo.get(key)
    if found is None:
        found = snap.memo[key] = build(row)
    return found


def _edge_list(name: str, transitive_name: str | None = None) -> Callable[..., Any]:
    """A resolver field answered by the snapshot's rows of one edge, as ``Type.of`` objects."""

    def make(target: GraphQLObjectType) -> Resolve:
        build = origin(target).of

        def resolve(run: Run, source: Any, args: dict[str, Any]) -> Any:
            edge = transitive_name if transitive_name and args.get("transitive") else name
            snap = run.snapshot(source._uid)
            return [_built(snap, build, row["node"])
                    for row in snap.edges[edge].get(source._uid, ())]
        return resolve
    return make


def _requirement_at(target: GraphQLObjectType) -> Resolve:
    build = origin(target).of

    def resolve(run: Run, source: Any, args: dict[str, Any]) -> Any:
        snap = run.snapshot(source._uid)
        for row in snap.edges["requirements"].get(source._uid, ()):
            if row["node"]["level"] == enum_code(args["level"]):
                return _built(snap, build, row["node"])
        return None
    return resolve


def _node_ref(label: str, attribute: str) -> Callable[..., Any]:
    """A resolver field naming one element of the source's version by code (``_node`` in
    ``schema.types``): the major or industry of a competency, the industry of a major."""
    code_of = attrgetter(attribute)

    def make(target: GraphQLObjectType) -> Resolve:
        build = origin(target).of

        def resolve(run: Run, source: Any, _args: dict[str, Any]) -> Any:
            code = code_of(source)
            if code is None:
                return None
            uid = element_uid(source.framework, code)
            snap = run.snapshot(uid)
            row = snap.nodes[label].get(uid)
            return _built(snap, build, row) if row else None
        return resolve
    return make


def _total_count(_target: Any) -> Resolve:
    def resolve(_run: Run, source: Any, _args: dict[str, Any]) -> Any:
        if not isinstance(source._count, _Count):
            raise GiveUp
        return source._count.value()
    return resolve


def _nodes(_target: Any) -> Resolve:
    return lambda _run, source, _args: [edge.node for edge in source.edges]


def _global_id(_target: Any) -> Resolve:
    """``Node.id`` (a resolver field, so not a plain attribute): Relay clients ask it always."""
    return lambda _run, source, _args: to_global_id(type(source).__name__, source.node_key())


# (type, field) → a maker of the field's resolver, given the field's named type.
RESOLVERS: dict[tuple[str, str], Callable[[Any], Resolve]] = {
    ("Competency", "id"): _global_id,
    ("Requirement", "id"): _global_id,
    ("Competency", "prerequisites"): _edge_list("prerequisites", "allPrerequisites"),
    ("Competency", "dependents"): _edge_list("dependents", "allDependents"),
    ("Competency", "requirements"): _edge_list("requirements"),
    ("Competency", "requirement"): _requirement_at,
    ("Competency", "major"): _node_ref("Major", "_major"),
    ("Competency", "industry"): _node_ref("Industry", "_industry"),
    ("Major", "industry"): _node_ref("Industry", "_industry"),
    ("Requirement", "progressesTo"): _edge_list("progressesTo"),
    ("Requirement", "progressesFrom"): _edge_list("progressesFrom"),
    ("CompetencyConnection", "totalCount"): _total_count,
    ("CompetencyConnection", "nodes"): _nodes,
}


async def _competencies(run: Run, args: dict[str, Any], target: Any) -> Any:
    """``FrameworkQuery.competencies`` (schema.query._page) over the cached version."""
    context = run.context
    size = page_size(context, args.get("first"))
    fw = (await context.resolve_framework(args.get("framework")))["uid"]
    snap = await context.framework.snapshot(fw)
    if snap is None:
        raise GiveUp
    after = decode_cursor(args.get("after"))
    flt = CompetencyFilter(level=enum_code(args.get("level")),
                           layer=enum_code(args.get("layer")),
                           strand=args.get("strand"), major=args.get("major"),
                           industry=args.get("industry"), search=args.get("search"))
    rows = snap.page(flt, after, size + 1)
    node_type = named(named(target.fields["edges"].type).fields["node"].type)
    build = origin(node_type).of
    return build_connection(rows, size, after, lambda row: _built(snap, build, row),
                            _Count(lambda: snap.count(flt)))


async def _competency(run: Run, args: dict[str, Any], target: Any) -> Any:
    """``FrameworkQuery.competency`` over the cached version."""
    fw = (await run.context.resolve_framework(args.get("framework")))["uid"]
    snap = await run.context.framework.snapshot(fw)
    if snap is None:
        raise GiveUp
    row = snap.nodes["Competency"].get(element_uid(fw, args["code"]))
    return _built(snap, origin(target).of, row) if row else None


ROOTS: dict[str, Callable[[Run, dict[str, Any], Any], Awaitable[Any]]] = {
    "competencies": _competencies,
    "competency": _competency,
}


