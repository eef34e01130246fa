"""Field-level permissions: declared on the fields they guard, not sprinkled in resolvers."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from schema.context import Context

__all__ = ["CanEditFrameworks", "CanReadStudents"]


class CanEditFrameworks(BasePermission):
    """Designers (课程/专业建设团队) and admins edit frameworks and programs."""

    message = "only designers and admins may edit frameworks"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.principal.can_edit_frameworks


class CanReadStudents(BasePermission):
    """Student data needs a college role (its own college only, checked per record) or admin."""

    message = "student data needs a college or admin token"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.principal.role.value in {"admin", "college"}
