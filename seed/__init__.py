"""The reference framework as human-editable YAML, its validator and its loader."""

from __future__ import annotations

from pathlib import Path

from graph.content import FrozenFrameworkError, LoadOutcome, load_framework_content
from graph.dag import find_cycle
from graph.store import GraphStore
from seed.validate import DEFAULT_SEED_DIR, SeedError, SeedInvalid, parse_seed

__all__ = [
    "DEFAULT_SEED_DIR", "FrozenFrameworkError", "LoadOutcome", "SeedError", "SeedInvalid",
    "find_cycle", "load_seed", "parse_seed",
]


async def load_seed(store: GraphStore, seed_dir: Path = DEFAULT_SEED_DIR) -> LoadOutcome:
    """Validate everything first, then write: a seed with any error writes nothing."""
    content = parse_seed(seed_dir)
    return await load_framework_content(store, content)
