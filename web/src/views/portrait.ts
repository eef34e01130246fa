// The portrait itself (学生综合素质画像 of AI literacy); print CSS lays it out on one A4 page.
import { chart, DIMENSION_COLORS, LEVEL_COLORS } from "../charts";
import { h, link, pct, mount } from "../dom";
import { nm, tr } from "../i18n";
import { setQuery } from "../router";
import { badge, card, dimensionName, DIMENSIONS, empty, labelled, levelName, named, select, type Named, type Reference } from "../ui";

export const PORTRAIT = `query Portrait($code: String!, $college: String!, $target: GapTarget) {
  student(code: $code, college: $college) {
    code college classLabel enrolledOn levelCode programCode framework
    program { code nameZh nameEn levelCode
      major { code nameZh nameEn industry { code nameZh nameEn } } }
    readiness { dimension required attained ratio }
    placement { layerCode levelCode }
    standing { competencyCode layerCode required attained gap evidence { kind code at }
      competency { nameZh nameEn strandCodes } }
    evidence { competencyCode kind code at proficiency passed score maxScore }
    gaps(target: $target) { target totalGap
      items { competencyCode layerCode required attained gap competency { nameZh nameEn } }
      readiness { dimension required attained ratio } }
    learningPath(target: $target) { totalCredits uncoveredCodes
      steps { position reason credits closesCodes course { code nameZh nameEn levelCode } } }
  }
  jobRoles(first: 100) { nodes { code nameZh nameEn levelCode industryCode } }
}`;

interface Readiness {
  dimension: string;
  required: number;
  attained: number;
  ratio: number;
}
interface Standing {
  competencyCode: string;
  layerCode: string;
  required: number;
  attained: number;
  gap: number;
  evidence?: { kind: string; code: string; at: string } | null;
  competency: { nameZh: string; nameEn: string; strandCodes?: string[] } | null;
}
export interface Portrait {
  student: {
    code: string;
    college: string;
    classLabel: string | null;
    enrolledOn: string | null;
    levelCode: string | null;
    programCode: string | null;
    framework: string;
    program: (Named & { levelCode: string; major: (Named & { industry: Named | null }) | null }) | null;
    readiness: Readiness[];
    placement: Array<{ layerCode: string; levelCode: string | null }>;
    standing: Standing[];
    evidence: Array<{ competencyCode: string; kind: string; code: string; at: string; proficiency: number; passed: boolean; score: number | null; maxScore: number | null }>;
    gaps: { target: string; totalGap: number; items: Standing[]; readiness: Readiness[] };
    learningPath: {
      totalCredits: number;
      uncoveredCodes: string[];
      steps: Array<{ position: number; reason: string; credits: number; closesCodes: string[]; course: (Named & { levelCode: string }) | null }>;
    };
  } | null;
  jobRoles: { nodes: Array<Named & { levelCode: string; industryCode: string }> };
}

