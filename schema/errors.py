"""Expected failures carry a stable ``code``; anything else is masked as 'Unexpected error.'"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from graph.errors import StoreTimeout, StoreUnavailable

__all__ = ["STORE_TIMEOUT", "STORE_UNAVAILABLE", "ApiError", "UserError", "error_code",
           "is_expected", "should_mask"]

STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
STORE_TIMEOUT = "STORE_TIMEOUT"


class ApiError(Exception):
    """A failure the caller can act on, reported with ``extensions.code``."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.details}


def is_expected(error: GraphQLError) -> bool:
    """Validation, limits, our own codes, the store being away for a moment, and a read
    running past the timeout the service sets for HTTP callers."""
    original = error.original_error
    return original is None or isinstance(
        original, ApiError | GraphQLError | StoreUnavailable | StoreTimeout)


def error_code(error: GraphQLError) -> str | None:
    """The stable code of an expected error (``None``: an internal failure)."""
    if isinstance(error.original_error, StoreUnavailable):
        return STORE_UNAVAILABLE
    if isinstance(error.original_error, StoreTimeout):
        return STORE_TIMEOUT
    if not is_expected(error):
        return None
    code = (error.extensions or {}).get("code")
    return str(code) if code else "GRAPHQL_VALIDATION_FAILED"


def should_mask(error: GraphQLError) -> bool:
    """Validation and our own errors are shown; internal ones are not (they are logged)."""
    return not is_expected(error)


@strawberry.type(description="An expected failure of a mutation: a stable code, a message, "
                             "and where (the row index in a batch, the field).")
class UserError:
    code: str = strawberry.field(description="Stable code, e.g. UNKNOWN_CODE")
    message: str = strawberry.field(description="What is wrong, for a person")
    index: int | None = strawberry.field(default=None,
                                         description="The row of the batch (0-based)")
    field: str | None = strawberry.field(default=None,
                                         description="The input field, e.g. requirements[0].level")
