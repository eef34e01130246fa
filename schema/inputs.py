"""Input limits at the GraphQL boundary: every string, number and list a caller sends.

Argument types stay ``String`` (clients declare ``$code: String!``); what a value may be is
decided by the *name* of the argument or input field it lands in (``code``, ``nameZh``,
``takenAt``…), through the kinds of ``graph.bounds``. The operation is walked once per
document (fragments once each) to find where literals and variables land; literals are
checked then and the result cached with the document, variables are checked per request,
before anything runs. Every refusal is a ``GraphQLError`` with a stable ``extensions.code``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)

from graph import bounds
from graph.learners import MAX_BATCH

__all__ = ["LIST_MAX", "NAME_KINDS", "NUMBER_KINDS", "InputPlan", "plan_inputs"]

# Which kind of string an argument or input field holds, by its name (see graph.bounds).
NAME_KINDS: dict[str, str] = {
    **dict.fromkeys((
        "code", "codes", "student", "college", "program", "programs", "course", "assessment",
        "certification", "competency", "level", "levels", "layer", "strand", "strands",
        "major", "industry", "jobRole", "framework", "from", "to", "version",
        "requires", "catalogCodes", "kind", "dimension",
        "jobRoles", "teacher", "courses", "tier"), "code"),  # demand records, teachers
    **dict.fromkeys(("classLabel", "nameZh", "nameEn", "issuerZh", "issuerEn", "term",
                     "subject", "subjects", "sourceName", "region", "title", "provider"),
                    "label"),
    **dict.fromkeys(("descriptionZh", "descriptionEn", "descriptorZh", "descriptorEn"),
                    "descriptor"),
    "source": "source",
    "search": "search",
    **dict.fromkeys(("after", "before"), "cursor"),
    **dict.fromkeys(("id", "ids"), "id"),
    **dict.fromkeys(("enrolledOn", "takenAt", "heldOn", "at", "date"), "date"),
}
NUMBER_KINDS: dict[str, str] = {
    **dict.fromkeys(("first", "last", "limit"), "count"),
    **dict.fromkeys(("proficiency", "importance"), "proficiency"),
    "semester": "semester",
    **dict.fromkeys(("score", "maxScore", "grade", "credits", "hours", "weight"), "score"),
}
LIST_MAX: dict[str, int] = {"rows": MAX_BATCH}
DEFAULT_LIST_MAX = 1000
_STRING_SCALARS = {"String", "ID", "Date", "DateTime"}  # checked by their name's kind
_MAX_ERRORS = 20


class _Refused(Exception):
    def __init__(self, error: GraphQLError) -> None:
        self.error = error


def _kind(name: str) -> bounds.Kind:
    return bounds.KINDS[NAME_KINDS.get(name, "text")]


@dataclass(frozen=True, slots=True)
class _Site:
    """Where a variable lands: the type and the argument/input-field name it is read as."""

    variable: str
    type: GraphQLInputType
    name: str
    path: str


class _Checker:
    def __init__(self) -> None:
        self.errors: list[GraphQLError] = []

    def fail(self, code: str, message: str, path: str) -> None:
        self.errors.append(GraphQLError(f"{path}: {message}",
                                        extensions={"code": code, "field": path}))
        if len(self.errors) >= _MAX_ERRORS:
            raise _Refused(self.errors[-1])

    def scalar(self, named: Any, name: str, value: Any, path: str) -> None:
        try:
            if isinstance(value, str):
                if isinstance(named, GraphQLScalarType) and named.name in _STRING_SCALARS:
                    bounds.check_text(_kind(name), value)
                else:  # enums, custom scalars: parsed later, but never a NUL or a megabyte
                    bounds.check_text(bounds.KINDS["text"], value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                bounds.check_number(NUMBER_KINDS.get(name, "number"), value)
        except bounds.BoundViolation as exc:
            self.fail(exc.code, str(exc), path)

    def raw(self, type_: Any, name: str, value: Any, path: str) -> None:
        """A variable's JSON value, as the type it lands in reads it."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            items = value if isinstance(value, list) else [value]
            if self.too_long(items, name, path):
                return
            for index, item in enumerate(items):
                self.raw(type_.of_type, name, item, f"{path}[{index}]")
        elif isinstance(type_, GraphQLInputObjectType):
            if not isinstance(value, Mapping):
                return  # coercion reports the wrong shape
            for key, item in value.items():
                field = type_.fields.get(key)
                if field is not None:
                    self.raw(field.type, key, item, f"{path}.{key}")
        elif isinstance(value, list | dict):
            return  # the wrong shape for a scalar: coercion reports it
        else:
            self.scalar(type_, name, value, path)

    def literal(self, type_: Any, name: str, node: ValueNode, path: str,
                sites: list[_Site]) -> None:
        """A literal in the document; variables inside it become sites."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(node, VariableNode):
            sites.append(_Site(node.name.value, type_, name, path))
        elif isinstance(node, ListValueNode):
            if isinstance(type_, GraphQLList) and not self.too_long(node.values, name, path):
                for index, item in enumerate(node.values):
                    self.literal(type_.of_type, name, item, f"{path}[{index}]", sites)
        elif isinstance(node, ObjectValueNode):
            if isinstance(type_, GraphQLInputObjectType):
                for entry in node.fields:
                    field = type_.fields.get(entry.name.value)
                    if field is not None:
                        self.literal(field.type, entry.name.value, entry.value,
                                     f"{path}.{entry.name.value}", sites)
        elif isinstance(node, StringValueNode):
            self.scalar(get_named_type(type_), name, node.value, path)
        elif isinstance(node, IntValueNode | FloatValueNode):
            number = float(node.value)
            self.scalar(get_named_type(type_), name,
                        int(node.value) if isinstance(node, IntValueNode) else number, path)
        elif isinstance(node, BooleanValueNode | EnumValueNode | NullValueNode):
            return

    def too_long(self, items: Any, name: str, path: str) -> bool:
        limit = LIST_MAX.get(name, DEFAULT_LIST_MAX)
        if len(items) > limit:
            self.fail("LIST_TOO_LONG", f"at most {limit} items, got {len(items)}", path)
            return True
        return False


@dataclass(frozen=True, slots=True)
class InputPlan:
    """One operation's input checks: literal errors (fixed) and where variables land."""

    errors: tuple[GraphQLError, ...]
    sites: tuple[_Site, ...]

    def check(self, variables: Mapping[str, Any] | None) -> list[GraphQLError]:
        """Errors of this request: the literals' and its variables'."""
        if self.errors or not self.sites or not variables:
            return list(self.errors)
        checker = _Checker()
        try:
            for site in self.sites:
                if site.variable in variables:
                    checker.raw(site.type, site.name, variables[site.variable], site.path)
        except _Refused:
            pass
        return checker.errors


