// custseg's compute engine: matrices in, typed arrays out; WASM kernels behind a TypeScript API.
// Browser-safe: nothing here imports `node:`; the WASM bytes and workers come from the platform.
export { Arena } from "./arena.js";
export { CHUNK_ROWS, type EngineContext, forEachChunk, type ResidentMatrix } from "./context.js";
export { type ColumnSet, Engine, type LoadOptions, loadEngine } from "./engine.js";
export { KMEANS_DEFAULTS, type KMeansInit, type KMeansOptions, type KMeansResult } from "./kmeans.js";
export type { PcaFit, PcaModel, PcaOptions } from "./pca-model.js";
export type { Placement, PlacementModel } from "./score.js";
export type { StandardScaled, StandardScaler } from "./scale.js";
export type { SilhouetteOptions, SilhouetteResult } from "./silhouette.js";
export { type Matrix, matrix, type NumericColumn } from "./matrix.js";
export type { Flavour, Kernel, Kernels } from "./module.js";
export { currentPlatform, type EngineWorker, type Platform, setPlatform } from "./platform.js";
export { Rng } from "./rng.js";
export * as reference from "./reference/index.js";
