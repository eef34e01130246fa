"""Planning a document for the fast path, and running the plan: one synchronous walk.

Plain attribute fields are ``getattr`` (fused with their scalar's ``serialize``); resolver
fields are the framework snapshot's (``framework``) or a whitelisted strawberry resolver
called directly (``calls``). Eligibility is decided once per document (``Ineligible``),
giving up per request (``GiveUp``): either way graphql-core answers instead.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from schema.context import Context
from schema.fastpath.calls import CALLED, now, resolver_call
from schema.fastpath.framework import RESOLVERS, ROOTS
from schema.fastpath.run import Getter, GiveUp, Ineligible, Run, named

__all__ = ["FastPath", "FastPlan"]

log = logging.getLogger("competency_graph.graphql")

Root = Callable[[Run, dict[str, Any], Any], Awaitable[Any]]
# The built-in scalars whose serializer returns a value of this exact type unchanged (an
# Int only within 32 bits): most leaves of an answer, so they skip the call.
_SERIALIZED_AS_IS: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLInt: int,
                                      GraphQLBoolean: bool}


def _called_root(schema: GraphQLSchema, definition: GraphQLField) -> Root:
    call = resolver_call(schema, definition)

    async def root(run: Run, args: dict[str, Any], _target: Any) -> Any:
        found = call(run, None, args)
        return await found if inspect.isawaitable(found) else found
    return root


@dataclass
class _Compiler:
    schema: GraphQLSchema
    arg_nodes: list[tuple[GraphQLField, FieldNode]] = field(default_factory=list)

    def args_of(self, definition: GraphQLField, node: FieldNode) -> Callable[[Run], Any]:
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

            def non_null(run: Run, value: Any) -> Any:
                done = inner(run, value)
                if done is None:
                    raise GiveUp
                return done
            return non_null
        if isinstance(type_, GraphQLList):
            item = self.value(type_.of_type, selection)

            def listed(run: Run, value: Any) -> Any:
                if value is None:
                    return None
                if not isinstance(value, list | tuple):
                    raise GiveUp
                return [item(run, v) for v in value]
            return listed
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            serialize = type_.serialize

            def leaf(_run: Run, value: Any) -> Any:
                if value is None:
                    return None
                done = serialize(value)
                if done is None:
                    raise GiveUp
                return done
            return leaf
        if isinstance(type_, GraphQLObjectType) and selection is not None:
            return self.object(type_, selection)
        raise Ineligible(type_)

    def object(self, type_: GraphQLObjectType, selection: SelectionSetNode) -> Getter:
        fields: list[tuple[str, Getter]] = []
        for node in selection.selections:
            if not isinstance(node, FieldNode) or node.directives:
                raise Ineligible("fragments and directives go through graphql-core")
            key, name = (node.alias or node.name).value, node.name.value
            if any(k == key for k, _ in fields):
                raise Ineligible("a repeated response key is merged by graphql-core")
            fields.append((key, self.field(type_, name, node)))

        def complete(run: Run, source: Any) -> Any:
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
            raise Ineligible(name)
        complete = self.value(definition.type, node.selection_set)
        maker = RESOLVERS.get((type_.name, name))
        if maker is not None:
            resolve = maker(named(definition.type))
            args = self.args_of(definition, node)
            return lambda run, source: complete(run, resolve(run, source, args(run)))
        if (type_.name, name) in CALLED:
            call = resolver_call(self.schema, definition)
            args = self.args_of(definition, node)
            return lambda run, source: complete(run, now(call(run, source, args(run))))
        strawberry_field = definition.extensions.get("strawberry-definition")
        if (strawberry_field is None or strawberry_field.base_resolver is not None
                or strawberry_field.permission_classes or strawberry_field.extensions
                or definition.args):
            raise Ineligible(name)
        get = attrgetter(strawberry_field.python_name)
        leaf_type = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) \
            else definition.type
        if isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType):  # most fields: fused
            serialize, required = leaf_type.serialize, leaf_type is not definition.type
            exact = _SERIALIZED_AS_IS.get(leaf_type)

            def leaf(_run: Run, source: Any) -> Any:
                value = get(source)
                kind = type(value)
                if kind is exact and (kind is not int
                                      or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT):
                    return value  # what serialize returns for it, without the call
                if value is None:
                    if required:
                        raise GiveUp
                    return None
                done = serialize(value)
                if done is None:
                    raise GiveUp
                return done
            return leaf
        return lambda run, source: complete(run, get(source))


@dataclass(frozen=True)
class FastPlan:
    """One operation, compiled: its root fields and the argument nodes to coerce per run."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    roots: list[tuple[str, Callable[..., Awaitable[Any]], Callable[[Run], Any], Any, Getter]]
    arg_nodes: list[tuple[GraphQLField, FieldNode]]

    async def run(self, context: Context, variables: dict[str, Any] | None
                  ) -> ExecutionResult | None:
        """The answer, or ``None`` when graphql-core must answer this request."""
        try:
            coerced = get_variable_values(self.schema, self.operation.variable_definitions or (),
                                          variables or {})
            if not isinstance(coerced, VariableValues):
                return None
            run = Run(context, [get_argument_values(d, n, coerced)
                                 for d, n in self.arg_nodes])
            data: dict[str, Any] = {}
            for key, root, args, target, complete in self.roots:
                data[key] = complete(run, await root(run, args(run), target))
            return ExecutionResult(data=data, errors=None)
        except GiveUp:
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
                if definition is None or any(r[0] == key for r in roots):
                    return None
                if name in ROOTS:
                    root = ROOTS[name]
                elif (query.name, name) in CALLED:
                    root = _called_root(self.schema, definition)
                else:
                    return None
                roots.append((key, root, compiler.args_of(definition, node),
                              named(definition.type),
                              compiler.value(definition.type, node.selection_set)))
        except Ineligible:
            return None
        return FastPlan(self.schema, operation, roots, compiler.arg_nodes)
