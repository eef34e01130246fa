// 培养方案: the programs, and one program's course × competency matrix by semester with the
// programReport findings marked on it.
import { gql } from "../api";
import { h, link, pct, mount } from "../dom";
import { nm, nmOther, tr } from "../i18n";
import { setQuery, type ViewContext } from "../router";
import { badge, card, downloadButton, empty, errorBox, labelled, loading, named, proficiencyName, ref, select, statusName, type Named, type Reference } from "../ui";
import { allPrograms } from "./common";

export async function programListView(ctx: ViewContext): Promise<void> {
  const { root } = ctx;
  root.append(loading());
  try {
    const [programs, reference, majors] = await Promise.all([
      allPrograms(),
      ref(),
      gql<{ majors: { nodes: Named[] } }>(`{ majors(first: 100) { nodes { code nameZh nameEn } } }`).then((d) => d.majors.nodes),
    ]);
    if (!ctx.alive()) return;
    const rank = (code: string) => reference.levels.find((l) => l.code === code)?.rank ?? 9;
    const table = h(
      "table",
      { class: "data programs" },
      h("thead", null, h("tr", null, h("th", null, tr("专业", "Major")), reference.levels.map((l) => h("th", null, nm(l))), h("th", null, tr("中高本贯通", "Pathway")))),
      h(
        "tbody",
        null,
        majors.map((major) => {
          const mine = programs.filter((p) => p.majorCode === major.code).sort((a, b) => rank(a.levelCode) - rank(b.levelCode));
          return h(
            "tr",
            { "data-major": major.code },
            h("td", null, h("strong", null, nm(major)), h("br"), h("small", { class: "muted" }, major.code)),
            reference.levels.map((level) => {
              const p = mine.find((x) => x.levelCode === level.code);
              return h("td", null, p ? [link(`/program/${encodeURIComponent(p.code)}`, h("code", null, p.code)), h("br"), h("small", null, named(reference.colleges, p.collegeCode))] : "—");
            }),
            h("td", null, mine.length > 1 ? link(`/pathway?programs=${mine.map((p) => p.code).join(",")}`, mine.map((p) => p.levelCode).join(" → ")) : "—"),
          );
        }),
      ),
    );
    mount(root, 
      h("div", { class: "title-row" }, h("h1", null, tr("培养方案", "Programs")), link("/versions", tr("框架版本对比", "Framework versions"))),
      h("p", { class: "lead" }, tr("各专业在三个层次的人才培养方案。打开一个方案查看课程 × 能力矩阵与检查结果；或查看中高本贯通的衔接情况。", "Each major's programs at the three levels. Open one for its course × competency matrix and checks, or see how a pathway articulates.")),
      card(tr(`${programs.length} 个培养方案`, `${programs.length} programs`), table),
    );
  } catch (error) {
    if (ctx.alive()) mount(root, errorBox(error));
  }
}

const PROGRAM = `query Program($code: String!, $level: LevelCode!, $major: String,
    $framework: ID, $reportFramework: ID) {
  frameworks { id status }
  program(code: $code, framework: $framework) { code nameZh nameEn levelCode majorCode collegeCode framework
    major { code nameZh nameEn }
    courses { semester required course { code nameZh nameEn layerCode credits
      teaches { competency { code } proficiency { value } } } } }
  programReport(code: $code, framework: $reportFramework) { findingCount
    coverage { ...F } order { ...F } assessment { ...F }
    balance { totalCredits requiredCredits electiveCredits requiredShare
      byLayer { key credits courses } bySemester { key credits courses } } }
  levelRequirements(level: $level, major: $major, framework: $framework) { layer { code nameZh nameEn }
    requirements { competencyCode target { value }
      competency { nameZh nameEn strandCodes } } }
}
fragment F on ProgramFinding { check kind message competencyCode courseCode relatedCode
  semester relatedSemester target { value } reached { value } }`;

export interface Finding {
  check: string;
  kind: string;
  message: string;
  competencyCode: string | null;
  courseCode: string | null;
  relatedCode: string | null;
  semester: number | null;
  relatedSemester: number | null;
  target: { value: number } | null;
  reached: { value: number } | null;
}

