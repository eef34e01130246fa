"""Structured (JSON lines) logs with UTC timestamps and the request id of each line.

Only operational facts are logged: never query text, variables, tokens or student records
(a test scans the service's whole log for the student codes it used).
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import traceback
from types import TracebackType
from typing import Any

__all__ = ["REQUEST_ID", "JsonFormatter", "configure_logging"]

_STANDARD = set(vars(logging.makeLogRecord({})))

# The id of the HTTP request being served (from X-Request-ID or generated), for every line.
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                        default=None)


def _utc(created: float) -> str:
    """ISO-8601 in UTC with milliseconds and the zone: 2026-01-31T08:15:02.123Z."""
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{whole}.{int(created % 1 * 1000):03d}Z"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items()
                      if k not in _STANDARD and not k.startswith("_") and k != "color_message"})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatException(self, ei: Any) -> str:
        """The stack and the exception types, without their messages: a message may quote
        a value (a student code in a KeyError, a query parameter in a store error)."""
        return _without_messages(ei[1])


def _without_messages(error: BaseException | None) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        trace: TracebackType | None = error.__traceback__
        parts.append("".join(traceback.format_tb(trace)) + type(error).__qualname__
                     + " (message withheld)")
        error = error.__cause__ or error.__context__
    return "\n-- while handling --\n".join(reversed(parts))


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # replaced by our request log
