"""Imports of every kind from the files colleges have: GBK CSV (Excel on Chinese Windows),
UTF-8 CSV with a BOM, and .xlsx with Chinese headers; each mistake gets a clear error."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph.cypher import Cypher
from graph.embedded import EmbeddedServer, EmbeddedStore
from seed import load_seed
from service.importer import ImportFailed, import_csv
from tests.conftest import _new_store
from tests.learner_data import CERTIFICATIONS, COLLEGE, FW, GZ_ASSESSMENTS, PROGRAM

STUDENT_ROWS = Cypher(
    "MATCH (s:Student {college: $college}) WHERE s.code STARTS WITH $prefix "
    "RETURN s.code AS code, s.classLabel AS classLabel, s.enrolledOn AS enrolledOn "
    "ORDER BY s.code")
EVIDENCE_ROWS = Cypher(
    "MATCH (s:Student {college: $college})-[r]->(x) WHERE s.code STARTS WITH $prefix "
    "RETURN s.code AS code, type(r) AS type, x.code AS item, r.score AS score, "
    "r.takenAt AS takenAt, r.term AS term, r.grade AS grade, r.heldOn AS heldOn "
    "ORDER BY code, type, item")
COURSE = "C-GEN-GZ-01"

# Chinese headers, the way an academic office titles its sheets.
HEADERS = {
    "students": ["学号", "学院", "培养方案", "入学日期", "班级"],
    "results": ["学院", "学号", "测评", "成绩", "测评时间", "满分"],
    "completions": ["学院", "学号", "课程", "学期", "成绩"],
    "certifications": ["学院", "学号", "证书", "获证日期"],
}


def _rows(kind: str, prefix: str, *, excel_dates: bool = False) -> list[list[Any]]:
    day = "2024/9/1" if excel_dates else "2024-09-01"
    if kind == "students":
        return [[f"{prefix}{i}", COLLEGE, PROGRAM, day, f"人工智能{i}班"] for i in range(3)]
    if kind == "results":
        return [[COLLEGE, f"{prefix}{i}", GZ_ASSESSMENTS[i], 80 + i,
                 "2025/1/10" if excel_dates else "2025-01-10", 100] for i in range(3)]
    if kind == "completions":
        return [[COLLEGE, f"{prefix}{i}", COURSE, "2024-2025-1", 90] for i in range(3)]
    return [[COLLEGE, f"{prefix}{i}", CERTIFICATIONS[i % 2], day] for i in range(3)]


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str,
              delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[Any], rows: list[list[Any]],
               sheet: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = sheet
    first.append(header)
    for row in rows:
        first.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
async def seeded(embedded_server: EmbeddedServer) -> AsyncIterator[EmbeddedStore]:
    """The seed loaded once for this module's imports (each test uses its own students)."""
    store = await _new_store(embedded_server)
    await load_seed(store)
    yield store
    await store.drop_all()
    await store.close()


async def _import(store: EmbeddedStore, kind: str, path: Path, tmp_path: Path,
                  **options: Any) -> int:
    report = await import_csv(store, kind, path, checkpoint_dir=tmp_path / f"cp-{kind}",
                              framework=FW, progress=None, **options)
    return report.written


@pytest.mark.parametrize("form", ["gbk", "utf-8-sig", "xlsx"])
async def test_every_kind_imports_from_gbk_bom_and_xlsx(
        seeded: EmbeddedStore, tmp_path: Path, form: str) -> None:
    prefix = {"gbk": "G", "utf-8-sig": "U", "xlsx": "X"}[form] + "-"
    for kind in ("students", "results", "completions", "certifications"):
        rows = _rows(kind, prefix, excel_dates=form != "utf-8-sig")
        if form == "xlsx":
            path = write_xlsx(tmp_path / f"{kind}.xlsx", HEADERS[kind], rows)
        else:
            path = write_csv(tmp_path / f"{kind}.csv", HEADERS[kind], rows, form)
        assert await _import(seeded, kind, path, tmp_path) == 3, kind
    students = await seeded.read(STUDENT_ROWS, {"college": COLLEGE, "prefix": prefix})
    assert students == [{"code": f"{prefix}{i}", "classLabel": f"人工智能{i}班",
                         "enrolledOn": "2024-09-01"} for i in range(3)]
    evidence = await seeded.read(EVIDENCE_ROWS, {"college": COLLEGE, "prefix": prefix})
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in evidence:
        by_type.setdefault(row["type"], []).append(row)
    assert [(r["item"], r["score"], r["takenAt"]) for r in by_type["TOOK"]] == [
        (GZ_ASSESSMENTS[i], 80.0 + i, "2025-01-10") for i in range(3)]
    assert [(r["item"], r["term"], r["grade"]) for r in by_type["COMPLETED"]] == [
        (COURSE, "2024-2025-1", 90.0)] * 3
    assert [(r["item"], r["heldOn"]) for r in by_type["HOLDS"]] == [
        (CERTIFICATIONS[i % 2], "2024-09-01") for i in range(3)]


