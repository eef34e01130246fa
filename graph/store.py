"""The store port: the one small interface both graph backends implement.

Both backends run the *same* Cypher text. What differs between Neo4j and the embedded
FalkorDB engine (constraint DDL, result decoding) lives behind this interface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from graph.cypher import Cypher
from graph.write_counter import WriteCounter

__all__ = ["GraphStore", "Record", "UniqueKey"]

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class UniqueKey:
    """A property that identifies nodes of one label (backed by a uniqueness constraint)."""

    label: str
    prop: str


@runtime_checkable
class GraphStore(Protocol):
    """Run registered Cypher against a graph; every call is one atomic transaction."""

    dialect: str
    round_trips: int
    # How many writes a bulk writer may keep under way at once: more than 1 only where the
    # store runs writes in the order they were sent (the client encodes the next while the
    # engine runs the last); 1 where concurrent writes may run in either order.
    writes_in_flight: int
    # Whether a write query runs alone: nothing else writes between what it reads and what it
    # writes (FalkorDB runs one write at a time). Only then may a query decide from a read
    # that there is nothing to merge with and create outright; under concurrent transactions
    # (Neo4j) two such queries could both create, where MERGE locks and checks again.
    isolated_writes: bool
    # Moves on after every write and ``drop_all`` (``graph.write_counter``): what readers
    # that keep store answers look at instead of asking the store again.
    changes: WriteCounter

    async def read(self, query: Cypher, params: Mapping[str, Any] | None = None, *,
                   timeout: float | None = None) -> list[Record]:
        """Run a read-only query (routed to readers in a cluster). ``timeout`` (seconds) bounds
        the store's work for reads served to callers who wait; ``None``: no limit."""
        ...

    async def write(self, query: Cypher, params: Mapping[str, Any] | None = None) -> list[Record]:
        """Run one write query in its own transaction; it either applies whole or not at all."""
        ...

    async def ensure_schema(
        self, unique: Sequence[UniqueKey], indexed: Sequence[UniqueKey],
        properties: Sequence[str] = (),
    ) -> None:
        """Create the uniqueness constraints and indexes that are missing (idempotent), and
        make ``properties`` known: keys queries read that may never have been written (Neo4j
        warns on every such read otherwise)."""
        ...

    async def ping(self) -> bool:
        """True when the store answers a trivial query."""
        ...

    async def close(self) -> None:
        """Release connections (and stop the embedded engine)."""
        ...
