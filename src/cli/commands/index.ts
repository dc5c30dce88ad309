import type { CommandModule } from "yargs";

// Every command: its usage, the line `custseg --help` shows for it, and its module (flags and
// handler), which is loaded only when the command is named, so that `custseg --help` loads none and
// `custseg run` loads only run's. Each module default-exports the rest of its CommandModule.
export interface CommandEntry {
  command: string;
  describe: string;
  // biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argument types
  load(): Promise<{ default: CommandModule<any, any> }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { command: "cache", describe: "List or clear the cache of parsed sources", load: () => import("./cache.js") },
  { command: "download", describe: "Download the UCI Online Retail data set: keeps the zip and extracts 'Online Retail.xlsx' into --dir", load: () => import("./download.js") },
  { command: "drift", describe: "Compare new customers with the model's training customers: per-feature PSI, KS and Wasserstein tests, cluster shares; exit 3 on drift", load: () => import("./drift.js") },
  { command: "evaluate", describe: "Silhouette, Davies–Bouldin and Calinski–Harabasz scores of cluster labels (scikit-learn semantics)", load: () => import("./evaluate.js") },
  { command: "export", describe: "One row per customer of a run (outliers included, at their nearest segment) with segment name, RFM and three recommendations, for a CRM", load: () => import("./export.js") },
  { command: "features", describe: "Clean the transactions and compute the per-customer features", load: () => import("./features.js") },
  { command: "gc", describe: "Remove stored step outputs, run directories and rotated prediction logs that nothing kept refers to", load: () => import("./gc.js") },
  { command: "generate", describe: "Write synthetic transactions (the Online Retail schema and texture); the same seed gives the same bytes", load: () => import("./generate.js") },
  { command: "kmeans", describe: "Cluster the rows of a numeric matrix with k-means (scikit-learn's Lloyd or MiniBatchKMeans semantics)", load: () => import("./kmeans.js") },
  { command: "model <command>", describe: "Register, promote, alias, list and resolve model versions (the model registry)", load: () => import("./model.js") },
  { command: "pca", describe: "Principal components of a numeric matrix (scikit-learn 1.2's PCA, sign rule included)", load: () => import("./pca.js") },
  { command: "predict", describe: "Place customers under a model: cluster, distances, outlier score, principal components, recommendations", load: () => import("./predict.js") },
  { command: "retrain", describe: "Fit a candidate with the production model's settings on half of new data, compare both on the other half, register it, promote it when the policy holds; exit 3 when production is kept", load: () => import("./retrain.js") },
  { command: "run", describe: "Run the whole segmentation: clean, features, outliers, scaling, PCA, k-means, metrics, profiles, recommendations, report", load: () => import("./run.js") },
  { command: "runs <command>", describe: "List, show, compare and delete recorded runs (the run store)", load: () => import("./runs.js") },
  { command: "serve", describe: "Serve a model over HTTP: Vertex AI /predict, MLflow /invocations, health, readiness and metrics", load: () => import("./serve.js") },
  { command: "status", describe: "Compare the inputs and run flags given (default: those in custseg.lock) with the lock: each step fresh or stale, and why", load: () => import("./status.js") },
  { command: "tune", describe: "Try a grid of k-means settings on the customers, rank them, analyse k, and write tune.html", load: () => import("./tune.js") },
];

/** The word that invokes a command ("model" for "model <command>"). */
export const commandName = (entry: CommandEntry): string => entry.command.split(" ")[0]!;
