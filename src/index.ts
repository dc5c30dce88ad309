// The package's main entry: the engine's public surface for now (custseg/engine is the same).
export * from "./engine/index.js";
