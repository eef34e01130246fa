"""A nested query costs one store round trip per level, whatever the page size; levels a
published version's cache answers (``graph.framework_cache``) cost none."""

from __future__ import annotations

from typing import Any

from graph.editing import Actor
from graph.embedded import EmbeddedStore
from graph.framework_cache import FrameworkCache
from graph.versions import create_version
from schema import ANONYMOUS, Context, Principal, Role
from seed import load_seed

NESTED = """
query($fw: ID) { competencies(framework: $fw, first: 50) {
    edges { node { code
      prerequisites { code
        taughtBy { proficiency { value } course { code } } } } } } }
"""


def _check(result: Any) -> None:
    assert result.errors is None, result.errors
    pages = result.data["competencies"]["edges"]
    assert len(pages) == 50
    assert any(edge["node"]["prerequisites"] for edge in pages)
    assert any(p["taughtBy"] for edge in pages for p in edge["node"]["prerequisites"])


async def test_a_draft_costs_one_round_trip_per_level(schema: Any,
                                                      store: EmbeddedStore) -> None:
    await load_seed(store)
    draft = await create_version(store, "AIL@2025.1", "2026.1", Actor("d-1", "designer"))
    assert draft.framework is not None
    before = store.round_trips
    result = await schema.execute(NESTED, {"fw": "AIL@2026.1"}, context_value=Context(
        store, Principal(Role.DESIGNER, "d-1"), cache=FrameworkCache()))
    _check(result)
    # framework lookup + page + prerequisites level + taughtBy level
    assert store.round_trips - before == 4


async def test_a_published_version_costs_its_uncached_levels_only(
        schema: Any, seeded_store: EmbeddedStore) -> None:
    cache = FrameworkCache()
    trips = []
    for _ in range(2):
        before = seeded_store.round_trips
        result = await schema.execute(NESTED, context_value=Context(seeded_store, ANONYMOUS,
                                                                    cache=cache))
        _check(result)
        trips.append(seeded_store.round_trips - before)
    # the taughtBy level (courses are not cached); the first request also reads the
    # version's Framework node and its snapshot (six queries)
    assert trips == [2 + 6, 1]
