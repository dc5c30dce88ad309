// custseg's compute engine: matrices in, typed arrays out; WASM kernels behind a TypeScript API.
// Browser-safe: nothing here imports `node:`; the WASM bytes and workers come from the platform.
// The public surface is deliberately small: load an engine, pass it matrices, seed it with Rng.
export type { ResidentMatrix } from "./context.js";
export { type ColumnSet, type Engine, type LoadOptions, loadEngine } from "./engine.js";
export type { KMeansInit, KMeansOptions, KMeansResult } from "./kmeans.js";
export type { Forest, ForestOptions } from "./forest-model.js";
export type { Matrix, NumericColumn } from "./matrix.js";
export type { MiniBatchResult } from "./minibatch.js";
export type { MiniBatchInit, MiniBatchOptions } from "./minibatch-options.js";
export type { PcaFit, PcaModel, PcaOptions } from "./pca-model.js";
export type { Placement, PlacementModel } from "./score.js";
export { Rng } from "./rng.js";
export type { StandardScaled, StandardScaler } from "./scale.js";
export type { SampledSilhouette, SilhouetteOptions, SilhouetteResult, SilhouetteSampleOptions } from "./silhouette.js";