interface ProgramData {
  frameworks: Array<{ id: string; status: string }>;
  program: (Named & {
    levelCode: string;
    majorCode: string;
    collegeCode: string;
    framework: string;
    major: Named | null;
    courses: Array<{ semester: number; required: boolean; course: Named & { layerCode: string; credits: number; teaches: Array<{ competency: { code: string }; proficiency: { value: number } }> } }>;
  }) | null;
  programReport: {
    findingCount: number;
    coverage: Finding[];
    order: Finding[];
    assessment: Finding[];
    balance: { totalCredits: number; requiredCredits: number; electiveCredits: number; requiredShare: number; byLayer: Array<{ key: string; credits: number; courses: number }>; bySemester: Array<{ key: string; credits: number; courses: number }> };
  };
  levelRequirements: Array<{ layer: Named; requirements: Array<{ competencyCode: string; target: { value: number }; competency: { nameZh: string; nameEn: string; strandCodes: string[] } | null }> }>;
}

export function kindName(kind: string): string {
  const names: Record<string, [string, string]> = {
    NOT_TAUGHT: ["未开课", "not taught"],
    BELOW_TARGET: ["低于目标", "below target"],
    ELECTIVE_ONLY: ["仅选修", "elective only"],
    NOT_TARGETED: ["非目标", "not targeted"],
    COURSE_BEFORE_PREREQUISITE: ["先修课在后", "course before prerequisite"],
    PREREQUISITE_NOT_IN_PROGRAM: ["先修课缺失", "prerequisite missing"],
    COMPETENCY_BEFORE_PREREQUISITE: ["先修能力在后", "before prerequisite competency"],
    UNMEASURED: ["无测评", "unmeasured"],
    MEASURED_BELOW_TARGET: ["测评低于目标", "measured below target"],
    NOT_TAUGHT_BEFORE: ["前段未教", "not taught before"],
    TAUGHT_BELOW_BEFORE: ["前段偏低", "taught below before"],
    REPEATED: ["重复", "repeated"],
  };
  const pair = names[kind];
  return pair ? tr(pair[0], pair[1]) : kind;
}

export function findingList(findings: Finding[], what: string): HTMLElement {
  if (!findings.length) return empty(tr(`没有${what}问题。`, `No ${what} findings.`));
  return h(
    "ul",
    { class: "findings" },
    findings.map((f) =>
      h(
        "li",
        { "data-kind": f.kind, "data-check": f.check },
        badge(kindName(f.kind), `finding ${f.check.toLowerCase()}`),
        " ",
        f.competencyCode ? [link(`/competency/${encodeURIComponent(f.competencyCode)}`, h("code", null, f.competencyCode)), " "] : null,
        f.courseCode ? [h("code", null, f.courseCode), " "] : null,
        h("span", { class: "message" }, f.message),
      ),
    ),
  );
}

export async function programView(ctx: ViewContext): Promise<void> {
  const { root } = ctx;
  const code = ctx.params[0];
  root.append(loading());
  try {
    const programs = await allPrograms();
    const summary = programs.find((p) => p.code === code);
    if (!summary) {
      if (ctx.alive()) mount(root, empty(tr(`没有培养方案 ${code}。`, `No program ${code}.`), link("/programs", tr("全部培养方案", "All programs"))));
      return;
    }
    const framework = ctx.query.get("framework");
    const [data, reference] = await Promise.all([
      gql<ProgramData>(PROGRAM, { code, level: summary.levelCode, major: summary.majorCode, framework, reportFramework: framework }),
      ref(),
    ]);
    if (!ctx.alive()) return;
    if (!data.program) {
      mount(root, empty(tr(`版本 ${framework} 中没有培养方案 ${code}。`, `No program ${code} in ${framework}.`), link(`/program/${encodeURIComponent(code)}`, tr("看已发布版本", "See the published version"))));
      return;
    }
    drawProgram(root, data, reference, programs.filter((p) => p.majorCode === summary.majorCode));
  } catch (error) {
    if (ctx.alive()) mount(root, errorBox(error));
  }
}

