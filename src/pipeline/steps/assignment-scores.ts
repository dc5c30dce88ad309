// Scores of one assignment of customers to clusters on a given matrix — silhouette, Davies–Bouldin
// and Calinski–Harabasz — with null where a score is undefined (fewer than two clusters in use, or
// as many clusters as customers), rather than an error: a model may place every new customer in one
// cluster, and that is a finding, not a failure.
import type { ResidentMatrix } from "../../engine/context.js";
import type { Engine } from "../../engine/engine.js";
import type { Matrix } from "../../engine/matrix.js";

export interface AssignmentScores {
  silhouette: number | null;
  davies_bouldin: number | null;
  calinski_harabasz: number | null;
  /** Customers per cluster number (0..k−1). */
  sizes: number[];
}

/** The silhouette (O(n²)) yields to the event loop and stops once `signal` is aborted. */
export async function assignmentScores(engine: Engine, x: Matrix | ResidentMatrix, labels: Int32Array, k: number, signal?: AbortSignal): Promise<AssignmentScores> {
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l]!++;
  const used = sizes.filter((s) => s > 0).length;
  if (used < 2 || used > x.rows - 1) return { silhouette: null, davies_bouldin: null, calinski_harabasz: null, sizes };
  return {
    silhouette: (await engine.silhouetteInterruptible(x, labels, {}, signal)).score,
    davies_bouldin: engine.daviesBouldin(x, labels),
    calinski_harabasz: engine.calinskiHarabasz(x, labels),
    sizes,
  };
}
