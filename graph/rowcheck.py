"""Field checks for record batches (demand records, teachers, teacher evidence).

A batch is validated whole before anything is written (the embedded engine has no
multi-statement transactions): every problem of every row is collected as a ``RowError``
with a stable code, and the writers write nothing while any remain. Rows come from GraphQL
(dates as ``date``, numbers as numbers) or from files (everything text), so each check
accepts both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graph.batches import MAX_BATCH, BatchOutcome, RowError

__all__ = ["MAX_BATCH", "BatchOutcome", "RowCheck", "RowError", "check_size", "split_codes"]

MAX_TEXT = 200
_SPLIT_CODES = re.compile(r"[\s,，;；、|]+")
_SPLIT_TEXTS = re.compile(r"\s*[,，;；、|\n]\s*")


def check_size(rows: Sequence[Any]) -> None:
    if len(rows) > MAX_BATCH:
        raise ValueError(f"a batch holds at most {MAX_BATCH} rows, got {len(rows)}")


def split_codes(value: Any, *, texts: bool = False) -> list[str]:
    """A list given as a list (GraphQL) or as text ('C-1; C-2', 'C-1、C-2') from a file;
    ``texts``: items may hold spaces ('Data Science; 人工智能技术应用')."""
    if value is None:
        return []
    pattern = _SPLIT_TEXTS if texts else _SPLIT_CODES
    items = value if isinstance(value, list | tuple) else pattern.split(str(value))
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


class RowCheck:
    """Collects every problem of every row of one batch."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.errors: list[RowError] = []

    def fail(self, index: int, code: str, message: str, field: str | None = None,
             other: int | None = None) -> None:
        self.errors.append(RowError(index, code, message, field, other))

    def text(self, index: int, row: Mapping[str, Any], name: str, *,
             required: bool = True, limit: int = MAX_TEXT) -> str | None:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        text = " ".join(str(value).split())
        if len(text) > limit:
            self.fail(index, "FIELD_TOO_LONG", f"{name} is longer than {limit} characters", name)
            return None
        return text

    def whole(self, index: int, row: Mapping[str, Any], name: str, low: int, high: int,
              code: str, *, names: Mapping[str, int] | None = None) -> int | None:
        """A whole number in low..high (text such as '3' or '3.0', or a name in ``names``)."""
        value = row.get(name)
        if value is None or value == "":
            self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        if names and isinstance(value, str) and value.strip() in names:
            return names[value.strip()]
        number = self._decimal(value)
        if number is None or number != number.to_integral_value() or not low <= number <= high:
            self.fail(index, code, f"{name} must be a whole number in {low}..{high}, "
                      f"got {value!r}", name)
            return None
        return int(number)

    def hours(self, index: int, row: Mapping[str, Any], name: str, *,
              required: bool, high: int = 5000) -> Decimal | None:
        """Hours with at most one decimal place (1.5 h), kept exact for sums."""
        value = row.get(name)
        if value is None or value == "":
            if required:
                self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        number = self._decimal(value)
        if number is None or not 0 < number <= high or number != round(number, 1):
            self.fail(index, "HOURS_OUT_OF_RANGE", f"{name} must be a number in (0, {high}] "
                      f"with at most one decimal, got {value!r}", name)
            return None
        return number

    @staticmethod
    def _decimal(value: Any) -> Decimal | None:
        if isinstance(value, bool):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None

    def day(self, index: int, row: Mapping[str, Any], name: str, *,
            not_after: date | None = None) -> str | None:
        """An ISO date (a ``date``, or text YYYY-MM-DD) as text; not later than ``not_after``."""
        value = row.get(name)
        if value is None or value == "":
            self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip()[:10])
            except ValueError:
                self.fail(index, "BAD_DATE", f"{name} {value!r} is not a date (YYYY-MM-DD)",
                          name)
                return None
        if not_after is not None and day > not_after:
            self.fail(index, "FUTURE_DATE", f"{name} {day.isoformat()} is in the future", name)
            return None
        return day.isoformat()

    def choice(self, index: int, row: Mapping[str, Any], name: str,
               accepted: Mapping[str, str], code: str, *, required: bool = True) -> str | None:
        """One of a closed set, by its stored value or any accepted name (case-insensitive)."""
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        key = str(getattr(value, "value", value)).strip().casefold()
        lookup = {k.casefold(): v for k, v in accepted.items()}
        if key not in lookup:
            shown = ", ".join(sorted(set(accepted.values())))
            self.fail(index, code, f"{name} {value!r} is not one of {shown}", name)
            return None
        return lookup[key]

    def duplicate(self, index: int, key: tuple[Any, ...], seen: dict[tuple[Any, ...], int],
                  what: str) -> bool:
        if key in seen:
            self.fail(index, "DUPLICATE_ROW", f"same {what} as row {seen[key]}", other=seen[key])
            return True
        seen[key] = index
        return False

    def outcome(self) -> BatchOutcome:
        return BatchOutcome(errors=list(self.errors))