def plan_inputs(schema: GraphQLSchema, document: DocumentNode,
                operation: OperationDefinitionNode) -> InputPlan:
    """Walk ``operation`` (each fragment once) for argument values; check the literals."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    checker = _Checker()
    sites: list[_Site] = []
    root = {"query": schema.query_type, "mutation": schema.mutation_type,
            "subscription": schema.subscription_type}[operation.operation.value]
    try:
        for field_node, definition in _fields(schema, operation.selection_set, root,
                                              fragments, set()):
            for argument in field_node.arguments or ():
                arg = definition.args.get(argument.name.value)
                if arg is not None:
                    name = argument.name.value
                    checker.literal(arg.type, name, argument.value,
                                    f"{field_node.name.value}({name})", sites)
    except _Refused:
        pass
    return InputPlan(tuple(checker.errors), tuple(sites))


def _fields(schema: GraphQLSchema, selection_set: SelectionSetNode | None, parent: Any,
            fragments: dict[str, FragmentDefinitionNode],
            seen: set[str]) -> Iterator[tuple[FieldNode, Any]]:
    """Every field node with its definition; a fragment is visited once, however often spread."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = parent.fields.get(selection.name.value)
            if definition is None:
                continue
            yield selection, definition
            yield from _fields(schema, selection.selection_set,
                               get_named_type(definition.type), fragments, seen)
        elif isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                target = schema.get_type(selection.type_condition.name.value)
            yield from _fields(schema, selection.selection_set, target, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            seen.add(name)
            target = schema.get_type(fragment.type_condition.name.value)
            yield from _fields(schema, fragment.selection_set, target, fragments, seen)
