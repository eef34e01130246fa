"""A nested query costs one store round trip per level, whatever the page size."""

from __future__ import annotations

from typing import Any

from graph.embedded import EmbeddedStore

NESTED = """
{ competencies(first: 50) {
    edges { node { code
      prerequisites { code
        taughtBy { proficiency { value } course { code } } } } } } }
"""


async def test_nested_query_round_trips_match_depth(run_query: Any,
                                                    seeded_store: EmbeddedStore) -> None:
    await run_query("{ framework { id } }")  # warm nothing: every request has fresh loaders
    before = seeded_store.round_trips
    result = await run_query(NESTED)
    assert result.errors is None
    pages = result.data["competencies"]["edges"]
    assert len(pages) == 50
    assert any(edge["node"]["prerequisites"] for edge in pages)
    # framework lookup + page + prerequisites level + taughtBy level
    assert seeded_store.round_trips - before == 4
