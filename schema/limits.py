"""Query limits in one linear pass, run before graphql-core's own validation.

Why a pass of our own: graphql-core's ``OverlappingFieldsCanBeMerged`` is quadratic in
fields that share a response key, and a depth or cost rule that walks every fragment spread
expands fragments exponentially (20 fragments each spreading the next twice: 2²⁰ visits,
28 s). Here each fragment is walked once and its result memoised: cost is linear in the
multiplier (every term is ``multiplier × factor``), so a spread adds ``multiplier ×
unit_cost(fragment)`` and depth adds ``depth(fragment)``.

Cost: each object field costs the number of objects it may return: a connection multiplies
its children by ``first`` (the page cap when given as a variable), any other list by a fixed
guess. Scalars are free: they come with the object that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)

__all__ = ["LIST_GUESS", "QueryLimits", "check_limits", "limits_rule"]

LIST_GUESS = 10


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The shape a document may have (each has a setting, see ``service.config``)."""

    max_depth: int = 12
    max_cost: int = 50_000
    max_aliases: int = 30
    max_repeated: int = 20
    page_cap: int = 100
    default_page: int = 20


def _is_list(field_type: Any) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


@dataclass(slots=True)
class _Shape:
    """What a selection set asks for: unit cost, depth, and how often each response key
    occurs once inline fragments and fragment spreads are merged in (what graphql-core's
    overlap rule compares pairwise)."""

    cost: int = 0
    depth: int = 0
    keys: dict[str, int] = field(default_factory=dict)

    def add(self, other: _Shape, times: int = 1) -> None:
        self.cost += other.cost
        self.depth = max(self.depth, other.depth)
        for key, count in other.keys.items():
            self.keys[key] = self.keys.get(key, 0) + count * times


@dataclass
class _Walk:
    schema: GraphQLSchema
    limits: QueryLimits
    fragments: dict[str, FragmentDefinitionNode]
    memo: dict[str, _Shape] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    aliases: int = 0
    errors: list[GraphQLError] = field(default_factory=list)
    repeated_reported: bool = False

    def selection_set(self, node: SelectionSetNode | None, parent: Any) -> tuple[int, int]:
        """(unit cost, depth) of a selection set on ``parent``, its merged keys checked."""
        shape = self.shape(node, parent)
        repeated = max(shape.keys.values(), default=0)
        if repeated > self.limits.max_repeated and not self.repeated_reported:
            key = max(shape.keys, key=shape.keys.__getitem__)
            self.repeated_reported = True
            self.errors.append(GraphQLError(
                f"{key!r} appears {repeated} times in one selection set, fragments included "
                f"(at most {self.limits.max_repeated}): ask for each field once", node,
                extensions={"code": "REPEATED_FIELDS", "max": self.limits.max_repeated}))
        return shape.cost, shape.depth

    def shape(self, node: SelectionSetNode | None, parent: Any) -> _Shape:
        shape = _Shape()
        if node is None:
            return shape
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                shape.keys[key] = shape.keys.get(key, 0) + 1
                if selection.alias is not None:
                    self.aliases += 1
                field_cost, field_depth = self.field(selection, parent)
                shape.cost += field_cost
                shape.depth = max(shape.depth, field_depth)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value)
                shape.add(self.shape(selection.selection_set, target))
            elif isinstance(selection, FragmentSpreadNode):
                shape.add(self.fragment(selection.name.value))
        return shape

    def fragment(self, name: str) -> _Shape:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return _Shape()  # unknown or cyclic: graphql-core's validation reports it
        self.active.add(name)
        target = self.schema.get_type(definition.type_condition.name.value)
        result = self.shape(definition.selection_set, target)
        self.active.discard(name)
        self.memo[name] = result
        return result

    def field(self, node: FieldNode, parent: Any) -> tuple[int, int]:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType
                                                   | GraphQLInterfaceType):
            return 0, 0  # introspection (GraphiQL's own query is deep) and unknown fields
        definition = parent.fields.get(name)
        if definition is None:
            return 0, 1
        named = get_named_type(definition.type)
        child_cost, child_depth = self.selection_set(node.selection_set, named)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0, 1  # scalars come with their object: no extra cost
        factor = 1
        for argument in node.arguments or ():
            if argument.name.value == "first":
                factor = (int(argument.value.value) if isinstance(argument.value, IntValueNode)
                          else self.limits.page_cap)
                break
        else:
            if "first" in definition.args:
                factor = self.limits.default_page
            elif _is_list(definition.type) and not parent.name.endswith("Connection"):
                factor = LIST_GUESS
        factor = max(factor, 0)
        return factor + factor * child_cost, 1 + child_depth


def check_limits(schema: GraphQLSchema, document: DocumentNode,
                 limits: QueryLimits) -> list[GraphQLError]:
    """Every limit error of every operation of ``document``, each with ``extensions.code``."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, limits, fragments)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = {"query": schema.query_type, "mutation": schema.mutation_type,
                "subscription": schema.subscription_type}[definition.operation.value]
        cost, depth = walk.selection_set(definition.selection_set, root)
        if depth > limits.max_depth:
            walk.errors.append(GraphQLError(
                f"query depth {depth} exceeds the limit {limits.max_depth}", definition,
                extensions={"code": "QUERY_TOO_DEEP", "depth": depth, "max": limits.max_depth}))
        if cost > limits.max_cost:
            walk.errors.append(GraphQLError(
                f"query cost {cost} exceeds the limit {limits.max_cost}: ask for smaller "
                "pages or fewer nested lists", definition,
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "max": limits.max_cost}))
    if walk.aliases > limits.max_aliases:
        walk.errors.append(GraphQLError(
            f"{walk.aliases} aliases in one document (at most {limits.max_aliases})",
            extensions={"code": "TOO_MANY_ALIASES", "max": limits.max_aliases}))
    return sorted(walk.errors, key=lambda e: _ORDER.get(str((e.extensions or {}).get("code")), 9))


_ORDER = {"QUERY_TOO_DEEP": 0, "QUERY_TOO_COSTLY": 1, "REPEATED_FIELDS": 2,
          "TOO_MANY_ALIASES": 3}


def limits_rule(limits: QueryLimits) -> type[ValidationRule]:
    """The same checks as a validation rule, for callers of ``strawberry.Schema.execute``."""

    class QueryLimitsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            for error in check_limits(self.context.schema, node, limits):
                self.report_error(error)

    return QueryLimitsRule
