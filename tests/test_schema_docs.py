"""Descriptions cover the API: ≥ 95 % of types, fields, arguments and input fields.

Counted on the printed SDL (``schema.graphql`` as a client sees it), not on the Python
classes, so a description set anywhere (on the field, or by ``schema.glossary``) counts and
one lost on the way to the SDL does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from schema.printer import printed_schema

THRESHOLD = 0.95
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


@dataclass(frozen=True)
class Coverage:
    described: int
    total: int
    missing: list[str]

    @property
    def ratio(self) -> float:
        return self.described / self.total if self.total else 1.0


def coverage(schema: GraphQLSchema) -> Coverage:
    """Types (but the built-in scalars and introspection), fields, arguments, input fields."""
    seen: list[tuple[str, bool]] = []
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or type_.name in BUILT_IN:
            continue
        seen.append((type_.name, bool(type_.description)))
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in type_.fields.items():
                seen.append((f"{type_.name}.{name}", bool(field.description)))
                seen += [(f"{type_.name}.{name}({arg_name}:)", bool(arg.description))
                         for arg_name, arg in field.args.items()]
        elif isinstance(type_, GraphQLInputObjectType):
            seen += [(f"{type_.name}.{name}", bool(input_field.description))
                     for name, input_field in type_.fields.items()]
    return Coverage(sum(ok for _, ok in seen), len(seen), [name for name, ok in seen if not ok])


def test_descriptions_cover_the_schema() -> None:
    found = coverage(build_schema(printed_schema()))
    print(f"description coverage: {found.described}/{found.total} = {found.ratio:.1%}")
    assert found.total > 1000  # the whole API was counted, not an empty schema
    assert found.ratio >= THRESHOLD, (
        f"{found.ratio:.1%} < {THRESHOLD:.0%}; undescribed: {', '.join(found.missing)}")


def test_the_count_sees_what_is_missing() -> None:
    sdl = '''
    """Root"""
    type Query {
      """described"""
      a(x: Int): Int
      b: T
    }
    type T { c: Int }
    input I { """described""" d: Int, e: Int }
    '''
    found = coverage(build_schema(sdl))
    # Query, Query.a, a(x), Query.b, T, T.c, I, I.d, I.e: three described
    assert (found.described, found.total) == (3, 9), found
    assert found.missing == ["Query.a(x:)", "Query.b", "T", "T.c", "I", "I.e"]
