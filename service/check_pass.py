"""Pass 1 of an import, batch by batch: each batch checked against the store without writing,
its problems named by file line, the file's students gathered, and the checked batch kept
for pass 2 (while no row is bad). The importer's own process and its check workers
(``service.check_parts``) run the same code."""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TextIO

from graph import learners
from graph.store import GraphStore
from service.staging import Staged, spill_batch
from service.tabular import BadRow

__all__ = ["Checking", "Progress", "Writer", "bad_rows", "students_in", "take"]

Writer = Callable[..., Awaitable[learners.BatchOutcome]]


class Progress:
    """A plain progress bar on stderr: redrawn in place on a terminal, a line per 10% else."""

    def __init__(self, label: str, total: int, stream: TextIO | None) -> None:
        self.label, self.total, self.stream = label, max(total, 1), stream
        self.started = time.monotonic()
        self._last_tenth = -1

    def update(self, done: int) -> None:
        if self.stream is None:
            return
        fraction = min(1.0, done / self.total)
        rate = done / max(time.monotonic() - self.started, 1e-9)
        bar = "#" * int(fraction * 30)
        text = f"{self.label} [{bar:<30}] {done}/{self.total} rows ({rate:,.0f}/s)"
        if self.stream.isatty():
            self.stream.write("\r" + text)
            if done >= self.total:
                self.stream.write("\n")
        elif int(fraction * 10) != self._last_tenth or done >= self.total:
            self._last_tenth = int(fraction * 10)
            self.stream.write(text + "\n")
        self.stream.flush()


def bad_rows(file: str, batch: Sequence[Mapping[str, Any]],
             errors: Sequence[learners.RowError]) -> list[BadRow]:
    """Batch positions as the file lines the user sees; a duplicate names the other line."""
    problems = []
    for error in errors:
        message = error.message
        if error.other is not None:
            message = message.replace(f"row {error.other}",
                                      f"line {batch[error.other]['__line__']}")
        problems.append(BadRow(file, int(batch[error.index]["__line__"]), error.code, message))
    return problems


def students_in(rows: Iterable[Mapping[str, Any]], kind: str) -> set[str]:
    code_column = "code" if kind == "students" else "student"
    return {learners.student_uid((row.get("college") or "").strip(),
                                 (row.get(code_column) or "").strip())
            for row in rows}


def take(rows: Iterator[dict[str, Any]], size: int,
         pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The next batch: the rows already read (``pending``, emptied), then more of ``rows``."""
    batch = pending + list(itertools.islice(rows, size - len(pending)))
    pending.clear()
    return batch


@dataclass
class Checking:
    """What checking batches gathers: every problem, the students (when ``summarise``), and
    each checked batch in ``spill`` while no row was bad."""

    store: GraphStore
    file: str
    kind: str
    staged: Staged | None
    write: Writer | None  # kinds without staging: a dry run of the writer
    spill: IO[bytes] | None
    catalog: learners.EvidenceCatalog
    summarise: bool
    problems: list[BadRow] = field(default_factory=list)
    students: set[str] = field(default_factory=set)

    async def batch(self, batch: list[dict[str, Any]]) -> None:
        if self.staged is not None:
            ready = await self.staged.check(self.store, batch, catalog=self.catalog)
            self.problems += bad_rows(self.file, batch, ready.errors)
            if self.spill is not None and not self.problems:
                spill_batch(self.spill, len(batch), int(batch[0]["__line__"]),
                            int(batch[-1]["__line__"]), ready)
        else:
            assert self.write is not None
            outcome = await self.write(self.store, batch, catalog=self.catalog, dry_run=True)
            self.problems += bad_rows(self.file, batch, outcome.errors)
        if self.summarise:
            self.students |= students_in(batch, self.kind)
