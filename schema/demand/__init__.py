"""The skills-demand database in GraphQL (行业-企业-院校三方联动技能需求动态数据库)."""

from schema.demand.query import DemandMutation, DemandQuery

__all__ = ["DemandMutation", "DemandQuery"]
