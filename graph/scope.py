"""A program's scope as one text property: what every student of the program is measured on.

Why a text property: targets are program data, the same for each of its students. Enrolment
used to copy them onto ~90 ``STANDS`` edges per student (the edges were most of the cost of
enrolling, and of every summary), and a student report walked them all. Now a report reads
the program's ``scope`` (one property, decoded once per distinct text and cached) and the few
``STANDS`` edges where the student has evidence. ``refresh_program_targets`` writes it beside
the ``TARGETS`` and ``IN_SCOPE`` edges it is derived from (the edges stay: other readers and
the reference cohort scan use them).

Encoding: a JSON list of ``[uid, code, layer, eth, required, reqZZ, reqGZ, reqBK]`` per
in-scope competency, sorted by code (``required`` 0 where the program sets no target; a
level's requirement null where that level has none).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.ids import LEVEL_ORDER

__all__ = ["ProgramScope", "ScopeItem", "decode_scope", "encode_scope"]


@dataclass(frozen=True, slots=True)
class ScopeItem:
    uid: str
    code: str
    layer: str
    eth: bool
    required: int
    levels: Mapping[str, int]  # the level's requirement, for levels that have one

    @property
    def dimensions(self) -> tuple[str, ...]:
        return (self.layer, "ETH") if self.eth else (self.layer,)


@dataclass(frozen=True)
class ProgramScope:
    """The decoded scope, with what per-student summaries need precomputed once."""

    items: tuple[ScopeItem, ...]
    by_uid: Mapping[str, ScopeItem] = field(default_factory=dict)
    required: tuple[ScopeItem, ...] = ()  # items with a target, in code order
    required_index: Mapping[str, int] = field(default_factory=dict)
    required_total: Mapping[str, int] = field(default_factory=dict)  # per dimension
    layers: tuple[str, ...] = ()  # layers with at least one in-scope competency
    asked: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (layer, level) → n
    met_by_nothing: Mapping[tuple[str, str], int] = field(default_factory=dict)


def encode_scope(rows: Iterable[Sequence[Any]]) -> str:
    """Rows ``[uid, code, layer, eth, required, reqZZ, reqGZ, reqBK]`` as the stored text."""
    items: list[list[Any]] = sorted(
        ([str(r[0]), str(r[1]), str(r[2]), bool(r[3]), int(r[4] or 0),
          *(None if v is None else int(v) for v in r[5:8])] for r in rows),
        key=lambda item: str(item[1]))
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)
def decode_scope(text: str | None) -> ProgramScope:
    items = tuple(
        ScopeItem(uid, code, layer, bool(eth), int(required),
                  {level: int(value) for level, value in zip(LEVEL_ORDER, levels, strict=True)
                   if value is not None})
        for uid, code, layer, eth, required, *levels in json.loads(text or "[]"))
    required = tuple(item for item in items if item.required > 0)
    total: dict[str, int] = {}
    for item in required:
        for dimension in item.dimensions:
            total[dimension] = total.get(dimension, 0) + item.required
    asked: dict[tuple[str, str], int] = {}
    free: dict[tuple[str, str], int] = {}
    for item in items:
        for level, value in item.levels.items():
            asked[(item.layer, level)] = asked.get((item.layer, level), 0) + 1
            if value <= 0:  # met with nothing attained
                free[(item.layer, level)] = free.get((item.layer, level), 0) + 1
    return ProgramScope(
        items=items, by_uid={item.uid: item for item in items}, required=required,
        required_index={item.uid: i for i, item in enumerate(required)},
        required_total=total, layers=tuple(dict.fromkeys(item.layer for item in items)),
        asked=asked, met_by_nothing=free)
