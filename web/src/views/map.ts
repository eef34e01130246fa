// 能力图谱: the 3 levels × 3 layers grid with the safety & ethics strand across it; a cell
// lists its competencies with that level's descriptor; search in Chinese or English.
import { allPages, gql } from "../api";
import { h, link, mount } from "../dom";
import { nm, nmOther, pick, tr } from "../i18n";
import { setQuery, type ViewContext } from "../router";
import { badge, card, empty, errorBox, loading, named, proficiencyName, ref, select, labelled, type Named } from "../ui";

interface MapCompetency {
  code: string;
  nameZh: string;
  nameEn: string;
  layerCode: string;
  strandCodes: string[];
  levelCodes: string[];
  major: Named | null;
  industry: Named | null;
}

interface Page<N> {
  nodes: N[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ALL = `query All($after: String) { competencies(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { code nameZh nameEn layerCode strandCodes levelCodes
          major { code nameZh nameEn } industry { code nameZh nameEn } } } }`;

const CELL = `query Cell($level: LevelCode!, $layer: LayerCode, $strand: String, $major: String,
    $industry: String) {
  competencies(level: $level, layer: $layer, strand: $strand, major: $major,
               industry: $industry, first: 100) {
    totalCount
    nodes { code nameZh nameEn layerCode strandCodes major { code nameZh nameEn }
            industry { code nameZh nameEn }
            requirement(level: $level) { descriptorZh descriptorEn target { value } } } } }`;

const SEARCH = `query Search($q: String!) { competencies(search: $q, first: 50) {
  totalCount nodes { code nameZh nameEn layerCode strandCodes levelCodes } } }`;

interface MajorRow extends Named {
  industry: Named | null;
}

let everything: Promise<{ competencies: MapCompetency[]; majors: MajorRow[] }> | null = null;

function loadAll(): Promise<{ competencies: MapCompetency[]; majors: MajorRow[] }> {
  everything ??= Promise.all([
    allPages((after) =>
      gql<{ competencies: Page<MapCompetency> }>(ALL, { after }).then((d) => d.competencies),
    ),
    gql<{ majors: { nodes: MajorRow[] } }>(
      `{ majors(first: 100) { nodes { code nameZh nameEn industry { code nameZh nameEn } } } }`,
    ).then((d) => d.majors.nodes),
  ])
    .then(([competencies, majors]) => ({ competencies, majors }))
    .catch((error) => {
      everything = null;
      throw error;
    });
  return everything;
}

export async function mapView(ctx: ViewContext): Promise<void> {
  const { root, query } = ctx;
  root.append(loading());
  let data: Awaited<ReturnType<typeof loadAll>>;
  let reference: Awaited<ReturnType<typeof ref>>;
  try {
    [data, reference] = await Promise.all([loadAll(), ref()]);
  } catch (error) {
    if (ctx.alive()) mount(root, errorBox(error));
    return;
  }
  if (!ctx.alive()) return;
  const major = data.majors.find((m) => m.code === query.get("major")) ?? null;
  const inScope = (c: MapCompetency): boolean =>
    !major ||
    c.layerCode === "GEN" ||
    (c.layerCode === "PRO" && c.major?.code === major.code) ||
    (c.layerCode === "IND" && c.industry?.code === major.industry?.code);
  const shown = data.competencies.filter(inScope);
  const selectedLevel = query.get("level");
  const selectedLayer = query.get("layer");
  const selectedStrand = query.get("strand");

  const searchInput = h("input", {
    type: "search",
    name: "q",
    value: query.get("q") ?? "",
    placeholder: tr("搜索能力：中文、English 或编号", "Search: 中文, English or code"),
    "aria-label": tr("搜索能力", "Search competencies"),
  });
  const searchForm = h(
    "form",
    {
      class: "search",
      role: "search",
      onsubmit: (e: Event) => {
        e.preventDefault();
        setQuery({ q: searchInput.value.trim() || null, level: null, layer: null, strand: null });
      },
    },
    searchInput,
    h("button", { type: "submit" }, tr("搜索", "Search")),
  );
  const majorSelect = labelled(
    tr("专业", "Major"),
    select(
      "major",
      [["", tr("全部专业", "All majors")], ...data.majors.map((m): [string, string] => [m.code, nm(m)])],
      major?.code ?? "",
      (value) => setQuery({ major: value || null }),
    ),
  );

  const grid = h("div", { class: "grid-map", role: "table", "aria-label": tr("能力图谱", "Competency map") });
  grid.append(h("div", { class: "corner" }, tr("层面 \\ 层次", "Layer \\ level")));
  for (const level of reference.levels) {
    grid.append(
      h(
        "div",
        { class: "col-head", role: "columnheader" },
        h("strong", null, nm(level)),
        h("small", null, `${level.code} · ${tr("最高", "max")} ${level.maxProficiency} ${proficiencyName(level.maxProficiency)}`),
      ),
    );
  }
  for (const layer of reference.layers) {
    grid.append(h("div", { class: `row-head layer-${layer.code}`, role: "rowheader" }, h("strong", null, nm(layer)), h("small", null, layer.code)));
    for (const level of reference.levels) {
      const items = shown.filter((c) => c.layerCode === layer.code && c.levelCodes.includes(level.code));
      grid.append(cell(level.code, { layer: layer.code }, items, `layer-${layer.code}`));
    }
  }
  const ethics = reference.strands.find((s) => s.code === "ETH");
  grid.append(
    h("div", { class: "row-head strand-ETH", role: "rowheader" }, h("strong", null, ethics ? nm(ethics) : "ETH"), h("small", null, tr("贯穿三个层面", "through all layers"))),
  );
  for (const level of reference.levels) {
    const items = shown.filter((c) => c.strandCodes.includes("ETH") && c.levelCodes.includes(level.code));
    grid.append(cell(level.code, { strand: "ETH" }, items, "strand-ETH"));
  }

  function cell(level: string, params: Record<string, string>, items: MapCompetency[], kind: string): HTMLElement {
    const selected =
      selectedLevel === level && (params.layer ?? null) === selectedLayer && (params.strand ?? null) === selectedStrand;
    const search = new URLSearchParams({ ...(major ? { major: major.code } : {}), level, ...params });
    const a = link(
      `/map?${search}`,
      h("span", { class: "count" }, String(items.length)),
      h("span", { class: "unit" }, tr("项能力", items.length === 1 ? "competency" : "competencies")),
      h("span", { class: "preview" }, items.slice(0, 3).map((c) => nm(c)).join(" · ") + (items.length > 3 ? " …" : "")),
    );
    a.className = `cell ${kind}${selected ? " selected" : ""}`;
    a.setAttribute("role", "cell");
    a.dataset.level = level;
    a.dataset.layer = params.layer ?? "";
    a.dataset.strand = params.strand ?? "";
    a.dataset.count = String(items.length);
    return a;
  }

  mount(root, 
    h("div", { class: "title-row" }, h("h1", null, tr("能力图谱", "Competency map")), h("span", { class: "muted" }, `${nm(reference.framework)} · ${reference.framework.id}`)),
    h(
      "p",
      { class: "lead" },
      tr(
        "三个层次（中职 → 高职专科 → 职业本科）× 三个层面（通识素养 / 专业技能 / 行业能力），安全伦理贯穿其中。点击格子查看其中的能力与该层次的要求。",
        "Three levels (ZZ → GZ → BK) × three layers (general / professional / industry), with safety & ethics running through all. Click a cell for its competencies and what that level asks.",
      ),
    ),
    h("div", { class: "toolbar" }, searchForm, majorSelect),
    grid,
  );
  const q = query.get("q");
  if (q) await drawSearch(ctx, q);
  else if (selectedLevel && (selectedLayer || selectedStrand)) {
    const industry = selectedLayer === "IND" ? (major?.industry?.code ?? null) : null;
    const majorCode = selectedLayer === "PRO" ? (major?.code ?? null) : null;
    await drawCell(ctx, selectedLevel, selectedLayer, selectedStrand, majorCode, industry, reference, inScope);
  }
}

async function drawCell(
  ctx: ViewContext,
  level: string,
  layer: string | null,
  strand: string | null,
  major: string | null,
  industry: string | null,
  reference: Awaited<ReturnType<typeof ref>>,
  keep: (c: MapCompetency) => boolean,
): Promise<void> {
  const box = card(
    [named(reference.levels, level), " · ", layer ? named(reference.layers, layer) : named(reference.strands, strand)].join(""),
    loading(),
  );
  box.id = "cell-detail";
  ctx.root.append(box);
  type Row = MapCompetency & { requirement: { descriptorZh: string; descriptorEn: string; target: { value: number } } | null };
  let rows: Row[];
  try {
    const data = await gql<{ competencies: { nodes: Row[]; totalCount: number } }>(CELL, { level, layer, strand, major, industry });
    rows = data.competencies.nodes.filter(keep); // the strand row spans majors: same scope as the grid
    box.dataset.total = String(rows.length);
  } catch (error) {
    box.lastElementChild?.replaceWith(errorBox(error));
    return;
  }
  if (!ctx.alive()) return;
  const list = rows.length
    ? h(
        "ol",
        { class: "competency-list" },
        rows.map((c) =>
          h(
            "li",
            { "data-code": c.code },
            h(
              "div",
              { class: "line" },
              link(`/competency/${encodeURIComponent(c.code)}`, h("code", null, c.code), " ", h("strong", null, nm(c))),
              h("span", { class: "muted" }, nmOther(c)),
              c.strandCodes.includes("ETH") ? badge(tr("伦理", "ethics"), "eth") : null,
              c.major ? badge(nm(c.major), "major") : null,
              c.industry ? badge(nm(c.industry), "industry") : null,
              c.requirement ? badge(`${tr("目标", "target")} ${c.requirement.target.value} ${proficiencyName(c.requirement.target.value)}`, "target") : null,
            ),
            c.requirement ? h("p", { class: "descriptor" }, pick(c.requirement.descriptorZh, c.requirement.descriptorEn)) : null,
          ),
        ),
      )
    : empty(tr("这个格子里没有能力。", "No competency in this cell."));
  box.lastElementChild?.replaceWith(list);
  box.scrollIntoView({ block: "nearest" });
}

async function drawSearch(ctx: ViewContext, q: string): Promise<void> {
  const box = card(tr(`搜索“${q}”`, `Search “${q}”`), loading());
  box.id = "search-results";
  ctx.root.append(box);
  try {
    const data = await gql<{ competencies: { totalCount: number; nodes: MapCompetency[] } }>(SEARCH, { q });
    if (!ctx.alive()) return;
    box.dataset.total = String(data.competencies.totalCount);
    const nodes = data.competencies.nodes;
    box.lastElementChild?.replaceWith(
      nodes.length
        ? h(
            "ol",
            { class: "competency-list" },
            nodes.map((c) =>
              h(
                "li",
                { "data-code": c.code },
                h(
                  "div",
                  { class: "line" },
                  link(`/competency/${encodeURIComponent(c.code)}`, h("code", null, c.code), " ", h("strong", null, nm(c))),
                  h("span", { class: "muted" }, nmOther(c)),
                  badge(c.layerCode, `layer layer-${c.layerCode}`),
                  c.levelCodes.map((l) => badge(l, "level")),
                ),
              ),
            ),
          )
        : empty(tr("没有找到匹配的能力。试试其他中文或英文词。", "Nothing matches. Try another word, in Chinese or English.")),
    );
  } catch (error) {
    box.lastElementChild?.replaceWith(errorBox(error));
  }
}
