// 群体分析: a college, program or class — placement per layer, readiness histograms per
// dimension, the most common gaps, and a class × competency heatmap of shares.
import { gql } from "../api";
import { chart, loadCharts, DIMENSION_COLORS, LEVEL_COLORS } from "../charts";
import { h, link, pct, mount } from "../dom";
import { nm, tr } from "../i18n";
import { type ViewContext } from "../router";
import { card, dimensionName, DIMENSIONS, downloadButton, empty, errorBox, levelShort, loading, ref, type Reference } from "../ui";
import { scopePicker } from "./common";
import { needsStudentToken } from "./student";

const COHORT = `query Cohort($college: String, $program: String, $classLabel: String) {
  cohort(college: $college, program: $program, classLabel: $classLabel) {
    students
    placement { layerCode levelCode students }
    readiness { dimension lower upper students }
    commonGaps(limit: 10) { competencyCode layerCode students meeting share gapTotal
      competency { nameZh nameEn } } }
  cohortHeatmap(college: $college, program: $program) {
    competencyCodes
    competencies { code nameZh nameEn layerCode strandCodes }
    rows { classLabel programCode students cells { competencyCode share students meeting } } } }`;

interface Cohort {
  cohort: {
    students: number;
    placement: Array<{ layerCode: string; levelCode: string | null; students: number }>;
    readiness: Array<{ dimension: string; lower: number; upper: number; students: number }>;
    commonGaps: Array<{ competencyCode: string; layerCode: string; students: number; meeting: number; share: number; gapTotal: number; competency: { nameZh: string; nameEn: string } | null }>;
  };
  cohortHeatmap: {
    competencyCodes: string[];
    competencies: Array<{ code: string; nameZh: string; nameEn: string; layerCode: string; strandCodes: string[] }>;
    rows: Array<{ classLabel: string; programCode: string; students: number; cells: Array<{ competencyCode: string; share: number; students: number; meeting: number }> }>;
  };
}

const BUCKETS = ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%", "100%"];

export async function cohortView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  if (needsStudentToken(root)) return;
  root.append(loading());
  let reference: Reference;
  void loadCharts(); // in parallel with the data
  try {
    reference = await ref();
    const { scope, controls } = await scopePicker(reference, query);
    const data = await gql<Cohort>(COHORT, { college: scope.college, program: scope.program, classLabel: scope.classLabel });
    if (!ctx.alive()) return;
    const c = data.cohort;
    const title = h("h1", null, tr("群体分析", "Cohort dashboard"));
    if (c.students === 0) {
      mount(root, title, controls, empty(tr("这个范围里没有学生。", "No students in this scope."), link("/students", tr("学生列表", "Student list"))));
      return;
    }
    const layerFilter = query.get("layer") ?? "ALL";
    const placementBox = h("div", { class: "chart bars" });
    const readinessBox = h("div", { class: "chart bars" });
    const heatBox = h("div", { class: "chart heat" });
    const scopeName = [
      nm(reference.colleges.find((x) => x.code === scope.college)) || scope.college,
      scope.program,
      scope.classLabel,
    ].filter(Boolean).join(" · ");
    mount(root, 
      title,
      controls,
      h(
        "p",
        { class: "kpis" },
        h("span", { class: "kpi", "data-kpi": "students" }, h("strong", null, String(c.students)), tr("名学生", "students")),
        h("span", { class: "muted" }, scopeName),
        downloadButton(tr("导出 Excel（逐生达成）", "Export to Excel (per student)"), `/exports/cohort?${new URLSearchParams({ college: scope.college, format: "xlsx", ...(scope.program ? { program: scope.program } : {}), ...(scope.classLabel ? { classLabel: scope.classLabel } : {}) })}`, `cohort-${scope.college}.xlsx`),
      ),
      h(
        "div",
        { class: "two" },
        card(tr("各层面所处层次分布", "Placement per layer"), placementBox, placementTable(c, reference)),
        card(tr("各维度准备度分布（学生人数）", "Readiness per dimension (students)"), readinessBox, readinessTable(c)),
      ),
      card(tr("最常见的差距", "Most common gaps"), gapsTable(c)),
      card(
        tr("班级 × 能力：达到要求的学生比例", "Class × competency: share of students meeting the target"),
        h(
          "div",
          { class: "toolbar tabs", role: "tablist" },
          ["ALL", ...DIMENSIONS].map((d) =>
            link(`${location.pathname}?${withParam(query, "layer", d === "ALL" ? null : d)}`, d === "ALL" ? tr("全部", "All") : dimensionName(d)),
          ).map((a, i) => {
            const d = ["ALL", ...DIMENSIONS][i];
            a.setAttribute("role", "tab");
            if (d === layerFilter) a.setAttribute("aria-selected", "true");
            return a;
          }),
        ),
        data.cohortHeatmap.rows.length ? heatBox : empty(tr("没有带班级标签的学生。", "No students with a class label.")),
        heatmapSummary(data, layerFilter),
      ),
    );
    await Promise.all([
      drawPlacement(placementBox, c, reference),
      drawReadiness(readinessBox, c),
      data.cohortHeatmap.rows.length ? drawHeatmap(heatBox, data, layerFilter, scope.classLabel) : null,
    ]);
  } catch (error) {
    if (ctx.alive()) mount(root, h("h1", null, tr("群体分析", "Cohort dashboard")), errorBox(error));
  }
}

