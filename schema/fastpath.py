"""A cheap execution path for browsing a frozen framework version: same API, same answers.

Why: graphql-core and strawberry spend ~15 µs on every field they complete (resolve info,
awaitable checks, DataLoader futures, event-loop rounds); query (a) of the peer bench
completes ~1,000 fields for 50 competencies, so its CPU was GraphQL machinery, not data.
When a published version is cached (``graph.framework_cache``) there is nothing left to
wait for after the framework lookup, so this path walks the document once, synchronously:
plain attribute fields are ``getattr``, a handful of resolver fields (prerequisites,
dependents, requirements, progressions, major and industry, the connection's ``nodes`` and
``totalCount``) read the snapshot, and every object is built by the same ``Type.of(row)``
the resolvers use, once per snapshot row (then shared by the requests).

It takes only what it can answer exactly and gives up (``None``: run graphql-core) on
anything else — fragments, directives, a repeated response key, a field it does not know,
a draft, an error of any kind, a null in a non-null position — so errors, drafts and the
rest of the API keep their one implementation. ``tests/test_fastpath.py`` runs documents
both ways and compares the answers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from graph.framework import CompetencyFilter
from graph.framework_cache import FrameworkSnapshot
from graph.ids import element_uid
from schema.context import Context
from schema.enums import code as enum_code
from schema.node import to_global_id
from schema.relay import build_connection, decode_cursor, page_size

__all__ = ["FastPath", "FastPlan"]

log = logging.getLogger("competency_graph.graphql")

Getter = Callable[["_Run", Any], Any]


class _Ineligible(Exception):
    """The document asks for something this path does not answer (decided once, at plan)."""


class _GiveUp(Exception):
    """This request cannot be answered here (a draft, a null where none may be, ...)."""


@dataclass(slots=True)
class _Run:
    context: Context
    args: list[dict[str, Any]]

    def snapshot(self, uid: str) -> FrameworkSnapshot:
        snap = self.context.framework.loaded_snapshot(uid.split("|", 1)[0])
        if snap is None:
            raise _GiveUp
        return snap


class _Count:
    """A connection's count, known without a store call (``totalCount`` reads ``value``)."""

    __slots__ = ("value",)

    def __init__(self, value: Callable[[], int]) -> None:
        self.value = value

    async def __call__(self) -> int:
        return self.value()


def _origin(type_: GraphQLObjectType) -> Any:
    return type_.extensions["strawberry-definition"].origin


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

    def make(target: GraphQLObjectType) -> Callable[[_Run, Any, dict[str, Any]], Any]:
        build = _origin(target).of

        def resolve(run: _Run, source: Any, args: dict[str, Any]) -> Any:
            edge = transitive_name if transitive_name and args.get("transitive") else name
            snap = run.snapshot(source._uid)
            return [_built(snap, build, row["node"])
                    for row in snap.edges[edge].get(source._uid, ())]
        return resolve
    return make


def _requirement_at(target: GraphQLObjectType) -> Callable[[_Run, Any, dict[str, Any]], Any]:
    build = _origin(target).of

    def resolve(run: _Run, source: Any, args: dict[str, Any]) -> Any:
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

    def make(target: GraphQLObjectType) -> Callable[[_Run, Any, dict[str, Any]], Any]:
        build = _origin(target).of

        def resolve(run: _Run, source: Any, _args: dict[str, Any]) -> Any:
            code = code_of(source)
            if code is None:
                return None
            uid = element_uid(source.framework, code)
            snap = run.snapshot(uid)
            row = snap.nodes[label].get(uid)
            return _built(snap, build, row) if row else None
        return resolve
    return make


def _total_count(_target: Any) -> Callable[[_Run, Any, dict[str, Any]], Any]:
    def resolve(_run: _Run, source: Any, _args: dict[str, Any]) -> Any:
        if not isinstance(source._count, _Count):
            raise _GiveUp
        return source._count.value()
    return resolve


