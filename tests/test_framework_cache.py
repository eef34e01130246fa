"""The published-framework cache: the store's answers, from memory, never stale.

Equivalence is checked element by element against the store (every competency, every cached
edge, filtered pages); freshness by changing the version under the cache the ways the API
allows: a draft edited (never cached), published, the old version deprecated, and a store
emptied and reloaded with different content under the same version id.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from graph.editing import Actor
from graph.embedded import EmbeddedStore
from graph.framework import CompetencyFilter, FrameworkRepository
from graph.framework_cache import (
    CACHED_EDGES,
    CachingFrameworkRepository,
    FrameworkCache,
    shared_cache,
)
from graph.ids import element_uid, requirement_uid
from graph.versions import create_version, deprecate_framework, publish_framework
from schema import Context, Principal, Role
from seed import load_seed

OLD, NEW = "AIL@2025.1", "AIL@2026.1"
DESIGNER = Principal(Role.DESIGNER, "designer-7")
ACTOR = Actor("designer-7", "designer")

BROWSE = """
query($fw: ID) { competencies(framework: $fw, first: 50, layer: GEN) { totalCount
  nodes { code nameEn prerequisites { code } dependents(transitive: true) { code }
          requirements { code target { value } progressesTo { code } } } } }
"""


async def _cached(store: EmbeddedStore, cache: FrameworkCache,
                  fw: str = OLD) -> CachingFrameworkRepository:
    repo = CachingFrameworkRepository(store, cache)
    framework = await repo.framework(fw)
    assert framework is not None
    repo.admit(framework)
    return repo


async def test_cached_answers_equal_the_store(seeded_store: EmbeddedStore) -> None:
    plain = FrameworkRepository(seeded_store)
    cached = await _cached(seeded_store, FrameworkCache())
    everything = CompetencyFilter()
    codes = [n["code"] for n in await plain.page("Competency", OLD, everything, None, 10_000)]
    assert len(codes) > 100
    uids = [element_uid(OLD, code) for code in codes] + [element_uid(OLD, "NOPE-1")]
    assert await cached.nodes_by_uid("Competency", uids) == \
        await plain.nodes_by_uid("Competency", uids)
    for name in sorted(CACHED_EDGES - {"progressesTo", "progressesFrom"}):
        assert await cached.edges(name, uids) == \
            [[{"uid": r["uid"], "node": r["node"], **({"rank": r["rank"]} if "rank" in r
                                                      else {})} for r in rows]
             for rows in await plain.edges(name, uids)], name
    requirement_uids = [r["node"]["uid"] for rows in await plain.edges("requirements", uids)
                        for r in rows] + [requirement_uid(OLD, "GEN-01", "XX")]
    assert await cached.nodes_by_uid("Requirement", requirement_uids) == \
        await plain.nodes_by_uid("Requirement", requirement_uids)
    for label in ("Major", "Industry"):
        element_uids = [element_uid(OLD, n["code"]) for n in await plain.page(
            label, OLD, everything, None, 10_000)] + [element_uid(OLD, "NOPE")]
        assert len(element_uids) > 3
        assert await cached.nodes_by_uid(label, element_uids) == \
            await plain.nodes_by_uid(label, element_uids), label
    for name in ("progressesTo", "progressesFrom"):
        assert await cached.edges(name, requirement_uids) == \
            await plain.edges(name, requirement_uids), name
    filters = [everything, CompetencyFilter(level="ZZ"), CompetencyFilter(layer="PRO"),
               CompetencyFilter(strand="ETH"), CompetencyFilter(major="M-AI"),
               CompetencyFilter(industry="AUTO"), CompetencyFilter(search=" ai "),
               CompetencyFilter(search="伦理"), CompetencyFilter(level="BK", layer="GEN")]
    for flt in filters:
        for after in (None, codes[3], codes[-1]):
            assert await cached.page("Competency", OLD, flt, after, 7) == \
                await plain.page("Competency", OLD, flt, after, 7), (flt, after)
        assert await cached.count("Competency", OLD, flt) == \
            await plain.count("Competency", OLD, flt), flt
    assert sum([await plain.count("Competency", OLD, f) > 0 for f in filters]) == len(filters)


async def test_a_published_version_is_read_once(schema: Any,
                                                seeded_store: EmbeddedStore) -> None:
    cache = FrameworkCache()

    async def browse() -> tuple[Any, int]:
        before = seeded_store.round_trips
        context = Context(seeded_store, DESIGNER, cache=cache)
        result = await schema.execute(BROWSE, context_value=context)
        assert result.errors is None, result.errors
        return result.data, seeded_store.round_trips - before

    first, cold = await browse()
    second, warm = await browse()
    assert first == second and first["competencies"]["nodes"]
    assert cache.loads == 1
    assert warm == 0  # the Framework node is kept too (tests/test_framework_freshness.py)
    assert cold == 1 + 6  # the Framework node, then the snapshot's six queries


async def test_a_burst_of_cold_requests_reads_once(seeded_store: EmbeddedStore) -> None:
    cache = FrameworkCache()
    framework = await FrameworkRepository(seeded_store).framework(OLD)
    assert framework is not None
    before = seeded_store.round_trips
    snaps = await asyncio.gather(*(cache.snapshot(seeded_store, framework) for _ in range(5)))
    assert seeded_store.round_trips - before == 6 and cache.loads == 1
    assert all(snap is snaps[0] for snap in snaps) and snaps[0] is not None
    assert await cache.snapshot(seeded_store, framework) is snaps[0]
    assert seeded_store.round_trips - before == 6


async def _browse(schema: Any, store: EmbeddedStore, fw: str | None = None) -> dict[str, Any]:
    context = Context(store, DESIGNER)
    result = await schema.execute(BROWSE, {"fw": fw}, context_value=context)
    assert result.errors is None, result.errors
    return {n["code"]: n for n in result.data["competencies"]["nodes"]}


async def test_drafts_are_not_cached_and_a_publish_is_seen(schema: Any,
                                                          store: EmbeddedStore) -> None:
    from graph.editing import upsert_competencies

    await load_seed(store)
    cache = shared_cache(store)
    before = await _browse(schema, store)
    assert cache.loads == 1
    assert (await create_version(store, OLD, "2026.1", ACTOR)).framework is not None
    edit = await upsert_competencies(store, NEW, [
        {"code": "GEN-01", "nameEn": "What AI is"},
        {"code": "GEN-99", "layer": "GEN", "nameZh": "新能力", "nameEn": "New competency",
         "source": "design: added in 2026.1", "requires": ["GEN-01"], "requirements": [
             {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}]},
    ], ACTOR)
    assert edit.ok, edit.errors
    draft = await _browse(schema, store, NEW)
    assert cache.loads == 1  # the draft came from the store
    assert draft["GEN-01"]["nameEn"] == "What AI is"
    assert draft["GEN-99"]["prerequisites"] == [{"code": "GEN-01"}]
    assert {"code": "GEN-99"} in draft["GEN-01"]["dependents"]
    # Edited again: the next read sees it at once.
    assert (await upsert_competencies(store, NEW, [{"code": "GEN-01", "nameEn": "AI"}],
                                      ACTOR)).ok
    assert (await _browse(schema, store, NEW))["GEN-01"]["nameEn"] == "AI"
    # The published default is still the old version, from the cache.
    assert await _browse(schema, store) == before and cache.loads == 1
    assert (await publish_framework(store, NEW, ACTOR)).framework is not None
    published = await _browse(schema, store)  # now the default
    assert published["GEN-01"]["nameEn"] == "AI" and "GEN-99" in published
    assert cache.loads == 2
    assert await _browse(schema, store, NEW) == published and cache.loads == 2
    # Deprecating the old version changes its Framework node: read again, same content.
    assert (await deprecate_framework(store, OLD, ACTOR)).framework is not None
    assert await _browse(schema, store, OLD) == before
    assert cache.loads == 3


async def test_a_reload_under_the_same_id_is_seen(schema: Any, store: EmbeddedStore,
                                                  seed_copy: Path) -> None:
    await load_seed(store)
    cache = shared_cache(store)
    assert (await _browse(schema, store))["GEN-01"]["nameEn"] == "Basic concepts of AI"
    competencies = seed_copy / "competencies-general.yaml"
    text = competencies.read_text(encoding="utf-8")
    assert "Basic concepts of AI" in text
    competencies.write_text(text.replace("Basic concepts of AI", "AI basics"),
                            encoding="utf-8")
    await store.drop_all()
    await load_seed(store, seed_copy)
    assert (await _browse(schema, store))["GEN-01"]["nameEn"] == "AI basics"
    assert cache.loads == 2
