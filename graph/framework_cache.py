"""Published framework versions, kept in the service: browsing them costs no store call.

A published (or deprecated) version is frozen: ``graph.editing`` refuses edits to it and a
seed load refuses different content (``graph.content``). So its competencies, their
per-level requirements, prerequisites, dependents and progressions, its majors and its
industries are read once per process, in six queries, and answered from memory afterwards.
Drafts are never cached: they change with every edit.

The snapshot's key is the version's Framework node: its ``etag`` — uid, creation,
publication and last audit times, seed content hash — changes whenever the version is
reloaded, published, deprecated or edited, so a snapshot taken before any of these is never
served after it. A few versions are kept, least recently used first out; a burst of cold
requests shares one read.

The Framework nodes themselves (the one a request names, and which version is the latest
published, the default) are kept too while frozen, so a warm request asks the store
nothing. They are read again
- at once in the process that wrote anything: every write moves the store's write counter
  on (``graph.write_counter``), and a kept node is trusted only while the counter shows
  the value it had before the node was read;
- at once in the sibling processes of one data directory (the HTTP workers of ``serve``,
  CLI commands beside it), which share that counter;
- after at most ``RECORD_TTL_SECONDS`` in other service instances over the same store (a
  Neo4j cluster behind several hosts): a kept node older than that is read again.
A publish, deprecation, new version or reload done elsewhere is thus seen by the next
request in the same deployment, and within a second across instances.

The answers are the store's answers: same rows, same order (the ORDER BY of the queries in
``graph.framework``), shared between requests, so callers must not mutate them.
"""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.cypher import Cypher
from graph.framework import CompetencyFilter, FrameworkRepository
from graph.store import GraphStore, Record

__all__ = ["CACHED_EDGES", "RECORD_TTL_SECONDS", "CachingFrameworkRepository",
           "FrameworkCache", "FrameworkSnapshot", "etag", "is_cacheable", "shared_cache"]

# How long a kept Framework node is trusted without a write seen: the bound for writes made
# by another service instance over the same store (see the module docstring).
RECORD_TTL_SECONDS = 1.0

SNAPSHOT_COMPETENCIES = Cypher("MATCH (c:Competency {fw: $fw}) RETURN c {.*} AS node")
SNAPSHOT_REQUIREMENTS = Cypher(
    "MATCH (c:Competency {fw: $fw})-[:HAS_REQUIREMENT]->(r:Requirement) "
    "RETURN c.uid AS uid, r {.*} AS node"
)
SNAPSHOT_PREREQUISITES = Cypher(
    "MATCH (c:Competency {fw: $fw})-[:REQUIRES]->(p:Competency) "
    "RETURN c.uid AS uid, p.uid AS prerequisite"
)
SNAPSHOT_MAJORS = Cypher("MATCH (n:Major {fw: $fw}) RETURN n {.*} AS node")
SNAPSHOT_INDUSTRIES = Cypher("MATCH (n:Industry {fw: $fw}) RETURN n {.*} AS node")
SNAPSHOT_PROGRESSIONS = Cypher(
    "MATCH (:Competency {fw: $fw})-[:HAS_REQUIREMENT]->(r:Requirement)"
    "-[:PROGRESSES_TO]->(t:Requirement) RETURN r.uid AS uid, t.uid AS target"
)

CACHED_EDGES = frozenset({"requirements", "prerequisites", "allPrerequisites", "dependents",
                          "allDependents", "progressesTo", "progressesFrom"})
_CACHED_LABELS = frozenset({"Competency", "Requirement", "Major", "Industry"})
_FROZEN = frozenset({"published", "deprecated"})


def is_cacheable(framework: Record) -> bool:
    """Only frozen versions: a draft (or a copy in progress) changes under its readers."""
    return framework.get("status") in _FROZEN


def etag(framework: Record) -> tuple[Any, ...]:
    """What identifies one state of a version's content, read from its Framework node."""
    return (framework.get("uid"), framework.get("status") in _FROZEN,
            framework.get("createdAt"), framework.get("publishedAt"),
            framework.get("updatedAt"), framework.get("contentHash"))


