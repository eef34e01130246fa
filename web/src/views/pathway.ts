// 中高本贯通: articulation gaps and repetitions from each program to the next; and the
// framework version diff (动态迭代).
import { gql } from "../api";
import { h, link, mount } from "../dom";
import { nm, tr } from "../i18n";
import { setQuery, type ViewContext } from "../router";
import { card, empty, errorBox, labelled, loading, named, ref, select, statusName, type Named } from "../ui";
import { allPrograms } from "./common";
import { findingList, type Finding } from "./program";

const PATHWAY = `query Pathway($programs: [String!]!) { pathwayReport(programs: $programs) {
  framework programs { code nameZh nameEn levelCode collegeCode }
  steps { fromProgram { code levelCode } toProgram { code levelCode }
    gaps { ...F } repetitions { ...F } } } }
fragment F on ProgramFinding { check kind message competencyCode courseCode relatedCode
  semester relatedSemester target { value } reached { value } }`;

interface PathwayData {
  pathwayReport: {
    framework: string;
    programs: Array<Named & { levelCode: string; collegeCode: string }>;
    steps: Array<{ fromProgram: { code: string; levelCode: string }; toProgram: { code: string; levelCode: string }; gaps: Finding[]; repetitions: Finding[] }>;
  };
}

export async function pathwayView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  root.append(loading());
  try {
    const [programs, reference, majors] = await Promise.all([
      allPrograms(),
      ref(),
      gql<{ majors: { nodes: Named[] } }>(`{ majors(first: 100) { nodes { code nameZh nameEn } } }`).then((d) => d.majors.nodes),
    ]);
    const rank = (code: string) => reference.levels.find((l) => l.code === code)?.rank ?? 9;
    const asked = (query.get("programs") ?? "").split(",").filter((code) => programs.some((p) => p.code === code));
    const majorCode = programs.find((p) => p.code === asked[0])?.majorCode ?? query.get("major") ?? majors[0]?.code;
    const chain = asked.length >= 2 ? asked : programs.filter((p) => p.majorCode === majorCode).sort((a, b) => rank(a.levelCode) - rank(b.levelCode)).map((p) => p.code);
    const picker = h(
      "div",
      { class: "toolbar" },
      labelled(tr("专业", "Major"), select("major", majors.map((m): [string, string] => [m.code, nm(m)]), majorCode ?? "", (v) => setQuery({ major: v, programs: null }))),
    );
    const title = h("div", { class: "title-row" }, h("h1", null, tr("中高本贯通", "Pathway ZZ → GZ → BK")), link("/programs", tr("全部培养方案", "All programs")));
    if (chain.length < 2) {
      if (ctx.alive()) mount(root, title, picker, empty(tr("这个专业少于两个层次的培养方案，无法比较衔接。", "This major has programs at fewer than two levels: nothing to articulate.")));
      return;
    }
    const data = await gql<PathwayData>(PATHWAY, { programs: chain });
    if (!ctx.alive()) return;
    const report = data.pathwayReport;
    const flow = h(
      "ol",
      { class: "pathway" },
      report.programs.map((p, i) => {
        const step = report.steps[i];
        return [
          h("li", { class: "stage", "data-program": p.code }, h("strong", null, named(reference.levels, p.levelCode)), h("span", null, link(`/program/${encodeURIComponent(p.code)}`, p.code)), h("small", null, nm(p)), h("small", { class: "muted" }, named(reference.colleges, p.collegeCode))),
          step
            ? h(
                "li",
                { class: "arrow", "data-from": step.fromProgram.code, "data-to": step.toProgram.code },
                h("span", { class: "gaps", "data-count": String(step.gaps.length) }, tr(`${step.gaps.length} 项衔接缺口`, `${step.gaps.length} gaps`)),
                h("span", { class: "arrowhead" }, "→"),
                h("span", { class: "reps", "data-count": String(step.repetitions.length) }, tr(`${step.repetitions.length} 项重复`, `${step.repetitions.length} repetitions`)),
              )
            : null,
        ];
      }),
    );
    mount(root, 
      title,
      picker,
      h("p", { class: "lead" }, tr("衔接缺口：后一层次要求、但前一层次没有教到应有程度的能力；重复：后一层次在不高于前一层次的程度上再次教授的内容。", "Gaps: what the next level builds on but the earlier program did not teach far enough; repetitions: what the next level teaches again at no higher proficiency.")),
      card(tr(`贯通路径（${report.framework}）`, `Pathway (${report.framework})`), flow),
      report.steps.map((step) =>
        h(
          "div",
          { class: "two step", "data-from": step.fromProgram.code },
          card(tr(`${step.fromProgram.code} → ${step.toProgram.code}：衔接缺口（${step.gaps.length}）`, `${step.fromProgram.code} → ${step.toProgram.code}: gaps (${step.gaps.length})`), findingList(step.gaps, tr("衔接缺口", "gap"))),
          card(tr(`${step.fromProgram.code} → ${step.toProgram.code}：重复（${step.repetitions.length}）`, `${step.fromProgram.code} → ${step.toProgram.code}: repetitions (${step.repetitions.length})`), findingList(step.repetitions, tr("重复", "repetition"))),
        ),
      ),
    );
  } catch (error) {
    if (ctx.alive()) mount(root, h("h1", null, tr("中高本贯通", "Pathway")), errorBox(error));
  }
}

interface FrameworkRow extends Named {
  id: string;
  status: string;
  version: string;
  createdAt: string | null;
  publishedAt: string | null;
  previousVersion: string | null;
}

interface ElementDiff {
  added: string[];
  removed: string[];
  changed: Array<{ code: string; changes: Array<{ field: string; oldValue: unknown; newValue: unknown }> }>;
}

export async function versionsView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  root.append(loading());
  try {
    const { frameworks } = await gql<{ frameworks: FrameworkRow[] }>(`{ frameworks { id code version status nameZh nameEn createdAt publishedAt previousVersion } }`);
    if (!ctx.alive()) return;
    const title = h("div", { class: "title-row" }, h("h1", null, tr("框架版本对比", "Framework versions")), link("/programs", tr("全部培养方案", "All programs")));
    const list = h(
      "table",
      { class: "data versions" },
      h("thead", null, h("tr", null, [tr("版本", "Version"), tr("状态", "Status"), tr("名称", "Name"), tr("发布于", "Published"), tr("来自", "From")].map((x) => h("th", null, x)))),
      h("tbody", null, frameworks.map((f) => h("tr", { "data-id": f.id }, h("td", null, h("code", null, f.id)), h("td", null, statusName(f.status)), h("td", null, nm(f)), h("td", null, f.publishedAt?.slice(0, 10) ?? "—"), h("td", null, f.previousVersion ?? "—")))),
    );
    if (frameworks.length < 2) {
      mount(root, 
        title,
        card(tr("版本", "Versions"), list),
        empty(tr("目前只有一个可见的版本，没有可比较的。课程设计者可用 createFrameworkVersion 建立新草案；草案只对课程设计者和管理员可见。", "Only one version is visible: nothing to compare. Designers create a draft with createFrameworkVersion; drafts are visible to designers and admins only."), link("/signin", tr("用课程设计者令牌登录", "Sign in as a designer"))),
      );
      return;
    }
    const ids = frameworks.map((f) => f.id);
    const newest = frameworks[frameworks.length - 1];
    const to = ids.includes(query.get("to") ?? "") ? query.get("to")! : newest.id;
    const fromDefault = frameworks.find((f) => f.id === to)?.previousVersion ?? ids.find((id) => id !== to)!;
    const from = ids.includes(query.get("from") ?? "") ? query.get("from")! : fromDefault;
    const options = frameworks.map((f): [string, string] => [f.id, `${f.id}（${statusName(f.status)}）`]);
    const picker = h("div", { class: "toolbar" }, labelled(tr("从", "From"), select("from", options, from, (v) => setQuery({ from: v }))), labelled(tr("到", "To"), select("to", options, to, (v) => setQuery({ to: v }))));
    const diff = await gql<{ frameworkDiff: { competencies: ElementDiff; requirements: ElementDiff; affectedPrograms: Array<{ code: string; competencyCodes: string[] }> } }>(
      `query($from: ID!, $to: ID!) { frameworkDiff(from: $from, to: $to) {
        competencies { added removed changed { code changes { field oldValue newValue } } }
        requirements { added removed changed { code changes { field oldValue newValue } } }
        affectedPrograms { code competencyCodes } } }`,
      { from, to },
    );
    if (!ctx.alive()) return;
    const d = diff.frameworkDiff;
    const section = (label: string, e: ElementDiff, kind: string) =>
      card(
        label,
        h(
          "p",
          { class: "kpis" },
          h("span", { class: "kpi", "data-kpi": `${kind}-added` }, h("strong", null, String(e.added.length)), tr("新增", "added")),
          h("span", { class: "kpi", "data-kpi": `${kind}-removed` }, h("strong", null, String(e.removed.length)), tr("删除", "removed")),
          h("span", { class: "kpi", "data-kpi": `${kind}-changed` }, h("strong", null, String(e.changed.length)), tr("修改", "changed")),
        ),
        e.added.length ? h("p", null, tr("新增：", "Added: "), e.added.map((c) => h("code", { class: "added" }, c))) : null,
        e.removed.length ? h("p", null, tr("删除：", "Removed: "), e.removed.map((c) => h("code", { class: "removed" }, c))) : null,
        e.changed.length
          ? h(
              "table",
              { class: "data compact diff" },
              h("thead", null, h("tr", null, [tr("编号", "Code"), tr("字段", "Field"), tr("原值", "Before"), tr("新值", "After")].map((x) => h("th", null, x)))),
              h("tbody", null, e.changed.flatMap((c) => c.changes.map((ch) => h("tr", null, h("td", null, h("code", null, c.code)), h("td", null, ch.field), h("td", { class: "old" }, show(ch.oldValue)), h("td", { class: "new" }, show(ch.newValue)))))),
            )
          : null,
        !e.added.length && !e.removed.length && !e.changed.length ? empty(tr("没有差异。", "No differences.")) : null,
      );
    mount(root, 
      title,
      card(tr("版本", "Versions"), list),
      picker,
      section(tr("能力", "Competencies"), d.competencies, "competencies"),
      section(tr("层次要求", "Requirements"), d.requirements, "requirements"),
      card(
        tr(`受影响的培养方案（${d.affectedPrograms.length}）`, `Affected programs (${d.affectedPrograms.length})`),
        d.affectedPrograms.length ? h("ul", null, d.affectedPrograms.map((p) => h("li", null, link(`/program/${encodeURIComponent(p.code)}`, p.code), " ", p.competencyCodes.join(" ")))) : empty(tr("没有培养方案受影响。", "No program is affected.")),
      ),
    );
  } catch (error) {
    if (ctx.alive()) mount(root, h("h1", null, tr("框架版本对比", "Framework versions")), errorBox(error));
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}
