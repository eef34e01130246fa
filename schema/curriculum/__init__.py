"""Curriculum design in GraphQL: edit drafts, version frameworks, diff them, check programs.

Edits are for designers and admins (``CanEditFrameworks``); every edit mutation answers
with a payload whose ``errors`` list the refusals (nothing is written when there is one).
Omitted input fields keep the stored value; a list that is given replaces the stored list.
Inputs, payloads, report types, the query and the mutation each have their module.
"""

from schema.curriculum.mutation import CurriculumMutation
from schema.curriculum.query import CurriculumQuery

__all__ = ["CurriculumMutation", "CurriculumQuery"]
