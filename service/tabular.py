"""Reading files as colleges have them: CSV (UTF-8 with or without BOM, GB18030/GBK) or .xlsx.

Every import kind reads through here. Columns are matched by their English key
(case-insensitively) or by their Chinese header (学号, 学院, 测评 …, see ``CHINESE_HEADERS``), so
a file saved by Excel on a Chinese Windows machine imports as it is. Every problem names the file
and the line as Excel shows it (the header is line 1); a file with problems raises ``BadFile``
listing all of them, and the error count counts rows, not errors.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.cells import cell_text as _cell_text
from service.cells import loose_date as _loose_date
from service.cells import remembered_dates

__all__ = [
    "CHINESE_HEADERS", "DATE_COLUMNS", "BadFile", "BadRow", "Table", "column_matcher",
    "header_label", "open_table",
]

# Column key → the Chinese headers accepted for it (the first is written in templates).
CHINESE_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("学号", "学生编号", "学生代码"),
    "student": ("学号", "学生编号", "学生代码"),
    "college": ("学院", "院校", "院校代码", "学校"),
    "program": ("专业", "培养方案", "专业代码", "培养方案代码"),
    "enrolledOn": ("入学日期", "入学时间"),
    "classLabel": ("班级", "班级名称"),
    "assessment": ("测评", "评价工具", "测评代码", "考核"),
    "score": ("成绩", "得分", "分数"),
    "maxScore": ("满分", "总分"),
    "takenAt": ("测评时间", "测评日期", "考核日期"),
    "course": ("课程", "课程代码"),
    "term": ("学期",),
    "grade": ("成绩", "课程成绩", "总评成绩"),
    "certification": ("证书", "认证", "证书代码"),
    "heldOn": ("获证日期", "发证日期", "取证日期"),
    # skills-demand records (graph.demand)
    "jobRole": ("岗位", "岗位代码", "典型岗位"),
    "competency": ("能力", "能力代码"),
    "proficiency": ("熟练度", "要求熟练度", "能力要求", "要求水平"),
    "importance": ("重要性", "重要程度"),
    "sourceKind": ("来源类型", "来源类别"),
    "sourceName": ("来源", "来源名称", "来源单位"),
    "region": ("地区", "区域"),
    "observedOn": ("调研日期", "观测日期", "采集日期"),
    # teachers and their evidence (graph.teachers)
    "teacher": ("工号", "教师编号", "教师代码", "教师工号"),
    "subjects": ("任教学科", "学科", "专业方向"),
    "courses": ("任教课程", "课程代码"),
    "kind": ("类型", "证据类型"),
    "layer": ("层面",),
    "title": ("名称", "项目名称", "培训名称"),
    "completedOn": ("完成日期", "结束日期", "日期"),
    "hours": ("学时", "时长"),
    "role": ("角色", "项目角色"),
    "provider": ("组织单位", "承办单位", "企业"),
}
DATE_COLUMNS = frozenset({"enrolledOn", "takenAt", "heldOn", "observedOn", "completedOn"})
MAX_SHOWN = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEPARATORS = re.compile(r"[\s/|()（）\[\]【】:：]+")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


@dataclass(frozen=True, slots=True)
class BadRow:
    file: str
    line: int  # as Excel shows it: the header is line 1
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"


class BadFile(ValueError):
    """A file with problems; nothing of it was written. ``problems`` lists every one."""

    def __init__(self, problems: Sequence[BadRow]) -> None:
        ordered = sorted(problems, key=lambda p: p.line)
        rows = len({p.line for p in ordered})
        shown = "\n".join(map(str, ordered[:MAX_SHOWN]))
        more = f"\n… and {len(ordered) - MAX_SHOWN} more" if len(ordered) > MAX_SHOWN else ""
        super().__init__(f"{rows} bad row(s); nothing was written:\n{shown}{more}")
        self.problems = ordered
        self.bad_rows = rows


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text)).casefold()


def header_label(key: str) -> str:
    """How templates and exports title a column: its Chinese name, then its key."""
    names = CHINESE_HEADERS.get(key)
    return f"{names[0]} {key}" if names else key


def column_matcher(aliases: dict[str, Sequence[str]]) -> Any:
    """A function header → (key | None, reason); a header matches a key by the key itself,
    any alias, or any word of it ('学号 code', '成绩(score)')."""
    lookup: dict[str, set[str]] = {}
    for key, names in aliases.items():
        for name in (key, *names):
            lookup.setdefault(_norm(name), set()).add(key)

    def match(header: str) -> tuple[str | None, str]:
        words = [header, *(w for w in _SEPARATORS.split(header) if w)]
        keys = set().union(*(lookup.get(_norm(w), set()) for w in words))
        if len(keys) == 1:
            return keys.pop(), ""
        if keys:
            return None, f"could mean any of {', '.join(sorted(keys))}"
        return None, "unknown"

    return match


def _detect_encoding(path: Path, chosen: str | None) -> tuple[str, BadRow | None]:
    """Decode the whole file once: UTF-8 (BOM or not) if it is valid, else GB18030 (a superset
    of GBK). A chosen encoding that fails names the line of the first undecodable byte."""
    data = path.read_bytes()
    if chosen:
        try:
            codecs.lookup(chosen)
        except LookupError:
            return chosen, BadRow(path.name, 1, "UNKNOWN_ENCODING",
                                  f"unknown encoding {chosen!r} (try utf-8 or gb18030)")
        candidates = [chosen]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    failure: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            data.decode(encoding)
            return encoding, None
        except UnicodeDecodeError as exc:
            failure = failure or exc
    assert failure is not None
    line = data.count(b"\n", 0, failure.start) + 1
    tried = " nor ".join(candidates)
    return candidates[0], BadRow(
        path.name, line, "BAD_ENCODING",
        f"the file is neither {tried} (byte 0x{data[failure.start]:02x}); save it as "
        "'CSV UTF-8' in Excel, or name its encoding with --encoding")


@dataclass
class Table:
    """A validated header and a way to read the rows after it, any number of times."""

    path: Path
    columns: list[str | None]  # the key of each column in file order (None: ignored blank)
    encoding: str | None = None  # None: .xlsx
    delimiter: str = ","
    sheet: str | None = None
    problems: list[BadRow] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.path.name

    def text(self, start: int = 0) -> io.TextIOWrapper:
        """The CSV as text from byte ``start`` (0, or just after a newline)."""
        handle = self.path.open("rb")
        handle.seek(start)
        encoding = str(self.encoding)
        if start and codecs.lookup(encoding).name == "utf-8-sig":
            encoding = "utf-8"  # a BOM is only one at the very start
        return io.TextIOWrapper(handle, encoding=encoding, newline="")

    def _raw(self, start: int = 0, before: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """(line, values) for every record after the header, blank ones included; from byte
        ``start`` of a CSV, a record boundary after ``before`` records (the header one)."""
        if self.encoding is None:
            import openpyxl

            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            try:
                sheet = book[self.sheet] if self.sheet else book.worksheets[0]
                for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if line > 1:
                        yield line, [_cell_text(v) for v in values]
            finally:
                book.close()
            return
        with self.text(start) as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            line = before
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    line += 1
                    limit = csv.field_size_limit()
                    reason = (f"a field is longer than {limit:,} characters"
                              if "field limit" in str(exc) else f"unreadable CSV ({exc})")
                    self.problems.append(BadRow(self.file, line, "BAD_FIELD", reason))
                    return  # the reader cannot go on after this
                line += 1
                if line > 1:
                    yield line, values

    def rows(self, skip: int = 0, start: int = 0, before: int = 0
             ) -> Iterator[dict[str, Any]]:
        """Data rows as {key: text or None, "__line__": line}; blank rows are skipped, bad
        ones recorded in ``problems`` (``skip``: data rows to pass over, for a resume;
        ``start``, ``before``: a CSV read from a record boundary, see ``_raw``)."""
        width = len(self.columns)
        # a CSV record (text only) as wide as a header naming every column: one pass
        quick = self.encoding is not None and None not in self.columns
        keys = [str(key) for key in self.columns]  # (read only when quick: no None)
        dates = [key for key in keys if key in DATE_COLUMNS]
        read_date = remembered_dates()
        seen = 0
        for line, values in self._raw(start, before):
            if not any(values):  # text or None (``_cell_text``): blank when all are "" or None
                continue
            seen += 1
            if seen <= skip:
                continue
            if quick and len(values) == width and not _CONTROL.search("".join(values)):
                quick_row: dict[str, Any] = {"__line__": line}
                if all(map(str.strip, values)):  # no blank value: the row as it is
                    quick_row.update(zip(keys, values, strict=True))
                else:
                    for name, text in zip(keys, values, strict=True):
                        quick_row[name] = text if text.strip() else None
                for name in dates:
                    quick_row[name] = quick_row[name] and read_date(quick_row[name])
                yield quick_row
                continue
            row = self._row(line, values, self.problems)
            if row is not None:
                yield row

    def count(self, records: Iterable[list[Any]]) -> int:
        """How many rows ``rows`` would yield of these CSV records (their problems untold)."""
        width = len(self.columns)
        quick = None not in self.columns
        kept = 0
        untold: list[BadRow] = []
        for values in records:
            if not any(values):
                continue
            if ((quick and len(values) == width and not _CONTROL.search("".join(values)))
                    or self._row(0, values, untold) is not None):
                kept += 1
        return kept

    def _row(self, line: int, values: list[Any], problems: list[BadRow]
             ) -> dict[str, Any] | None:
        """A record off the quick path: its row, or None with its problem in ``problems``."""
        width = len(self.columns)
        extra = [v for v in values[width:] if v not in (None, "")]
        if extra:
            problems.append(BadRow(
                self.file, line, "ROW_TOO_LONG",
                f"{len(values)} fields but the header has {width} columns "
                f"(extra value {str(extra[0])[:40]!r} after column {width})"))
            return None
        row: dict[str, Any] = {"__line__": line}
        for number, (key, value) in enumerate(zip(self.columns, values, strict=False), 1):
            if key is None:
                if value not in (None, ""):
                    problems.append(BadRow(self.file, line, "UNNAMED_COLUMN",
                                           f"column {number} has a value but no header"))
                    return None
                continue
            if value is not None and _CONTROL.search(value):
                problems.append(BadRow(
                    self.file, line, "CONTROL_CHARACTER",
                    f"{key} contains a control character (such as NUL); remove it"))
                return None
            if value is not None and value.strip() == "":
                value = None
            if value is not None and key in DATE_COLUMNS:
                value = _loose_date(value)
            row[key] = value
        return row

    def estimate(self) -> int:
        """About how many data rows follow the header, cheaply (for progress bars): lines of a
        CSV file, the dimension of a sheet."""
        if self.encoding is None:
            import openpyxl

            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            try:
                sheet = book[self.sheet] if self.sheet else book.worksheets[0]
                return max(0, (sheet.max_row or 1) - 1)
            finally:
                book.close()
        with self.path.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)


def _header_values(path: Path, encoding: str | None, delimiter: str,
                   sheet: str | None) -> list[str | None]:
    if encoding is None:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise BadFile([BadRow(path.name, 1, "UNKNOWN_SHEET",
                                      f"no sheet {sheet!r}; the workbook has "
                                      f"{', '.join(book.sheetnames)}")])
            first = next((book[sheet] if sheet else book.worksheets[0])
                         .iter_rows(max_row=1, values_only=True), ())
            return [_cell_text(v) for v in first]
        finally:
            book.close()
    with path.open(newline="", encoding=encoding) as handle:
        try:
            return list(next(csv.reader(handle, delimiter=delimiter), []))
        except csv.Error as exc:
            raise BadFile([BadRow(path.name, 1, "BAD_FIELD", f"unreadable header ({exc})")]) \
                from exc


def open_table(path: Path, required: Sequence[str], optional: Sequence[str] = (), *,
               encoding: str | None = None, sheet: str | None = None,
               delimiter: str | None = None) -> Table:
    """Open ``path`` (.xlsx by its suffix, else CSV) and check its header against the columns;
    raise ``BadFile`` naming every missing, unknown or repeated column."""
    known = [*required, *optional]
    is_xlsx = path.suffix.lower() in {".xlsx", ".xlsm"}
    separator = _DELIMITER_NAMES.get((delimiter or ",").lower(), delimiter or ",")
    if len(separator) != 1:
        raise BadFile([BadRow(path.name, 1, "BAD_DELIMITER",
                              f"the delimiter must be one character, not {delimiter!r}")])
    chosen: str | None = None
    if not is_xlsx:
        chosen, problem = _detect_encoding(path, encoding)
        if problem:
            raise BadFile([problem])
    try:
        header = _header_values(path, chosen, separator, sheet)
    except (OSError, KeyError, ValueError) as exc:
        if isinstance(exc, BadFile):
            raise
        raise BadFile([BadRow(path.name, 1, "UNREADABLE", f"cannot read the file ({exc})")]) \
            from exc
    if header and header[0]:
        header[0] = header[0].lstrip("\ufeff")
    match = column_matcher({key: CHINESE_HEADERS.get(key, ()) for key in known})
    problems: list[BadRow] = []
    columns: list[str | None] = []
    for number, title in enumerate(header, start=1):
        if title is None or not title.strip():
            columns.append(None)
            continue
        key, why = match(title)
        if key is None:
            problems.append(BadRow(path.name, 1, "UNKNOWN_COLUMN",
                                   f"column {number} {title!r}: {why} column; expected "
                                   f"{', '.join(header_label(k) for k in known)}"))
        elif key in columns:
            problems.append(BadRow(path.name, 1, "DUPLICATE_COLUMN",
                                   f"column {number} {title!r} repeats {key}"))
        columns.append(key)
    missing = [k for k in required if k not in columns]
    if missing:
        hint = ""
        joined = "".join(t or "" for t in header)
        for mark, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if len([t for t in header if t]) == 1 and mark in joined and mark != separator:
                hint = (f"; the header looks separated by {name}: save the file as "
                        f"'CSV UTF-8 (comma delimited)', or pass --delimiter "
                        f"{'tab' if mark == chr(9) else repr(mark)}")
        problems.insert(0, BadRow(path.name, 1, "MISSING_COLUMN",
                                  f"columns {', '.join(missing)} are required (expected: "
                                  f"{', '.join(header_label(k) for k in known)}){hint}"))
        if hint:
            problems = problems[:1]
    if problems:
        raise BadFile(problems)
    while columns and columns[-1] is None:
        columns.pop()
    return Table(path, columns, chosen, separator, sheet)