async def test_a_chosen_sheet_and_encoding_are_used(seeded: EmbeddedStore,
                                                    tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "说明"
    cover.append(["本工作簿第二页是学生名单"])
    roster = book.create_sheet("学生")
    roster.append(["code", "college", "program", "enrolledOn"])
    roster.append(["SHEET-1", COLLEGE, PROGRAM, "2024-09-01"])
    book.save(tmp_path / "two.xlsx")
    assert await _import(seeded, "students", tmp_path / "two.xlsx", tmp_path,
                         sheet="学生") == 1
    gbk = write_csv(tmp_path / "latin.csv", ["code", "college", "program", "enrolledOn",
                                            "classLabel"],
                    [["ENC-1", COLLEGE, PROGRAM, "2024-09-01", "计算机1班"]], "gb18030")
    assert await _import(seeded, "students", gbk, tmp_path, encoding="gb18030") == 1
    with pytest.raises(ImportFailed, match=r"latin.csv:2: BAD_ENCODING"):
        await _import(seeded, "students", gbk, tmp_path / "other", encoding="utf-8")


async def _problems(store: EmbeddedStore, kind: str, path: Path, tmp_path: Path,
                    **options: Any) -> tuple[str, list[str]]:
    with pytest.raises(ImportFailed) as failed:
        await _import(store, kind, path, tmp_path, **options)
    return str(failed.value).splitlines()[0], [str(p) for p in failed.value.problems]


async def test_mistakes_get_clear_errors_with_excel_lines(seeded: EmbeddedStore,
                                                          tmp_path: Path) -> None:
    # a misspelt optional column is refused, not silently dropped; case does not matter
    path = write_csv(tmp_path / "s.csv", ["CODE", "College", "program", "enrolledon",
                                          "classlable"], [], "utf-8")
    _, problems = await _problems(seeded, "students", path, tmp_path)
    assert problems[0].startswith("s.csv:1: UNKNOWN_COLUMN: column 5 'classlable': unknown")
    # a ';'-separated file gets a delimiter hint, and --delimiter reads it
    path = write_csv(tmp_path / "semi.csv", ["code", "college", "program", "enrolledOn"],
                     [["SEMI-1", COLLEGE, PROGRAM, "2024-09-01"]], "utf-8", delimiter=";")
    _, problems = await _problems(seeded, "students", path, tmp_path)
    assert "MISSING_COLUMN" in problems[0] and "separated by ';'" in problems[0]
    assert "--delimiter ';'" in problems[0]
    assert await _import(seeded, "students", path, tmp_path / "d", delimiter=";") == 1
    # three bad rows with four errors among them: "3 bad row(s)"; lines as in Excel;
    # the duplicate names the line it repeats; a row longer than the header is refused
    path = write_csv(tmp_path / "bad.csv", ["code", "college", "program", "enrolledOn"], [
        ["BAD-1", COLLEGE, "P-NOPE", "2024-02-30"],
        ["BAD-2", COLLEGE, PROGRAM, "2024-09-01"],
        [],
        ["BAD-2", COLLEGE, PROGRAM, "2024-09-01"],
        ["BAD-3", COLLEGE, PROGRAM, "2024-09-01", "extra"],
    ], "utf-8")
    first, problems = await _problems(seeded, "students", path, tmp_path)
    assert first == "3 bad row(s); nothing was written:"
    assert problems == [
        "bad.csv:2: BAD_DATE: enrolledOn '2024-02-30' is not an ISO date (YYYY-MM-DD)",
        "bad.csv:2: UNKNOWN_PROGRAM: no program P-NOPE in AIL@2025.1",
        "bad.csv:5: DUPLICATE_ROW: same student as line 3",
        "bad.csv:6: ROW_TOO_LONG: 5 fields but the header has 4 columns "
        "(extra value 'extra' after column 4)",
    ]


async def test_huge_fields_and_nul_are_errors_not_tracebacks(seeded: EmbeddedStore,
                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "huge.csv", ["code", "college", "program", "enrolledOn"], [
        ["OK-1", COLLEGE, PROGRAM, "2024-09-01"],
        ["NUL\x00", COLLEGE, PROGRAM, "2024-09-01"],
        ["X" * 200_000, COLLEGE, PROGRAM, "2024-09-01"],
    ], "utf-8")
    _, problems = await _problems(seeded, "students", path, tmp_path)
    assert problems == [
        "huge.csv:3: CONTROL_CHARACTER: code contains a control character (such as NUL); "
        "remove it",
        "huge.csv:4: BAD_FIELD: a field is longer than 131,072 characters",
    ]
