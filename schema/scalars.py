"""The API's date-time scalar: RFC 3339 with an offset, always.

Strawberry's built-in ``DateTime`` prints ``datetime.isoformat()``, so a naive value (the store
keeps evidence times as the row gave them, often a bare day) went out as
``2024-12-03T00:00:00`` — a time no client can place. Naive values are UTC here (every time
the service writes is UTC), so they are sent with ``+00:00``.
"""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types.scalar import ScalarDefinition

__all__ = ["DATETIME", "SCALAR_OVERRIDES", "serialize_datetime"]


def serialize_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_datetime(value: object) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


DATETIME = strawberry.scalar(
    name="DateTime",
    description="A date-time in RFC 3339 with its offset (UTC when the record gave none), "
                "e.g. 2024-12-03T00:00:00+00:00. 日期时间（RFC 3339，含时区偏移）",
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339",
    serialize=serialize_datetime, parse_value=_parse_datetime)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DATETIME}
