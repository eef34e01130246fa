"""Every GraphQL operation in the README is named and valid against ``schema.graphql``.

A frontend team points graphql-codegen (typescript + typescript-operations) at the committed
SDL and at documents such as these examples. Codegen reads all documents as one set: an
operation without a name cannot be typed, two operations of one name clash, and an anonymous
operation beside others is invalid (graphql-core's LoneAnonymousOperation, the error a team
saw). So the README's blocks are validated here as one document with graphql-core's
specified rules, against the SDL a client gets, not the Python schema behind it. The
read-only examples of the quick start and of gap analysis are run, too.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    parse,
    validate,
)

from graph.embedded import EmbeddedStore
from schema import ANONYMOUS, Context, Principal, Role

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```graphql\n(.*?)^```", flags=re.S | re.M)


def readme_document() -> DocumentNode:
    blocks = BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5, "the README's ```graphql blocks were not found"
    return parse("\n".join(blocks))


def sdl_schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def test_every_readme_operation_has_a_unique_name() -> None:
    ops = operations(readme_document())
    assert len(ops) >= 12
    anonymous = [op.loc.source.body[op.loc.start:op.loc.start + 60] for op in ops
                 if op.name is None and op.loc]
    assert not anonymous, f"unnamed README operations: {anonymous}"
    names = [op.name.value for op in ops if op.name]
    assert len(names) == len(set(names)), f"README operation names repeat: {names}"


def test_readme_operations_are_valid_against_the_committed_sdl() -> None:
    errors = validate(sdl_schema(), readme_document())
    assert not errors, "\n".join(f"{e.message} {e.locations}" for e in errors)


def test_the_check_catches_what_codegen_refuses() -> None:
    """An anonymous operation beside a named one, a repeated name, an unknown field."""
    schema = sdl_schema()
    for text in ("{ levels { code } }\nquery A { layers { code } }",
                 "query A { levels { code } }\nquery A { layers { code } }",
                 "query A { levels { noSuchField } }"):
        assert validate(schema, parse(text)), text


def _named(name: str) -> str:
    (op,) = [o for o in operations(readme_document()) if o.name and o.name.value == name]
    assert op.operation is OperationType.QUERY and op.loc
    return op.loc.source.body[op.loc.start:op.loc.end]


async def test_the_quick_start_query_runs(schema, seeded_store: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    outcome = await schema.execute(_named("Overview"),
                                   context_value=Context(seeded_store, ANONYMOUS))
    assert outcome.errors is None, outcome.errors
    assert outcome.data and outcome.data["competency"]["prerequisites"]
    assert {level["code"] for level in outcome.data["levels"]} == {"ZZ", "GZ", "BK"}


async def test_the_gap_analysis_query_runs(schema, demo_store: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    college = Principal(Role.COLLEGE, "office-gz", "COL-DEMO-GZ")
    outcome = await schema.execute(_named("StudentGaps"),
                                   context_value=Context(demo_store, college))
    assert outcome.errors is None, outcome.errors
    assert outcome.data and outcome.data["student"]["standing"], "S00001 has gaps in the demo"
    assert outcome.data["cohort"]["students"] > 1
