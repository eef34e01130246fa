"""CSV import: bad rows named by file and line with nothing written; a killed import resumes
and leaves exactly one copy of every row."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph import analytics
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from seed import load_seed
from service.importer import ImportFailed, import_csv
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM

ROOT = Path(__file__).resolve().parent.parent
COUNT_TOOK = Cypher("MATCH (:Student)-[r:TOOK]->(:Assessment) RETURN count(r) AS n")
COUNT_STUDENTS = Cypher("MATCH (s:Student) RETURN count(s) AS n")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def students_csv(path: Path, count: int) -> Path:
    return write_csv(path, ["code", "college", "program", "classLabel", "enrolledOn"],
                     [[f"S{i:05d}", COLLEGE, PROGRAM, f"C{i % 7}", "2024-09-01"]
                      for i in range(count)])


def results_csv(path: Path, students: int, per_student: int) -> Path:
    rows: list[list[object]] = []
    for i in range(students):
        for j in range(per_student):
            rows.append([COLLEGE, f"S{i:05d}", GZ_ASSESSMENTS[j % len(GZ_ASSESSMENTS)],
                         (i * 7 + j * 13) % 101, f"2025-{1 + j % 12:02d}-{1 + j // 12:02d}"])
    return write_csv(path, ["college", "student", "assessment", "score", "takenAt"], rows)


async def test_bad_rows_are_reported_by_line_and_nothing_is_written(
        store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    path = write_csv(tmp_path / "students.csv",
                     ["code", "college", "program", "classLabel", "enrolledOn"],
                     [["S1", COLLEGE, PROGRAM, "A", "2024-09-01"],
                      ["S2", COLLEGE, "P-NOPE", "A", "2024-09-01"],
                      ["S3", COLLEGE, PROGRAM, "A", "2024-09-31"]])
    with pytest.raises(ImportFailed) as failed:
        await import_csv(store, "students", path, checkpoint_dir=tmp_path / "cp",
                         framework=FW, progress=None, batch_size=2)
    assert [str(p) for p in failed.value.problems] == [
        "students.csv:3: UNKNOWN_PROGRAM: no program P-NOPE in AIL@2025.1",
        "students.csv:4: BAD_DATE: enrolledOn '2024-09-31' is not an ISO date (YYYY-MM-DD)"]
    assert await store.read(COUNT_STUDENTS) == [{"n": 0}]


async def test_missing_columns_are_named(store: EmbeddedStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "results.csv", ["college", "student", "score"], [])
    with pytest.raises(ImportFailed, match="assessment, takenAt are required"):
        await import_csv(store, "results", path, checkpoint_dir=tmp_path / "cp",
                         progress=None)


async def test_import_twice_writes_once(store: EmbeddedStore, tmp_path: Path) -> None:
    await load_seed(store)
    await import_csv(store, "students", students_csv(tmp_path / "s.csv", 20),
                     checkpoint_dir=tmp_path / "cp", framework=FW, progress=None)
    results = results_csv(tmp_path / "r.csv", 20, 5)
    first = await import_csv(store, "results", results, checkpoint_dir=tmp_path / "cp",
                             progress=None, batch_size=30)
    assert first.written == 100
    again = await import_csv(store, "results", results, checkpoint_dir=tmp_path / "cp2",
                             progress=None, batch_size=7)
    assert again.written == 100
    assert await store.read(COUNT_TOOK) == [{"n": 100}]
    # summaries were deferred during the batches and refreshed once at the end
    served = await analytics.cohort_report(store, college=COLLEGE)
    scanned = await analytics.cohort_report_by_scan(store, college=COLLEGE)
    assert served == scanned and served.students == 20


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_killed_import_resumes_without_duplicates(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert _cli("load", "--data-dir", data).returncode == 0
    students = students_csv(tmp_path / "students.csv", 1500)
    loaded = _cli("import", "students", str(students), "--data-dir", data)
    assert loaded.returncode == 0, loaded.stderr
    results = results_csv(tmp_path / "results.csv", 1500, 20)  # 30,000 rows
    checkpoints = Path(data) / "imports"
    earlier = set(checkpoints.glob("import-*.json"))  # the students' import
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "import", "results", str(results),
         "--data-dir", data, "--batch-size", "100"], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    killed_at = 0
    while time.monotonic() < deadline and process.poll() is None:
        for checkpoint in set(checkpoints.glob("import-*.json")) - earlier:
            state = json.loads(checkpoint.read_text() or "{}")
            if 0 < state.get("rowsDone", 0) < 30_000:
                killed_at = state["rowsDone"]
        if killed_at >= 1000:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=60)
    assert killed_at >= 1000, "the import finished before it could be killed"
    time.sleep(0.5)  # the orphaned engine gets SIGTERM from the kernel and releases the lock
    resumed = _cli("import", "results", str(results), "--data-dir", data,
                   "--batch-size", "100")
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after row" in resumed.stdout
    counted = _cli("report", "coverage", "--data-dir", data)  # the store opens cleanly again
    assert counted.returncode == 0
    assert _count_took(data) == 30_000


def _count_took(data: str) -> int:
    import asyncio

    async def count() -> int:
        store = await EmbeddedStore.start(Path(data))
        try:
            return int((await store.read(COUNT_TOOK))[0]["n"])
        finally:
            await store.close()

    return asyncio.run(count())


async def test_a_student_erased_between_check_and_write_is_reported(
        store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Results are written from the batches the check pass kept: a student erased in
    between is not written, and the import says so by line (STORE_CHANGED)."""
    import service.importer as importer
    from graph.learners import student_uid
    from graph.privacy import erase_student

    await load_seed(store)
    await import_csv(store, "students", students_csv(tmp_path / "s.csv", 4),
                     checkpoint_dir=tmp_path / "cp", framework=FW, progress=None)
    checked = importer._check_file

    async def check_then_erase(*args: object, **kwargs: object) -> set[str]:
        students = await checked(*args, **kwargs)  # type: ignore[arg-type]
        await erase_student(store, student_uid(COLLEGE, "S00002"), COLLEGE,
                            subject="test", role="admin")
        return students

    monkeypatch.setattr(importer, "_check_file", check_then_erase)
    with pytest.raises(ImportFailed) as failed:
        await import_csv(store, "results", results_csv(tmp_path / "r.csv", 4, 3),
                         checkpoint_dir=tmp_path / "cp", progress=None, batch_size=3)
    [problem] = failed.value.problems
    assert "nothing was written" not in str(failed.value)
    assert (problem.code, problem.line) == ("STORE_CHANGED", 8)  # S00002's lines: 8–10
    assert "3 of the results on lines 8–10" in problem.message
    # S00000 and S00001 were written, and S00003, whose batch was already under way
    assert "and so were lines 11–13" in str(failed.value)
    assert await store.read(COUNT_TOOK) == [{"n": 9}]


