"""The GraphQL API (strawberry): types, queries, limits and per-request context."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types

from schema.access import ANONYMOUS, Principal, Role
from schema.context import Context, Limits
from schema.curriculum import CurriculumMutation, CurriculumQuery
from schema.errors import ApiError, should_mask
from schema.learners import LearnerMutation, LearnerQuery
from schema.limits import cost_rule
from schema.query import FrameworkQuery

__all__ = ["ANONYMOUS", "ApiError", "Context", "Limits", "Principal", "Role", "build_schema"]


# Each area of the API owns its root fields in its own module; they are merged here.
QUERY_PARTS: list[type] = [FrameworkQuery, LearnerQuery, CurriculumQuery]
MUTATION_PARTS: list[type] = [LearnerMutation, CurriculumMutation]


def build_schema(*, max_depth: int = 12, max_cost: int = 50_000,
                 limits: Limits | None = None) -> strawberry.Schema:
    limits = limits or Limits()
    rule = cost_rule(max_cost, limits.max_page_size, limits.default_page_size)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: AddValidationRules([rule]),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
    query = merge_types("Query", tuple(QUERY_PARTS))
    mutation = merge_types("Mutation", tuple(MUTATION_PARTS)) if MUTATION_PARTS else None
    return strawberry.Schema(query=query, mutation=mutation, extensions=extensions)
