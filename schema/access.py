"""Who is asking: the caller's role and, for college roles, its college.

Roles (角色): ``admin`` everything; ``designer`` (课程/专业建设团队) reads and edits frameworks,
including drafts; ``college`` (院校) reads the published framework and its own college's
students; ``reader`` and anonymous callers read the published framework only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ANONYMOUS", "Principal", "Role"]


class Role(StrEnum):
    ADMIN = "admin"
    DESIGNER = "designer"
    COLLEGE = "college"
    READER = "reader"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject: str = "anonymous"
    college: str | None = None

    @property
    def can_see_drafts(self) -> bool:
        return self.role in {Role.ADMIN, Role.DESIGNER}

    @property
    def can_edit_frameworks(self) -> bool:
        return self.role in {Role.ADMIN, Role.DESIGNER}

    def can_see_college(self, college: str) -> bool:
        """Student data: admins everywhere, a college role only at its own college."""
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.COLLEGE and self.college == college


ANONYMOUS = Principal(Role.ANONYMOUS)
