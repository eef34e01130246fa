"""CSV import of students and evidence: validated whole, then written in batches, resumable.

Pass 1 reads the file in batches and validates every row against the store without writing;
any bad row stops the import with its file, line and reason, and nothing is written (a
large CSV's pass 1 runs on every core, with the same report: ``service.check_parts``). Pass 2
writes batch by batch and records a checkpoint after each one, so an import that crashed or
was killed resumes where it stopped; the writes are idempotent, so the batch that was in
flight when it died is simply written again. The cohort summaries of the file's students are
refreshed once at the end rather than after every batch; a results import counts the students
it gives their first attainment as it writes them (``graph.cohort_tallies``), so that refresh
reads back only the others. Memory stays flat: one batch at a
time (and the set of the file's student codes).

Results (the bulk of any import: 40 a student) and students are checked once: pass 1 keeps
each checked batch, ready to write, in a private temporary file beside the checkpoints, and
pass 2 writes those instead of reading and checking the file a second time (that was a third
of the import's time). A row whose student, assessment or program was removed in between is
found by the count the write returns. A students import rebuilds the cohort groups its writes
report (the file's groups and those its students moved out of) without looking its students
up again, unless it resumed (the writes before the restart reported nothing).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ParamSpec, TextIO, TypeVar

from graph import learners
from graph.attainment import refresh_groups, refresh_summaries
from graph.enrolment import EnrolOutcome
from graph.evidence import DEFAULT_CERTIFICATION_CAP
from graph.store import GraphStore
from service.check_parts import PARALLEL_FROM, default_workers
from service.check_parts import check_file as _check_file
from service.check_pass import Checking, Progress, Writer, bad_rows, students_in
from service.import_kinds import IMPORT_KINDS
from service.staging import (
    Batch,
    rows_of,
    spilled,
    staging_for,
    write_in_order,
)
from service.tabular import BadFile, BadRow, Table, open_table

_P = ParamSpec("_P")
_T = TypeVar("_T")

__all__ = ["COLUMNS", "BadRow", "ImportFailed", "ImportReport", "StoreChanged", "import_csv",
           "open_import"]

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "students": (("code", "college", "program", "enrolledOn"), ("classLabel",)),
    "results": (("college", "student", "assessment", "score", "takenAt"), ("maxScore",)),
    "completions": (("college", "student", "course", "term"), ("grade",)),
    "certifications": (("college", "student", "certification", "heldOn"), ()),
    # demand, teachers, teacherEvidence: declared with their writers in service.import_kinds
    **{name: (spec.required, spec.optional) for name, spec in IMPORT_KINDS.items()},
}


ImportFailed = BadFile  # the file has bad rows: every one named by file:line, nothing written


class StoreChanged(ImportFailed):
    """Pass 2 found rows it could not write (the store changed since pass 1): unlike a bad
    file, the batches before were written; the message says so."""

    def __init__(self, problems: Sequence[BadRow]) -> None:
        super().__init__(problems)
        self._say("")

    def _say(self, after: str) -> None:
        shown = "\n".join(map(str, self.problems))
        self.args = (f"the store changed during the import; what came before was "
                     f"written{after}:\n{shown}",)

    def also_written(self, lines: Sequence[tuple[int, int]]) -> None:
        """Batches after the failed one that were already under way, and were written."""
        self._say(", and so were lines " + ", ".join(f"{a}–{b}" for a, b in lines))


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    written: int = 0
    resumed_from: int = 0
    seconds: float = 0.0
    batches: list[float] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def open_import(path: Path, kind: str, *, encoding: str | None = None,
                sheet: str | None = None, delimiter: str | None = None) -> Table:
    """The file of an import, its header checked against the kind's columns."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(COLUMNS)}")
    required, optional = COLUMNS[kind]
    return open_table(path, required, optional, encoding=encoding, sheet=sheet,
                      delimiter=delimiter)


def _batches(table: Table, size: int, skip: int = 0) -> Iterator[list[dict[str, Any]]]:
    """Rows keep their file line under ``__line__`` (the writers ignore it)."""
    batch: list[dict[str, Any]] = []
    for row in table.rows(skip=skip):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
    if table.problems:
        raise BadFile(table.problems)


def _count_rows(table: Table) -> int:
    return table.estimate()