def _code(row: Record) -> str:
    return str(row["node"]["code"])


def _closure(start: str, direct: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(direct.get(start, ()))
    while stack:
        uid = stack.pop()
        if uid not in seen:
            seen.add(uid)
            stack.extend(direct.get(uid, ()))
    return seen


@dataclass
class FrameworkSnapshot:
    """One frozen version's competency web, in the shapes ``FrameworkRepository`` returns."""

    fw: str
    competencies: list[Record]  # ordered by code
    nodes: dict[str, dict[str, Record]]  # label → uid → node (_CACHED_LABELS)
    edges: dict[str, dict[str, list[Record]]] = field(default_factory=dict)
    # What callers derive from the rows, kept as long as the snapshot (the fast path's
    # GraphQL objects); graph/ never looks inside.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, fw: str, competencies: list[Record], requirements: list[Record],
              prerequisites: list[Record], progressions: list[Record],
              majors: Sequence[Record] = (), industries: Sequence[Record] = ()
              ) -> FrameworkSnapshot:
        comps = sorted((row["node"] for row in competencies), key=lambda n: str(n["code"]))
        nodes = {str(n["uid"]): n for n in comps}
        req_nodes: dict[str, Record] = {}
        reqs_of: dict[str, list[Record]] = defaultdict(list)
        for row in requirements:
            req_nodes[str(row["node"]["uid"])] = row["node"]
            reqs_of[row["uid"]].append({"uid": row["uid"], "node": row["node"],
                                        "rank": row["node"].get("rank")})
        direct: dict[str, list[str]] = defaultdict(list)
        inverse: dict[str, list[str]] = defaultdict(list)
        for row in prerequisites:
            direct[row["uid"]].append(row["prerequisite"])
            inverse[row["prerequisite"]].append(row["uid"])
        forward: dict[str, list[str]] = defaultdict(list)
        backward: dict[str, list[str]] = defaultdict(list)
        for row in progressions:
            forward[row["uid"]].append(row["target"])
            backward[row["target"]].append(row["uid"])

        def by_code(uid: str, found: set[str] | list[str]) -> list[Record]:
            rows = [{"uid": uid, "node": nodes[t]} for t in found if t in nodes]
            return sorted(rows, key=_code)

        def by_rank(uid: str, found: list[str]) -> list[Record]:
            rows = [{"uid": uid, "node": req_nodes[t]} for t in found if t in req_nodes]
            return sorted(rows, key=lambda r: (r["node"].get("rank") or 0,
                                               str(r["node"].get("competency") or "")))

        competency_uids = [str(n["uid"]) for n in comps]
        edges = {
            "requirements": {u: sorted(rows, key=lambda r: r["rank"] or 0)
                             for u, rows in reqs_of.items()},
            "prerequisites": {u: by_code(u, direct.get(u, [])) for u in competency_uids},
            "allPrerequisites": {u: by_code(u, _closure(u, direct)) for u in competency_uids},
            "dependents": {u: by_code(u, inverse.get(u, [])) for u in competency_uids},
            "allDependents": {u: by_code(u, _closure(u, inverse)) for u in competency_uids},
            "progressesTo": {u: by_rank(u, t) for u, t in forward.items()},
            "progressesFrom": {u: by_rank(u, t) for u, t in backward.items()},
        }
        return cls(fw=fw, competencies=comps,
                   nodes={"Competency": nodes, "Requirement": req_nodes,
                          "Major": {str(r["node"]["uid"]): r["node"] for r in majors},
                          "Industry": {str(r["node"]["uid"]): r["node"] for r in industries}},
                   edges=edges)

    def _matching(self, flt: CompetencyFilter) -> list[Record]:
        p = flt.params()
        level, layer, strand = p["level"], p["layer"], p["strand"]
        major, industry, search = p["major"], p["industry"], p["search"]
        if all(v is None for v in (level, layer, strand, major, industry, search)):
            return self.competencies
        found = []
        for n in self.competencies:  # the WHERE of graph.framework._COMPETENCY_WHERE
            if level is not None and level not in (n.get("levels") or ()):
                continue
            if layer is not None and n.get("layer") != layer:
                continue
            if strand is not None and strand not in (n.get("strands") or ()):
                continue
            if major is not None and n.get("major") != major:
                continue
            if industry is not None and n.get("industry") != industry:
                continue
            if search is not None and not (
                    search in str(n.get("code") or "").lower()
                    or search in str(n.get("nameEn") or "").lower()
                    or search in str(n.get("nameZh") or "")):
                continue
            found.append(n)
        return found

    def page(self, flt: CompetencyFilter, after: str | None, limit: int) -> list[Record]:
        rows = self._matching(flt)
        if after is not None:
            rows = [n for n in rows if str(n["code"]) > after]
        return rows[:limit]

    def count(self, flt: CompetencyFilter) -> int:
        return len(self._matching(flt))


