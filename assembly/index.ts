// The custseg WASM module: one file per kernel family, re-exported here.
export * from "./distance";
export * from "./kmeans";
export * from "./kmeans-single";
export * from "./lloyd-run";
export * from "./rng";
export * from "./pca";
export * from "./scale";
export * from "./silhouette";
export * from "./metrics";
export * from "./score";
export * from "./minibatch";
export * from "./forest";