function withParam(query: URLSearchParams, key: string, value: string | null): string {
  const next = new URLSearchParams(query);
  if (value === null) next.delete(key);
  else next.set(key, value);
  return next.toString();
}

const LEVELS = ["NONE", "ZZ", "GZ", "BK"];

function placementCount(c: Cohort["cohort"], layer: string, level: string): number {
  return c.placement.find((p) => p.layerCode === layer && (p.levelCode ?? "NONE") === level)?.students ?? 0;
}

function placementTable(c: Cohort["cohort"], reference: Reference): HTMLElement {
  return h(
    "table",
    { class: "data compact placement-table" },
    h("thead", null, h("tr", null, h("th", null, tr("层面", "Layer")), LEVELS.map((l) => h("th", { class: "num" }, levelShort(reference.levels, l))))),
    h(
      "tbody",
      null,
      reference.layers.map((layer) =>
        h("tr", { "data-layer": layer.code }, h("td", null, nm(layer)), LEVELS.map((l) => h("td", { class: "num", "data-level": l }, String(placementCount(c, layer.code, l))))),
      ),
    ),
  );
}

async function drawPlacement(el: HTMLElement, c: Cohort["cohort"], reference: Reference): Promise<void> {
  await chart(el, {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 10, right: 20, top: 10, bottom: 56, containLabel: true },
    xAxis: { type: "value", max: c.students },
    yAxis: { type: "category", data: reference.layers.map((l) => nm(l)), inverse: true },
    series: LEVELS.map((level) => ({
      type: "bar",
      stack: "placed",
      name: levelShort(reference.levels, level),
      itemStyle: { color: LEVEL_COLORS[level] },
      label: { show: true, formatter: (p: { value: number }) => (p.value ? String(p.value) : ""), color: level === "BK" || level === "GZ" ? "#fff" : "#222" },
      data: reference.layers.map((layer) => placementCount(c, layer.code, level)),
    })),
  });
}

function bucketCount(c: Cohort["cohort"], dimension: string, index: number): number {
  return c.readiness.find((r) => r.dimension === dimension && Math.round(r.lower * 5) === index)?.students ?? 0;
}

function readinessTable(c: Cohort["cohort"]): HTMLElement {
  return h(
    "table",
    { class: "data compact readiness-table" },
    h("thead", null, h("tr", null, h("th", null, tr("维度", "Dimension")), BUCKETS.map((b) => h("th", { class: "num" }, b)))),
    h(
      "tbody",
      null,
      DIMENSIONS.map((d) => h("tr", { "data-dimension": d }, h("td", null, dimensionName(d)), BUCKETS.map((_, i) => h("td", { class: "num", "data-bucket": String(i) }, String(bucketCount(c, d, i)))))),
    ),
  );
}

async function drawReadiness(el: HTMLElement, c: Cohort["cohort"]): Promise<void> {
  await chart(el, {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 10, right: 10, top: 10, bottom: 56, containLabel: true },
    xAxis: { type: "category", data: BUCKETS },
    yAxis: { type: "value", minInterval: 1 },
    series: DIMENSIONS.map((d) => ({
      type: "bar",
      name: dimensionName(d),
      itemStyle: { color: DIMENSION_COLORS[d] },
      data: BUCKETS.map((_, i) => bucketCount(c, d, i)),
    })),
  });
}