async def _read_snapshot(store: GraphStore, fw: str) -> FrameworkSnapshot:
    params = {"fw": fw}
    return FrameworkSnapshot.build(
        fw, await store.read(SNAPSHOT_COMPETENCIES, params),
        await store.read(SNAPSHOT_REQUIREMENTS, params),
        await store.read(SNAPSHOT_PREREQUISITES, params),
        await store.read(SNAPSHOT_PROGRESSIONS, params),
        await store.read(SNAPSHOT_MAJORS, params),
        await store.read(SNAPSHOT_INDUSTRIES, params))


class FrameworkCache:
    """Snapshots of the ``size`` most recently read frozen versions of one store."""

    def __init__(self, size: int = 4, ttl: float = RECORD_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl = ttl
        self._clock = clock
        # uid (None: the latest published) → (write counter before the read, expiry, node)
        self._records: dict[str | None, tuple[int, float, Record]] = {}
        self._entries: OrderedDict[str, tuple[tuple[Any, ...], FrameworkSnapshot]] = (
            OrderedDict())
        self._loading: dict[str, tuple[tuple[Any, ...], asyncio.Task[FrameworkSnapshot]]] = {}
        self.loads = 0  # snapshots read from the store (for tests and /metrics)

    async def framework(self, store: GraphStore, uid: str | None,
                        read: Callable[[], Awaitable[Record | None]]) -> Record | None:
        """The Framework node ``read`` returns for ``uid`` (``None``: the latest published),
        from memory while it is frozen, no write was seen and ``ttl`` has not passed."""
        changes, now = store.changes.value, self._clock()  # both before the read
        kept = self._records.get(uid)
        if kept is not None and kept[0] == changes and now < kept[1]:
            return kept[2]
        record = await read()
        if record is not None and is_cacheable(record):
            self._records[uid] = (changes, now + self.ttl, record)
        else:
            self._records.pop(uid, None)
        return record

    async def snapshot(self, store: GraphStore, framework: Record) -> FrameworkSnapshot | None:
        """The version's snapshot, read on first use; ``None`` for a version that may change."""
        if not is_cacheable(framework):
            return None
        uid, tag = str(framework["uid"]), etag(framework)
        entry = self._entries.get(uid)
        if entry is not None and entry[0] == tag:
            self._entries.move_to_end(uid)
            return entry[1]
        loop = asyncio.get_running_loop()
        pending = self._loading.get(uid)
        if pending is None or pending[0] != tag or pending[1].get_loop() is not loop:
            # One read for a burst of cold requests, in a task of its own: a requester that
            # is cancelled (a client gone) does not cancel it for the others.
            task = loop.create_task(_read_snapshot(store, uid))
            pending = self._loading[uid] = (tag, task)
            task.add_done_callback(self._loaded)
        return await asyncio.shield(pending[1])

    def _loaded(self, done: asyncio.Task[FrameworkSnapshot]) -> None:
        """Keep what a read task got (even when every requester has gone)."""
        found = next((uid for uid, (_, task) in self._loading.items() if task is done), None)
        if found is None:  # superseded by a read of a newer etag
            if not done.cancelled():
                done.exception()
            return
        tag, _ = self._loading.pop(found)
        if done.cancelled() or done.exception() is not None:
            return  # the waiters re-raise it; the next request reads again
        self.loads += 1
        self._entries[found] = (tag, done.result())
        self._entries.move_to_end(found)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
        self._records.clear()


_CACHES: weakref.WeakKeyDictionary[Any, FrameworkCache] = weakref.WeakKeyDictionary()


def shared_cache(store: GraphStore) -> FrameworkCache:
    """The one cache of ``store`` in this process (the store is opened once per process)."""
    cache = _CACHES.get(store)
    if cache is None:
        cache = _CACHES[store] = FrameworkCache()
    return cache


class CachingFrameworkRepository(FrameworkRepository):
    """``FrameworkRepository`` for one request: elements of the frozen versions the request
    resolved (``admit``) come from the cache, everything else from the store."""

    def __init__(self, store: GraphStore, cache: FrameworkCache) -> None:
        super().__init__(store)
        self.cache = cache
        self._admitted: dict[str, Record] = {}
        self._snapshots: dict[str, FrameworkSnapshot | None] = {}

    async def framework(self, uid: str) -> Record | None:
        return await self.cache.framework(
            self._store, uid, functools.partial(FrameworkRepository.framework, self, uid))

    async def latest_published(self) -> Record | None:
        return await self.cache.framework(
            self._store, None, functools.partial(FrameworkRepository.latest_published, self))

    def admit(self, framework: Record) -> None:
        """The request reads ``framework`` (already checked visible to the caller)."""
        if is_cacheable(framework):
            self._admitted[str(framework["uid"])] = framework

    async def snapshot(self, fw: str) -> FrameworkSnapshot | None:
        """The snapshot of ``fw`` if the request admitted it and it is frozen."""
        if fw not in self._admitted:
            return None
        if fw not in self._snapshots:
            self._snapshots[fw] = await self.cache.snapshot(self._store, self._admitted[fw])
        return self._snapshots[fw]

    def loaded_snapshot(self, fw: str) -> FrameworkSnapshot | None:
        """The snapshot of ``fw`` if this request already holds it (no await)."""
        return self._snapshots.get(fw)

    async def page(self, label: str, fw: str, flt: CompetencyFilter,
                   after: str | None, limit: int) -> list[Record]:
        snap = await self.snapshot(fw) if label == "Competency" else None
        if snap is None:
            return await super().page(label, fw, flt, after, limit)
        return snap.page(flt, after, limit)

    async def count(self, label: str, fw: str, flt: CompetencyFilter) -> int:
        snap = await self.snapshot(fw) if label == "Competency" else None
        if snap is None:
            return await super().count(label, fw, flt)
        return snap.count(flt)

    async def _split(self, uids: Sequence[str]) -> tuple[list[FrameworkSnapshot | None],
                                                        list[str]]:
        snaps = [await self.snapshot(uid.split("|", 1)[0]) for uid in uids]
        return snaps, [uid for uid, snap in zip(uids, snaps, strict=True) if snap is None]

    async def nodes_by_uid(self, label: str, uids: Sequence[str]) -> list[Record | None]:
        if label not in _CACHED_LABELS or not self._admitted:
            return await super().nodes_by_uid(label, uids)
        snaps, missing = await self._split(uids)
        stored = dict(zip(missing, await super().nodes_by_uid(label, missing), strict=True)
                      ) if missing else {}
        return [snap.nodes[label].get(uid) if snap is not None else stored[uid]
                for uid, snap in zip(uids, snaps, strict=True)]

    async def edges(self, name: str, uids: Sequence[str]) -> list[list[Record]]:
        if name not in CACHED_EDGES or not self._admitted:
            return await super().edges(name, uids)
        snaps, missing = await self._split(uids)
        stored = dict(zip(missing, await super().edges(name, missing), strict=True)
                      ) if missing else {}
        return [snap.edges[name].get(uid, []) if snap is not None else stored[uid]
                for uid, snap in zip(uids, snaps, strict=True)]
