"""Resolver fields answered by calling their strawberry resolver: one implementation.

A whitelisted field's resolver function is called as strawberry calls it (its arguments
converted by strawberry's ``get_arguments``, its permission classes asked first), with the
run as ``info``: these resolvers read only ``info.context``. A permission that says no, or
answers anything but ``True``, gives up, so graphql-core reports the refusal its own way.

The root field's coroutine is awaited (it reads the store); a nested field's coroutine must
finish without waiting (``now``): the student root reads the report's row with the student,
so standing, readiness, placement and the own-program gaps are arithmetic on it. One that
would wait (a gap target read from the store) gives up and graphql-core answers.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CoroutineType
from typing import Any

from graphql import GraphQLField, GraphQLSchema
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import get_arguments

from schema.fastpath.run import GiveUp, Ineligible, Run

__all__ = ["CALLED", "now", "resolver_call"]

CALLED = frozenset({
    ("Query", "student"),
    ("Student", "standing"), ("Student", "readiness"), ("Student", "placement"),
    ("Student", "gaps"),
})

Call = Callable[[Run, Any, dict[str, Any]], Any]


def resolver_call(schema: GraphQLSchema, definition: GraphQLField) -> Call:
    """``call(run, source, args)``: the resolver's result (a coroutine for async ones);
    ``args`` as graphql-core coerced them (GraphQL names)."""
    field = definition.extensions["strawberry-definition"]
    resolver = field.base_resolver
    if resolver is None:
        raise Ineligible(definition)
    permissions = []
    for extension in field.extensions:
        if not isinstance(extension, PermissionExtension) or extension.fail_silently:
            raise Ineligible("a field extension other than permissions")
        permissions.extend(extension.permissions)
    strawberry_schema = schema._strawberry_schema  # type: ignore[attr-defined]
    config = strawberry_schema.config
    scalars = strawberry_schema.schema_converter.scalar_registry
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    get_result = field.get_result

    def call(run: Run, source: Any, args: dict[str, Any]) -> Any:
        positional, named = get_arguments(field=field, source=source, info=run,  # type: ignore[arg-type]
                                          kwargs=args, config=config,
                                          scalar_registry=scalars)
        if permissions:
            asked = {k: v for k, v in named.items() if k != info_name}
            for permission in permissions:
                if permission.has_permission(source, run, **asked) is not True:  # type: ignore[arg-type]
                    raise GiveUp
        return get_result(source, run, positional, named)
    return call


def now(value: Any) -> Any:
    """``value``, or what its coroutine returns when it finishes without waiting."""
    if type(value) is CoroutineType:
        try:
            value.send(None)
        except StopIteration as done:
            return done.value
        value.close()
        raise GiveUp
    return value
