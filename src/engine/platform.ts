/**
 * What the engine needs from its host, and nothing else: the WASM bytes, the core count and
 * workers. Node and browsers each provide one (platform-node.ts, platform-browser.ts), chosen at
 * run time by a dynamic import, so no file of the engine imports `node:` statically.
 */
import type { Platform } from "./platform-api.js";

export type { EngineWorker, Platform } from "./platform-api.js";

let chosen: Platform | undefined;

/** Use `platform` instead of the detected one (a bundler's asset loader, a test double). */
export function setPlatform(platform: Platform | undefined): void {
  chosen = platform;
}

/** The platform in use: an explicit one, else Node's or the browser's. */
export async function currentPlatform(): Promise<Platform> {
  if (chosen) return chosen;
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  chosen = isNode ? (await import("./platform-node.js")).platform : (await import("./platform-browser.js")).platform;
  return chosen;
}
