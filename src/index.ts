// custseg as a library: load a fitted model and score customers, or compute features from
// transactions. The numeric engine alone (no Arrow) is `custseg/engine`.
export { type ComputeFeaturesOptions, computeFeatures } from "./lib/features.js";
export { type LoadModelOptions, loadModel, type ModelInput, SegmentationModel } from "./lib/model.js";
export { type CustsegModel, MODEL_FORMAT, ModelError, parseModel } from "./model/index.js";
export { FEATURE_NAMES } from "./pipeline/features.js";
export type { ScoreOptions, Scored } from "./pipeline/steps/score.js";
export { type Engine, loadEngine } from "./engine/index.js";
