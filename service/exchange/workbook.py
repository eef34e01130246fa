"""A framework version as one .xlsx workbook, both ways, without losing anything.

One sheet per seed kind (能力 competencies, 课程 courses …) and one per nested part
(层次要求 competencies.requirements, 教授能力 courses.teaches …), all driven by
``seed.kinds.KINDS``; headers are Chinese and English ("名称（中文） nameZh"). A workbook
imports as seed entries, checked whole by the seed validator, every problem named by sheet,
row and column; nothing is written while any remain.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from seed.document import Entries
from seed.kinds import KINDS, Field, Kind, Part
from seed.validate import SeedInvalid, parse_entries

__all__ = ["SheetProblem", "WorkbookInvalid", "read_workbook", "workbook_bytes",
           "workbook_content"]

ABOUT_SHEET = "说明 about"
_SPLIT_CODES = re.compile(r"[\s,，;；、]+")
_TRUE = {"true", "yes", "y", "1", "是", "√", "✓", "必修"}
_FALSE = {"false", "no", "n", "0", "否", "×", "✗", "选修"}


@dataclass(frozen=True, slots=True)
class SheetProblem:
    sheet: str
    row: int  # 0: the sheet as a whole
    column: str  # "C nameZh", or "" when the problem is the row's
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}:{self.row}" if self.row else self.sheet
        return f"{where}{f' [{self.column}]' if self.column else ''}: {self.message}"


class WorkbookInvalid(ValueError):
    """The workbook has problems; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: Sequence[SheetProblem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the workbook; nothing was "
                         "written:\n" + "\n".join(map(str, self.problems[:200])))


def _parent(spec: Kind) -> Field:
    return Field(f"{spec.singular}Code", f"所属{spec.zh}")


def _sheets() -> Iterator[tuple[str, Kind, Part | None, tuple[Field, ...]]]:
    """(sheet name, kind, part or None, columns) in workbook order."""
    for spec in KINDS:
        yield f"{spec.zh} {spec.name}"[:31], spec, None, spec.fields
        for part in spec.parts:
            yield (f"{part.zh} {spec.name}.{part.key}"[-31:], spec, part,
                   (_parent(spec), *part.fields))


def _cell(value: Any, spec: Field) -> Any:
    if value is None:
        return None
    if spec.type == "codes":
        return ", ".join(str(v) for v in value)
    if spec.type == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _part_rows(parent: str, part: Part, value: Any) -> Iterator[dict[str, Any]]:
    if part.keyed_by is None:
        for item in value:
            yield {**item, "__parent__": parent}
        return
    for key, item in value.items():
        if isinstance(item, dict):
            yield {part.keyed_by: key, **item, "__parent__": parent}
        else:  # a map of plain values (majors.catalogCodes)
            yield {part.keyed_by: key, part.fields[1].key: item, "__parent__": parent}


def workbook_content(entries: Entries) -> dict[str, list[list[Any]]]:
    """Sheet name → rows of cell values (the header first): what the workbook holds."""
    content: dict[str, list[list[Any]]] = {}
    for name, spec, part, columns in _sheets():
        rows: list[list[Any]] = [[f"{c.zh} {c.key}" for c in columns]]
        for entry in entries.get(spec.name, []):
            if part is None:
                rows.append([_cell(entry.get(c.key), c) for c in columns])
            elif entry.get(part.key):
                for item in _part_rows(str(entry.get("code", "")), part, entry[part.key]):
                    rows.append([item["__parent__"], *(_cell(item.get(c.key), c)
                                                       for c in part.fields)])
        content[name] = rows
    return content