async def test_an_import_collects_cycles_less_often_while_it_runs(
        store: EmbeddedStore, tmp_path: Path) -> None:
    """The cyclic collector's passes were ~40 % of a bulk import's CPU: the import raises the
    first generation's threshold while it runs and puts it back afterwards."""
    import gc
    import io

    seen: set[int] = set()

    class Watching(io.StringIO):
        def write(self, text: str) -> int:
            seen.add(gc.get_threshold()[0])
            return super().write(text)

    await load_seed(store)
    before = gc.get_threshold()
    stream = Watching()
    await import_csv(store, "students", students_csv(tmp_path / "s.csv", 3),
                     checkpoint_dir=tmp_path / "cp", framework=FW, progress=stream)
    assert seen and min(seen) >= 50_000 > before[0]
    assert gc.get_threshold() == before


SCORES = Cypher("MATCH (:Student)-[r:TOOK]->(a:Assessment) RETURN a.code AS code, r.takenAt AS at, "
                "r.score AS score ORDER BY code, at")


async def test_a_result_repeated_in_later_batches_ends_as_the_last_row_says(
        store: EmbeddedStore, tmp_path: Path) -> None:
    """Batches are written with the next under way: the store keeps them in file order, so
    a result given again in a later batch (a correction) ends with the later score."""
    await load_seed(store)
    await import_csv(store, "students", students_csv(tmp_path / "s.csv", 2),
                     checkpoint_dir=tmp_path / "cp", framework=FW, progress=None)
    first, second = GZ_ASSESSMENTS[:2]
    rows = [[COLLEGE, "S00000", first, 10 * round_, "2025-01-10"] for round_ in range(1, 9)]
    rows += [[COLLEGE, "S00001", second, 90 - round_, "2025-01-11"] for round_ in range(1, 9)]
    path = write_csv(tmp_path / "r.csv", ["college", "student", "assessment", "score",
                                          "takenAt"], sorted(rows, key=lambda row: row[3]))
    report = await import_csv(store, "results", path, checkpoint_dir=tmp_path / "cp",
                              progress=None, batch_size=1)
    assert report.written == 16
    assert [(row["code"], row["score"]) for row in await store.read(SCORES)] == [
        (first, 80), (second, 89)]  # the last row of each in the file
