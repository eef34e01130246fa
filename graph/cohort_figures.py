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

__all__ = ["GroupTally", "summarise_group"]


def _bucket(attained: int, required: int) -> int:
    return 5 if attained >= required else (5 * attained) // required


class GroupTally:
    """A group's figures being counted, member by member: ``summarise_group`` counts a
    whole group at once; a results import counts the members whose whole attainment it wrote
    as it writes them, and the rebuild adds the rest (``graph.cohort_tallies``)."""

    def __init__(self, scope: ProgramScope) -> None:
        required = scope.required
        self.scope = scope
        self.members = 0
        self.attained_sum = [0] * len(required)
        self.meeting = [0] * len(required)
        self.placement = [0] * (len(LAYERS) * len(PLACES))
        self.ready = [0] * (len(DIMENSIONS) * 6)

    def add(self, evidence: Iterable[Sequence[Any]], times: int = 1) -> None:
        """``times`` members with this attainment ``[[competency uid, attained], …]``."""
        if times:
            _count_member(self.scope, evidence, self.attained_sum, self.meeting,
                          self.placement, self.ready, times=times)
            self.members += times

    def copy(self) -> GroupTally:
        other = GroupTally.__new__(GroupTally)
        other.scope, other.members = self.scope, self.members
        other.attained_sum, other.meeting = list(self.attained_sum), list(self.meeting)
        other.placement, other.ready = list(self.placement), list(self.ready)
        return other

    def summary(self) -> dict[str, Any]:
        """``students`` and ``figures`` (one JSON text) as the Cohort node keeps them."""
        required, n = self.scope.required, self.members
        figures = {"codes": " ".join(item.code for item in required) if n else "",
                   "layers": " ".join(item.layer for item in required) if n else "",
                   "meeting": self.meeting if n else [],
                   "gapTotal": [n * item.required - self.attained_sum[i]
                                for i, item in enumerate(required)] if n else [],
                   "placement": self.placement, "readiness": self.ready}
        return {"students": n, "figures": json.dumps(figures, separators=(",", ":"))}


def summarise_group(scope: ProgramScope, members: Sequence[Iterable[Sequence[Any]]], *,
                    unevidenced: int = 0) -> dict[str, Any]:
    """A group's cohort figures from its members' attainment ``[[competency uid, attained],
    …]``: per required competency how many meet it and the total gap, placement counts per
    layer and readiness buckets per dimension — as one JSON text (``figures``): a cohort of
    a province reads ~1,300 groups, and one string a group decodes far faster than lists.
    The rules are ``standing.placement`` and ``standing.readiness`` for each student; the
    work per student is its evidence, not the program's scope. ``unevidenced``: members
    more with no evidence at all, who all stand alike (counted once, times their number)."""
    tally = GroupTally(scope)
    for evidence in members:
        tally.add(evidence)
    tally.add((), unevidenced)
    return tally.summary()


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