def workbook_bytes(entries: Entries) -> bytes:
    """The .xlsx file of ``entries`` (a framework version's seed entries)."""
    book = openpyxl.Workbook()
    about = book.active
    assert about is not None
    about.title = ABOUT_SHEET
    framework = (entries.get("framework") or [{}])[0]
    about.append(["框架 framework", f"{framework.get('code')}@{framework.get('version')}"])
    about.append(["说明", "每种要素一页；嵌套内容（如层次要求、课程教授能力）各占一页，"
                          "以所属代码关联。导入时整体校验，任何错误都不写入，并指出页、行、列。"])
    about.append(["About", "One sheet per element kind; nested parts (requirements, teaching …) "
                           "have sheets of their own, linked by the owner's code. An import is "
                           "checked whole: any error writes nothing and names sheet, row, column."])
    for name, rows in workbook_content(entries).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, title in enumerate(rows[0], start=1):
            wide = any(w in str(title) for w in ("说明", "描述", "依据", "名称", "descri"))
            sheet.column_dimensions[get_column_letter(index)].width = 40 if wide else 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- reading ------------------------------------------------------------------------------
class _Reader:
    """Turns sheets back into seed entries, recording where every value came from."""

    def __init__(self) -> None:
        self.problems: list[SheetProblem] = []
        self.places: list[tuple[str, int, dict[str, str]]] = []  # line id → sheet, row, columns
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.by_code: dict[str, dict[str, dict[str, Any]]] = {}

    def place(self, sheet: str, row: int, columns: dict[str, str]) -> int:
        self.places.append((sheet, row, columns))
        return len(self.places)

    def fail(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(SheetProblem(sheet, row, column, message))

    def value(self, raw: Any, spec: Field, sheet: str, row: int, column: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        text = str(raw).strip()
        if spec.type == "codes":
            return [c for c in _SPLIT_CODES.split(text) if c]
        if spec.type == "bool":
            if isinstance(raw, bool):
                return raw
            if text.casefold() in _TRUE | _FALSE:
                return text.casefold() in _TRUE
            self.fail(sheet, row, column, f"{spec.key} must be true or false (是/否), not {text!r}")
            return None
        if spec.type in {"int", "number"}:
            try:
                number = float(raw) if not isinstance(raw, bool) else float("nan")
            except ValueError:
                number = float("nan")
            if number != number or (spec.type == "int" and not number.is_integer()):
                what = "a whole number" if spec.type == "int" else "a number"
                self.fail(sheet, row, column, f"{spec.key} must be {what}, not {text!r}")
                return None
            return int(number) if spec.type == "int" else number
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return text

    def header(self, sheet: str, titles: Sequence[Any],
               columns: tuple[Field, ...]) -> list[Field | None]:
        by_key = {c.key.casefold(): c for c in columns}
        by_zh = {c.zh: c for c in columns}
        found: list[Field | None] = []
        for number, title in enumerate(titles, start=1):
            text = str(title).strip() if title is not None else ""
            spec = (by_key.get(text.rsplit(None, 1)[-1].casefold()) if text else None) or \
                by_zh.get(text)
            if text and spec is None:
                self.fail(sheet, 1, get_column_letter(number),
                          f"unknown column {text!r}; expected "
                          f"{', '.join(f'{c.zh} {c.key}' for c in columns)}")
            elif spec is not None and spec in found:
                self.fail(sheet, 1, get_column_letter(number), f"column {spec.key} repeats")
            found.append(spec)
        return found

    def sheet(self, name: str, spec: Kind, part: Part | None, columns: tuple[Field, ...],
              rows: Iterator[tuple[Any, ...]]) -> None:
        titles = next(rows, ())
        header = self.header(name, titles, columns)
        if part is None and spec.fields[0] not in header:
            self.fail(name, 1, "", f"the sheet needs its column {spec.fields[0].key}")
            return
        for number, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            data: dict[str, Any] = {}
            letters: dict[str, str] = {}
            for index, (column, raw) in enumerate(zip(header, values, strict=False), 1):
                if column is None:
                    if raw not in (None, ""):
                        self.fail(name, number, get_column_letter(index),
                                  "a value in a column without a header")
                    continue
                letters[column.key] = f"{get_column_letter(index)} {column.key}"
                value = self.value(raw, column, name, number, letters[column.key])
                if value is not None:
                    data[column.key] = value
            data["__line__"] = self.place(name, number, letters)
            if part is None and data.get(spec.fields[0].key) is None:
                self.fail(name, number, letters.get(spec.fields[0].key, ""),
                          f"missing {spec.fields[0].key}")
            elif part is None:
                self.entries.setdefault(spec.name, []).append(data)
                if data.get("code") is not None:
                    self.by_code.setdefault(spec.name, {})[str(data["code"])] = data
            else:
                self.attach(name, number, spec, part, data)

    def attach(self, sheet: str, row: int, spec: Kind, part: Part, data: dict[str, Any]) -> None:
        parent_key = _parent(spec).key
        owner = data.pop(parent_key, None)
        parent = self.by_code.get(spec.name, {}).get(str(owner))
        if parent is None:
            where = self.places[data["__line__"] - 1][2].get(parent_key, parent_key)
            self.fail(sheet, row, where, f"no {spec.singular} {owner!r} in the sheet "
                                         f"{spec.zh} {spec.name}")
            return
        if part.keyed_by is None:
            parent.setdefault(part.key, []).append(data)
            return
        key = data.pop(part.keyed_by, None)
        target = parent.setdefault(part.key, {})
        if key is None or key in target:
            self.fail(sheet, row, part.keyed_by,
                      f"{part.keyed_by} {key!r} is missing or repeats for {parent.get('code')}")
            return
        if part.node or len(part.fields) > 2:
            target[key] = data
        else:
            target[key] = data.get(part.fields[1].key)

    def located(self, error: Any) -> SheetProblem:
        if not error.line or error.line > len(self.places):
            return SheetProblem(error.file, 0, "", error.message)
        sheet, row, letters = self.places[error.line - 1]
        mentioned = [(error.message.find(key), where) for key, where in letters.items()
                     if re.search(rf"\b{re.escape(key)}\b", error.message)]
        return SheetProblem(sheet, row, min(mentioned)[1] if mentioned else "", error.message)


def read_workbook(source: Path | bytes, *, version: str | None = None) -> Any:
    """The framework content a workbook holds, validated whole as a draft version
    (``version`` replaces the workbook's own); raises ``WorkbookInvalid``."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is no workbook
        raise WorkbookInvalid([SheetProblem("workbook", 0, "", f"not an .xlsx workbook ({exc})")]
                              ) from exc
    reader = _Reader()
    try:
        known = {name.rsplit(None, 1)[-1]: (name, spec, part, columns)
                 for name, spec, part, columns in _sheets()}
        present = {}
        for title in book.sheetnames:
            if title == ABOUT_SHEET:
                continue
            if title.rsplit(None, 1)[-1] not in known:
                reader.fail(title, 0, "", "unknown sheet; expected one of "
                                          f"{', '.join(n for n, *_ in _sheets())}")
                continue
            present[title.rsplit(None, 1)[-1]] = title
        for key, (_, spec, part, columns) in known.items():  # owners before their parts
            if key in present:
                title = present[key]
                reader.sheet(title, spec, part, columns, book[title].iter_rows(values_only=True))
    finally:
        book.close()
    frameworks = reader.entries.get("framework", [])
    if len(frameworks) != 1:
        reader.fail("框架 framework", 0, "", "the framework sheet needs exactly one row")
    if reader.problems:
        raise WorkbookInvalid(reader.problems)
    frameworks[0]["status"] = "draft"
    if version is not None:
        frameworks[0]["version"] = version
    try:
        return parse_entries({kind: [(kind, i, data) for i, data in enumerate(items, start=1)]
                              for kind, items in reader.entries.items()})
    except SeedInvalid as invalid:
        raise WorkbookInvalid([reader.located(e) for e in invalid.errors]) from invalid
