"""Hostile requests generated from the schema: a bad value at every string (and number and
list) an API caller can send, each inside an otherwise valid operation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_composite_type,
)


@dataclass(frozen=True)
class HostileCase:
    name: str
    query: str
    variables: dict[str, Any]
    expected_code: str


def _sample(type_: Any, depth: int = 0) -> Any:
    """A valid value of an input type: required fields only, one item per list."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type, depth)]
    if isinstance(type_, GraphQLInputObjectType):
        return {name: _sample(field.type, depth + 1) for name, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull) and field.default_value is None}
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType)
    return {"Int": 1, "Float": 1.0, "Boolean": False}.get(type_.name, "2024-09-01")


def _leaves(type_: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every scalar position inside an input type, as a path of keys/indexes."""
    if isinstance(type_, GraphQLNonNull):
        yield from _leaves(type_.of_type, path)
    elif isinstance(type_, GraphQLList):
        yield from _leaves(type_.of_type, (*path, 0))
    elif isinstance(type_, GraphQLInputObjectType):
        for name, field in type_.fields.items():
            yield from _leaves(field.type, (*path, name))
    elif isinstance(type_, GraphQLScalarType):
        yield path, type_


def _set(value: Any, path: tuple[Any, ...], leaf: Any) -> Any:
    if not path:
        return leaf
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        return [_set(value[0] if value else None, rest, leaf)]
    inner = dict(value or {})
    inner[head] = _set(inner.get(head), rest, leaf)
    return inner


def _selection(field: GraphQLField) -> str:
    return " { __typename }" if is_composite_type(get_named_type(field.type)) else ""


def hostile_cases(schema: GraphQLSchema) -> list[HostileCase]:
    """For every argument of every root field: each string leaf too long and holding NUL,
    each number leaf out of range."""
    cases: list[HostileCase] = []
    roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
    for operation, root in roots:
        if not isinstance(root, GraphQLObjectType):
            continue
        for field_name, field in root.fields.items():
            arguments = list(field.args.items())
            declared = ", ".join(f"${name}: {arg.type}" for name, arg in arguments)
            passed = ", ".join(f"{name}: ${name}" for name, _ in arguments)
            query = (f"{operation} Hostile({declared}) {{ {field_name}({passed})"
                     f"{_selection(field)} }}") if arguments else ""
            base = {name: _sample(arg.type) for name, arg in arguments}
            for name, arg in arguments:
                for path, scalar in _leaves(arg.type):
                    where = ".".join(map(str, (field_name, name, *path)))
                    bad: list[tuple[str, Any, str]] = []
                    if scalar.name in {"String", "ID"}:
                        bad += [("long", "x" * 5000, "VALUE_TOO_LONG"),
                                ("nul", "a\u0000b", "INVALID_CHARACTER")]
                    elif scalar.name == "Float":
                        bad.append(("huge", 1e300, "NUMBER_OUT_OF_RANGE"))
                    elif scalar.name == "Int":
                        bad.append(("huge", 2_000_000_000, "NUMBER_OUT_OF_RANGE"))
                    for label, value, code in bad:
                        variables = dict(base)
                        variables[name] = _set(base[name], path, value)
                        cases.append(HostileCase(f"{where}:{label}", query, variables, code))
    return cases
