// Apache ECharts, tree-shaken: only the four chart types and the components the views use,
// drawn as SVG (crisp when printed, text stays text). Loaded on demand (see charts.ts).
import { BarChart, GraphChart, HeatmapChart, RadarChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  RadarComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  GraphChart,
  HeatmapChart,
  RadarChart,
  GridComponent,
  LegendComponent,
  RadarComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export { echarts };
