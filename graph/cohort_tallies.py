"""The cohort figures a results import counts as it writes, so its rebuild need not read back
what it just wrote.

A results import ends by rebuilding the cohort group of every student it touched
(``attainment.refresh_groups``), and a group is rebuilt from every member's attainment: for
a first import of 20,000 students that read 1.6M STANDS edges back and decoded them, 3.8 s
after the 9 s of writes. But most members of such an import are students whose whole
attainment the import itself created (``first_standing``, see ``attainment.CREATE_STANDING``):
their attainment is known here as it is written, so they are counted into their group's
tally while the engine is busy with the next batch, and the rebuild reads only the others.

Exact whatever else happens meanwhile: each such student is marked in the store with the
import's token, which any other write of its attainment clears. The rebuild reads, per
group, which members still carry the token; only where that set is the set counted here (and
the program's scope is the one counted with) is the tally used, and anywhere else the group
is read whole, as before. A student met again after it was counted (a file not grouped by
student) makes its group read whole too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from graph.cohort_figures import GroupTally
from graph.cohort_rebuild import PROGRAM_SCOPES, group_key
from graph.scope import decode_scope
from graph.store import GraphStore

__all__ = ["CohortTallies", "Counted"]

# (program, class label, attainment {competency uid: attained}) of one student
Counted = tuple[str, str, dict[str, int]]


class CohortTallies:
    """One results import's tallies. ``take`` runs as each batch is sent, in file order;
    ``count`` after it is written; ``flush`` once the last is; then ``trusted`` and
    ``members`` serve the rebuild."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex
        self._scopes: dict[str, str | None] = {}  # program → the scope text counted with
        self._groups: dict[str, tuple[str, GroupTally]] = {}  # key → (program, tally)
        self._carried: dict[str, Counted] = {}  # students of the last batch, maybe not done
        self._counted: dict[str, str] = {}  # student → group key
        self._members: dict[str, set[str]] | None = None
        self._dirty: set[str] = set()

    def take(self, students: Sequence[Sequence[Any]], raises: Sequence[Sequence[Any]],
             nodes: Sequence[str], first: dict[str, Sequence[str]]) -> list[Counted]:
        """A batch about to be written: ``students`` its result rows by student, ``raises``
        its attainment rows by student (competencies by position in ``nodes``), ``first``
        the students it gives their first attainment, with their (program, class label).
        A student of the batch before that this one does not name is done: returned, for
        ``count``; the others are carried on, their attainment merged (the highest)."""
        carried: dict[str, Counted] = {}
        for uid, rows in raises:
            before = self._carried.get(uid)
            if before is not None:
                levels = before[2]
                for row in rows:
                    competency = nodes[row[0]]
                    if row[1] > levels.get(competency, 0):
                        levels[competency] = row[1]
                carried[uid] = before
            elif uid in first:
                program, label = first[uid]
                if program:
                    carried[uid] = (program, label, {nodes[row[0]]: row[1] for row in rows})
            elif uid in self._counted:  # met again after it was counted
                self._dirty.add(self._counted[uid])
        for uid, _ in students:  # named without attainment rows: still not done
            if uid not in carried and uid in self._carried:
                carried[uid] = self._carried[uid]
        done = [entry for uid, entry in self._carried.items() if uid not in carried]
        for uid, (program, label, _) in self._carried.items():
            if uid not in carried:
                self._counted[uid] = group_key(program, label)
        self._carried = carried
        return done

    async def count(self, store: GraphStore, done: Iterable[Counted]) -> None:
        """Count students whose attainment is complete into their groups' tallies."""
        done = list(done)
        unknown = sorted({program for program, _, _ in done} - self._scopes.keys())
        if unknown:
            found = {row["program"]: row["scope"]
                     for row in await store.read(PROGRAM_SCOPES, {"programs": unknown})}
            for program in unknown:
                self._scopes[program] = found.get(program)
        for program, label, levels in done:
            key = group_key(program, label)
            entry = self._groups.get(key)
            if entry is None:
                entry = self._groups[key] = (
                    program, GroupTally(decode_scope(self._scopes[program])))
            entry[1].add(levels.items())

    async def flush(self, store: GraphStore) -> None:
        """After the last batch: its students are done too."""
        done = list(self._carried.values())
        for uid, (program, label, _) in self._carried.items():
            self._counted[uid] = group_key(program, label)
        self._carried = {}
        await self.count(store, done)

    def trusted(self, key: str, program: str, scope: str | None) -> GroupTally | None:
        """The group's tally, where the rebuild may use it: counted with the program's
        current ``scope`` and no member met again after it was counted."""
        entry = self._groups.get(key)
        if entry is None or key in self._dirty or entry[0] != program:
            return None
        return entry[1] if self._scopes.get(program) == scope else None

    def members(self, key: str) -> set[str]:
        """The students counted into the group's tally."""
        if self._members is None:
            self._members = {}
            for uid, counted_in in self._counted.items():
                self._members.setdefault(counted_in, set()).add(uid)
        return self._members.get(key, set())

    def distrust(self, key: str) -> None:
        """The store does not agree with the tally (another write came between): the group
        is read whole."""
        self._dirty.add(key)
