"""Expected failures carry a stable ``code``; anything else is masked as 'Unexpected error.'"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

__all__ = ["ApiError", "UserError", "is_expected", "should_mask"]


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
    original = error.original_error
    return original is None or isinstance(original, ApiError | GraphQLError)


def should_mask(error: GraphQLError) -> bool:
    """Validation and our own errors are shown; internal ones are not (they are logged)."""
    return not is_expected(error)


@strawberry.type(description="An expected failure of a mutation: a stable code, a message, "
                             "and where (the row index in a batch, the field).")
class UserError:
    code: str
    message: str
    index: int | None = None
    field: str | None = None
