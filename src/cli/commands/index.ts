import type { CommandModule } from "yargs";
import cache from "./cache.js";
import download from "./download.js";
import drift from "./drift.js";
import evaluate from "./evaluate.js";
import exportCommand from "./export.js";
import features from "./features.js";
import gc from "./gc.js";
import generate from "./generate.js";
import kmeans from "./kmeans.js";
import model from "./model.js";
import pca from "./pca.js";
import predict from "./predict.js";
import retrain from "./retrain.js";
import run from "./run.js";
import runs from "./runs.js";
import serve from "./serve.js";
import status from "./status.js";
import tune from "./tune.js";

// One entry per command file in this folder; each file default-exports its CommandModule.
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argument types
export const commands: CommandModule<any, any>[] = [cache, download, drift, evaluate, exportCommand, features, gc, generate, kmeans, model, pca, predict, retrain, run, runs, serve, status, tune];
