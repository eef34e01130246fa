"""The GraphQL API (strawberry): types, queries, limits and per-request context."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
)

from schema.access import ANONYMOUS, Principal, Role
from schema.context import Context, Limits
from schema.errors import ApiError, should_mask
from schema.limits import cost_rule
from schema.query import Query

__all__ = ["ANONYMOUS", "ApiError", "Context", "Limits", "Principal", "Role", "build_schema"]


def build_schema(*, max_depth: int = 12, max_cost: int = 50_000,
                 limits: Limits | None = None) -> strawberry.Schema:
    limits = limits or Limits()
    # Instances are what strawberry documents for these extensions; its type hint is narrower.
    extensions: list[Any] = [
        QueryDepthLimiter(max_depth=max_depth),
        MaxAliasesLimiter(max_alias_count=30),
        AddValidationRules([cost_rule(max_cost, limits.max_page_size,
                                      limits.default_page_size)]),
        MaskErrors(should_mask_error=should_mask),
    ]
    return strawberry.Schema(query=Query, extensions=extensions)
