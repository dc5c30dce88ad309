import type { ClusterProfiles } from "../../pipeline/steps/profiles.js";
import { clusterName, fmt, label } from "../svg.js";
import { heatmap } from "./heatmap.js";

/** Colours saturate at this many standard deviations; the printed values are not clamped. */
export const PROFILE_LIMIT = 2;

/** Clusters × features: how far each cluster's mean sits from the overall mean, in overall stds. */
export function profileChart(profiles: ClusterProfiles): string {
  return heatmap({
    name: "profile",
    title: "Cluster profiles: standardised difference from the overall mean",
    rowLabels: profiles.clusters.map((c) => `${clusterName(c.cluster)} · ${c.name}`),
    colLabels: profiles.features.map(label),
    value: (r, c) => profiles.clusters[r].z[c],
    limit: PROFILE_LIMIT,
    format: (v) => fmt(v, 2),
    cellWidth: 54,
    cellHeight: 30,
    keyTitle: `std from the overall mean (colour clamped at ±${PROFILE_LIMIT})`,
  });
}
