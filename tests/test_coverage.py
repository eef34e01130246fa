"""The coverage report over the reference framework: every level × layer cell is filled."""

from __future__ import annotations

from graph.coverage import COVERAGE_KINDS, coverage, format_coverage
from graph.embedded import EmbeddedStore


async def test_every_cell_of_the_reference_framework_is_filled(
        seeded_store: EmbeddedStore) -> None:
    cells = await coverage(seeded_store, "AIL@2025.1")
    assert len(cells) == 12  # 3 levels × (3 layers + the ethics strand)
    empty = [(cell, kind) for cell, counts in cells.items() for kind in COVERAGE_KINDS
             if counts[kind] == 0]
    assert empty == []
    assert cells[("GZ", "GEN")]["competencies"] >= 20
    assert "<- gap" not in format_coverage(cells)


async def test_an_empty_framework_shows_every_gap(store: EmbeddedStore) -> None:
    cells = await coverage(store, "AIL@0.0")
    assert all(count == 0 for counts in cells.values() for count in counts.values())
    assert format_coverage(cells).count("<- gap") == 12
