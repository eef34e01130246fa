"""Reports as tables with Chinese headers: a cohort's standings, a program report.

Built from the same graph functions the GraphQL fields use (``analytics.student_report``,
``analytics.cohort_report``, ``curriculum.program_report``), so a download says what the API
says. Who may ask is the caller's business (``downloads``): these functions do not check roles.
"""

from __future__ import annotations

from typing import Any

from graph import analytics, curriculum, learners
from graph.store import GraphStore
from service.exchange.sheets import Sheet

__all__ = ["cohort_sheets", "program_sheets"]

_PAGE = 500


async def cohort_sheets(store: GraphStore, college: str, *, program: str | None = None,
                        class_label: str | None = None) -> list[Sheet]:
    """Per student and competency of the student's scope: required, attained, gap, evidence;
    per student: readiness and placement; per competency: how many meet it."""
    standings: list[list[Any]] = []
    students: list[list[Any]] = []
    after: str | None = None
    while True:
        page = await learners.student_page(store, college, program, class_label, after, _PAGE)
        for student in page:
            report = await analytics.student_report(store, student)
            for item in report.standings:
                if item.required <= 0 and item.attained <= 0:
                    continue
                standings.append([student["code"], student.get("classLabel"),
                                  student.get("programCode"), item.code, item.layer,
                                  "是" if item.eth else "", item.required, item.attained,
                                  item.gap, item.evidence_kind, item.evidence_code,
                                  item.evidence_at])
            ratios = {r.dimension: round(r.ratio, 4) for r in report.readiness}
            students.append([student["code"], student.get("classLabel"),
                             student.get("programCode"), student.get("enrolledOn"),
                             *(ratios.get(d) for d in ("GEN", "PRO", "IND", "ETH")),
                             *(report.placement.get(layer) for layer in ("GEN", "PRO", "IND"))])
        if len(page) < _PAGE:
            break
        after = str(page[-1]["code"])
    cohort = await analytics.cohort_report(store, college=college, program=program,
                                           class_label=class_label)
    shares = [[c["code"], c["layer"], c["students"], c["meeting"],
               round(c["meeting"] / c["students"], 4) if c["students"] else 0.0, c["gapTotal"]]
              for c in cohort.competencies]
    return [
        ("学生达成 standings",
         ["学号 student", "班级 classLabel", "培养方案 program", "能力 competency", "层面 layer",
          "安全伦理 ethics", "要求 required", "达成 attained", "差距 gap",
          "证据类型 evidenceKind", "证据 evidenceCode", "证据时间 evidenceAt"], standings),
        ("学生概览 students",
         ["学号 student", "班级 classLabel", "培养方案 program", "入学日期 enrolledOn",
          "通识素养准备度 readinessGEN", "专业技能准备度 readinessPRO",
          "行业能力准备度 readinessIND", "伦理安全意识 readinessETH",
          "通识素养层次 placementGEN", "专业技能层次 placementPRO", "行业能力层次 placementIND"],
         students),
        ("能力达成率 competencies",
         ["能力 competency", "层面 layer", "学生数 students", "达成人数 meeting",
          "达成率 share", "差距合计 gapTotal"], shares),
    ]


async def program_sheets(store: GraphStore, fw: str, code: str) -> list[Sheet]:
    """A program report: every finding, then its credit balance by layer and semester."""
    report = await curriculum.program_report(store, fw, code)
    findings = [[f.check, f.kind, f.message, f.competency, f.course, f.related, f.semester,
                 f.related_semester, f.target, f.reached]
                for f in (*report.coverage, *report.order, *report.assessment)]
    balance: list[list[Any]] = []
    if report.balance is not None:
        balance += [["层面 layer", s.key, s.credits, s.courses] for s in report.balance.by_layer]
        balance += [["学期 semester", s.key, s.credits, s.courses]
                    for s in report.balance.by_semester]
        balance += [["合计 total", "", report.balance.total_credits, None],
                    ["必修 required", "", report.balance.required_credits, None],
                    ["选修 elective", "", report.balance.elective_credits, None]]
    return [
        ("方案检查 findings",
         ["检查 check", "类型 kind", "说明 message", "能力 competency", "课程 course",
          "相关 related", "学期 semester", "相关学期 relatedSemester", "要求 target",
          "达到 reached"], findings),
        ("学分结构 balance", ["维度 dimension", "值 key", "学分 credits", "课程数 courses"],
         balance),
    ]

