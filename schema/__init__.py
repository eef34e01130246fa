"""The GraphQL API (strawberry): types, queries, limits and per-request context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.access import ANONYMOUS, Principal, Role
from schema.context import Context, Limits
from schema.curriculum import CurriculumMutation, CurriculumQuery
from schema.dashboard import DashboardQuery
from schema.demand import DemandMutation, DemandQuery
from schema.errors import ApiError, is_expected, should_mask
from schema.glossary import describe
from schema.indicators import EvaluationQuery
from schema.learners import LearnerMutation, LearnerQuery
from schema.limits import QueryLimits, limits_rule
from schema.matching import MatchingQuery
from schema.node_query import NodeQuery
from schema.privacy import PrivacyMutation, PrivacyQuery
from schema.query import FrameworkQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.teachers import TeacherMutation, TeacherQuery

__all__ = ["ANONYMOUS", "ApiError", "Context", "Limits", "Principal", "Role", "build_schema"]


log = logging.getLogger("competency_graph.graphql")

# Each area of the API owns its root fields in its own module; they are merged here.
QUERY_PARTS: list[type] = [FrameworkQuery, LearnerQuery, CurriculumQuery, PrivacyQuery,
                           DashboardQuery]
QUERY_PARTS.append(DemandQuery)  # skills-demand database
QUERY_PARTS.append(TeacherQuery)  # teachers and their standard
QUERY_PARTS.append(EvaluationQuery)  # indicator system, items, crosswalks
QUERY_PARTS.append(NodeQuery)  # Relay node(id:) / nodes(ids:)
QUERY_PARTS.append(MatchingQuery)  # job roles for a student, students for a job role
MUTATION_PARTS: list[type] = [LearnerMutation, CurriculumMutation, PrivacyMutation]
MUTATION_PARTS.append(DemandMutation)
MUTATION_PARTS.append(TeacherMutation)


def build_schema(*, max_depth: int = 12, max_cost: int = 50_000,
                 limits: Limits | None = None,
                 query_limits: QueryLimits | None = None) -> strawberry.Schema:
    """The schema. The HTTP view (``service.graphql_http``) runs graphql-core itself with
    its own checks; the extensions here serve ``Schema.execute`` (tests, benchmarks) with
    the same limits."""
    limits = limits or Limits()
    query_limits = query_limits or QueryLimits(
        max_depth=max_depth, max_cost=max_cost, page_cap=limits.max_page_size,
        default_page=limits.default_page_size)
    # The rule class is built once: the validation cache is keyed by the rule set.
    rules: list[Any] = [limits_rule(query_limits)]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]
    query = merge_types("Query", tuple(QUERY_PARTS))
    mutation = merge_types("Mutation", tuple(MUTATION_PARTS)) if MUTATION_PARTS else None
    schema = _Schema(query=query, mutation=mutation, extensions=extensions,
                     scalar_overrides=SCALAR_OVERRIDES)
    describe(schema._schema)
    return schema


class _Schema(strawberry.Schema):
    """Logs unexpected errors with their traceback; expected ones (validation, permissions,
    typed API errors) only by code, so the log holds no query text or record identifiers."""

    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if is_expected(error):
                code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION")
                log.info("graphql error", extra={"code": code})
            else:
                super().process_errors([error], execution_context)
