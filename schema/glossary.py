"""Descriptions of the names that mean the same on every type, written once.

A field called ``nameZh`` is the Chinese name wherever it appears, ``framework`` the version
id, ``first``/``after`` the page arguments. Rather than repeat those sentences on fifty
types (and let them drift), :func:`describe` gives every field, argument and input field
that has no description of its own the one below. A description written at the field wins.
What is left undescribed is counted by ``tests/test_schema_docs.py``.
"""

from __future__ import annotations

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

__all__ = ["ARGUMENTS", "FIELDS", "describe"]

# Output and input fields, by name.
FIELDS: dict[str, str] = {
    "code": "Stable code 代码, unique within its framework version (or college)",
    "nameZh": "名称（中文）· name in Chinese",
    "nameEn": "Name in English · 英文名称",
    "descriptionZh": "说明（中文）· description in Chinese",
    "descriptionEn": "Description in English · 英文说明",
    "descriptorZh": "表现描述（中文）· what the level asks, in Chinese",
    "descriptorEn": "What the level asks, in English · 英文表现描述",
    "source": "Citation: the policy text, standard or design note it comes from 出处",
    "framework": "Framework version id 框架版本 (CODE@VERSION, e.g. AIL@2025.1)",
    "errors": "Why nothing was written: every problem, each with a stable code (empty: done)",
    "codes": "Codes of the elements written",
    "auditEntryId": "The audit entry recorded for the change (null when nothing changed)",
    "competency": "The competency 能力",
    "competencyCode": "Competency code 能力代码",
    "competencies": "The competencies 能力",
    "levelCode": "Education level 层次 (ZZ 中职, GZ 高职专科, BK 职业本科)",
    "layerCode": "Competency layer 层面 (GEN 通识素养, PRO 专业技能, IND 行业能力)",
    "level": "The education level 层次",
    "layer": "The competency layer 层面",
    "proficiency": "Proficiency 熟练度 on the 1–4 scale (了解 · 运用 · 设计 · 创新)",
    "target": "The target proficiency 目标熟练度",
    "course": "The course 课程",
    "courses": "The courses 课程",
    "courseCode": "Course code 课程代码",
    "program": "The program 人才培养方案",
    "programCode": "Program code 培养方案代码",
    "majorCode": "Major code 专业代码",
    "industryCode": "Industry code 行业代码",
    "jobRole": "The job role 岗位",
    "jobRoleCode": "Job role code 岗位代码",
    "assessment": "The assessment 评价工具",
    "certification": "The enterprise certification 企业认证",
    "student": "Student code 学号 (pseudonymous)",
    "college": "College code 院校代码",
    "classLabel": "Class label 班级, as the college records it",
    "students": "Number of students 学生人数",
    "required": "Required proficiency 要求 (0: not required)",
    "attained": "Attained proficiency 已达到 (0: no evidence)",
    "essential": "An essential need 核心要求 (a gap here weighs most)",
    "weight": "Relative weight 权重",
    "credits": "Credits 学分",
    "hours": "Teaching hours 学时",
    "maxScore": "Full marks 满分",
    "score": "Score 成绩",
    "semester": "Semester 学期 (1–12)",
    "industry": "The industry 行业",
    "major": "The major 专业",
    "strands": "Strand codes 主线 (e.g. ETH 安全伦理)",
    "requires": "Prerequisite codes 先修 (the given list replaces the stored one)",
    "kind": "What kind it is",
    "at": "When (UTC) 时间",
    "id": "Stable id",
    "meeting": "Students meeting the requirement 达标人数",
    "share": "Share meeting it (meeting / students, 0–1)",
    "gapTotal": "Sum of the gaps 差距合计 (required − attained, over students)",
    "gap": "max(0, required − attained) 差距",
    "dimension": "Readiness dimension 维度 (GEN, PRO, IND, or ETH 伦理安全意识)",
    "readiness": "Readiness 准备度 per dimension",
    "placement": "Level reached per layer 各层面所处层次",
    "role": "The caller's role 角色",
    "subject": "The token subject 令牌主体 that acted",
    "message": "What happened, for a person",
    "value": "The value",
    "order": "Position in the list",
    "rank": "Position in the progression (1 = first)",
    "relationships": "Relationships removed 关系数",
    "teaches": "Competencies it teaches 所授能力, with the proficiency reached",
    "measures": "Competencies it measures 所测能力, with proficiency and weight",
    "needs": "Competencies it needs 所需能力, with proficiency and whether essential",
    "requirements": "Per-level requirements 各层次要求",
    "progressesTo": "Progressions to higher levels 向上衔接",
    "overrides": "Target overrides for this program 目标调整",
    "heldOn": "The day it was awarded 获证日期",
    "term": "Term 学期 it was completed, as the college names it",
    "grade": "Grade 成绩 (optional)",
    "issuerZh": "颁证机构（中文）· issuer in Chinese",
    "issuerEn": "Issuer in English · 英文颁证机构",
    "version": "Version label 版本号, e.g. 2025.1",
    "status": "Life-cycle status 状态",
    "region": "Region 地区 of the source",
}

# Arguments, by name (a field's own wording wins; then these; then FIELDS).
ARGUMENTS: dict[str, str] = {
    "framework": "Framework version id (CODE@VERSION); default: the latest published",
    "first": "Page size (default 20, at most the server's cap)",
    "after": "endCursor of the previous page",
    "search": "Substring of code, nameZh or nameEn",
    "code": "The code to look up",
    "college": "College code (a college token: its own, the default)",
    "level": "Only this level 层次",
    "layer": "Only this layer 层面",
    "strand": "Only this strand 主线 (e.g. ETH)",
    "major": "Only this major 专业",
    "industry": "Only this industry 行业",
    "program": "Only this program 培养方案",
    "classLabel": "Only this class 班级",
    "competency": "Only this competency 能力",
    "jobRole": "The job role code 岗位",
    "rows": "The rows of the batch (checked whole: one bad row writes nothing)",
    "input": "The elements to create or update (checked whole: one bad row writes nothing)",
    "codes": "Codes of the elements",
    "id": "Framework version id (CODE@VERSION)",
    "transitive": "All of them (transitively), not just the direct ones",
    "limit": "At most this many",
    "target": "What to measure against (default: the student's own program)",
    "asOf": "Count evidence and records up to this day (default: today, UTC)",
    "region": "Only records of this region 地区",
}


ROOTS = {
    "Query": "Reads 查询: the framework (public when published), curriculum reports, and the "
             "records of students, teachers and skills demand (by role).",
    "Mutation": "Writes 变更: draft editing and versions (designers), records of students, "
                "teachers and demand (colleges, designers); every batch is checked whole.",
}


def describe(schema: GraphQLSchema) -> GraphQLSchema:
    """Fill in the glossary's description wherever a field, argument or input field has
    none; returns the same schema."""
    for root in (schema.query_type, schema.mutation_type):
        if root is not None and not root.description:
            root.description = ROOTS.get(root.name)
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in type_.fields.items():
                if not field.description and name in FIELDS:
                    field.description = FIELDS[name]
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        arg.description = ARGUMENTS.get(arg_name) or FIELDS.get(arg_name)
        elif isinstance(type_, GraphQLInputObjectType):
            for name, input_field in type_.fields.items():
                if not input_field.description and name in FIELDS:
                    input_field.description = FIELDS[name]
    return schema
