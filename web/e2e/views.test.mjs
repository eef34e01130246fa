// Every view of the web app, rendered from the demo data by a real service process:
// the numbers shown equal the API's, nothing is fetched from another host, no console
// error, and the student portrait prints to one A4 page.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { api, BASE, launch, open, pct, pdfPages, ready, shot, text, TOKENS, useToken } from "./harness.mjs";

let browser;
let page;
const timings = {};

before(async () => {
  assert.ok(TOKENS.college && TOKENS.admin && TOKENS.designer && TOKENS.expired, "tokens in CG_TOKEN_*");
  browser = await launch();
  page = browser.page;
});

after(async () => {
  for (const [name, ms] of Object.entries(timings)) console.log(`# timing ${name} ${ms.toFixed(0)} ms`);
  await browser?.close();
});

/** Click a download button; the file the browser saved. */
async function downloaded(page, selector) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const { readFile } = await import("node:fs/promises");
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

async function firstRender(name, path) {
  await open(page, path);
  timings[name] = await page.evaluate(() => performance.getEntriesByName("cg-ready")[0]?.startTime ?? NaN);
}

test("competency map: the grid's counts are the API's, a cell lists its competencies", async () => {
  await firstRender("first render /map (cold)", "/map");
  const levels = ["ZZ", "GZ", "BK"];
  const counts = await api(`{ ${levels.flatMap((l) => [
    ...["GEN", "PRO", "IND"].map((y) => `${l}_${y}: competencies(level: ${l}, layer: ${y}) { totalCount }`),
    `${l}_ETH: competencies(level: ${l}, strand: "ETH") { totalCount }`,
  ]).join(" ")} }`);
  const shown = await page.$$eval(".grid-map .cell", (cells) =>
    cells.map((c) => [`${c.dataset.level}_${c.dataset.layer || c.dataset.strand}`, Number(c.dataset.count), c.querySelector(".count").textContent]),
  );
  assert.equal(shown.length, 12);
  for (const [key, count, visible] of shown) {
    assert.equal(count, counts[key].totalCount, key);
    assert.equal(visible, String(counts[key].totalCount), key);
  }
  await shot(page, "map");

  await page.click('.grid-map .cell[data-level="GZ"][data-layer="PRO"]');
  await ready(page);
  const cell = await api(`{ competencies(level: GZ, layer: PRO, first: 100) { totalCount nodes { code requirement(level: GZ) { target { value } } } } }`);
  const listed = await page.$$eval("#cell-detail li[data-code]", (items) => items.map((i) => i.dataset.code));
  assert.deepEqual(listed, cell.competencies.nodes.map((n) => n.code));
  assert.equal(Number(await page.getAttribute("#cell-detail", "data-total")), cell.competencies.totalCount);

  // one major: its industry's competencies in the industry row
  await open(page, "/map?major=M-AI&level=GZ&layer=IND");
  const ind = await api(`{ competencies(level: GZ, layer: IND, industry: "IT", first: 100) { totalCount nodes { code } } }`);
  assert.equal(await page.getAttribute('.grid-map .cell[data-level="GZ"][data-layer="IND"]', "data-count"), String(ind.competencies.totalCount));
  assert.deepEqual(await page.$$eval("#cell-detail li[data-code]", (i) => i.map((x) => x.dataset.code)), ind.competencies.nodes.map((n) => n.code));
  await shot(page, "map-cell");

  for (const q of ["伦理", "ethics"]) {
    await open(page, `/map?q=${encodeURIComponent(q)}`);
    const found = await api(`query($q: String!) { competencies(search: $q, first: 50) { totalCount nodes { code } } }`, { q });
    assert.ok(found.competencies.totalCount > 0, q);
    assert.equal(Number(await page.getAttribute("#search-results", "data-total")), found.competencies.totalCount, q);
    assert.deepEqual(await page.$$eval("#search-results li[data-code]", (i) => i.map((x) => x.dataset.code)), found.competencies.nodes.map((n) => n.code));
  }
});