export async function drawPortrait(root: HTMLElement, data: Portrait, reference: Reference, targetParam: string): Promise<void> {
  const s = data.student!;
  const industry = s.program?.major?.industry?.code;
  const jobs = data.jobRoles.nodes.filter((j) => !industry || j.industryCode === industry);
  const names = new Map(s.standing.map((x) => [x.competencyCode, x.competency]));
  const targetOptions: Array<[string, string]> = [
    ["", tr("本专业培养方案", "Own program")],
    ...reference.levels.map((l): [string, string] => [`level:${l.code}`, `${tr("层次", "Level")}: ${nm(l)}`]),
    ...jobs.map((j): [string, string] => [`job:${j.code}`, `${tr("岗位", "Job")}: ${nm(j)}（${j.levelCode}）`]),
  ];
  const targetLabel = targetOptions.find(([v]) => v === targetParam)?.[1] ?? targetOptions[0][1];

  // Readiness: the radar, with the chosen target's readiness beside the program's.
  const radar = h("div", { class: "chart radar", role: "img", "aria-label": tr("四维准备度雷达图", "Readiness radar") });
  const readinessTable = h(
    "table",
    { class: "data readiness" },
    h("thead", null, h("tr", null, h("th", null, tr("维度", "Dimension")), h("th", null, tr("达成/要求", "Attained / required")), h("th", null, tr("准备度", "Readiness")))),
    h(
      "tbody",
      null,
      DIMENSIONS.map((d) => {
        const r = s.readiness.find((x) => x.dimension === d);
        return h(
          "tr",
          { "data-dimension": d },
          h("td", null, h("span", { class: "dot", style: `background:${DIMENSION_COLORS[d]}` }), dimensionName(d)),
          h("td", { class: "num" }, r ? `${r.attained}/${r.required}` : "—"),
          h("td", { class: "num ratio" }, r ? pct(r.ratio) : "—"),
        );
      }),
    ),
  );

  const placement = h(
    "ul",
    { class: "placement" },
    s.placement.map((p) =>
      h(
        "li",
        { "data-layer": p.layerCode, "data-level": p.levelCode ?? "NONE" },
        h("span", { class: "layer" }, named(reference.layers, p.layerCode)),
        h(
          "span",
          { class: "ladder" },
          reference.levels.map((l) => h("span", { class: "rung" + (reached(reference, p.levelCode, l.code) ? " on" : ""), style: reached(reference, p.levelCode, l.code) ? `background:${LEVEL_COLORS[l.code]}` : "" }, l.code)),
        ),
        h("strong", { class: "placed" }, levelName(reference.levels, p.levelCode)),
      ),
    ),
  );

  const gapItems = s.gaps.items.filter((x) => x.gap > 0);
  const gapsCard = card(
    tr("差距", "Gaps"),
    h("div", { class: "toolbar no-print" }, labelled(tr("对照", "Against"), select("target", targetOptions, targetParam, (v) => setQuery({ target: v || null })))),
    h(
      "p",
      { class: "kpis" },
      h("span", { class: "kpi", "data-kpi": "totalGap" }, h("strong", null, String(s.gaps.totalGap)), tr("总差距（级）", "total gap (steps)")),
      h("span", { class: "kpi", "data-kpi": "gapCount" }, h("strong", null, String(gapItems.length)), tr("项能力未达", "competencies short")),
      h("span", { class: "kpi", "data-kpi": "targetCount" }, h("strong", null, String(s.gaps.items.length)), tr("项目标能力", "target competencies")),
    ),
    h("p", { class: "muted small" }, tr("对照：", "Against: "), targetLabel),
    gapItems.length
      ? h(
          "ul",
          { class: "gap-list" },
          gapItems
            .slice()
            .sort((a, b) => b.gap - a.gap || a.competencyCode.localeCompare(b.competencyCode))
            .map((g) =>
              h(
                "li",
                { "data-code": g.competencyCode },
                link(`/competency/${encodeURIComponent(g.competencyCode)}`, h("code", null, g.competencyCode)),
                " ",
                h("span", { class: "name" }, nm(g.competency ?? names.get(g.competencyCode)), " "),
                h("span", { class: "gapnum" }, `${g.attained}→${g.required}`),
              ),
            ),
        )
      : empty(tr("没有差距：全部达到目标。", "No gap: every target is met.")),
  );

  const path = s.learningPath;
  const pathCard = card(
    tr("学习路径", "Learning path"),
    h("p", { class: "kpis" }, h("span", { class: "kpi", "data-kpi": "steps" }, h("strong", null, String(path.steps.length)), tr("门课程", "courses")), h("span", { class: "kpi", "data-kpi": "credits" }, h("strong", null, String(path.totalCredits)), tr("学分", "credits"))),
    path.steps.length
      ? h(
          "ol",
          { class: "path" },
          path.steps.map((step) =>
            h(
              "li",
              { "data-position": String(step.position), "data-course": step.course?.code ?? "" },
              h("code", null, step.course?.code ?? "?"),
              " ",
              h("strong", null, nm(step.course)),
              " ",
              badge(step.reason === "GAP" ? tr("补差", "closes gaps") : tr("先修", "prerequisite"), step.reason),
              h("span", { class: "muted small" }, ` ${step.credits} ${tr("学分", "cr")}`, step.closesCodes.length ? h("span", { class: "closes" }, ` · ${step.closesCodes.join(" ")}`) : ""),
            ),
          ),
        )
      : empty(tr("无需补修课程。", "No course needed.")),
    path.uncoveredCodes.length
      ? h("p", { class: "muted small uncovered" }, tr("没有课程能补的差距：", "Gaps no course closes: "), path.uncoveredCodes.join(" "))
      : null,
  );

  // Attained vs required per competency, with the evidence behind each value.
  const evidenceOf = (code: string) => s.evidence.filter((e) => e.competencyCode === code);
  const layerOrder = (code: string) => ["GEN", "PRO", "IND"].indexOf(code);
  const standing = s.standing
    .filter((x) => x.required > 0 || x.attained > 0)
    .sort((a, b) => layerOrder(a.layerCode) - layerOrder(b.layerCode) || a.competencyCode.localeCompare(b.competencyCode));
  const rows = standing.flatMap((x) => {
    const detail = h(
      "tr",
      { class: "evidence-row", hidden: true },
      h(
        "td",
        { colspan: 6 },
        evidenceOf(x.competencyCode).length
          ? h(
              "ul",
              { class: "evidence" },
              evidenceOf(x.competencyCode).map((e) =>
                h(
                  "li",
                  { class: e.passed ? "passed" : "failed" },
                  `${e.at.slice(0, 10)} · ${e.kind === "ASSESSMENT" ? tr("测评", "assessment") : tr("认证", "certificate")} ${e.code}`,
                  e.score !== null ? ` · ${e.score}/${e.maxScore}` : "",
                  ` · ${e.passed ? tr(`证明 ${e.proficiency} 级`, `shows ${e.proficiency}`) : tr("未通过", "not passed")}`,
                ),
              ),
            )
          : tr("没有证据。", "No evidence."),
      ),
    );
    const toggle = h("button", { type: "button", class: "link", "aria-expanded": "false", onclick: () => {
      detail.hidden = !detail.hidden;
      toggle.setAttribute("aria-expanded", String(!detail.hidden));
    } }, x.evidence ? [h("span", { class: "code" }, x.evidence.code), h("span", { class: "date" }, ` · ${x.evidence.at.slice(0, 10)}`)] : tr("证据", "evidence"));
    const width = (v: number) => `${Math.min(4, v) * 25}%`;
    return [
      h(
        "tr",
        { "data-code": x.competencyCode, class: x.gap > 0 ? "short" : "met" },
        h("td", null, link(`/competency/${encodeURIComponent(x.competencyCode)}`, h("code", null, x.competencyCode)), " ", nm(x.competency), x.competency?.strandCodes?.includes("ETH") ? badge(tr("伦理", "ethics"), "eth") : null),
        h("td", null, x.layerCode),
        h("td", { class: "bar-cell" }, h("span", { class: "bar" }, h("span", { class: "fill", style: `width:${width(x.attained)}` }), h("span", { class: "mark", style: `left:${width(x.required)}` }))),
        h("td", { class: "num att", title: x.required ? "" : tr("不在培养方案要求内", "not required by the program") }, `${x.attained}/${x.required || "—"}`),
        h("td", { class: "num gap" }, x.gap ? String(x.gap) : ""),
        h("td", { class: "ev" }, toggle),
      ),
      detail,
    ];
  });
  const standingCard = card(
    tr(`逐项达成（${standing.length} 项能力：达成 / 要求）`, `Per competency (${standing.length}: attained / required)`),
    h(
      "table",
      { class: "data standing" },
      h("thead", null, h("tr", null, [tr("能力", "Competency"), tr("层面", "Layer"), tr("达成 ▮ 要求 |", "attained ▮ required |"), tr("达成/要求", "att/req"), tr("差距", "Gap"), tr("依据（点击展开全部证据）", "Evidence (click for all)")].map((t) => h("th", null, t)))),
      h("tbody", null, rows),
    ),
  );
  standingCard.classList.add("standing-card");

  const program = s.program;
  mount(root, 
    h(
      "div",
      { class: "portrait" },
      h(
        "div",
        { class: "title-row" },
        h("h1", null, tr("学生画像", "Student portrait"), " · ", h("span", { class: "student-code" }, s.code)),
        h("button", { type: "button", class: "no-print", onclick: () => window.print() }, tr("打印（A4 一页）", "Print (one A4 page)")),
      ),
      h(
        "p",
        { class: "meta" },
        [
          nm(reference.colleges.find((c) => c.code === s.college)) || s.college,
          program ? nm(program) : s.programCode,
          s.classLabel ? `${tr("班级", "Class")} ${s.classLabel}` : null,
          s.enrolledOn ? `${tr("入学", "Enrolled")} ${s.enrolledOn}` : null,
          `${tr("框架", "Framework")} ${s.framework}`,
        ]
          .filter(Boolean)
          .join(" · "),
      ),
      h("div", { class: "portrait-top" }, card(tr("四维准备度", "Readiness on four dimensions"), radar, readinessTable), card(tr("各层面所处层次", "Placement per layer"), placement, h("p", { class: "muted small" }, tr("某层面的所处层次：该层次在此层面的全部要求均已达到。", "A layer's placement: the highest level whose every requirement in it is met."))), gapsCard, pathCard),
      standingCard,
      h("p", { class: "print-only small muted" }, tr(`打印于 ${new Date().toISOString().slice(0, 10)} · 演示数据均为虚构`, `Printed ${new Date().toISOString().slice(0, 10)} · demo data are fictional`)),
    ),
  );
  const targetReadiness = targetParam ? s.gaps.readiness : [];
  await chart(radar, {
    legend: { bottom: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: {},
    radar: {
      radius: "56%",
      center: ["50%", "47%"],
      indicator: DIMENSIONS.map((d) => ({ name: dimensionName(d), max: 100, color: "#333" })),
      axisName: { fontSize: 11 },
      splitNumber: 4,
    },
    series: [
      {
        type: "radar",
        data: [
          { name: tr("本专业", "Own program"), value: DIMENSIONS.map((d) => Math.round((s.readiness.find((r) => r.dimension === d)?.ratio ?? 0) * 100)), areaStyle: { opacity: 0.25 }, itemStyle: { color: "#219ebc" } },
          ...(targetReadiness.length
            ? [{ name: targetLabel, value: DIMENSIONS.map((d) => Math.round((targetReadiness.find((r) => r.dimension === d)?.ratio ?? 0) * 100)), itemStyle: { color: "#c8553d" }, lineStyle: { type: "dashed" as const } }]
            : []),
        ],
      },
    ],
  });
}

function reached(reference: Reference, placed: string | null, level: string): boolean {
  if (!placed) return false;
  const rank = (code: string) => reference.levels.find((l) => l.code === code)?.rank ?? 0;
  return rank(level) <= rank(placed);
}
