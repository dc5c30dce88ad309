// The report's public surface: the page renderer, its input type and the correlation it expects.
export { correlationMatrix } from "./correlation.js";
export { renderReport } from "./render.js";
export type { ClusterMetrics, ReportData, StepRecord } from "./types.js";
