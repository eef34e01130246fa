"""The check pass of a large import in several processes (``service.check_parts``): the same
report, line for line, and the same store as one process; small files and a threshold of 0
rows stand in for the 100k-row files where it starts by default."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import IO

import pytest

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.embedded_server import EmbeddedServer
from graph.enrolment import StudentBatch
from graph.migrations import migrate
from seed import load_seed
from service import csv_parts
from service.importer import ImportFailed, import_csv, open_import
from service.staging import spill_batch, spilled
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM

NODES = Cypher("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
EDGES = Cypher(
    "MATCH (a)-[r]->(b) RETURN coalesce(a.uid, a.code, a.key) AS a, type(r) AS type, "
    "coalesce(b.uid, b.code, b.key) AS b, properties(r) AS props")
COUNT_TOOK = Cypher("MATCH (:Student)-[r:TOOK]->(:Assessment) RETURN count(r) AS n")
HEADER = ["college", "student", "assessment", "score", "takenAt"]
STUDENTS = 30
BATCH = 50


def _result(i: int, j: int) -> list[str]:
    return [COLLEGE, f"S{i:05d}", GZ_ASSESSMENTS[j % len(GZ_ASSESSMENTS)],
            str((i * 7 + j * 13) % 101), f"2025-{1 + j % 12:02d}-{1 + j // 12:02d}"]


def _good_rows() -> list[list[str]]:
    return [_result(i, j) for i in range(STUDENTS) for j in range(24)]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


async def _enrolled(store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    tmp_path.mkdir(parents=True, exist_ok=True)
    students = tmp_path / "students.csv"
    with students.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "college", "program", "classLabel", "enrolledOn"])
        writer.writerows([f"S{i:05d}", COLLEGE, PROGRAM, f"C{i % 3}", "2024-09-01"]
                         for i in range(STUDENTS))
    await import_csv(store, "students", students, checkpoint_dir=tmp_path / "cp-s",
                     framework=FW, progress=None)


async def _report(store: EmbeddedStore, path: Path, checkpoints: Path,
                  workers: int) -> tuple[list[str], str]:
    """The problems an import of ``path`` reports (none: it was written), and its progress."""
    shown = io.StringIO()
    try:
        await import_csv(store, "results", path, checkpoint_dir=checkpoints, progress=shown,
                         batch_size=BATCH, check_workers=workers, parallel_from=0)
    except ImportFailed as failed:
        return [str(p) for p in failed.problems], shown.getvalue()
    return [], shown.getvalue()


def _checked_in(workers: int, progress: str) -> bool:
    return f"({workers} processes)" in progress


def _bad_file(path: Path) -> Path:
    """Bad rows all through the file: repeated results a few rows apart (a batch of 50
    reports those within it, so a part that started off the file's batch boundaries would
    report others), unknown assessments, scores out of range, a row too long, blank lines."""
    rows: list[list[str]] = []
    for number, row in enumerate(_good_rows()):
        if number % 37 == 5:
            rows.append(rows[-3])
        elif number % 101 == 17:
            row[2] = "A-NOPE"
        elif number % 131 == 60:
            row[3] = "250"
        elif number % 173 == 90:
            row = [*row, "extra"]
        elif number % 149 == 30:
            row = ["", "", "", "", ""]
        rows.append(row)
    return _write(path, rows)


async def test_a_parallel_check_reports_what_one_process_reports(
        store: EmbeddedStore, tmp_path: Path) -> None:
    await _enrolled(store, tmp_path)
    path = _bad_file(tmp_path / "results.csv")
    serial, shown = await _report(store, path, tmp_path / "cp1", 1)
    assert not _checked_in(2, shown)
    lines = sorted({int(problem.split(":")[1]) for problem in serial})
    assert lines[0] < 100 and lines[-1] > 600  # bad rows in every part
    assert any("DUPLICATE_ROW" in p for p in serial) and any("ROW_TOO_LONG" in p for p in serial)
    for workers in (2, 3):
        parallel, shown = await _report(store, path, tmp_path / f"cp{workers}", workers)
        assert _checked_in(workers, shown)
        assert parallel == serial
    assert await store.read(COUNT_TOOK) == [{"n": 0}]


async def _contents(store: EmbeddedStore) -> tuple[list[str], list[str]]:
    """Every node and edge (but the framework's node, which says when it was loaded, and
    the import's own token on its students, graph.cohort_tallies)."""
    rows = [r for r in await store.read(NODES) if r["labels"] != ["Framework"]]
    for row in rows:
        row["props"].pop("standingBy", None)
    nodes = sorted(repr(sorted(r.items())) for r in rows)
    edges = sorted(repr(sorted(r.items())) for r in await store.read(EDGES))
    return nodes, edges


async def test_a_good_file_checked_in_parts_writes_the_same_store(
        store: EmbeddedStore, embedded_server: EmbeddedServer, tmp_path: Path) -> None:
    other = EmbeddedStore(embedded_server.socket_path, graph_name=f"{store.endpoint[1]}-b")
    await migrate(other, "2026-01-01T00:00:00+00:00")
    try:
        path = _write(tmp_path / "results.csv", _good_rows())
        for graph, workers in ((store, 1), (other, 2)):
            await _enrolled(graph, tmp_path / f"w{workers}")
            problems, shown = await _report(graph, path, tmp_path / f"cp{workers}", workers)
            assert problems == [] and _checked_in(workers, shown) == (workers > 1)
        assert await store.read(COUNT_TOOK) == [{"n": len(_good_rows())}]
        assert await _contents(other) == await _contents(store)
    finally:
        await other.drop_all()
        await other.close()


async def test_a_quoted_newline_where_the_file_is_cut(store: EmbeddedStore,
                                                      tmp_path: Path) -> None:
    """A field with line breaks (and text that reads as rows) spans the place where the
    file would be cut: the cut moves past it, and the report is the serial one."""
    await _enrolled(store, tmp_path)
    rows = _good_rows()
    path = _write(tmp_path / "results.csv", rows)
    size = path.stat().st_size
    target = int(csv_parts.targets(size, 2)[0])
    data = path.read_bytes()
    line = data.count(b"\n", 0, target) - 1  # the data row the target falls in
    rows[line][3] = "\n".join(",".join(_result(STUDENTS + k, 1)) for k in range(12))
    _write(path, rows)
    data = path.read_bytes()
    opened = data.index(b'"')
    assert opened < int(csv_parts.targets(len(data), 2)[0]) < data.index(b'"', opened + 1)
    table = open_import(path, "results")
    assert csv_parts.split_points(table, 2)[0] > data.index(b'"', opened + 1)
    serial, _ = await _report(store, path, tmp_path / "cp1", 1)
    parallel, shown = await _report(store, path, tmp_path / "cp2", 2)
    assert _checked_in(2, shown)
    assert parallel == serial and len(serial) == 1 and "score" in serial[0]


async def test_an_unreadable_record_late_in_the_file(store: EmbeddedStore,
                                                     tmp_path: Path) -> None:
    """A field over the CSV reader's limit stops the reader: nothing after it is reported,
    by a worker as by one process."""
    await _enrolled(store, tmp_path)
    rows = [_result(i, j) for i in range(STUDENTS) for j in range(240)]  # (past the field)
    for bad in (5, len(rows) * 7 // 10, len(rows) * 19 // 20):  # both parts, and after it
        rows[bad][2] = "A-NOPE"
    lines = _write(tmp_path / "results.csv", rows).read_text().splitlines(keepends=True)
    late = len(lines) * 9 // 10
    lines[late] = f"{COLLEGE},S00001,{'x' * (csv.field_size_limit() + 10)},1,2025-01-01\n"
    path = tmp_path / "results.csv"
    path.write_text("".join(lines), encoding="utf-8")
    serial, _ = await _report(store, path, tmp_path / "cp1", 1)
    assert len(serial) == 3 and serial[-1].startswith(f"results.csv:{late + 1}: BAD_FIELD")
    parallel, shown = await _report(store, path, tmp_path / "cp2", 2)
    assert _checked_in(2, shown)
    assert parallel == serial


async def test_a_stray_quote_keeps_the_check_in_one_process(store: EmbeddedStore,
                                                            tmp_path: Path) -> None:
    """A quote inside an unquoted field (read as text) breaks the quote count the cut relies
    on; the worker's proof of its start fails and the importer checks the file itself."""
    await _enrolled(store, tmp_path)
    rows = _good_rows()
    rows[3][2] = 'A-"NOPE'
    path = _write(tmp_path / "results.csv", rows)
    text = path.read_text(encoding="utf-8").replace('"A-""NOPE"', 'A-"NOPE')
    path.write_text(text, encoding="utf-8")
    serial, _ = await _report(store, path, tmp_path / "cp1", 1)
    parallel, shown = await _report(store, path, tmp_path / "cp2", 2)
    assert not _checked_in(2, shown)
    assert parallel == serial and 'A-"NOPE' in serial[0]


def test_pass_two_reads_the_spill_files_in_order_and_resumes_across_them(
        tmp_path: Path) -> None:
    numbers = itertools.count()
    files: list[IO[bytes]] = []
    for _ in range(2):
        handle = (tmp_path / f"spill{len(files)}").open("w+b")
        for _ in range(3):
            first = next(numbers)
            spill_batch(handle, 10, 10 * first + 2, 10 * first + 11,
                        StudentBatch([(f"u{first}",)]))
        files.append(handle)
    batches = list(spilled(files, 0, "students"))
    assert [b.lines for b in batches] == [(2 + 10 * n, 11 + 10 * n) for n in range(6)]
    resumed = list(spilled(files, 35, "students"))  # inside the second file's first batch
    assert [(b.rows, b.lines[0]) for b in resumed] == [(5, 32), (10, 42), (10, 52)]
    for spill in files:
        spill.close()


@pytest.mark.parametrize("parts", [2, 3])
def test_the_cut_points_are_record_boundaries(tmp_path: Path, parts: int) -> None:
    path = _bad_file(tmp_path / "results.csv")
    table = open_import(path, "results")
    points = csv_parts.split_points(table, parts)
    data = path.read_bytes()
    assert len(points) == parts - 1
    assert all(data[point - 1:point] == b"\n" for point in points)
    counted = [csv_parts.count(table, point) for point in points]
    assert all(c is not None for c in counted)
    every = list(table.rows())
    for point, prefix in zip(points, counted, strict=True):
        assert prefix is not None
        after = list(open_import(path, "results").rows(start=point, before=prefix.records))
        assert every[prefix.rows:] == after


async def test_a_students_file_checked_in_parts(store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    path = tmp_path / "students.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "college", "program", "classLabel", "enrolledOn"])
        for i in range(600):
            code = f"S{i - 2 if i % 41 == 7 else i:05d}"  # repeated a row or two apart
            program = "P-NOPE" if i % 97 == 13 else PROGRAM
            writer.writerow([code, COLLEGE, program, f"C{i % 3}", "2024-09-01"])
    reports = []
    for workers in (1, 2):
        shown = io.StringIO()
        with pytest.raises(ImportFailed) as failed:
            await import_csv(store, "students", path, checkpoint_dir=tmp_path / f"cp{workers}",
                             framework=FW, progress=shown, batch_size=BATCH,
                             check_workers=workers, parallel_from=0)
        assert _checked_in(2, shown.getvalue()) == (workers == 2)
        reports.append([str(p) for p in failed.value.problems])
    assert reports[0] == reports[1]
    assert {p.split(": ")[1] for p in reports[0]} == {"DUPLICATE_ROW", "UNKNOWN_PROGRAM"}


@pytest.mark.parametrize(("text", "encoding"), [
    ("college,student,assessment,score,takenAt\r" + "C,S,A,1,2025-01-01\r" * 50, "utf-8"),
    ("college,student,assessment,score,takenAt\n" + "C,S,A,1,2025-01-01\n" * 50, "utf-16"),
])
def test_odd_files_are_not_cut(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes(text.encode(encoding))
    table = open_import(path, "results")
    assert len(list(table.rows())) == 50
    assert csv_parts.split_points(table, 2) == []


async def test_a_worker_that_fails_leaves_its_part_to_the_importer(
        store: EmbeddedStore, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    await _enrolled(store, tmp_path)
    path = _bad_file(tmp_path / "results.csv")
    serial, _ = await _report(store, path, tmp_path / "cp1", 1)
    reached = store.endpoint
    store.endpoint = (str(tmp_path / "no-engine.sock"), reached[1])  # the worker cannot read
    try:
        parallel, shown = await _report(store, path, tmp_path / "cp2", 2)
    finally:
        store.endpoint = reached
    assert not _checked_in(2, shown)
    assert parallel == serial
    assert "the importer checks its part" in caplog.text
    assert not list((tmp_path / "cp2").glob("import-part-*"))  # its spill file is gone
