"""Input bounds: the one place that says how long, how large and how clean a value may be.

Why here, in the lowest layer: the GraphQL boundary (``schema.inputs``) and the writers that
CSV imports reach (``graph.learners``) must refuse the same things. One of them protects the
embedded engine itself: FalkorDB 4.16's uniqueness check (``EnforceUniqueEntity``) crashes the
whole engine (SIGSEGV) on a uniquely-keyed string over 4,096 bytes — measured: 4,096 bytes
pass, 4,098 kill it — and every ``uid`` is built from codes. Codes are therefore bounded
far below that (``KEY_BYTES_MAX`` is the guard for built keys).

Each kind has a maximum length in characters; every string is also refused when it holds
NUL or other control characters (tab and newline are allowed in prose kinds) or a lone
surrogate (which no encoder can write).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "KEY_BYTES_MAX", "KINDS", "NUMBERS", "BoundViolation", "Kind", "NumberRange", "check_key",
    "check_number", "check_text",
]

KEY_BYTES_MAX = 1024  # the engine dies above 4,096 bytes of a unique key; codes stay far below


class BoundViolation(ValueError):
    """A value outside its declared bounds; ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Kind:
    """What one kind of string may be."""

    name: str
    max_chars: int
    prose: bool = False  # tabs and line breaks allowed (descriptions, descriptors)
    trimmed: bool = True  # no leading/trailing whitespace: "  SPX  " is not the code "SPX"
    date: bool = False  # an ISO date (YYYY-MM-DD) or date-time


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("code", 64),  # element, student, college, framework codes; ids CODE@VERSION
    Kind("label", 200),  # names, class labels, terms, issuers
    Kind("descriptor", 4000, prose=True, trimmed=False),  # descriptions, descriptors
    Kind("source", 1000, prose=True, trimmed=False),  # where a text comes from
    Kind("search", 100, trimmed=False),  # free search text
    Kind("cursor", 200),  # opaque page cursors
    Kind("id", 400),  # ids: framework ids, or global (Relay) ids that encode type and key
    Kind("date", 32, date=True),  # ISO dates or date-times
    Kind("text", 1000, prose=True, trimmed=False),  # anything not declared otherwise
)}


@dataclass(frozen=True, slots=True)
class NumberRange:
    """The finite range a number of one kind must lie in."""

    low: float
    high: float


NUMBERS: dict[str, NumberRange] = {
    "count": NumberRange(0, 10_000),  # first, limit: page sizes are capped again later
    "proficiency": NumberRange(0, 10),
    "semester": NumberRange(0, 30),
    "score": NumberRange(0, 1_000_000),  # scores, maxima, grades, credits, hours, weights
    "number": NumberRange(-1_000_000_000, 1_000_000_000),  # anything not declared otherwise
}

# Control characters (C0, DEL, C1) except tab/newline/carriage return, and lone surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_STRICT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(kind: Kind, value: str) -> None:
    """Raise ``BoundViolation`` unless ``value`` is an acceptable string of ``kind``."""
    if len(value) > kind.max_chars:
        raise BoundViolation("VALUE_TOO_LONG",
                             f"at most {kind.max_chars} characters ({kind.name}), "
                             f"got {len(value)}")
    pattern = _CONTROL if kind.prose else _CONTROL_STRICT
    found = pattern.search(value)
    if found is not None:
        what = ("an unpaired surrogate" if "\ud800" <= found.group() <= "\udfff"
                else f"control character U+{ord(found.group()):04X}")
        raise BoundViolation("INVALID_CHARACTER", f"{what} at position {found.start()}")
    if kind.trimmed and value != value.strip():
        raise BoundViolation("UNTRIMMED_VALUE",
                             f"a {kind.name} may not start or end with whitespace")
    if kind.date and value:
        try:
            if len(value) == 10:
                date.fromisoformat(value)
            else:
                datetime.fromisoformat(value)
        except ValueError:
            raise BoundViolation("INVALID_DATE",
                                 f"{value!r} is not a real ISO date (YYYY-MM-DD)") from None


def check_number(kind: str, value: float) -> None:
    """Raise ``BoundViolation`` unless ``value`` is finite and inside the kind's range."""
    bounds = NUMBERS.get(kind, NUMBERS["number"])
    if isinstance(value, float) and not math.isfinite(value):
        raise BoundViolation("NUMBER_OUT_OF_RANGE", "numbers must be finite")
    if not bounds.low <= value <= bounds.high:
        raise BoundViolation("NUMBER_OUT_OF_RANGE",
                             f"{value} is outside {bounds.low:g}..{bounds.high:g} ({kind})")


def check_key(value: str) -> str:
    """A key the store will index as unique (a ``uid``): refuse what could crash the engine."""
    if len(value.encode("utf-8", "surrogatepass")) > KEY_BYTES_MAX:
        raise BoundViolation("VALUE_TOO_LONG", f"a key may hold at most {KEY_BYTES_MAX} bytes")
    if _CONTROL_STRICT.search(value):
        raise BoundViolation("INVALID_CHARACTER", "a key may not hold control characters")
    return value
