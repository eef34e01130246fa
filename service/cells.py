"""A cell's text as an import reads it: .xlsx values as a CSV would hold them, and dates as
Excel on Chinese Windows writes them read as ISO (``service.tabular``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

__all__ = ["cell_text", "loose_date", "remembered_dates"]

_LOOSE_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def cell_text(value: Any) -> str | None:
    """An .xlsx cell as the text a CSV would hold (dates as ISO, 85.0 as 85)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def loose_date(text: str) -> str:
    """Excel on Chinese Windows writes dates as 2024/9/1 (or 2024年9月1日): read them as ISO.
    Text that is no real date is left as it is, for the row check to report."""
    if (len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii()
            and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit()):
        return text  # ISO already (the row check tells a real date from 2024-09-31)
    found = _LOOSE_DATE.match(text.strip())
    if not found:
        return text
    y, m, d, hh, mm, ss = found.groups()
    try:
        day = date(int(y), int(m), int(d))
        if hh is None:
            return day.isoformat()
        return datetime.combine(day, time(int(hh), int(mm), int(ss or 0))).isoformat()
    except ValueError:
        return text


def remembered_dates(limit: int = 4096) -> Callable[[str], str]:
    """``loose_date`` remembering the texts it read (a file repeats its dates), up to
    ``limit`` of them at a time."""
    read: dict[str, str] = {}

    def as_iso(text: str) -> str:
        iso = read.get(text)
        if iso is None:
            if len(read) >= limit:
                read.clear()
            iso = read[text] = loose_date(text)
        return iso

    return as_iso