test("competency page: descriptors per level, the graph, courses, assessments, jobs", async () => {
  const code = "GEN-05";
  await open(page, `/competency/${code}`);
  const { competency: c } = await api(`{ competency(code: "${code}") { requirements { levelCode target { value } }
    allPrerequisites: prerequisites(transitive: true) { code } dependents { code }
    taughtBy { course { code } } measuredBy { assessment { code } } evidencedBy { certification { code } } neededBy { jobRole { code } } } }`);
  const targets = await page.$$eval(".progression li.has", (items) => items.map((i) => [i.dataset.level, Number(i.dataset.target)]));
  assert.deepEqual(targets, c.requirements.map((r) => [r.levelCode, r.target.value]));
  const rows = async (kind) => page.$$eval(`table[data-kind=${kind}] tbody tr`, (r) => r.length).catch(() => 0);
  assert.equal(await rows("courses"), c.taughtBy.length);
  assert.equal(await rows("assessments"), c.measuredBy.length);
  assert.equal(await rows("certifications"), c.evidencedBy.length);
  assert.equal(await rows("jobs"), c.neededBy.length);
  const graphText = await page.textContent(".chart.graph svg");
  for (const node of [...c.allPrerequisites, ...c.dependents]) assert.ok(graphText.includes(node.code), node.code);
  await shot(page, "competency");
});

test("sign-in keeps the token in sessionStorage, never in a URL, and opens the student views", async () => {
  await open(page, "/cohort");
  assert.match(await text(page, "#view h1"), /需要登录/);
  await open(page, "/signin");
  await shot(page, "signin");
  await page.fill("textarea[name=token]", TOKENS.college);
  await page.click(".signin button[type=submit]");
  await page.waitForURL(`${BASE}/students`);
  await ready(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("cg.token")), TOKENS.college);
  assert.equal(await page.evaluate(() => localStorage.getItem("cg.token")), null);
  const nav = await page.$$eval("header nav a", (links) => links.map((a) => a.getAttribute("href")));
  assert.deepEqual(nav, ["/map", "/students", "/cohort", "/programs"]);
  const { students } = await api(`{ students(college: "COL-DEMO-GZ", first: 50) { totalCount nodes { code } } }`, {}, TOKENS.college);
  assert.equal(Number(await page.getAttribute(".pager", "data-total")), students.totalCount);
  assert.deepEqual(await page.$$eval("table.students tbody tr", (r) => r.map((x) => x.dataset.code)), students.nodes.map((n) => n.code));
});

const PORTRAIT = `query($target: GapTarget) { student(code: "S00001", college: "COL-DEMO-GZ") {
  readiness { dimension required attained ratio } placement { layerCode levelCode }
  standing { competencyCode required attained evidence { code at } }
  evidence(competency: "GEN-09") { code }
  gaps(target: $target) { totalGap items { competencyCode gap } }
  learningPath(target: $target) { totalCredits steps { course { code } } } } }`;

