"""The committed SDL is the API: any change to it shows up in review."""

from __future__ import annotations

from pathlib import Path

from schema.printer import printed_schema

SNAPSHOT = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_graphql_matches_the_server() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8") == printed_schema(), (
        "schema.graphql is stale: run `make schema` and review the diff")
