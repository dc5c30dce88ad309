// Plain-TypeScript implementations of every kernel: the tests' oracle and the benchmarks' baseline.
export * from "./distance.js";
export * from "./kmeans.js";
export * from "./metrics.js";
export * from "./pca.js";
export * from "./scale.js";
export * from "./silhouette.js";
export * from "./minibatch.js";
export * from "./forest.js";
