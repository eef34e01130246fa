"""Pass 1 of a large import on every core: while it runs the engine is idle, and the check
is Python work in the importer's process, so the file is cut into parts (``csv_parts``) and
each part after the first is checked by a worker process of its own
(``python -m service.check_parts``): it reads its part of the file itself, checks it with the
same code and the same store lookups over its own connection to the running engine, and keeps
its checked batches in a spill file of its own, which pass 2 reads after the importer's, in
file order.

The report is the one a single process gives. Checks look only within a batch (a repeated
row), so every part starts and ends on the batch boundaries of the whole file: a worker
counts the rows before its part (``csv_parts.count``, which also proves its start is a record
boundary), passes over the rows of the batch it starts in, and reads on past its end to
finish its last batch. A bad record belongs to the part of the row before it; a file whose
reader stops at an unreadable record reports nothing after it, as a single process would.
When a worker cannot start (its part cannot be proved) or fails, the importer checks the
rest itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

from graph import learners
from service import csv_parts
from service.check_pass import Checking, Progress, take
from service.staging import Staged, staging_for
from service.tabular import BadFile, BadRow, Table

__all__ = ["PARALLEL_FROM", "Job", "check_file", "default_workers"]

PARALLEL_FROM = 100_000  # rows: below this a worker's start-up costs more than it saves
_MAX_WORKERS = 4
_log = logging.getLogger(__name__)
_STOPPED = "BAD_FIELD"  # the reader cannot go on after such a record (``Table._raw``)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


@dataclass(frozen=True)
class Job:
    """What a worker checks: part ``start``..``end`` (bytes; None: to the end) of a file."""

    path: str
    columns: list[str | None]
    encoding: str
    delimiter: str
    kind: str
    staging: tuple[str | None, float, int]  # framework, pass ratio, certification cap
    batch_size: int
    summarise: bool
    endpoint: tuple[str, str]  # the engine's socket, the graph
    spill: str
    start: int
    end: int | None
    parent: int


def _round_up(rows: int, size: int) -> int:
    return -(-rows // size) * size


def _send(out: BinaryIO, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(4, "big") + data)
    out.flush()


# ---- the importer's side --------------------------------------------------------------------
async def check_file(checking: Checking, table: Table, batch_size: int, progress: TextIO | None,
                     total: int, *, spills: list[IO[bytes]], workers: int = 1,
                     parallel_from: int = PARALLEL_FROM,
                     staging: tuple[str | None, float, int] = (None, 0.6, 0),
                     spill_dir: Path | None = None) -> set[str]:
    """Pass 1 (``service.check_pass``), in ``workers`` processes when the file is large; the
    checked batches of the parts after the first are appended to ``spills``. Raises
    ``BadFile`` naming every problem."""
    checked = Progress(f"check {table.file}", total, progress)
    helpers = None
    points: list[int] = []
    endpoint = getattr(checking.store, "endpoint", None)
    if (workers > 1 and total >= parallel_from and checking.staged is not None
            and checking.spill is not None and endpoint is not None and spill_dir is not None):
        points = csv_parts.split_points(table, workers)
        if points:
            helpers = await _Helpers.start(table, checking, points, batch_size, staging,
                                           endpoint, spill_dir, total)
    rows = table.rows()
    index = 0  # rows checked so far
    pending: list[dict[str, Any]] = []  # a row read but not checked
    try:
        while True:
            if helpers is not None:
                stop = await helpers.stop_at(index, batch_size)
                if stop == index:  # the rest is the workers': read on to the next row
                    pending += [row for row in [next(rows, None)] if row is not None]
                    if await helpers.finish(lambda done, at=index: checked.update(at + done)):
                        break
                if stop is not None and stop <= index:  # (failed) the rest is checked here
                    await helpers.abandon()
                    helpers = None
            batch = take(rows, batch_size, pending)
            if not batch:
                break
            await checking.batch(batch)
            index += len(batch)
            checked.update(index + (helpers.done if helpers is not None else 0))
        problems = [*checking.problems, *table.problems]
        students = checking.students
        # (when this process's reader stopped on a record, nothing after it counts)
        if (helpers is not None and helpers.results is not None
                and not any(p.code == _STOPPED for p in table.problems)):
            problems += helpers.adopt(spills, students)
            checked.label = f"check {table.file} ({len(points) + 1} processes)"
            checked.update(total)
    finally:
        if helpers is not None:
            await helpers.abandon()
    if problems:
        raise BadFile(problems)
    return students


class _Helpers:
    """The worker processes of one check pass, and what they report."""

    def __init__(self, spill_paths: list[Path], wait_from: int) -> None:
        self._paths = spill_paths
        self._wait_from = wait_from
        self._processes: list[asyncio.subprocess.Process] = []
        self._listening: list[asyncio.Task[None]] = []
        self._starts: list[tuple[int, int | None] | None] = []
        self._started: list[asyncio.Event] = []
        self._progress: list[int] = []
        self._ended: list[tuple[list[BadRow], list[str], bool] | None] = []
        self.results: list[tuple[list[BadRow], list[str], bool]] | None = None

    @classmethod
    async def start(cls, table: Table, checking: Checking, points: list[int],
                    batch_size: int, staging: tuple[str | None, float, int],
                    endpoint: tuple[str, str], spill_dir: Path, total: int) -> _Helpers:
        paths = []
        for _ in points:
            handle, name = tempfile.mkstemp(dir=spill_dir, prefix="import-part-")
            os.close(handle)
            paths.append(Path(name))
        # the importer waits for the workers' starts before it could pass the first
        share = points[0] / max(table.path.stat().st_size, 1)
        helpers = cls(paths, int(total * share * 0.6))
        assert table.encoding is not None
        for number, start in enumerate(points):
            job = Job(str(table.path), table.columns, table.encoding, table.delimiter,
                      checking.kind, staging, batch_size, checking.summarise, endpoint,
                      str(paths[number]), start,
                      points[number + 1] if number + 1 < len(points) else None, os.getpid())
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "service.check_parts", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE)
            assert process.stdin is not None
            process.stdin.write(pickle.dumps(job))
            await process.stdin.drain()
            process.stdin.close()
            helpers._processes.append(process)
            helpers._starts.append(None)
            helpers._started.append(asyncio.Event())
            helpers._progress.append(0)
            helpers._ended.append(None)
            helpers._listening.append(asyncio.ensure_future(helpers._listen(number, process)))
        return helpers

    async def _listen(self, number: int, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        with contextlib.suppress(asyncio.IncompleteReadError):
            while True:
                size = int.from_bytes(await process.stdout.readexactly(4), "big")
                message = pickle.loads(await process.stdout.readexactly(size))
                if message[0] == "start":
                    self._starts[number] = message[1]
                    self._started[number].set()
                elif message[0] == "progress":
                    self._progress[number] = message[1]
                elif message[0] == "done":
                    self._ended[number] = message[1]
        await process.wait()
        if process.returncode != 0:
            self._ended[number] = None
            _log.warning("check worker %d ended with %s; the importer checks its part",
                         number + 1, process.returncode)
        self._started[number].set()

    @property
    def done(self) -> int:
        return sum(self._progress)

    async def stop_at(self, index: int, batch_size: int) -> int | None:
        """Where this process stops (the first worker's first row), once every worker has
        started; None while unknown (and this process far from it)."""
        if index + batch_size <= self._wait_from and not all(e.is_set() for e in self._started):
            return None
        await asyncio.gather(*(event.wait() for event in self._started))
        starts = self._starts
        if any(s is None for s in starts):
            return -1  # a part that could not be proved: abandon
        chained = all(starts[n][1] == starts[n + 1][0]  # type: ignore[index]
                      for n in range(len(starts) - 1))
        first = starts[0][0]  # type: ignore[index]
        return first if chained and index <= first else -1

    async def finish(self, update: Any) -> bool:
        """Wait for every worker; True when all finished their parts."""
        pending = set(self._listening)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=0.2)
            update(self.done)
        if any(ended is None for ended in self._ended):
            return False
        self.results = [ended for ended in self._ended if ended is not None]
        return True

    def adopt(self, spills: list[IO[bytes]], students: set[str]) -> list[BadRow]:
        """The workers' problems (none after a reader that stopped), students and spills."""
        assert self.results is not None
        problems: list[BadRow] = []
        for path, (found, theirs, stopped) in zip(self._paths, self.results, strict=True):
            problems += found
            students.update(theirs)
            spills.append(path.open("rb"))
            if stopped:
                break
        return problems

    async def abandon(self) -> None:
        """Stop the workers still running and remove their spill files (the open ones stay
        readable)."""
        for process in self._processes:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        for task in self._listening:
            with contextlib.suppress(Exception):
                await task
        for path in self._paths:
            path.unlink(missing_ok=True)


# ---- a worker's side ------------------------------------------------------------------------
async def _check_part(job: Job, out: BinaryIO) -> None:
    from graph.embedded import EmbeddedStore

    table = Table(Path(job.path), job.columns, job.encoding, job.delimiter)
    size = job.batch_size
    before = csv_parts.count(table, job.start)
    own = (None if before is None or job.end is None
           else csv_parts.count(table, job.end, job.start, before.records))
    if before is None or (job.end is not None and own is None):
        _send(out, ("start", None))
        return
    first = _round_up(before.rows, size)
    last = None if own is None else _round_up(before.rows + own.rows, size)
    _send(out, ("start", (first, last)))
    store = EmbeddedStore(job.endpoint[0], graph_name=job.endpoint[1])
    staged: Staged | None = staging_for(job.kind, *job.staging)
    try:
        with open(job.spill, "wb") as spill:
            checking = Checking(store, table.file, job.kind, staged, None, spill,
                                learners.EvidenceCatalog(store), job.summarise)
            rows = table.rows(start=job.start, before=before.records)
            for _ in range(first - before.rows):  # the rows of the batch before this part
                if next(rows, None) is None:
                    break
            pending = [row for row in [next(rows, None)] if row is not None]
            table.problems.clear()  # up to this part's first row: the part before's
            index, done = first, 0
            while last is None or index < last:
                batch = take(rows, size, pending)
                if not batch:
                    break
                await checking.batch(batch)
                index += len(batch)
                done += len(batch)
                _send(out, ("progress", done))
            if last is not None and index >= last:
                next(rows, None)  # bad records before the next part's first row are ours
    finally:
        await store.close()
    stopped = any(p.code == _STOPPED for p in table.problems)
    _send(out, ("done", ([*checking.problems, *table.problems], sorted(checking.students),
                         stopped)))


def main() -> None:
    from graph.embedded_server import die_with_parent
    from service.importer import _BULK_GC_THRESHOLD

    job: Job = pickle.loads(sys.stdin.buffer.read())
    die_with_parent(job.parent)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the reports
    gc.set_threshold(_BULK_GC_THRESHOLD, *gc.get_threshold()[1:])
    asyncio.run(_check_part(job, out))
    out.close()


if __name__ == "__main__":
    main()