test("student portrait: readiness, placement, attained vs required, gaps and path are the API's", async () => {
  await firstRender("first render /student/COL-DEMO-GZ/S00001", "/student/COL-DEMO-GZ/S00001");
  const { student: s } = await api(PORTRAIT, {}, TOKENS.college);
  for (const r of s.readiness) {
    const cells = await page.$$eval(`table.readiness tr[data-dimension=${r.dimension}] td.num`, (t) => t.map((x) => x.textContent));
    assert.deepEqual(cells, [`${r.attained}/${r.required}`, pct(r.ratio)], r.dimension);
  }
  const placed = await page.$$eval("ul.placement li", (items) => items.map((i) => [i.dataset.layer, i.dataset.level]));
  assert.deepEqual(placed, s.placement.map((p) => [p.layerCode, p.levelCode ?? "NONE"]));
  assert.equal(await text(page, "[data-kpi=totalGap] strong"), String(s.gaps.totalGap));
  assert.equal(await text(page, "[data-kpi=gapCount] strong"), String(s.gaps.items.filter((g) => g.gap > 0).length));
  assert.deepEqual(await page.$$eval("ol.path li", (i) => i.map((x) => x.dataset.course)), s.learningPath.steps.map((x) => x.course.code));
  const standing = s.standing.filter((x) => x.required > 0 || x.attained > 0);
  assert.equal(await page.$$eval("table.standing tbody tr[data-code]", (r) => r.length), standing.length);
  for (const x of standing.slice(0, 12)) {
    assert.equal(await text(page, `table.standing tr[data-code="${x.competencyCode}"] td.att`), `${x.attained}/${x.required || "—"}`);
    if (x.evidence) {
      assert.equal(await text(page, `table.standing tr[data-code="${x.competencyCode}"] td.ev`), `${x.evidence.code} · ${x.evidence.at.slice(0, 10)}`);
    }
  }
  assert.ok(await page.$(".chart.radar svg path"), "the radar is drawn");
  // the evidence behind one value
  await page.click('table.standing tr[data-code="GEN-09"] td.ev button');
  const items = await page.$$eval('table.standing tr[data-code="GEN-09"] + tr.evidence-row li', (l) => l.length);
  assert.equal(items, s.evidence.length);
  assert.ok(items > 0);
  await shot(page, "portrait");
});

test("student portrait prints to exactly one A4 page", async () => {
  if (process.env.CG_SHOTS) {
    await page.setViewportSize({ width: 718, height: 1047 }); // A4 less 10 mm margins, at 96 dpi
    await page.emulateMedia({ media: "print" });
    await shot(page, "portrait-print", false);
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await page.emulateMedia({ media: null }); // page.pdf prints with the print style sheet
  const pdf = await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
  assert.equal(pdfPages(pdf), 1);
  // a long one: a first-year student against the bachelor level (38 gaps)
  await open(page, "/student/COL-DEMO-GZ/S00100?target=level:BK");
  const { student } = await api(`{ student(code: "S00100", college: "COL-DEMO-GZ") { gaps(target: {level: BK}) { items { gap } } } }`, {}, TOKENS.college);
  assert.ok(student.gaps.items.filter((g) => g.gap > 0).length > 30);
  assert.equal(pdfPages(await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true })), 1);
  await open(page, "/student/COL-DEMO-GZ/S00001");
});

test("student portrait against a job: gaps and path follow the target", async () => {
  await page.selectOption("select[name=target]", "job:JOB-IT-01");
  await ready(page);
  assert.ok(page.url().includes("target=job%3AJOB-IT-01") || page.url().includes("target=job:JOB-IT-01"));
  const { student: s } = await api(PORTRAIT, { target: { jobRole: "JOB-IT-01" } }, TOKENS.college);
  assert.equal(await text(page, "[data-kpi=totalGap] strong"), String(s.gaps.totalGap));
  assert.equal(await text(page, "[data-kpi=targetCount] strong"), String(s.gaps.items.length));
  assert.deepEqual(await page.$$eval("ol.path li", (i) => i.map((x) => x.dataset.course)), s.learningPath.steps.map((x) => x.course.code));
});