def _nodes(_target: Any) -> Callable[[_Run, Any, dict[str, Any]], Any]:
    return lambda _run, source, _args: [edge.node for edge in source.edges]


def _global_id(_target: Any) -> Callable[[_Run, Any, dict[str, Any]], Any]:
    """``Node.id`` (a resolver field, so not a plain attribute): Relay clients ask it always."""
    return lambda _run, source, _args: to_global_id(type(source).__name__, source.node_key())


# (type, field) → a maker of the field's resolver, given the field's named type.
_RESOLVERS: dict[tuple[str, str], Callable[[Any], Callable[[_Run, Any, dict[str, Any]], Any]]] = {
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


async def _competencies(run: _Run, args: dict[str, Any], target: Any) -> Any:
    """``FrameworkQuery.competencies`` (schema.query._page) over the cached version."""
    context = run.context
    size = page_size(context, args.get("first"))
    fw = (await context.resolve_framework(args.get("framework")))["uid"]
    snap = await context.framework.snapshot(fw)
    if snap is None:
        raise _GiveUp
    after = decode_cursor(args.get("after"))
    flt = CompetencyFilter(level=enum_code(args.get("level")),
                           layer=enum_code(args.get("layer")),
                           strand=args.get("strand"), major=args.get("major"),
                           industry=args.get("industry"), search=args.get("search"))
    rows = snap.page(flt, after, size + 1)
    node_type = _named(_named(target.fields["edges"].type).fields["node"].type)
    build = _origin(node_type).of
    return build_connection(rows, size, after, lambda row: _built(snap, build, row),
                            _Count(lambda: snap.count(flt)))


async def _competency(run: _Run, args: dict[str, Any], target: Any) -> Any:
    """``FrameworkQuery.competency`` over the cached version."""
    fw = (await run.context.resolve_framework(args.get("framework")))["uid"]
    snap = await run.context.framework.snapshot(fw)
    if snap is None:
        raise _GiveUp
    row = snap.nodes["Competency"].get(element_uid(fw, args["code"]))
    return _built(snap, _origin(target).of, row) if row else None


_ROOTS: dict[str, Callable[[_Run, dict[str, Any], Any], Awaitable[Any]]] = {
    "competencies": _competencies,
    "competency": _competency,
}


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


@dataclass
class _Compiler:
    schema: GraphQLSchema
    arg_nodes: list[tuple[GraphQLField, FieldNode]] = field(default_factory=list)

    def args_of(self, definition: GraphQLField, node: FieldNode) -> Callable[[_Run], Any]:
        if not definition.args:
            return lambda _run: {}
        if not node.arguments:
            constant = get_argument_values(definition, node)
            return lambda _run: constant
        index = len(self.arg_nodes)
        self.arg_nodes.append((definition, node))
        return lambda run: run.args[index]

    def value(self, type_: Any, selection: SelectionSetNode | None) -> Getter:
        """A completer of values of ``type_`` (graphql-core's complete_value, no awaits)."""
        if isinstance(type_, GraphQLNonNull):
            inner = self.value(type_.of_type, selection)

            def non_null(run: _Run, value: Any) -> Any:
                done = inner(run, value)
                if done is None:
                    raise _GiveUp
                return done
            return non_null
        if isinstance(type_, GraphQLList):
            item = self.value(type_.of_type, selection)

            def listed(run: _Run, value: Any) -> Any:
                if value is None:
                    return None
                if not isinstance(value, list | tuple):
                    raise _GiveUp
                return [item(run, v) for v in value]
            return listed
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            serialize = type_.serialize

            def leaf(_run: _Run, value: Any) -> Any:
                if value is None:
                    return None
                done = serialize(value)
                if done is None:
                    raise _GiveUp
                return done
            return leaf
        if isinstance(type_, GraphQLObjectType) and selection is not None:
            return self.object(type_, selection)
        raise _Ineligible(type_)

    def object(self, type_: GraphQLObjectType, selection: SelectionSetNode) -> Getter:
        fields: list[tuple[str, Getter]] = []
        for node in selection.selections:
            if not isinstance(node, FieldNode) or node.directives:
                raise _Ineligible("fragments and directives go through graphql-core")
            key, name = (node.alias or node.name).value, node.name.value
            if any(k == key for k, _ in fields):
                raise _Ineligible("a repeated response key is merged by graphql-core")
            fields.append((key, self.field(type_, name, node)))

        def complete(run: _Run, source: Any) -> Any:
            if source is None:
                return None
            return {key: get(run, source) for key, get in fields}
        return complete

    def field(self, type_: GraphQLObjectType, name: str, node: FieldNode) -> Getter:
        if name == "__typename":
            type_name = type_.name
            return lambda _run, _source: type_name
        definition = type_.fields.get(name)
        if definition is None:
            raise _Ineligible(name)
        complete = self.value(definition.type, node.selection_set)
        maker = _RESOLVERS.get((type_.name, name))
        if maker is not None:
            resolve = maker(_named(definition.type))
            args = self.args_of(definition, node)
            return lambda run, source: complete(run, resolve(run, source, args(run)))
        strawberry_field = definition.extensions.get("strawberry-definition")
        if (strawberry_field is None or strawberry_field.base_resolver is not None
                or strawberry_field.permission_classes or strawberry_field.extensions
                or definition.args):
            raise _Ineligible(name)
        get = attrgetter(strawberry_field.python_name)
        leaf_type = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
            else definition.type
        if isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType):  # most fields: fused
            serialize, required = leaf_type.serialize, leaf_type is not definition.type

            def leaf(_run: _Run, source: Any) -> Any:
                value = get(source)
                if value is None:
                    if required:
                        raise _GiveUp
                    return None
                done = serialize(value)
                if done is None:
                    raise _GiveUp
                return done
            return leaf
        return lambda run, source: complete(run, get(source))