function drawProgram(root: HTMLElement, data: ProgramData, reference: Reference, siblings: Array<{ code: string; levelCode: string }>): void {
  const p = data.program!;
  const report = data.programReport;
  const courses = [...p.courses].sort((a, b) => a.semester - b.semester || a.course.code.localeCompare(b.course.code));
  const semesters = [...new Set(courses.map((c) => c.semester))];
  const targets = new Map<string, { target: number; layer: string; name: Named | null; eth: boolean }>();
  for (const group of data.levelRequirements)
    for (const r of group.requirements)
      targets.set(r.competencyCode, { target: r.target.value, layer: group.layer.code, name: r.competency ? { code: r.competencyCode, ...r.competency } : null, eth: !!r.competency?.strandCodes.includes("ETH") });
  const taught = new Map<string, Map<string, number>>(); // competency -> course -> proficiency
  for (const c of courses)
    for (const t of c.course.teaches) {
      if (!taught.has(t.competency.code)) taught.set(t.competency.code, new Map());
      taught.get(t.competency.code)!.set(c.course.code, t.proficiency.value);
    }
  const findings = [...report.coverage, ...report.order, ...report.assessment];
  const byCompetency = new Map<string, Finding[]>();
  const byCourse = new Map<string, Finding[]>();
  const byCell = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.competencyCode && f.courseCode) byCell.set(`${f.competencyCode}|${f.courseCode}`, [...(byCell.get(`${f.competencyCode}|${f.courseCode}`) ?? []), f]);
    else if (f.competencyCode) byCompetency.set(f.competencyCode, [...(byCompetency.get(f.competencyCode) ?? []), f]);
    else if (f.courseCode) byCourse.set(f.courseCode, [...(byCourse.get(f.courseCode) ?? []), f]);
  }
  const rowCodes = [...new Set([...targets.keys(), ...taught.keys()])].sort();
  const layerOf = (code: string) => targets.get(code)?.layer ?? code.split("-")[0];
  const marks = (list: Finding[] | undefined) =>
    (list ?? []).map((f) => h("span", { class: `mark-finding ${f.check.toLowerCase()}`, title: f.message, "data-kind": f.kind }, kindName(f.kind)));

  const head1 = h("tr", null, h("th", { rowspan: 2, class: "corner" }, tr("能力 \\ 课程（学期）", "Competency \\ course (semester)")), h("th", { rowspan: 2 }, tr("目标", "Target")), semesters.map((s) => h("th", { colspan: courses.filter((c) => c.semester === s).length, class: "semester" }, tr(`第 ${s} 学期`, `Semester ${s}`))), h("th", { rowspan: 2 }, tr("检查", "Checks")));
  const head2 = h(
    "tr",
    null,
    courses.map((c) =>
      h(
        "th",
        { class: "course" + (c.required ? "" : " elective"), "data-course": c.course.code, title: `${c.course.code} ${nm(c.course)} · ${c.course.credits} ${tr("学分", "credits")}${c.required ? "" : tr(" · 选修", " · elective")}` },
        h("span", { class: "vertical" }, c.course.code),
        marks(byCourse.get(c.course.code)),
      ),
    ),
  );
  const body: HTMLElement[] = [];
  for (const layer of reference.layers) {
    const codes = rowCodes.filter((code) => layerOf(code) === layer.code);
    if (!codes.length) continue;
    body.push(h("tr", { class: "group" }, h("th", { colspan: courses.length + 3 }, nm(layer))));
    for (const code of codes) {
      const t = targets.get(code);
      body.push(
        h(
          "tr",
          { "data-code": code, class: t ? "" : "untargeted" },
          h("th", { class: "competency" }, link(`/competency/${encodeURIComponent(code)}`, h("code", null, code)), " ", t?.name ? nm(t.name) : "", t?.eth ? badge(tr("伦理", "ethics"), "eth") : null),
          h("td", { class: "num target" }, t ? String(t.target) : "—"),
          courses.map((c) => {
            const v = taught.get(code)?.get(c.course.code);
            const cellFindings = byCell.get(`${code}|${c.course.code}`);
            const cls = v === undefined ? "" : !t ? "extra" : v >= t.target ? "ok" : "below";
            return h("td", { class: `m ${cls}${cellFindings ? " flagged" : ""}`, "data-course": c.course.code, title: cellFindings?.map((f) => f.message).join("\n") ?? (v !== undefined ? `${c.course.code}: ${v} ${proficiencyName(v)}` : "") }, v !== undefined ? String(v) : "", cellFindings ? "!" : "");
          }),
          h("td", { class: "checks" }, marks(byCompetency.get(code))),
        ),
      );
    }
  }
  const matrix = h("div", { class: "matrix-wrap" }, h("table", { class: "matrix" }, h("thead", null, head1, head2), h("tbody", null, body)));
  const b = report.balance;
  const rank = (code: string) => reference.levels.find((l) => l.code === code)?.rank ?? 9;
  const chain = [...siblings].sort((x, y) => rank(x.levelCode) - rank(y.levelCode));
  mount(root, 
    h("p", { class: "crumbs" }, link("/programs", tr("培养方案", "Programs")), " › ", p.code),
    data.frameworks.length > 1
      ? h(
          "div",
          { class: "toolbar" },
          labelled(
            tr("框架版本", "Framework version"),
            select("framework", data.frameworks.map((f): [string, string] => [f.id, `${f.id}（${statusName(f.status)}）`]), p.framework, (v) => setQuery({ framework: v === reference.framework.id ? null : v })),
          ),
        )
      : null,
    h("div", { class: "title-row" }, h("h1", null, nm(p)), h("span", { class: "muted" }, nmOther(p))),
    h(
      "p",
      { class: "badges" },
      badge(named(reference.colleges, p.collegeCode)),
      badge(named(reference.levels, p.levelCode), "level"),
      p.major ? badge(nm(p.major), "major") : null,
      badge(p.framework),
      chain.length > 1 ? link(`/pathway?programs=${chain.map((x) => x.code).join(",")}`, tr("查看中高本贯通 →", "See the pathway →")) : null,
    ),
    h(
      "p",
      { class: "downloads" },
      downloadButton(tr("导出检查报告（Excel）", "Export the report (Excel)"), `/exports/program-report?${new URLSearchParams({ program: p.code, framework: p.framework, format: "xlsx" })}`, `program-report-${p.code}.xlsx`),
      downloadButton(tr("框架工作簿（Excel）", "Framework workbook (Excel)"), `/exports/framework?${new URLSearchParams({ framework: p.framework, format: "xlsx" })}`, `${p.framework}.xlsx`),
    ),
    h(
      "p",
      { class: "kpis" },
      h("span", { class: "kpi", "data-kpi": "findings" }, h("strong", null, String(report.findingCount)), tr("项检查发现", "findings")),
      h("span", { class: "kpi", "data-kpi": "courses" }, h("strong", null, String(courses.length)), tr("门课程", "courses")),
      h("span", { class: "kpi", "data-kpi": "credits" }, h("strong", null, String(b.totalCredits)), tr("学分", "credits")),
      h("span", { class: "kpi", "data-kpi": "requiredShare" }, h("strong", null, pct(b.requiredShare)), tr("必修学分占比", "required credits")),
      h("span", { class: "kpi", "data-kpi": "targets" }, h("strong", null, String(targets.size)), tr("项目标能力", "target competencies")),
    ),
    card(
      tr("课程 × 能力矩阵（数字：课程达到的熟练度 1 了解 · 2 运用 · 3 设计 · 4 创新）", "Course × competency matrix (numbers: proficiency a course reaches, 1 know · 2 apply · 3 design · 4 innovate)"),
      h("p", { class: "legend small" }, h("span", { class: "m ok" }, "2"), tr(" 达到目标 ", " meets the target "), h("span", { class: "m below" }, "1"), tr(" 低于目标 ", " below the target "), h("span", { class: "m extra" }, "2"), tr(" 非目标能力 ", " not a target "), h("span", { class: "m flagged" }, "!"), tr(" 有检查发现（悬停查看）", " a finding (hover)"), " · ", tr("虚线表头：选修课", "dashed header: elective")),
      matrix,
    ),
    h(
      "div",
      { class: "two" },
      card(tr(`覆盖（${report.coverage.length}）`, `Coverage (${report.coverage.length})`), findingList(report.coverage, tr("覆盖", "coverage"))),
      card(tr(`顺序（${report.order.length}）`, `Order (${report.order.length})`), findingList(report.order, tr("顺序", "order"))),
      card(tr(`测评（${report.assessment.length}）`, `Assessment (${report.assessment.length})`), findingList(report.assessment, tr("测评", "assessment"))),
      card(
        tr("学分结构", "Credit balance"),
        h(
          "table",
          { class: "data compact" },
          h("tbody", null,
            h("tr", null, h("th", null, tr("总学分", "Total")), h("td", { class: "num" }, String(b.totalCredits))),
            h("tr", null, h("th", null, tr("必修 / 选修", "Required / elective")), h("td", { class: "num" }, `${b.requiredCredits} / ${b.electiveCredits}`)),
            b.byLayer.map((x) => h("tr", null, h("th", null, named(reference.layers, x.key)), h("td", { class: "num" }, tr(`${x.credits} 学分 · ${x.courses} 门`, `${x.credits} cr · ${x.courses} courses`)))),
            b.bySemester.map((x) => h("tr", null, h("th", null, tr(`第 ${x.key} 学期`, `Semester ${x.key}`)), h("td", { class: "num" }, tr(`${x.credits} 学分 · ${x.courses} 门`, `${x.credits} cr · ${x.courses} courses`)))),
          ),
        ),
      ),
    ),
  );
}