def _checkpoint_path(checkpoint_dir: Path, path: Path, kind: str) -> Path:
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{kind}"
    return checkpoint_dir / f"import-{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"


def _save_checkpoint(target: Path, rows_done: int, complete: bool) -> None:
    temporary = target.with_suffix(".tmp")
    with temporary.open("w") as handle:
        json.dump({"rowsDone": rows_done, "complete": complete}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)


def _writer(kind: str, framework: str | None, pass_ratio: float,
            certification_cap: int) -> Writer:
    if kind in IMPORT_KINDS:
        return IMPORT_KINDS[kind].writer
    if kind == "students":
        if framework is None:
            raise ValueError("importing students needs the framework version of the programs")

        async def students(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                           **kwargs: Any) -> learners.BatchOutcome:
            return await learners.record_students(store, rows, framework, **kwargs)

        return students
    if kind == "results":
        async def results(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                          **kwargs: Any) -> learners.BatchOutcome:
            return await learners.record_results(store, rows, pass_ratio=pass_ratio,
                                                 certification_cap=certification_cap, **kwargs)

        return results
    if kind == "completions":
        return learners.record_completions
    if kind == "certifications":
        async def certifications(store: GraphStore, rows: Sequence[Mapping[str, Any]],
                                 **kwargs: Any) -> learners.BatchOutcome:
            return await learners.record_certifications(
                store, rows, certification_cap=certification_cap, **kwargs)

        return certifications
    raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(COLUMNS)}")


# Gen-0 collections a bulk import allows: it allocates millions of short-lived lists (rows,
# checked rows, replies), all freed by reference counting, and at Python's default (700) the
# cyclic collector's passes, which also walk everything older the process holds, were ~40 %
# of an 800k-row results import's CPU (measured: importer CPU 25.7 → 15.9 s). Cycles are
# still collected, a few thousand times less often.
_BULK_GC_THRESHOLD = 50_000
_bulk_imports = 0