@dataclass(frozen=True)
class FastPlan:
    """One operation, compiled: its root fields and the argument nodes to coerce per run."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    roots: list[tuple[str, Callable[..., Awaitable[Any]], Callable[[_Run], Any], Any, Getter]]
    arg_nodes: list[tuple[GraphQLField, FieldNode]]

    async def run(self, context: Context, variables: dict[str, Any] | None
                  ) -> ExecutionResult | None:
        """The answer, or ``None`` when graphql-core must answer this request."""
        try:
            coerced = get_variable_values(self.schema, self.operation.variable_definitions or (),
                                          variables or {})
            if not isinstance(coerced, VariableValues):
                return None
            run = _Run(context, [get_argument_values(d, n, coerced)
                                 for d, n in self.arg_nodes])
            data: dict[str, Any] = {}
            for key, root, args, target, complete in self.roots:
                data[key] = complete(run, await root(run, args(run), target))
            return ExecutionResult(data=data, errors=None)
        except _GiveUp:
            return None
        except Exception:  # an error has one implementation: graphql-core's
            log.debug("fast path gave up", exc_info=True)
            return None


class FastPath:
    """Plans documents for the fast path (the caller caches a plan with its document)."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def plan(self, document: DocumentNode, operation: OperationDefinitionNode
             ) -> FastPlan | None:
        """A plan for ``operation``, or ``None`` when it asks for more than this path does."""
        query = self.schema.query_type
        if (operation.operation is not OperationType.QUERY or operation.directives
                or query is None or len(document.definitions) != 1):
            return None
        compiler = _Compiler(self.schema)
        roots: list[Any] = []
        try:
            for node in operation.selection_set.selections:
                if not isinstance(node, FieldNode) or node.directives:
                    return None
                key, name = (node.alias or node.name).value, node.name.value
                definition = query.fields.get(name)
                if definition is None or name not in _ROOTS or any(r[0] == key for r in roots):
                    return None
                roots.append((key, _ROOTS[name], compiler.args_of(definition, node),
                              _named(definition.type),
                              compiler.value(definition.type, node.selection_set)))
        except _Ineligible:
            return None
        return FastPlan(self.schema, operation, roots, compiler.arg_nodes)
