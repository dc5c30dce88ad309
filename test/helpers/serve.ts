// Shared by the server tests: a small model trained by the real pipeline on generated data, the
// parity run's model, a server started in-process on 127.0.0.1 port 0, and the CLI's server as a
// real process.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { seedParityOptions } from "../../bench/cases/seed-parity.js";
import { loadEngine } from "../../src/engine/engine.js";
import { generateFile } from "../../src/io/generate/generate.js";
import { runPipeline } from "../../src/pipeline/jobs/run.js";
import { RUN_DEFAULTS } from "../../src/pipeline/options.js";
import type { RunArtifacts } from "../../src/pipeline/jobs/run-artifacts.js";
import { SERVE_DEFAULTS, type ServeOptions } from "../../src/serve/options.js";
import { type RunningServer, startServer } from "../../src/serve/server.js";
import * as assert from "uvu/assert";
import { startCli } from "./cli.js";
import { sharedFile } from "./shared.js";

/** The run defaults, with two k-means runs instead of ten: the servers need a model, not the best one. */
const TRAIN = { ...RUN_DEFAULTS, cacheDir: false, nInit: 2 } as const;

/** A scratch directory with two small models of different seeds: the model a reload replaces, and its replacement. */
export async function twoModels(name: string): Promise<{ tmp: string; modelA: string; modelB: string }> {
  const tmp = await mkdtemp(join(tmpdir(), `custseg-serve-${name}-`));
  return { tmp, modelA: (await smallModel(tmp, 1)).path, modelB: (await smallModel(tmp, 2)).path };
}

/** A model of the product's own format, trained on a small generated data set; returns model.json's path. */
export async function smallModel(dir: string, seed = 1): Promise<{ path: string; run: RunArtifacts }> {
  const input = join(dir, `generated-${seed}.csv`);
  await generateFile(input, { rows: 20_000, customers: 300, seed });
  const engine = await loadEngine();
  try {
    const run = await runPipeline(engine, { ...TRAIN, seed, input, out: join(dir, `run-${seed}`) });
    return { path: join(dir, `run-${seed}`, "model.json"), run };
  } finally {
    engine.close();
  }
}

/** The `--compat seed` parity run (the original's outliers and initial centres), or undefined without ../shared. */
export async function seedParityRun(dir: string): Promise<{ path: string; run: RunArtifacts; seedDir: string } | undefined> {
  const parquet = sharedFile("data/online_retail.parquet", "serving the parity run's model");
  const seedDir = sharedFile("reference/seed-pipeline", "serving the parity run's model");
  if (!parquet || !seedDir) return undefined;
  const engine = await loadEngine();
  try {
    const run = await runPipeline(engine, seedParityOptions(parquet, seedDir, join(dir, "seed-run")));
    return { path: join(dir, "seed-run", "model.json"), run, seedDir };
  } finally {
    engine.close();
  }
}

export function serveOptions(model: string, over: Partial<ServeOptions> = {}): ServeOptions {
  return { ...SERVE_DEFAULTS, model, port: 0, logPath: null, ...over };
}

export function serve(model: string, over: Partial<ServeOptions> = {}): Promise<RunningServer> {
  return startServer(serveOptions(model, over));
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
  body: any;
  text: string;
}

export async function post(url: string, body: unknown, contentType = "application/json"): Promise<Reply> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return read(res);
}

export async function get(url: string): Promise<Reply> {
  return read(await fetch(url));
}

async function read(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/**
 * `custseg serve` as its own process (the compiled CLI), on a free port of 127.0.0.1. `onSpawn` is
 * called at once with the child and its stderr so far, to act on the server while it starts.
 */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ChildProcess, stderr: () => string) => void): Promise<ServeProcess> {
  let child: ChildProcess;
  let err = "";
  return new Promise((resolve, reject) => {
    const exited = startCli(["serve", "--host", "127.0.0.1", "--port", "0", ...args], {
      env: { AIP_HTTP_PORT: "", ...env },
      onStart: (c) => {
        child = c;
        onSpawn?.(c, () => err);
      },
      onStderr: (text) => {
        err = text;
        const m = /on (http:\/\/[^;\s]+);/.exec(err);
        if (m) resolve({ child, url: m[1]!, stderr: () => err, exited });
      },
    }).then((r) => r.code);
    void exited.then((code) => reject(new Error(`custseg serve exited (${code}) before listening: ${err}`)));
  });
}

/** Ten instances of p components each. */
const hammerBody = (p: number) => ({ instances: Array.from({ length: 10 }, (_, i) => Array.from({ length: p }, (_, j) => (i - j) / 4)) });

/** Keep `concurrency` requests of ten instances in flight until `stop` resolves; returns every status seen (-1: no answer). */
export async function hammer(url: string, p: number, concurrency: number, stop: Promise<unknown>): Promise<number[]> {
  const statuses: number[] = [];
  let done = false;
  void stop.then(() => (done = true));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!done) {
        const r = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(hammerBody(p)) })
          .then(async (res) => {
            await res.text();
            return res.status;
          })
          .catch(() => -1);
        statuses.push(r);
      }
    }),
  );
  return statuses;
}

export const waitFor = async (what: string, check: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.unreachable(`timed out waiting for ${what}`);
};

/** A request on a connection of its own (fetch keeps one alive): with --workers N, each may reach another worker. */
export function once(url: string, method = "GET", body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, headers: text === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (data += d));
      res.on("end", () => {
        let parsed: unknown = data;
        try {
          parsed = JSON.parse(data);
        } catch {}
        resolve({ status: res.statusCode!, body: parsed, text: data });
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** The processes a process started (Linux), e.g. the workers of `serve --workers N`. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter((s) => s !== "").map(Number);
  } catch {
    return [];
  }
}

/** Whether a process has a handler for `signal` (Linux: SigCgt of /proc/PID/status); false once it has gone. */
export function catches(pid: number, signal: NodeJS.Signals): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(constants.signals[signal] - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * SIGHUP under load, as the reload tests drive it: `live` (a copy of `modelA`, which `s` serves) is
 * truncated and refused once, the old model kept — every id `ids()` reads is still it —; then
 * `modelB` replaces it and `ids()` reads one new id; every request of the load is answered 200.
 */
export async function reloadUnderLoad(s: ServeProcess, live: string, modelA: string, modelB: string, ids: () => Promise<string[]>): Promise<void> {
  const idA = (await get(`${s.url}/metadata`)).body.id;
  const p = (await get(`${s.url}/metadata`)).body.inputs.components.length;
  let stopLoad!: () => void;
  const load = hammer(s.url, p, 4, new Promise<void>((r) => (stopLoad = r)));

  await writeFile(live, (await readFile(modelA, "utf8")).slice(0, 500));
  s.child.kill("SIGHUP");
  await waitFor("the refusal", () => /reload refused/.test(s.stderr()));
  assert.is(s.stderr().match(/reload refused/g)?.length, 1);
  assert.match(s.stderr(), /reload refused, still serving [0-9a-f]{12}: .*live\.json/);
  for (const id of await ids()) assert.is(id, idA);

  await copyFile(modelB, live);
  s.child.kill("SIGHUP");
  await waitFor("the reload", () => /reloaded: now serving/.test(s.stderr()));
  const after = new Set(await ids());
  assert.is(after.size, 1);
  assert.is.not([...after][0], idA);
  stopLoad();
  const statuses = await load;
  assert.ok(statuses.length > 0);
  assert.equal([...new Set(statuses)], [200]);
}