test("cohort dashboard: placement, readiness, common gaps and the heatmap are the API's", async () => {
  await open(page, "/cohort");
  const data = await api(`{ cohort(college: "COL-DEMO-GZ") { students placement { layerCode levelCode students }
      readiness { dimension lower students } commonGaps(limit: 10) { competencyCode share students meeting } }
    cohortHeatmap(college: "COL-DEMO-GZ") { competencyCodes rows { classLabel cells { competencyCode share } } } }`, {}, TOKENS.college);
  const c = data.cohort;
  assert.equal(await text(page, "[data-kpi=students] strong"), String(c.students));
  for (const p of c.placement) {
    assert.equal(await text(page, `table.placement-table tr[data-layer=${p.layerCode}] td[data-level=${p.levelCode ?? "NONE"}]`), String(p.students));
  }
  const shownTotal = await page.$$eval("table.placement-table td[data-level]", (t) => t.reduce((n, x) => n + Number(x.textContent), 0));
  assert.equal(shownTotal, c.placement.reduce((n, p) => n + p.students, 0));
  for (const r of c.readiness) {
    assert.equal(await text(page, `table.readiness-table tr[data-dimension=${r.dimension}] td[data-bucket="${Math.round(r.lower * 5)}"]`), String(r.students));
  }
  const gaps = await page.$$eval("table.gaps-table tbody tr", (rows) => rows.map((r) => [r.dataset.code, r.querySelector("td.share").textContent.trim()]));
  assert.deepEqual(gaps, c.commonGaps.map((g) => [g.competencyCode, pct(g.share)]));
  const heat = data.cohortHeatmap;
  assert.equal(Number(await page.getAttribute(".heat-summary", "data-rows")), heat.rows.length);
  assert.equal(Number(await page.getAttribute(".heat-summary", "data-columns")), heat.competencyCodes.length);
  const heatText = await page.textContent(".chart.heat svg");
  for (const row of heat.rows) assert.ok(heatText.includes(row.classLabel), row.classLabel);
  await shot(page, "cohort");
  const excel = await downloaded(page, ".kpis .download button");
  assert.equal(excel.name, "cohort-COL-DEMO-GZ.xlsx");
  assert.equal(excel.bytes.subarray(0, 2).toString(), "PK"); // an .xlsx is a zip

  // one class of one program
  await page.selectOption("select[name=program]", "P-AI-GZ");
  await ready(page);
  await page.selectOption("select[name=class]", "AI-2401");
  await ready(page);
  const one = await api(`{ cohort(college: "COL-DEMO-GZ", program: "P-AI-GZ", classLabel: "AI-2401") { students commonGaps(limit: 10) { competencyCode } } }`, {}, TOKENS.college);
  assert.equal(await text(page, "[data-kpi=students] strong"), String(one.cohort.students));
  assert.deepEqual(await page.$$eval("table.gaps-table tbody tr", (r) => r.map((x) => x.dataset.code)), one.cohort.commonGaps.map((g) => g.competencyCode));
});

test("a college token sees no other college, an expired token is told so, unknown students are empty", async () => {
  await open(page, "/student/COL-DEMO-BK/S00001");
  assert.equal(await page.getAttribute(".state.error", "data-code"), "FORBIDDEN");
  await open(page, "/student/COL-DEMO-GZ/NOBODY");
  assert.ok(await page.$(".state.empty"));
  await useToken(page, TOKENS.expired);
  await open(page, "/students");
  assert.equal(await page.getAttribute(".state.error", "data-code"), "TOKEN_EXPIRED");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("cg.token")), null);
  assert.match(await text(page, "header .tools"), /登录/);
});

