/** The worker script beside this module, with the same extension (.js when built, .ts under tsx). */
export function workerUrl(): URL {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker.${ext}`, import.meta.url);
}
