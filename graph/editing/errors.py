"""Stable error codes (``UserError.code``) and the result of an edit.

A refusal is a ``graph.rules.RuleError`` located at its batch row (``index``) and input path
(``field``): the same shape the seed validator reports, so a rule reads the same wherever
it is broken. The framework rules' codes live in ``graph.rules`` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.rules import (
    DUPLICATE_CODE,
    INVALID_CODE,
    INVALID_VALUE,
    MISSING_FIELD,
    PREREQUISITE_CYCLE,
    PROFICIENCY_ABOVE_LEVEL_MAX,
    PROFICIENCY_OUT_OF_RANGE,
    UNKNOWN_CODE,
    RuleError,
)

__all__ = [
    "DUPLICATE_CODE", "FRAMEWORK_FROZEN", "FRAMEWORK_NOT_FOUND", "INVALID_CODE",
    "INVALID_VALUE", "IN_USE", "MISSING_FIELD", "PREREQUISITE_CYCLE",
    "PROFICIENCY_ABOVE_LEVEL_MAX", "PROFICIENCY_OUT_OF_RANGE", "UNKNOWN_CODE", "EditError",
    "EditResult",
]

# Codes of the editing workflow itself (the framework rules' codes are in graph.rules).
FRAMEWORK_NOT_FOUND = "FRAMEWORK_NOT_FOUND"
FRAMEWORK_FROZEN = "FRAMEWORK_FROZEN"
IN_USE = "IN_USE"

# An expected refusal: stable ``code``, a message, the batch ``index`` and ``field``.
EditError = RuleError


@dataclass
class EditResult:
    """Either ``errors`` (nothing was written) or the ``codes`` written and the audit entry."""

    errors: list[EditError] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    audit: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors
