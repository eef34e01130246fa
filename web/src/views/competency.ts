// One competency: its level descriptors and progression ZZ → GZ → BK, prerequisites and
// dependents as a graph, and the courses, assessments, certifications and jobs around it.
import { gql } from "../api";
import { chart, loadCharts, DIMENSION_COLORS } from "../charts";
import { h, link, mount } from "../dom";
import { nm, nmOther, pick, tr } from "../i18n";
import { navigate, type ViewContext } from "../router";
import { badge, card, empty, errorBox, loading, named, proficiencyName, ref, type Named } from "../ui";

const QUERY = `query Competency($code: String!) { competency(code: $code) {
  code nameZh nameEn descriptionZh descriptionEn layerCode strandCodes levelCodes source
  major { code nameZh nameEn } industry { code nameZh nameEn }
  requirements { code levelCode descriptorZh descriptorEn target { value }
    progressesTo { code competencyCode levelCode } }
  prerequisites { code }
  allPrerequisites: prerequisites(transitive: true) {
    code nameZh nameEn layerCode prerequisites { code } }
  dependents { code nameZh nameEn layerCode }
  allDependents: dependents(transitive: true) { code }
  taughtBy { course { code nameZh nameEn levelCode credits } proficiency { value } }
  measuredBy { assessment { code nameZh nameEn levelCode kind } proficiency { value } weight }
  evidencedBy { certification { code nameZh nameEn issuerZh issuerEn } proficiency { value } }
  neededBy { jobRole { code nameZh nameEn levelCode industryCode } proficiency { value } essential }
} }`;

interface Node extends Named {
  layerCode: string;
}
interface Detail extends Named {
  descriptionZh: string | null;
  descriptionEn: string | null;
  layerCode: string;
  strandCodes: string[];
  levelCodes: string[];
  source: string | null;
  major: Named | null;
  industry: Named | null;
  requirements: Array<{
    code: string;
    levelCode: string;
    descriptorZh: string;
    descriptorEn: string;
    target: { value: number };
    progressesTo: Array<{ code: string; competencyCode: string; levelCode: string }>;
  }>;
  prerequisites: Array<{ code: string }>;
  allPrerequisites: Array<Node & { prerequisites: Array<{ code: string }> }>;
  dependents: Node[];
  allDependents: Array<{ code: string }>;
  taughtBy: Array<{ course: Named & { levelCode: string; credits: number }; proficiency: { value: number } }>;
  measuredBy: Array<{ assessment: Named & { levelCode: string; kind: string }; proficiency: { value: number }; weight: number }>;
  evidencedBy: Array<{ certification: Named & { issuerZh: string | null; issuerEn: string | null }; proficiency: { value: number } }>;
  neededBy: Array<{ jobRole: Named & { levelCode: string; industryCode: string }; proficiency: { value: number }; essential: boolean }>;
}

export async function competencyView(ctx: ViewContext): Promise<void> {
  const { root } = ctx;
  const code = ctx.params[0];
  void loadCharts(); // in parallel with the data
  root.append(loading());
  let c: Detail | null;
  let reference: Awaited<ReturnType<typeof ref>>;
  try {
    const [data, r] = await Promise.all([gql<{ competency: Detail | null }>(QUERY, { code }), ref()]);
    c = data.competency;
    reference = r;
  } catch (error) {
    if (ctx.alive()) mount(root, errorBox(error));
    return;
  }
  if (!ctx.alive()) return;
  if (!c) {
    mount(root, empty(tr(`没有编号为 ${code} 的能力。`, `No competency ${code}.`), link("/map", tr("回到能力图谱", "Back to the map"))));
    return;
  }
  const byLevel = new Map(c.requirements.map((r) => [r.levelCode, r]));
  const progression = h(
    "ol",
    { class: "progression" },
    reference.levels.map((level) => {
      const r = byLevel.get(level.code);
      return h(
        "li",
        { class: r ? "has" : "none", "data-level": level.code, "data-target": r ? String(r.target.value) : "" },
        h("div", { class: "level" }, h("strong", null, nm(level)), h("small", null, level.code)),
        r
          ? [
              h("div", { class: "target" }, `${r.target.value} ${proficiencyName(r.target.value)}`),
              h("p", null, pick(r.descriptorZh, r.descriptorEn)),
              r.progressesTo
                .filter((p) => p.competencyCode !== c!.code)
                .map((p) => h("p", { class: "also" }, "→ ", link(`/competency/${encodeURIComponent(p.competencyCode)}`, `${p.competencyCode} @ ${p.levelCode}`))),
            ]
          : h("p", { class: "muted" }, tr("该层次无要求", "no requirement at this level")),
      );
    }),
  );

  const graphBox = h("div", { class: "chart graph", role: "img", "aria-label": tr("先修与后续能力图", "Prerequisites and dependents") });
  const table = (headers: string[], rows: HTMLElement[], kind: string, none: string) =>
    rows.length
      ? h("table", { class: "data", "data-kind": kind }, h("thead", null, h("tr", null, headers.map((x) => h("th", null, x)))), h("tbody", null, rows))
      : empty(none);
  const profCell = (v: number) => h("td", { class: "num" }, `${v} ${proficiencyName(v)}`);

  mount(root, 
    h("p", { class: "crumbs" }, link("/map", tr("能力图谱", "Competency map")), " › ", link(`/map?level=${c.levelCodes[0] ?? "ZZ"}&layer=${c.layerCode}`, named(reference.layers, c.layerCode)), " › ", c.code),
    h(
      "div",
      { class: "title-row" },
      h("h1", null, h("code", null, c.code), " ", nm(c)),
      h("span", { class: "muted" }, nmOther(c)),
    ),
    h(
      "p",
      { class: "badges" },
      badge(named(reference.layers, c.layerCode), `layer layer-${c.layerCode}`),
      c.strandCodes.map((s) => badge(named(reference.strands, s), "eth")),
      c.major ? badge(`${tr("专业", "Major")}: ${nm(c.major)}`, "major") : null,
      c.industry ? badge(`${tr("行业", "Industry")}: ${nm(c.industry)}`, "industry") : null,
    ),
    h("p", { class: "lead" }, pick(c.descriptionZh, c.descriptionEn)),
    card(tr("层次要求与递进 ZZ → GZ → BK", "Level descriptors and progression ZZ → GZ → BK"), progression),
    card(
      tr(`先修与后续（先修 ${c.allPrerequisites.length} 项，直接后续 ${c.dependents.length} 项）`, `Prerequisites and dependents (${c.allPrerequisites.length} prerequisites, ${c.dependents.length} direct dependents)`),
      c.allPrerequisites.length || c.dependents.length ? graphBox : empty(tr("没有先修或后续能力。", "No prerequisites or dependents.")),
      h("p", { class: "muted small" }, tr("左：全部先修（箭头指向依赖它的能力）；右：直接后续。点击节点打开该能力。", "Left: all prerequisites (arrows point to what builds on them); right: direct dependents. Click a node to open it.")),
    ),
    h(
      "div",
      { class: "two" },
      card(
        tr("教授它的课程", "Courses that teach it"),
        table(
          [tr("课程", "Course"), tr("层次", "Level"), tr("学分", "Credits"), tr("达到", "Reaches")],
          c.taughtBy.map((t) => h("tr", null, h("td", null, h("code", null, t.course.code), " ", nm(t.course)), h("td", null, t.course.levelCode), h("td", { class: "num" }, String(t.course.credits)), profCell(t.proficiency.value))),
          "courses",
          tr("没有课程教授它。", "No course teaches it."),
        ),
      ),
      card(
        tr("测评工具", "Assessments"),
        table(
          [tr("测评", "Assessment"), tr("层次", "Level"), tr("权重", "Weight"), tr("证明", "Shows")],
          c.measuredBy.map((m) => h("tr", null, h("td", null, h("code", null, m.assessment.code), " ", nm(m.assessment)), h("td", null, m.assessment.levelCode), h("td", { class: "num" }, m.weight.toFixed(2)), profCell(m.proficiency.value))),
          "assessments",
          tr("没有测评工具衡量它。", "No assessment measures it."),
        ),
      ),
      card(
        tr("企业认证", "Certifications"),
        table(
          [tr("证书", "Certificate"), tr("颁发方", "Issuer"), tr("证明", "Shows")],
          c.evidencedBy.map((e) => h("tr", null, h("td", null, h("code", null, e.certification.code), " ", nm(e.certification)), h("td", null, pick(e.certification.issuerZh, e.certification.issuerEn)), profCell(e.proficiency.value))),
          "certifications",
          tr("没有企业认证证明它。", "No certification evidences it."),
        ),
      ),
      card(
        tr("需要它的典型岗位", "Jobs that need it"),
        table(
          [tr("岗位", "Job"), tr("层次", "Level"), tr("需要", "Needs"), tr("必备", "Essential")],
          c.neededBy.map((n) => h("tr", null, h("td", null, h("code", null, n.jobRole.code), " ", nm(n.jobRole)), h("td", null, n.jobRole.levelCode), profCell(n.proficiency.value), h("td", null, n.essential ? "✔" : ""))),
          "jobs",
          tr("没有岗位需要它。", "No job needs it."),
        ),
      ),
    ),
    c.source ? h("p", { class: "muted small source" }, tr("依据：", "Source: "), c.source) : null,
  );
  if (c.allPrerequisites.length || c.dependents.length) await drawGraph(graphBox, c);
}

/** Layered layout: a prerequisite sits one column left of everything that needs it. */
async function drawGraph(el: HTMLElement, c: Detail): Promise<void> {
  const inSet = new Map(c.allPrerequisites.map((p) => [p.code, p]));
  const depth = new Map<string, number>();
  const depthOf = (code: string, seen = new Set<string>()): number => {
    if (depth.has(code)) return depth.get(code)!;
    if (seen.has(code)) return 0;
    seen.add(code);
    // how far from the competency: 1 + the deepest thing among the set that needs it
    const needers = c.allPrerequisites.filter((p) => p.prerequisites.some((q) => q.code === code)).map((p) => p.code);
    const direct = c.prerequisites.some((p) => p.code === code) ? 1 : 0;
    const value = Math.max(direct, ...needers.map((n) => depthOf(n, seen) + 1));
    depth.set(code, value);
    return value;
  };
  c.allPrerequisites.forEach((p) => depthOf(p.code));
  const columns = new Map<number, string[]>();
  for (const [code, d] of depth) columns.set(-d, [...(columns.get(-d) ?? []), code].sort());
  columns.set(0, [c.code]);
  columns.set(1, c.dependents.map((d) => d.code).sort());
  const names = new Map<string, Node>([...inSet.values(), ...c.dependents, { code: c.code, nameZh: c.nameZh, nameEn: c.nameEn, layerCode: c.layerCode }].map((n) => [n.code, n]));
  const tallest = Math.max(...[...columns.values()].map((col) => col.length));
  const height = Math.max(220, Math.min(640, tallest * 34 + 40));
  el.style.height = `${height}px`;
  const nodes = [...columns.entries()].flatMap(([x, codes]) =>
    codes.map((code, i) => {
      const n = names.get(code)!;
      return {
        name: code,
        x: x * 200,
        y: (i - (codes.length - 1) / 2) * 34,
        value: nm(n),
        symbolSize: code === c.code ? 22 : 14,
        itemStyle: { color: DIMENSION_COLORS[n.layerCode] ?? "#888", borderColor: code === c.code ? "#222" : "#fff", borderWidth: code === c.code ? 2 : 1 },
        label: { show: true, position: x === 1 ? "right" : x === 0 ? "bottom" : "left", formatter: `${code} ${short(nm(n))}`, fontSize: 11 },
      };
    }),
  );
  const links = [
    ...c.allPrerequisites.flatMap((p) => p.prerequisites.filter((q) => inSet.has(q.code)).map((q) => ({ source: q.code, target: p.code }))),
    ...c.prerequisites.map((p) => ({ source: p.code, target: c.code })),
    ...c.dependents.map((d) => ({ source: c.code, target: d.code })),
  ];
  const instance = await chart(el, {
    tooltip: { formatter: (p: { data?: { name?: string; value?: string } }) => (p.data?.value ? `${p.data.name} ${p.data.value}` : "") },
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        data: nodes,
        links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 7,
        lineStyle: { color: "#9aa5b1", width: 1, curveness: 0.15 },
        emphasis: { focus: "adjacency" },
      },
    ],
  });
  instance?.on("click", (params) => {
    const name = (params.data as { name?: string } | undefined)?.name;
    if (params.dataType === "node" && name && name !== c.code) navigate(`/competency/${encodeURIComponent(name)}`);
  });
}

function short(text: string): string {
  return text.length > 12 ? `${text.slice(0, 11)}…` : text;
}