test("programs: the matrix marks every programReport finding; the pathway and the diff are the API's", async () => {
  await useToken(page, TOKENS.designer);
  await open(page, "/programs");
  const { majors } = await api(`{ majors(first: 100) { totalCount } }`);
  assert.equal(await page.$$eval("table.programs tbody tr", (r) => r.length), majors.totalCount);

  const fw = "AIL@2025.2"; // the demo's draft revision: designers see it
  await open(page, `/program/P-AI-GZ?framework=${fw}`);
  const data = await api(`query($fw: ID, $id: ID) { program(code: "P-AI-GZ", framework: $fw) { courses { course { teaches { competency { code } } } } }
    programReport(code: "P-AI-GZ", framework: $id) { findingCount coverage { ...F } order { ...F } assessment { ...F } } }
    fragment F on ProgramFinding { kind competencyCode courseCode }`, { fw, id: fw }, TOKENS.designer);
  const report = data.programReport;
  assert.ok(report.findingCount > 0);
  assert.equal(await text(page, "[data-kpi=findings] strong"), String(report.findingCount));
  const taught = data.program.courses.reduce((n, c) => n + c.course.teaches.length, 0);
  assert.equal(await page.$$eval("table.matrix td.m", (cells) => cells.filter((c) => /^[1-4]/.test(c.textContent)).length), taught);
  const findings = [...report.coverage, ...report.order, ...report.assessment];
  const missing = await page.evaluate((list) => list.filter((f) => {
    const q = (s) => document.querySelector(s);
    if (f.competencyCode && f.courseCode) return !q(`tr[data-code="${f.competencyCode}"] td.flagged[data-course="${f.courseCode}"]`);
    if (f.courseCode) return !q(`th[data-course="${f.courseCode}"] .mark-finding[data-kind="${f.kind}"]`);
    return !q(`tr[data-code="${f.competencyCode}"] td.checks .mark-finding[data-kind="${f.kind}"]`);
  }), findings);
  assert.deepEqual(missing, []);
  assert.equal(await page.$$eval("ul.findings li", (l) => l.length), findings.length);
  await shot(page, "program");
  const exported = await downloaded(page, ".downloads .download button");
  assert.equal(exported.name, "program-report-P-AI-GZ.xlsx");
  assert.equal(exported.bytes.subarray(0, 2).toString(), "PK");

  await open(page, "/pathway?programs=P-AI-ZZ,P-AI-GZ,P-AI-BK");
  const { pathwayReport } = await api(`{ pathwayReport(programs: ["P-AI-ZZ", "P-AI-GZ", "P-AI-BK"]) { steps { fromProgram { code } gaps { kind } repetitions { kind } } } }`);
  for (const step of pathwayReport.steps) {
    assert.equal(Number(await page.getAttribute(`.arrow[data-from="${step.fromProgram.code}"] .gaps`, "data-count")), step.gaps.length);
    assert.equal(Number(await page.getAttribute(`.arrow[data-from="${step.fromProgram.code}"] .reps`, "data-count")), step.repetitions.length);
  }
  await shot(page, "pathway");

  await open(page, `/versions?from=AIL@2025.1&to=${fw}`);
  const { frameworkDiff: d } = await api(`{ frameworkDiff(from: "AIL@2025.1", to: "${fw}") { competencies { added removed changed { code } } requirements { added removed changed { code } } } }`, {}, TOKENS.designer);
  for (const kind of ["competencies", "requirements"]) {
    for (const part of ["added", "removed", "changed"]) {
      assert.equal(await text(page, `[data-kpi=${kind}-${part}] strong`), String(d[kind][part].length), `${kind} ${part}`);
    }
  }
  assert.ok(d.competencies.added.includes("GEN-29"));
  await shot(page, "versions");
});

test("English: the switch changes the interface and the content's names", async () => {
  await open(page, "/map");
  await page.click("header .lang");
  await ready(page);
  assert.equal(await text(page, "#view h1"), "Competency map");
  const { layers } = await api(`{ layers { nameEn } }`);
  assert.equal(await text(page, ".grid-map .row-head strong"), layers[0].nameEn);
  await useToken(page, TOKENS.admin);
  await open(page, "/cohort?college=COL-DEMO-BK");
  const { cohort } = await api(`{ cohort(college: "COL-DEMO-BK") { students } }`, {}, TOKENS.admin);
  assert.equal(await text(page, "[data-kpi=students] strong"), String(cohort.students));
  await shot(page, "cohort-en");
  await page.click("header .lang");
  await ready(page);
});

test("the page asked no host but the service and logged no error", () => {
  const origin = new URL(BASE).origin;
  const foreign = browser.seen.requests.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
  assert.deepEqual(foreign, []);
  assert.ok(browser.seen.requests.length > 20);
  for (const token of Object.values(TOKENS)) {
    assert.ok(!browser.seen.requests.some((url) => url.includes(token)), "a token in a URL");
  }
  assert.deepEqual(browser.seen.consoleErrors, []);
  assert.deepEqual(browser.seen.pageErrors, []);
});
