// Charts for the views. ECharts (most of the app's weight) is a chunk of its own, loaded
// when a view first draws a chart and prefetched once the first view is up, so the landing
// page (the competency map, which has no chart) renders without it.
import type { ECharts, EChartsCoreOption } from "echarts/core";

export const FONT =
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", ' +
  '"Source Han Sans SC", "WenQuanYi Micro Hei", system-ui, sans-serif';

export const LEVEL_COLORS: Record<string, string> = {
  NONE: "#c9ced6",
  ZZ: "#8ecae6",
  GZ: "#219ebc",
  BK: "#0b4f6c",
};
export const DIMENSION_COLORS: Record<string, string> = {
  GEN: "#2a9d8f",
  PRO: "#e9b949",
  IND: "#f08a4b",
  ETH: "#c8553d",
};

type Library = typeof import("./echarts-setup");
let library: Promise<Library> | null = null;

export function loadCharts(): Promise<Library> {
  library ??= import("./echarts-setup");
  return library;
}

const live = new Set<ECharts>();
let generation = 0;

/** Draw ``option`` into ``el`` (sized by CSS); charts die with the view that made them. */
export async function chart(el: HTMLElement, option: EChartsCoreOption): Promise<ECharts | null> {
  const mine = generation;
  const { echarts } = await loadCharts();
  if (mine !== generation || !el.isConnected) return null; // the view was left meanwhile
  const instance = echarts.init(el, null, { renderer: "svg" });
  instance.setOption({ textStyle: { fontFamily: FONT }, animation: false, ...option });
  live.add(instance);
  return instance;
}

export function disposeCharts(): void {
  generation++;
  for (const instance of live) instance.dispose();
  live.clear();
}

let pending = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => live.forEach((c) => c.resize()));
});
