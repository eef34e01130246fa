"""Writing tables for people: import templates and report exports as .xlsx or CSV.

CSV is written as UTF-8 with a BOM, which Excel on Chinese Windows opens without garbling;
.xlsx gets a bold, frozen header row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from service.import_kinds import IMPORT_KINDS
from service.importer import COLUMNS
from service.tabular import header_label

__all__ = ["FORMATS", "SAMPLE_ROWS", "Sheet", "table_bytes", "template_bytes"]

FORMATS = ("xlsx", "csv")
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # title, header, rows

# One valid row per kind against the reference seed (a demo college's GZ programme).
SAMPLE_ROWS: dict[str, dict[str, Any]] = {
    "students": {"code": "S00001", "college": "COL-DEMO-GZ", "program": "P-AI-GZ",
                 "enrolledOn": "2024-09-01", "classLabel": "人工智能2401班"},
    "results": {"college": "COL-DEMO-GZ", "student": "S00001", "assessment": "A-GEN-GZ-01",
                "score": 85, "takenAt": "2025-01-10", "maxScore": 100},
    "completions": {"college": "COL-DEMO-GZ", "student": "S00001", "course": "C-GEN-GZ-01",
                    "term": "2024-2025-1", "grade": 88},
    "certifications": {"college": "COL-DEMO-GZ", "student": "S00001",
                       "certification": "CERT-1X-AIDL-M", "heldOn": "2025-06-30"},
    **{name: spec.sample for name, spec in IMPORT_KINDS.items()},
}


def table_bytes(sheets: Sequence[Sheet], fmt: str) -> bytes:
    """The sheets as one .xlsx workbook, or (CSV) the first sheet alone."""
    if fmt == "csv":
        title, header, rows = sheets[0]
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return text.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 4)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes(kind: str, fmt: str) -> bytes:
    """An import template of ``kind``: the headers (Chinese and key) and one sample row."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(COLUMNS)}")
    required, optional = COLUMNS[kind]
    keys = [*required, *optional]
    sample = SAMPLE_ROWS[kind]
    return table_bytes([(kind, [header_label(k) for k in keys], [[sample.get(k) for k in keys]])],
                       fmt)
