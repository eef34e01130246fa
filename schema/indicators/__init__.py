"""GraphQL for the evaluation side of the framework: the indicator system (评价指标体系),
sample assessment items, crosswalks to UNESCO's AI competency frameworks, consolidations,
and the verifiable facts on majors, jobs and certifications.

Root fields live in ``EvaluationQuery`` (merged into the Query in ``schema/__init__.py``).
Everything here is framework content: readable wherever the framework version is.
Types and enums in ``types``, the root fields in ``query``.
"""

from schema.indicators.query import EvaluationQuery

__all__ = ["EvaluationQuery"]
