"""CSV import of students and evidence: validated whole, then written in batches, resumable.

Pass 1 reads the file in batches and validates every row against the store without writing;
any bad row stops the import with its file, line and reason, and nothing is written. Pass 2
writes batch by batch and records a checkpoint after each one, so an import that crashed or
was killed resumes where it stopped; the writes are idempotent, so the batch that was in
flight when it died is simply written again. The cohort summaries of the file's students are
refreshed once at the end rather than after every batch. Memory stays flat: one batch at a
time (and the set of the file's student codes).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graph import learners
from graph.analytics import refresh_summaries
from graph.store import GraphStore

__all__ = ["COLUMNS", "ImportFailed", "ImportReport", "import_csv"]

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "students": (("code", "college", "program", "enrolledOn"), ("classLabel",)),
    "results": (("college", "student", "assessment", "score", "takenAt"), ("maxScore",)),
    "completions": (("college", "student", "course", "term"), ("grade",)),
    "certifications": (("college", "student", "certification", "heldOn"), ()),
}


@dataclass(frozen=True, slots=True)
class BadRow:
    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"


class ImportFailed(ValueError):
    def __init__(self, problems: list[BadRow]) -> None:
        shown = "\n".join(map(str, problems[:200]))
        more = f"\n… and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} bad row(s); nothing was written:\n{shown}{more}")
        self.problems = problems


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


class _Progress:
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


def _batches(path: Path, kind: str, size: int, skip: int = 0) -> Iterator[list[dict[str, Any]]]:
    required, optional = COLUMNS[kind]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportFailed([BadRow(path.name, 1, "MISSING_COLUMN",
                                       f"columns {', '.join(missing)} are required "
                                       f"(expected: {', '.join(required + optional)})")])
        batch: list[dict[str, Any]] = []
        for number, row in enumerate(reader):
            if number < skip:
                continue
            batch.append({k: (v if v != "" else None) for k, v in row.items()
                          if k in required or k in optional})
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(1 for _ in handle) - 1)


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


Writer = Callable[..., Awaitable[learners.BatchOutcome]]


def _writer(kind: str, framework: str | None, pass_ratio: float) -> Writer:
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
            return await learners.record_results(store, rows, pass_ratio=pass_ratio, **kwargs)

        return results
    if kind == "completions":
        return learners.record_completions
    if kind == "certifications":
        return learners.record_certifications
    raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(COLUMNS)}")


async def import_csv(store: GraphStore, kind: str, path: Path, *, checkpoint_dir: Path,
                     framework: str | None = None, pass_ratio: float = 0.6,
                     batch_size: int = 5000, progress: TextIO | None = sys.stderr,
                     validate_first: bool = True) -> ImportReport:
    """Import ``path`` as ``kind``; see the module docstring for the guarantees."""
    if not 1 <= batch_size <= learners.MAX_BATCH:
        raise ValueError(f"batch size must be within 1..{learners.MAX_BATCH}")
    write = _writer(kind, framework, pass_ratio)
    total = _count_rows(path)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = _checkpoint_path(checkpoint_dir, path, kind)
    state = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    report = ImportReport(kind=kind, rows=total, resumed_from=int(state.get("rowsDone", 0)))
    if state.get("complete"):
        return report
    catalog = learners.EvidenceCatalog(store)
    started = time.monotonic()
    if validate_first:
        problems: list[BadRow] = []
        checked = _Progress(f"check {path.name}", total, progress)
        offset = 0
        for batch in _batches(path, kind, batch_size):
            outcome = await write(store, batch, catalog=catalog, dry_run=True)
            problems += [BadRow(path.name, offset + e.index + 2, e.code, e.message)
                         for e in outcome.errors]
            offset += len(batch)
            checked.update(offset)
        if problems:
            raise ImportFailed(problems)
    done = report.resumed_from
    bar = _Progress(f"import {path.name}", total, progress)
    for batch in _batches(path, kind, batch_size, skip=done):
        batch_started = time.monotonic()
        outcome = await write(store, batch, catalog=catalog, defer_summaries=True)
        if outcome.errors:  # the store changed since pass 1 (e.g. a student was removed)
            raise ImportFailed([BadRow(path.name, done + e.index + 2, e.code, e.message)
                                for e in outcome.errors])
        done += len(batch)
        report.written += outcome.written
        report.batches.append(time.monotonic() - batch_started)
        _save_checkpoint(checkpoint, done, complete=False)
        bar.update(done)
    if kind != "completions":
        # Summaries were deferred batch by batch: each student of the file is summarised
        # once here (also after a resume, since the whole file is read again).
        students = sorted(_students_of(path, kind))
        summarised = _Progress("summaries", len(students), progress)
        for start in range(0, len(students), _SUMMARY_CHUNK):
            await refresh_summaries(store, students[start:start + _SUMMARY_CHUNK])
            summarised.update(min(start + _SUMMARY_CHUNK, len(students)))
    _save_checkpoint(checkpoint, done, complete=True)
    report.seconds = time.monotonic() - started
    return report


_SUMMARY_CHUNK = 2000


def _students_of(path: Path, kind: str) -> set[str]:
    code_column = "code" if kind == "students" else "student"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {learners.student_uid((row.get("college") or "").strip(),
                                     (row.get(code_column) or "").strip())
                for row in csv.DictReader(handle)}
