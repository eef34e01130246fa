"""Per-request context: the caller, the store's repositories and fresh DataLoaders.

Loaders are built per request so a cached answer never leaks between callers, and each
field level of a nested query costs one store round trip. Each is built on first use: most
requests (a student report, a cached framework page) use none of the ~30.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from graph.evidence import DEFAULT_CERTIFICATION_CAP
from graph.framework import EDGES, NODE_LABELS
from graph.framework_cache import CachingFrameworkRepository, FrameworkCache, shared_cache
from graph.store import GraphStore, Record
from schema.access import Principal
from schema.errors import ApiError

__all__ = ["Context", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    max_page_size: int = 100
    default_page_size: int = 20


_NODE_LABELS, _EDGES = frozenset(NODE_LABELS), frozenset(EDGES)


class _Loaders(dict[str, Any]):
    """DataLoaders by name, each built when first asked for (``values()``: the built ones,
    all a mutation has to clear)."""

    __slots__ = ("_make", "_names")

    def __init__(self, names: frozenset[str], make: Callable[[str], Any]) -> None:
        super().__init__()
        self._names = names
        self._make = make

    def __missing__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        loader = self[name] = DataLoader(load_fn=self._make(name))
        return loader


class Context:
    """What every resolver gets as ``info.context``."""

    def __init__(self, store: GraphStore, principal: Principal,
                 limits: Limits | None = None, request: Any = None,
                 pass_ratio: float = 0.6, cache: FrameworkCache | None = None,
                 certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
        self.store = store
        self.pass_ratio = pass_ratio
        self.certification_cap = certification_cap
        self.principal = principal
        self.limits = limits or Limits()
        self.request = request
        # Frozen versions this request resolves are read from the process's cache.
        self.framework = CachingFrameworkRepository(store, cache or shared_cache(store))
        self.nodes: dict[str, DataLoader[str, Record | None]] = _Loaders(
            _NODE_LABELS, self._node_loader)
        self.edges: dict[str, DataLoader[str, list[Record]]] = _Loaders(
            _EDGES, self._edge_loader)
        self._globals: dict[str, list[Record]] = {}
        self._frameworks: dict[str | None, Record] = {}

    def _node_loader(self, label: str) -> Any:
        async def load(uids: Sequence[str]) -> list[Record | None]:
            return await self.framework.nodes_by_uid(label, uids)
        return load

    def _edge_loader(self, name: str) -> Any:
        async def load(uids: Sequence[str]) -> list[list[Record]]:
            return await self.framework.edges(name, uids)
        return load

    async def global_list(self, kind: str) -> list[Record]:
        """Levels, layers, strands and colleges: tiny, read once per request."""
        if kind not in self._globals:
            reader = {"levels": self.framework.levels, "layers": self.framework.layers,
                      "strands": self.framework.strands,
                      "colleges": self.framework.colleges}[kind]
            self._globals[kind] = await reader()
        return self._globals[kind]

    async def global_by_code(self, kind: str, code: str | None) -> Record | None:
        if code is None:
            return None
        return next((row for row in await self.global_list(kind) if row["code"] == code), None)

    async def resolve_framework(self, uid: str | None) -> Record:
        """The framework version a query reads: the named one, else the latest published.

        Drafts are visible to designers and admins only; deprecated versions stay readable
        (records judged against them must still be explained).
        """
        if uid in self._frameworks:
            return self._frameworks[uid]
        record = (await self.framework.framework(uid) if uid
                  else await self.framework.latest_published())
        if record is None or (record.get("status") not in {"published", "deprecated"}
                              and not self.principal.can_see_drafts):
            if uid is None:
                raise ApiError("NO_PUBLISHED_FRAMEWORK",
                               "no published framework yet: run `competency-graph load`")
            raise ApiError("FRAMEWORK_NOT_FOUND", f"no framework {uid!r} visible to you",
                           framework=uid)
        self._frameworks[uid] = record
        self.framework.admit(record)
        return record
