"""A cohort group's figures from its members' attainment: per required competency how many
meet it and the total gap, placement counts per layer and readiness buckets per dimension,
as one JSON text. ``graph.attainment`` rebuilds each group's ``Cohort`` node with them;
``graph.cohorts`` sums them into any cohort."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from graph.ids import LEVEL_ORDER
from graph.scope import ProgramScope
from graph.standing import DIMENSIONS, LAYERS, PLACES

__all__ = ["summarise_group"]


def _bucket(attained: int, required: int) -> int:
    return 5 if attained >= required else (5 * attained) // required


def summarise_group(scope: ProgramScope, members: Sequence[Iterable[Sequence[Any]]], *,
                    unevidenced: int = 0) -> dict[str, Any]:
    """A group's cohort figures from its members' attainment ``[[competency uid, attained],
    …]``: per required competency how many meet it and the total gap, placement counts per
    layer and readiness buckets per dimension — as one JSON text (``figures``): a cohort of
    a province reads ~1,300 groups, and one string a group decodes far faster than lists.
    The rules are ``standing.placement`` and ``standing.readiness`` for each student; the
    work per student is its evidence, not the program's scope. ``unevidenced``: members
    more with no evidence at all, who all stand alike (counted once, times their number)."""
    required = scope.required
    attained_sum = [0] * len(required)
    meeting = [0] * len(required)
    placement = [0] * (len(LAYERS) * len(PLACES))
    ready = [0] * (len(DIMENSIONS) * 6)
    tallies = (attained_sum, meeting, placement, ready)
    for evidence in members:
        _count_member(scope, evidence, *tallies, times=1)
    if unevidenced:
        _count_member(scope, (), *tallies, times=unevidenced)
    n = len(members) + unevidenced
    figures = {"codes": " ".join(item.code for item in required) if n else "",
               "layers": " ".join(item.layer for item in required) if n else "",
               "meeting": meeting if n else [],
               "gapTotal": [n * item.required - attained_sum[i]
                            for i, item in enumerate(required)] if n else [],
               "placement": placement, "readiness": ready}
    return {"students": n, "figures": json.dumps(figures, separators=(",", ":"))}


def _count_member(scope: ProgramScope, evidence: Iterable[Sequence[Any]],
                  attained_sum: list[int], meeting: list[int], placement: list[int],
                  ready: list[int], *, times: int) -> None:
    """Add ``times`` members with this ``evidence`` to a group's tallies."""
    index, by_uid = scope.required_index, scope.by_uid
    met = dict(scope.met_by_nothing)
    dims = dict.fromkeys(scope.required_total, 0)
    for uid, value in evidence:
        if uid is None or not value:
            continue
        item = by_uid.get(uid)
        if item is None:
            continue
        i = index.get(uid)
        if i is not None:
            part = value if value < item.required else item.required
            attained_sum[i] += part * times
            if value >= item.required:
                meeting[i] += times
            for dimension in item.dimensions:
                dims[dimension] += part
        for level, needed in item.levels.items():
            if 0 < needed <= value:
                met[(item.layer, level)] = met.get((item.layer, level), 0) + 1
    for layer in scope.layers:
        placed = "NONE"
        for level in reversed(LEVEL_ORDER):
            asked = scope.asked.get((layer, level), 0)
            if asked and met.get((layer, level), 0) == asked:
                placed = level
                break
        placement[LAYERS.index(layer) * len(PLACES) + PLACES.index(placed)] += times
    for dimension, total in scope.required_total.items():
        ready[DIMENSIONS.index(dimension) * 6 + _bucket(dims[dimension], total)] += times