def _fewer_collections(run: Callable[_P, Awaitable[_T]]) -> Callable[_P, Awaitable[_T]]:
    @functools.wraps(run)
    async def importing(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        global _bulk_imports
        threshold = gc.get_threshold()
        _bulk_imports += 1
        if _bulk_imports == 1:
            gc.set_threshold(max(threshold[0], _BULK_GC_THRESHOLD), *threshold[1:])
        try:
            return await run(*args, **kwargs)
        finally:
            _bulk_imports -= 1
            if _bulk_imports == 0:
                gc.set_threshold(*threshold)

    return importing


@_fewer_collections
async def import_csv(store: GraphStore, kind: str, path: Path, *, checkpoint_dir: Path,
                     framework: str | None = None, pass_ratio: float = 0.6,
                     certification_cap: int = DEFAULT_CERTIFICATION_CAP,
                     batch_size: int = 5000, progress: TextIO | None = sys.stderr,
                     validate_first: bool = True, encoding: str | None = None,
                     sheet: str | None = None, delimiter: str | None = None,
                     check_workers: int | None = None,
                     parallel_from: int = PARALLEL_FROM) -> ImportReport:
    """Import ``path`` (CSV or .xlsx, see ``service.tabular``) as ``kind``; see the module
    docstring for the guarantees. The check pass of a file of ``parallel_from`` rows or more
    runs in ``check_workers`` processes (default: a core each, ``service.check_parts``)."""
    if not 1 <= batch_size <= learners.MAX_BATCH:
        raise ValueError(f"batch size must be within 1..{learners.MAX_BATCH}")
    write = _writer(kind, framework, pass_ratio, certification_cap)
    table = open_import(path, kind, encoding=encoding, sheet=sheet, delimiter=delimiter)
    total = _count_rows(table)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = _checkpoint_path(checkpoint_dir, path, kind)
    state = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    report = ImportReport(kind=kind, rows=total, resumed_from=int(state.get("rowsDone", 0)))
    if state.get("complete"):
        return report
    catalog = learners.EvidenceCatalog(store)
    started = time.monotonic()
    summarise = kind not in ("completions", *IMPORT_KINDS)
    students: set[str] = set()  # whose summaries the import deferred, gathered as rows pass
    staged = staging_for(kind, framework, pass_ratio, certification_cap) if validate_first else None
    groups: set[tuple[str, str]] = set()  # what the students' writes touched
    # a students import rebuilds the groups its writes report, unless writes before a restart
    # reported theirs to a process that is gone: then it looks the file's students up
    by_groups = kind == "students" and staged is not None and not report.resumed_from
    with contextlib.ExitStack() as cleanup:  # the spill files go whatever happens
        spill: IO[bytes] | None = None
        spills: list[IO[bytes]] = []  # this process's, then the check workers' in file order
        cleanup.callback(lambda: [handle.close() for handle in spills])
        if staged is not None:
            spill = cleanup.enter_context(tempfile.TemporaryFile(dir=checkpoint_dir,
                                                                 prefix="import-"))
            spills.append(spill)
        if validate_first:
            checking = Checking(store, table.file, kind, staged, write, spill, catalog,
                                summarise and not by_groups)
            students = await _check_file(
                checking, table, batch_size, progress, total, spills=spills,
                workers=default_workers() if check_workers is None else check_workers,
                parallel_from=parallel_from, staging=(framework, pass_ratio, certification_cap),
                spill_dir=checkpoint_dir)
        done = report.resumed_from
        bar = Progress(f"import {path.name}", total, progress)
        batches = (spilled(spills, done, kind) if spill is not None
                   else _checked_again(table, batch_size, done, kind, summarise,
                                       validate_first, students))
        started_at: dict[int, float] = {}

        async def write_one(batch: Batch) -> learners.BatchOutcome:
            started_at[id(batch)] = time.monotonic()
            if batch.ready is not None:
                assert staged is not None
                return await staged.write(store, batch.ready, defer_summaries=True)
            assert batch.raw is not None
            return await write(store, batch.raw, catalog=catalog, defer_summaries=True)

        def settle(batch: Batch, outcome: learners.BatchOutcome) -> None:
            nonlocal done, groups
            if batch.ready is not None and outcome.written < rows_of(batch.ready):
                raise StoreChanged([_store_changed(table, batch, outcome.written, kind)])
            if outcome.errors and batch.raw is not None:  # a student was removed since
                raise ImportFailed(bad_rows(table.file, batch.raw, outcome.errors))
            if isinstance(outcome, EnrolOutcome):
                groups |= outcome.groups
            done += batch.rows
            report.written += outcome.written
            report.batches.append(time.monotonic() - started_at.pop(id(batch)))
            _save_checkpoint(checkpoint, done, complete=False)
            bar.update(done)

        # checked results are independent writes: the next is under way while the engine
        # writes the one before, where the store keeps the order (the others: one at a time)
        await write_in_order(batches, lambda batch: store.writes_in_flight if isinstance(
            batch.ready, learners.ResultBatch) else 1, write_one, settle)
    if summarise:
        # Summaries were deferred batch by batch: each group of the file's students is
        # rebuilt once here, in one call (chunks of students would share groups and rebuild
        # them again). After a resume without the check pass, the whole file is read again.
        if not validate_first and report.resumed_from:
            students = _students_of(table, kind)
        count = len(groups) if by_groups else len(students)
        summarised = Progress("summaries", count, progress)
        tallies = staged.tallies if staged is not None else None
        if tallies is not None:
            await tallies.flush(store)
        if by_groups:
            await refresh_groups(store, groups)
        else:
            await refresh_summaries(store, sorted(students), tallies)
        summarised.update(count)
    _save_checkpoint(checkpoint, done, complete=True)
    report.seconds = time.monotonic() - started
    return report


def _store_changed(table: Table, batch: Batch, written: int, kind: str) -> BadRow:
    assert batch.ready is not None
    first, last = batch.lines
    gone = "program" if kind == "students" else "student or assessment"
    return BadRow(table.file, first, "STORE_CHANGED",
                  f"{rows_of(batch.ready) - written} of the {kind} on lines {first}–{last} "
                  f"were not written: their {gone} was removed during the "
                  "import; the lines before were written (import the file again to finish)")


def _checked_again(table: Table, batch_size: int, done: int, kind: str, summarise: bool,
                   validate_first: bool, students: set[str]) -> Iterator[Batch]:
    """Pass 2 from the file: each batch is checked again as it is written."""
    for batch in _batches(table, batch_size, skip=done):
        if summarise and not validate_first:
            students |= students_in(batch, kind)
        yield Batch(len(batch), raw=batch)


def _students_of(table: Table, kind: str) -> set[str]:
    return students_in(table.rows(), kind)
