"""``Table.rows`` reads a plain CSV record (as wide as a header that names every column) in
one pass; it must read every record exactly as the general path does — blanks, whitespace,
control characters, short and long records, loose and ISO dates alike."""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from service.tabular import BadRow, open_table

REQUIRED = ("code", "college", "program", "enrolledOn")
OPTIONAL = ("classLabel",)
HEADER = ["code", "college", "program", "classLabel", "enrolledOn"]

plain = st.text(alphabet="S01 -/年月日.\tａ２", max_size=12)
dates = st.sampled_from(["2024/9/1", "2024年9月1日", " 2024-09-01", "2024-13-01",
                         "２０２４-０９-０１", "2024-09-31", "2024-9-01", "", " ", "\t"])
field = st.one_of(  # a control character in one field in six sends a record down the other path
    plain, plain, dates, dates,
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat),
    st.sampled_from(["S\x00", "\x07", "2024-09-01\x1f"]),
)
record = st.lists(field, min_size=4, max_size=6)


def _read(header: list[str], records: list[list[str]]) -> tuple[list[dict[str, object]],
                                                                list[BadRow]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(records)
        table = open_table(path, REQUIRED, OPTIONAL, encoding="utf-8")
        return list(table.rows()), [(p.line, p.code) for p in table.problems]  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(records=st.lists(record, max_size=8))
def test_the_one_pass_reads_every_record_as_the_general_path(records: list[list[str]]) -> None:
    # An unnamed (blank) header column sends every record down the general path.
    general = _read([HEADER[0], "", *HEADER[1:]], [[r[0], "", *r[1:]] for r in records])
    assert _read(HEADER, records) == general


def test_dates_as_excel_writes_them_read_as_iso() -> None:
    rows, problems = _read(HEADER, [["S1", "C", "P", "A", "2024/9/1"],
                                    ["S2", "C", "P", "", "２０２４-０９-０１"],
                                    ["S3", "C", "P", " ", "2024-09-01"]])
    assert problems == []
    assert [(r["code"], r["classLabel"], r["enrolledOn"]) for r in rows] == [
        ("S1", "A", "2024-09-01"), ("S2", None, "2024-09-01"), ("S3", None, "2024-09-01")]
