// The model artefact: types, reading and checking, writing, and resolving a reference to a file.
export { modelJson, readModel, writeModel } from "./file.js";
export { type CustsegModel, MODEL_FORMAT, MODEL_MAJOR, type ModelCluster, type ModelForest, type ModelOutliers, type ModelTopProduct } from "./model.js";
export { checkModel, ModelError, parseModel } from "./parse.js";
export { modelFilePath, type ResolvedModelRef, resolveModel } from "./resolve.js";
