// The engine in a browser: headless Chromium loads the compiled engine (dist/, build/*.wasm) from a
// local cross-origin-isolated server and runs the same calls as this process, on the page's main
// thread and in a Web Worker with 2 threads. Needs `npx tsc -p .` and `npm run build:wasm` first.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findChromium, runChromium, startServer } from "../helpers/browser.js";
import { runWorkload, type WorkloadResult } from "../helpers/browser-workload.js";
import { repoRoot, sharedFile, skipped } from "../helpers/shared.js";

const WORKLOAD = "/dist/test/helpers/browser-workload.js";

const fetchInputs = `const text = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(url + ": " + res.status);
  return res.text();
};
const [x, init] = await Promise.all([text("/fixture/x.csv"), text("/fixture/init.csv")]);`;

const page = `<!doctype html>
<meta charset="utf-8">
<title>custseg engine</title>
<pre id="result">running</pre>
<script type="module" src="/page.js"></script>
`;

// The main thread may not block, so there a request for 2 threads runs on one.
const pageScript = `import { runWorkload } from "${WORKLOAD}";
const out = document.getElementById("result");
const report = (value) => {
  out.textContent = JSON.stringify(value);
  return fetch("/result", { method: "POST", body: out.textContent });
};
try {
  ${fetchInputs}
  const main = [await runWorkload(x, init, 1), await runWorkload(x, init, 2)];
  const worker = new Worker("/worker.js", { type: "module" });
  const inWorker = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error("worker failed: " + (e.message || "could not load")));
  });
  worker.terminate();
  await report({ crossOriginIsolated, main, worker: inWorker });
} catch (err) {
  await report({ error: String(err?.stack ?? err) });
}
`;

const workerScript = `import { runWorkload } from "${WORKLOAD}";
try {
  ${fetchInputs}
  postMessage({ crossOriginIsolated, runs: [await runWorkload(x, init, 1), await runWorkload(x, init, 2)] });
} catch (err) {
  postMessage({ error: String(err?.stack ?? err) });
}
`;

interface PageResult {
  error?: string;
  crossOriginIsolated: boolean;
  main: WorkloadResult[];
  worker: { error?: string; crossOriginIsolated: boolean; runs: WorkloadResult[] };
}

/** The computed values of a run, without how it ran. */
function values(r: WorkloadResult) {
  const { threads: _threads, flavour: _flavour, ...rest } = r;
  return rest;
}

test("headless Chromium: k-means, silhouette and PCA equal Node's bit for bit, on the main thread and in a worker with 2 threads", async () => {
  const xFile = sharedFile("reference/kernels/kmeans_blobs_2000x5.csv", "the browser engine test");
  const initFile = sharedFile("reference/kernels/kmeans_blobs_2000x5_init_centers.csv", "the browser engine test");
  if (!xFile || !initFile) return skipped();
  const chromium = findChromium("the browser engine test");
  if (!chromium) return skipped();
  for (const built of ["dist/src/engine/index.js", WORKLOAD.slice(1), "build/custseg.wasm", "build/custseg-threads.wasm"]) {
    assert.ok(existsSync(join(repoRoot, built)), `${built} is missing: run 'npx tsc -p .' and 'npm run build:wasm' first`);
  }
  const xCsv = readFileSync(xFile, "utf8");
  const initCsv = readFileSync(initFile, "utf8");

  const node = [await runWorkload(xCsv, initCsv, 1), await runWorkload(xCsv, initCsv, 2)];
  assert.equal(
    node.map((r) => r.threads),
    [1, 2],
  );
  assert.equal(values(node[1]!), values(node[0]!), "Node: 2 threads equal 1");

  const server = await startServer({
    root: repoRoot,
    // A plain static server: the engine has no bare imports to resolve.
    allow: ["/dist/src/engine/", WORKLOAD, "/build/"],
    routes: {
      "/page.html": page,
      "/page.js": pageScript,
      "/worker.js": workerScript,
      "/fixture/x.csv": xCsv,
      "/fixture/init.csv": initCsv,
      "/favicon.ico": "",
    },
  });
  let result: PageResult;
  try {
    result = JSON.parse(await runChromium(chromium, `${server.origin}/page.html`, server.origin, server.result, 20_000));
  } finally {
    await server.close();
  }
  if (result.error) assert.unreachable(`the page failed: ${result.error}`);
  if (result.worker.error) assert.unreachable(`the worker failed: ${result.worker.error}`);

  assert.ok(result.crossOriginIsolated, "the page is cross-origin isolated");
  assert.equal(
    result.main.map((r) => [r.threads, r.flavour]),
    [
      [1, "simd"],
      [1, "threads"],
    ],
    "main thread: 1 thread, also when 2 are asked for",
  );
  assert.ok(result.worker.crossOriginIsolated, "the worker is cross-origin isolated");
  assert.equal(
    result.worker.runs.map((r) => [r.threads, r.flavour]),
    [
      [1, "simd"],
      [2, "threads"],
    ],
    "worker: 2 threads on shared memory",
  );
  for (const [where, run] of [
    ["main thread, 1 thread", result.main[0]!],
    ["main thread, 2 asked", result.main[1]!],
    ["worker, 1 thread", result.worker.runs[0]!],
    ["worker, 2 threads", result.worker.runs[1]!],
  ] as const) {
    assert.equal(values(run), values(node[0]!), `${where}: the same labels, n_iter and bits as Node`);
  }

  // Every request the page and its workers made was to this server, for a file that exists.
  const host = new URL(server.origin).host;
  const local = server.requests.filter((r) => r.url.startsWith("/"));
  for (const r of local) {
    assert.is(r.host, host, `${r.method} ${r.url}: host`);
    assert.ok(r.status === 200 || r.status === 204, `${r.method} ${r.url}: status ${r.status}`);
  }
  const paths = new Set(local.map((r) => r.url));
  for (const path of ["/build/custseg.wasm", "/build/custseg-threads.wasm", "/dist/src/engine/worker.js", "/result"]) {
    assert.ok(paths.has(path), `the browser requested ${path}`);
  }
  // Anything else reached the server as a proxy request, was refused, and came from the browser
  // itself (no page as referrer); the CSP allows only this origin and reports any other attempt.
  for (const r of server.requests.filter((r) => !r.url.startsWith("/"))) {
    assert.is(r.status, 403, `${r.method} ${r.url} was refused`);
    assert.is(r.initiator, undefined, `${r.method} ${r.url} came from the page`);
  }
  assert.equal(server.cspReports, [], "no Content-Security-Policy violation");
});

test.run();