function gapsTable(c: Cohort["cohort"]): HTMLElement {
  if (!c.commonGaps.length) return empty(tr("没有差距：每个学生都达到了全部目标。", "No gaps: every student meets every target."));
  return h(
    "table",
    { class: "data gaps-table" },
    h("thead", null, h("tr", null, [tr("能力", "Competency"), tr("层面", "Layer"), tr("要求人数", "Required of"), tr("达到", "Meeting"), tr("未达", "Short"), tr("达到比例", "Share meeting"), tr("差距合计", "Gap total")].map((x, i) => h("th", { class: i > 1 ? "num" : "" }, x)))),
    h(
      "tbody",
      null,
      c.commonGaps.map((g) =>
        h(
          "tr",
          { "data-code": g.competencyCode },
          h("td", null, link(`/competency/${encodeURIComponent(g.competencyCode)}`, h("code", null, g.competencyCode)), " ", nm(g.competency)),
          h("td", null, g.layerCode),
          h("td", { class: "num" }, String(g.students)),
          h("td", { class: "num" }, String(g.meeting)),
          h("td", { class: "num short" }, String(g.students - g.meeting)),
          h("td", { class: "num share" }, h("span", { class: "bar small" }, h("span", { class: "fill", style: `width:${g.share * 100}%` })), " ", pct(g.share)),
          h("td", { class: "num" }, String(g.gapTotal)),
        ),
      ),
    ),
  );
}

function columnsFor(data: Cohort, layer: string): Cohort["cohortHeatmap"]["competencies"] {
  return data.cohortHeatmap.competencies.filter((c) =>
    layer === "ALL" ? true : layer === "ETH" ? c.strandCodes.includes("ETH") : c.layerCode === layer,
  );
}

function heatmapSummary(data: Cohort, layer: string): HTMLElement {
  const columns = columnsFor(data, layer);
  return h(
    "p",
    { class: "muted small heat-summary", "data-rows": String(data.cohortHeatmap.rows.length), "data-columns": String(columns.length) },
    tr(`${data.cohortHeatmap.rows.length} 个班级 × ${columns.length} 项能力；空白：该班级的培养方案不要求这项能力。`, `${data.cohortHeatmap.rows.length} classes × ${columns.length} competencies; blank: the class's program does not ask for it.`),
  );
}

async function drawHeatmap(el: HTMLElement, data: Cohort, layer: string, selectedClass: string | null): Promise<void> {
  const columns = columnsFor(data, layer);
  const rows = data.cohortHeatmap.rows;
  const x = columns.map((c) => c.code);
  const y = rows.map((r) => `${r.classLabel}`);
  const points: Array<[number, number, number]> = [];
  rows.forEach((r, yi) => {
    for (const cell of r.cells) {
      const xi = x.indexOf(cell.competencyCode);
      if (xi >= 0) points.push([xi, yi, Math.round(cell.share * 100)]);
    }
  });
  el.style.height = `${Math.max(250, rows.length * 28 + 160)}px`;
  const nameOf = new Map(columns.map((c) => [c.code, nm(c)]));
  await chart(el, {
    tooltip: {
      formatter: (p: { value: [number, number, number] }) => {
        const [xi, yi, v] = p.value;
        const cell = rows[yi].cells.find((c) => c.competencyCode === x[xi]);
        return `${y[yi]} · ${x[xi]} ${nameOf.get(x[xi]) ?? ""}<br>${v}%（${cell?.meeting ?? 0}/${cell?.students ?? 0}）`;
      },
    },
    grid: { left: 90, right: 20, top: 10, bottom: 130 },
    xAxis: { type: "category", data: x, axisLabel: { rotate: 60, fontSize: 10, interval: 0 }, splitArea: { show: true } },
    yAxis: {
      type: "category",
      data: y,
      inverse: true,
      axisLabel: { formatter: (v: string) => (v === selectedClass ? `{b|▶ ${v}}` : v), rich: { b: { fontWeight: "bold" } } },
    },
    visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, text: ["100%", "0%"], inRange: { color: ["#fde2d3", "#f4a261", "#2a9d8f", "#1b6f66"] } },
    series: [{ type: "heatmap", data: points, emphasis: { itemStyle: { borderColor: "#222", borderWidth: 1 } } }],
  });
}
