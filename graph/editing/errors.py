"""Stable error codes (``UserError.code``) and the result of an edit."""

from __future__ import annotations

from dataclasses import dataclass, field

# Stable error codes (UserError.code).
FRAMEWORK_NOT_FOUND = "FRAMEWORK_NOT_FOUND"
FRAMEWORK_FROZEN = "FRAMEWORK_FROZEN"
DUPLICATE_CODE = "DUPLICATE_CODE"
INVALID_CODE = "INVALID_CODE"
UNKNOWN_CODE = "UNKNOWN_CODE"
MISSING_FIELD = "MISSING_FIELD"
INVALID_VALUE = "INVALID_VALUE"
PROFICIENCY_OUT_OF_RANGE = "PROFICIENCY_OUT_OF_RANGE"
PROFICIENCY_ABOVE_LEVEL_MAX = "PROFICIENCY_ABOVE_LEVEL_MAX"
PREREQUISITE_CYCLE = "PREREQUISITE_CYCLE"
IN_USE = "IN_USE"


@dataclass(frozen=True, slots=True)
class EditError:
    """An expected refusal: stable ``code``, a message, the batch ``index`` and ``field``."""

    code: str
    message: str
    index: int | None = None
    field: str | None = None


@dataclass
class EditResult:
    """Either ``errors`` (nothing was written) or the ``codes`` written and the audit entry."""

    errors: list[EditError] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    audit: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors
