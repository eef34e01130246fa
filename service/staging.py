"""The checked batches an import keeps between its passes: pass 1 checks each batch once
(results, students) and keeps it, ready to write, in a private temporary file; pass 2 writes
those instead of reading and checking the file a second time. Plain lists and tuples of text
and numbers, which marshal writes and reads about twice as fast as pickle (a file read back by
this process only)."""

from __future__ import annotations

import asyncio
import collections
import marshal
import struct
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from graph import learners
from graph.attainment import Grouped
from graph.cohort_tallies import CohortTallies
from graph.enrolment import StudentBatch, check_students, write_students
from graph.store import GraphStore

__all__ = ["Batch", "Ready", "Staged", "rows_of", "spill_batch", "spilled", "staging_for",
           "write_in_order"]

_Outcome = TypeVar("_Outcome")

Ready = learners.ResultBatch | StudentBatch  # a batch checked by pass 1, for pass 2


@dataclass(frozen=True)
class Staged:
    """A kind whose check pass hands its checked batches to the write pass."""

    check: Callable[..., Awaitable[Ready]]
    write: Callable[..., Awaitable[learners.BatchOutcome]]
    # results: the cohort figures counted as they are written (graph.cohort_tallies)
    tallies: CohortTallies | None = None


def staging_for(kind: str, framework: str | None, pass_ratio: float,
                certification_cap: int) -> Staged | None:
    """How pass 1 checks and pass 2 writes the kinds whose checked batches are kept."""
    if kind == "students" and framework is not None:
        async def check_batch(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                              **kwargs: Any) -> StudentBatch:
            return await check_students(store, rows, framework, **kwargs)

        async def write_batch(store: GraphStore, batch: StudentBatch,
                              **kwargs: Any) -> learners.BatchOutcome:
            return await write_students(store, batch, **kwargs)

        return Staged(check_batch, write_batch)
    if kind != "results":
        return None

    async def check(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                    **kwargs: Any) -> learners.ResultBatch:
        return await learners.check_results(store, rows, pass_ratio=pass_ratio,
                                            certification_cap=certification_cap, **kwargs)

    written: set[str] = set()  # the students of the batches written so far, in file order
    tallies = CohortTallies()

    async def write(store: GraphStore, batch: learners.ResultBatch,
                    **kwargs: Any) -> learners.BatchOutcome:
        # The students given their first attainment, as write_results picks them (before
        # its first await: batches are taken in file order).
        first: dict[str, Sequence[str]] = {}
        if store.isolated_writes:
            first = {uid: group for uid, group in zip(batch.first_standing,
                                                      batch.first_groups, strict=True)
                     if uid not in written}
        done = tallies.take(batch.results.students, batch.raises.students,
                            batch.raises.nodes, first)
        outcome = await learners.write_results(store, batch, certification_cap=certification_cap,
                                               earlier=written, token=tallies.token, **kwargs)
        await tallies.count(store, done)
        return outcome

    return Staged(check, write, tallies)


@dataclass
class Batch:
    """One batch for pass 2: raw rows to check and write, or a batch pass 1 checked."""

    rows: int
    raw: list[dict[str, Any]] | None = None
    ready: Ready | None = None
    lines: tuple[int, int] = (0, 0)


def spill_batch(spill: IO[bytes], rows: int, first: int, last: int, ready: Ready) -> None:
    """Keep a checked batch for pass 2. Results, the bulk of any import, are plain lists of
    text and numbers, which marshal writes and reads about twice as fast as pickle (a private
    file, read back by this process only). Each batch goes as its length and its bytes:
    ``marshal.load`` from a file object calls ``readinto`` for every string it reads (5 s
    of an 800,000-row import), ``marshal.loads`` of the bytes read at once does not."""
    if isinstance(ready, learners.ResultBatch):
        data = marshal.dumps((rows, first, last, ready.results.nodes, ready.results.students,
                              ready.raises.nodes, ready.raises.students, ready.first_results,
                              ready.first_standing, ready.first_groups))
    else:  # students: tuples of text
        data = marshal.dumps((rows, first, last, ready.rows))
    spill.write(_LENGTH.pack(len(data)))
    spill.write(data)


_LENGTH = struct.Struct("<Q")


def _unspill(spill: IO[bytes], kind: str) -> tuple[int, int, int, Ready]:
    head = spill.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    [size] = _LENGTH.unpack(head)
    kept = marshal.loads(spill.read(size))
    if kind == "students":
        rows, first, last, students = kept
        return rows, first, last, StudentBatch(students)
    rows, first, last, results, students, raises, raised, new, new_standing, groups = kept
    return rows, first, last, learners.ResultBatch(
        Grouped(results, students), Grouped(raises, raised), first_results=new,
        first_standing=new_standing, first_groups=groups)


def rows_of(ready: Ready) -> int:
    """Rows a checked batch writes."""
    return ready.results.rows if isinstance(ready, learners.ResultBatch) else len(ready.rows)


def spilled(spills: Sequence[IO[bytes]], done: int, kind: str) -> Iterator[Batch]:
    """The batches pass 1 kept (in spill files one after the other, in file order), from the
    first one not wholly ``done`` (a resume)."""
    passed = 0
    for spill in spills:
        spill.seek(0)
        while True:
            try:
                rows, first, last, ready = _unspill(spill, kind)
            except EOFError:
                break
            passed += rows
            if passed > done:  # a resume inside this batch writes it whole, counts what's new
                yield Batch(passed - max(done, passed - rows), ready=ready, lines=(first, last))


async def write_in_order(batches: Iterable[Batch], in_flight: Callable[[Batch], int],
                         write: Callable[[Batch], Awaitable[_Outcome]],
                         settle: Callable[[Batch, _Outcome], None]) -> None:
    """Write the batches with up to ``in_flight(batch)`` of them under way at once: the next
    is read and encoded while the engine writes the one before. The store keeps the writes
    in the order they were sent (``GraphStore.writes_in_flight``), so a result repeated in
    two batches ends as the later says. Each batch is settled (counted, checkpointed) in
    file order once it is written; when settling one fails, the batches already under way
    are finished first, and ``failed.also_written`` hears of those that were written."""
    pending: collections.deque[tuple[Batch, asyncio.Future[_Outcome]]] = collections.deque()
    try:
        for batch in batches:
            pending.append((batch, asyncio.ensure_future(write(batch))))
            while len(pending) >= in_flight(batch):
                done, future = pending.popleft()
                settle(done, await future)
        while pending:
            done, future = pending.popleft()
            settle(done, await future)
    except BaseException as failed:
        outcomes = await asyncio.gather(*(future for _, future in pending),
                                        return_exceptions=True)
        written = [batch.lines for (batch, _), outcome in zip(pending, outcomes, strict=True)
                   if not isinstance(outcome, BaseException)]
        if written and hasattr(failed, "also_written"):
            failed.also_written(written)
        raise
