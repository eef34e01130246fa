"""The seed format's kinds, declared once: fields, nested parts, Chinese names, graph storage.

The framework workbook (a sheet per kind and part), the CASE package's extensions and the
export of a framework version from the graph back into seed entries are all driven by this
table, so a kind added to the seed comes along in every format by adding one ``Kind`` here
(and its label to ``graph.dump``). A field is read from the node property of the same name
unless ``edge`` names the relationship that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "Field", "Kind", "Part", "kind"]


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    zh: str
    type: str = "text"  # text | int | number | bool | codes (a list of codes)
    edge: str | None = None  # codes held as edges of this type (their targets' codes)


@dataclass(frozen=True, slots=True)
class Part:
    """A list (or, with ``keyed_by``, a map) of sub-entries, e.g. a course's ``teaches``.
    Stored as edges of type ``edge`` whose target is named by the first field, with the other
    fields as edge properties; ``node`` when they are properties of the target node instead
    (requirements are nodes of their own)."""

    key: str
    zh: str
    fields: tuple[Field, ...]
    edge: str | None = None
    keyed_by: str | None = None
    node: bool = False
    order: tuple[str, ...] = ()  # sort keys of the exported list (default: the first field)
    label: str = "Requirement"  # with ``node``: the sub-nodes' label …
    owner: str = "competency"  # … and their property naming the owner's code


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # the seed file kind (competencies.yaml, competencies-*.yaml)
    zh: str
    singular: str  # the parent column of its parts' sheets
    label: str  # graph label ('' for the framework itself)
    fields: tuple[Field, ...]
    parts: tuple[Part, ...] = ()
    shared: bool = False  # nodes shared by all versions (levels, layers, strands, colleges)


CODE = Field("code", "代码")
NAME_ZH = Field("nameZh", "名称（中文）")
NAME_EN = Field("nameEn", "名称（英文）")
DESC_ZH = Field("descriptionZh", "说明（中文）")
DESC_EN = Field("descriptionEn", "说明（英文）")
SOURCE = Field("source", "依据")
PROFICIENCY = Field("proficiency", "熟练度", "int")
COMPETENCY = Field("competency", "能力代码")
LEVEL = Field("level", "层次")
NAMED = (CODE, NAME_ZH, NAME_EN)
DESCRIBED = (DESC_ZH, DESC_EN, SOURCE)

KINDS: tuple[Kind, ...] = (
    Kind("framework", "框架", "framework", "",
         (CODE, Field("version", "版本"), NAME_ZH, NAME_EN, *DESCRIBED)),
    Kind("levels", "层次", "level", "Level",
         (CODE, Field("rank", "顺序", "int"), Field("maxProficiency", "最高熟练度", "int"),
          NAME_ZH, NAME_EN, *DESCRIBED), shared=True),
    Kind("layers", "层面", "layer", "Layer",
         (CODE, Field("order", "顺序", "int"), NAME_ZH, NAME_EN, *DESCRIBED), shared=True),
    Kind("strands", "贯穿线", "strand", "Strand", (*NAMED, *DESCRIBED), shared=True),
    Kind("industries", "行业", "industry", "Industry", (*NAMED, SOURCE)),
    Kind("majors", "专业", "major", "Major",
         (*NAMED, Field("industry", "行业"), Field("levels", "层次", "codes"), SOURCE,
          Field("categoryZh", "专业大类（中文）"), Field("categoryEn", "专业大类（英文）")),
         (Part("catalogCodes", "专业目录代码",
               (LEVEL, Field("catalogCode", "目录代码")), keyed_by="level"),
          Part("offerings", "分层次专业",
               (LEVEL, NAME_ZH, NAME_EN, Field("catalogCode", "目录代码"),
                Field("verified", "已核实", "bool"), Field("catalogSource", "核实出处")),
               edge="OFFERED_AS", node=True, order=("rank",), label="MajorOffering",
               owner="major"))),
    Kind("competencies", "能力", "competency", "Competency",
         (CODE, Field("layer", "层面"), Field("strands", "贯穿线", "codes"),
          Field("major", "专业"), Field("industry", "行业"), NAME_ZH, NAME_EN, DESC_ZH, DESC_EN,
          Field("requires", "前置能力", "codes", edge="REQUIRES"), SOURCE,
          Field("kind", "类型")),
         (Part("requirements", "层次要求",
               (LEVEL, PROFICIENCY, Field("descriptorZh", "描述（中文）"),
                Field("descriptorEn", "描述（英文）"), SOURCE, Field("consolidation", "巩固依据")),
               edge="HAS_REQUIREMENT", keyed_by="level", node=True, order=("rank",)),
          Part("progressesTo", "跨能力递进",
               (Field("from", "起点层次"), COMPETENCY, LEVEL), edge="PROGRESSES_TO",
               order=("from", "competency", "level")))),
    Kind("courses", "课程", "course", "Course",
         (CODE, LEVEL, Field("layer", "层面"), Field("kind", "类型"), Field("major", "专业"),
          Field("industry", "行业"), Field("credits", "学分", "number"),
          Field("hours", "学时", "int"), NAME_ZH, NAME_EN, DESC_ZH, DESC_EN,
          Field("requires", "先修课程", "codes", edge="REQUIRES"), SOURCE),
         (Part("teaches", "教授能力", (COMPETENCY, PROFICIENCY), edge="TEACHES"),)),
    Kind("assessments", "测评", "assessment", "Assessment",
         (CODE, LEVEL, Field("kind", "类型"), Field("maxScore", "满分", "int"),
          NAME_ZH, NAME_EN, *DESCRIBED),
         (Part("measures", "测评能力",
               (COMPETENCY, PROFICIENCY, Field("weight", "权重", "number")), edge="MEASURES"),)),
    Kind("certifications", "企业认证", "certification", "Certification",
         (CODE, Field("issuerZh", "颁发机构（中文）"), Field("issuerEn", "颁发机构（英文）"),
          NAME_ZH, NAME_EN, *DESCRIBED, Field("kind", "类型"), Field("verified", "已核实", "bool"),
          Field("verificationSource", "核实出处")),
         (Part("evidences", "证明能力", (COMPETENCY, PROFICIENCY), edge="EVIDENCES"),)),
    Kind("jobs", "岗位", "job", "JobRole",
         (CODE, Field("industry", "行业"), LEVEL, NAME_ZH, NAME_EN, *DESCRIBED,
          Field("classification", "大典归类"), Field("occupationCode", "大典职业代码"),
          Field("occupationZh", "大典职业"), Field("occupationVerified", "已核实", "bool"),
          Field("occupationSource", "核实出处")),
         (Part("needs", "岗位能力",
               (COMPETENCY, PROFICIENCY, Field("essential", "必备", "bool")), edge="NEEDS"),)),
    Kind("colleges", "院校", "college", "College", (*NAMED, *DESCRIBED), shared=True),
    Kind("programs", "培养方案", "program", "Program",
         (CODE, Field("college", "院校"), Field("major", "专业"), LEVEL, NAME_ZH, NAME_EN,
          *DESCRIBED),
         (Part("courses", "方案课程",
               (Field("course", "课程代码"), Field("semester", "学期", "int"),
                Field("required", "必修", "bool")), edge="INCLUDES",
               order=("semester", "course")),
          Part("overrides", "要求调整", (COMPETENCY, PROFICIENCY), edge="OVERRIDES"))),
    Kind("teachers", "教师层级", "teacherTier", "TeacherTier",
         (CODE, Field("rank", "顺序", "int"), NAME_ZH, NAME_EN, DESC_ZH, DESC_EN,
          Field("competencies", "所需能力", "codes", edge="NEEDS_COMPETENCY"), SOURCE)),
    Kind("teacherStandards", "教师胜任力标准", "teacherStandard", "TeacherStandard",
         (CODE, Field("tier", "层级"), Field("layer", "层面"), NAME_ZH, NAME_EN, DESC_ZH,
          DESC_EN, Field("evidenceKind", "证据类型"), Field("minHours", "最低累计学时", "int"),
          Field("minCount", "最少件数", "int"), Field("roles", "项目角色", "codes"),
          Field("withinYears", "有效年限", "int"), SOURCE)),
    # the evaluation side (seed.evaluation, graph.indicators)
    Kind("dimensions", "评价维度", "dimension", "Dimension",
         (CODE, Field("order", "顺序", "int"), Field("layer", "层面"), Field("strand", "贯穿线"),
          Field("weight", "权重", "number"), NAME_ZH, NAME_EN, *DESCRIBED)),
    Kind("indicators", "评价指标", "indicator", "Indicator",
         (CODE, Field("dimension", "维度"), Field("weight", "权重", "number"), NAME_ZH, NAME_EN,
          DESC_ZH, DESC_EN, Field("competencies", "评价能力", "codes", edge="JUDGES"), SOURCE),
         (Part("behaviours", "行为表现",
               (LEVEL, PROFICIENCY, Field("evidence", "证据类型"),
                Field("weight", "权重", "number"), Field("descriptorZh", "描述（中文）"),
                Field("descriptorEn", "描述（英文）")),
               edge="HAS_BEHAVIOUR", node=True, order=("index",), label="Behaviour",
               owner="indicator"),)),
    Kind("items", "样题", "item", "SampleItem",
         (CODE, Field("assessment", "测评"), COMPETENCY, Field("kind", "题型"), PROFICIENCY,
          Field("points", "分值", "int"), NAME_ZH, NAME_EN, Field("stemZh", "题干（中文）"),
          Field("stemEn", "题干（英文）"), Field("scoringZh", "评分规则（中文）"),
          Field("scoringEn", "评分规则（英文）"), SOURCE)),
    Kind("externals", "国际框架能力", "external", "ExternalCompetency",
         (CODE, Field("scheme", "框架"), Field("dimensionZh", "维度（中文）"),
          Field("dimensionEn", "维度（英文）"), Field("levelRank", "进阶水平", "int"),
          Field("levelZh", "水平（中文）"), Field("levelEn", "水平（英文）"), NAME_ZH, NAME_EN,
          *DESCRIBED)),
    Kind("crosswalks", "国际框架对照", "crosswalk", "CrosswalkLink",
         (CODE, Field("from", "本框架代码"), Field("to", "国际框架代码"),
          Field("match", "对应关系"), Field("reasonZh", "理由（中文）"),
          Field("reasonEn", "理由（英文）"), NAME_ZH, NAME_EN, SOURCE)),
)


def kind(name: str) -> Kind:
    """The declaration of seed kind ``name``."""
    for declared in KINDS:
        if declared.name == name:
            return declared
    raise KeyError(f"no seed kind {name!r}")
