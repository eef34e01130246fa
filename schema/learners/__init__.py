"""Students, evidence and gap analysis in GraphQL.

Student data is visible to callers of the student's own college and to admins only; the
field permission admits the roles, and each resolver checks the record's college.
Standing, record batches, the Student type, cohorts, the query and the mutation each have
their module.
"""

from schema.learners.mutation import LearnerMutation
from schema.learners.query import LearnerQuery, _program_uid
from schema.learners.standing import EvidenceRef, _require_college
from schema.learners.student import Student

__all__ = ["EvidenceRef", "LearnerMutation", "LearnerQuery", "Student", "_program_uid",
           "_require_college"]
