// Load benchmark of `custseg serve` beside the original Flask server's figures.
// Starts the CLI's server pinned to one core (taskset -c 0) with the prediction log writing to a
// real file, drives it with wrk (the Debian package `wrk`; the original's Flask figures were taken
// with it too) pinned to the other core (taskset -c 1) on 127.0.0.1, with the original's request
// format (PC1..PC6 objects from the reference pca_output.csv): after an uncounted warm-up, 1
// instance per request at 1 and 16 connections, 100 instances per request at 16 connections.
// wrk, not a JavaScript load generator: on one core, autocannon saturated before the bare
// node:http floor server did (13.6k against wrk's 18.3k requests/s on the same server).
// Then stops the server with SIGTERM (drain + flush) and checks that the log holds one line per
// prediction served. In the same run and the same way, three floor rows: a bare node:http server,
// a minimal fastify route and whole requests read straight off the socket (node:net: what node:http
// itself costs) (bench/cases/http-floor.ts), each pinned in its own process, reading the
// body, parsing it and answering custseg's own reply to it as fixed text — what the HTTP stack
// costs on this machine before any of custseg's work. Then the same cases against `custseg serve
// --workers 2` (--workers N to change it), the server NOT pinned (its primary and workers share both
// cores) and wrk still pinned to core 1, as the targets are stated; its CPU per request is that of
// the primary and every worker. After every case, custseg's log is checked: its line count must
// reach the predictions the server counted. Writes bench/results/serve.json.
// Usage: npm run bench:serve [-- --duration 10] [-- --model PATH] [-- --flask] [-- --baseline CLI] [-- --workers N]
// --baseline measures another build of the CLI (e.g. dist/cli/custseg.js of an earlier commit,
// built elsewhere) the same way in the same run, with its own log, as a row beside the floors:
// a before/after comparison that the machine's load at the time affects alike.
// Without --model it builds the `--compat seed` parity model from ../shared (about 15 s).
// --flask also drives the original's server (../shared/anchors/seed_serve.py; needs python3 with
// flask, scikit-learn and pandas) the same way, pinned the same way, in the same run.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../src/engine/engine.js";
import { runPipeline } from "../src/pipeline/jobs/run.js";
import { seedParityOptions } from "./cases/seed-parity.js";
import { writeFileAtomic } from "../src/io/atomic.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const duration = Number(arg("duration") ?? 10);
const shared = (rel: string) => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));
const cli = fileURLToPath(new URL("../cli/custseg.js", import.meta.url));
const httpFloor = fileURLToPath(new URL("./cases/http-floor.js", import.meta.url));
const FLOOR_NAMES = { node: "bare node:http", fastify: "minimal fastify route", net: "bare node:net" } as const;
const resultsPath = fileURLToPath(new URL("../../bench/results/serve.json", import.meta.url));
const seedDir = shared("reference/seed-pipeline");

/** The original Flask server, measured on this machine with wrk (same model, same request body). */
const FLASK = [
  { case: "1 instance, 1 connection", requestsPerS: 311, p50Ms: null, p99Ms: 4.9, instancesPerS: 311 },
  { case: "1 instance, 16 connections", requestsPerS: 407, p50Ms: 38, p99Ms: 57, instancesPerS: 407 },
  { case: "100 instances, 16 connections", requestsPerS: 228, p50Ms: null, p99Ms: 92, instancesPerS: 22_800 },
];
const CASES = [
  { case: "1 instance, 1 connection", instances: 1, connections: 1 },
  { case: "1 instance, 16 connections", instances: 1, connections: 16 },
  { case: "100 instances, 16 connections", instances: 100, connections: 16 },
];

const pinned = (core: number, argv: string[]) => (hasTaskset() ? ["taskset", ["-c", String(core), ...argv]] : [argv[0]!, argv.slice(1)]) as [string, string[]];
function hasTaskset(): boolean {
  return spawnSync("taskset", ["-c", "0", "true"]).status === 0;
}

async function seedModel(dir: string): Promise<string> {
  const engine = await loadEngine();
  await runPipeline(engine, seedParityOptions(shared("data/online_retail.parquet"), seedDir, join(dir, "run")));
  return join(dir, "run", "model.json");
}

function instances(n: number): object[] {
  const lines = readFileSync(join(seedDir, "pca_output.csv"), "utf8").trimEnd().split("\n");
  const header = lines[0]!.split(",");
  return lines.slice(1, n + 1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.slice(1).map((h, j) => [h, Number(cells[j + 1])]));
  });
}

/** custseg serve pinned to core 0, or with `workers` processes on no core in particular. */
function startServer(model: string, log: string, build = cli, workers = 1): Promise<{ child: ChildProcess; url: string }> {
  // Room for every line of the run (about 240 bytes a prediction, millions of them), so that the
  // line count can be checked against the predictions served: the default 5 rotated files would
  // drop the oldest lines by design.
  const argv = [process.execPath, build, "serve", "--model", model, "--host", "127.0.0.1", "--port", "0", "--log", log, "--log-files", "100"];
  return workers === 1 ? startPinned(argv) : startProcess(process.execPath, [...argv.slice(1), "--workers", String(workers)]);
}

/** A server process on core 0 that says "on http://…" on stderr once it listens. */
async function startPinned(argv: string[]): Promise<{ child: ChildProcess; url: string }> {
  const [cmd, args] = pinned(0, argv);
  return startProcess(cmd, args);
}

async function startProcess(cmd: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, AIP_HTTP_PORT: "" } });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /on (http:\/\/[^;\s]+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, url };
}

interface Measured {
  case: string;
  /** Server CPU (user + system) per request, from /proc: what a request costs whatever the machine's load. */
  serverCpuUsPerRequest: number;
  /** Requests per second of server CPU: the rate one core fully given to the server would sustain. */
  requestsPerCpuS: number;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  instancesPerS: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** custseg's log after the case, and the predictions the server had counted. */
  logLines?: number;
  predictionsCounted?: number;
}

async function startFlask(): Promise<{ child: ChildProcess; url: string }> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  // The system Python, where Debian's python3-flask, python3-sklearn and python3-pandas install.
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const [cmd, args] = pinned(0, [python, shared("anchors/seed_serve.py"), shared(""), String(port)]);
  const child = spawn(cmd, args, { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`seed_serve.py exited (${child.exitCode}); does python3 have flask, scikit-learn and pandas?`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("seed_serve.py did not start within 60 s");
}

/** The same cases against the original's Flask server, measured here and now. */
async function measureFlask(): Promise<{ case: string; requestsPerS: number; p50Ms: number; p99Ms: number; instancesPerS: number; non2xx: number }[]> {
  const { child, url } = await startFlask();
  try {
    await load(url, JSON.stringify({ instances: instances(1) }), 16, 2);
    const out = [];
    for (const c of CASES) {
      const r = await load(url, JSON.stringify({ instances: instances(c.instances) }), c.connections, duration);
      process.stderr.write(`  Flask ${c.case}: ${Math.round(r.rps)} requests/s, p50 ${r.p50} ms, p99 ${r.p99} ms\n`);
      out.push({ case: c.case, requestsPerS: Math.round(r.rps), p50Ms: r.p50, p99Ms: r.p99, instancesPerS: Math.round(r.rps * c.instances), non2xx: r.non2xx });
    }
    return out;
  } finally {
    child.kill("SIGTERM");
  }
}

/** wrk's Lua script: POST the body in BODY_FILE; at the end, one line of JSON with the counts and percentiles. */
const WRK_SCRIPT = `
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRK {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;

/** Files of one run: wrk's script and the bodies it posts. */
let scratch = "";
const bodyFiles = new Map<string, string>();

async function prepareLoad(dir: string): Promise<void> {
  scratch = dir;
  await writeFile(join(dir, "post.lua"), WRK_SCRIPT);
}

async function bodyFile(body: string): Promise<string> {
  let path = bodyFiles.get(body);
  if (path === undefined) {
    path = join(scratch, `body-${bodyFiles.size}.json`);
    await writeFile(path, body);
    bodyFiles.set(body, path);
  }
  return path;
}

interface Load {
  ok: number;
  non2xx: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** One wrk run on core 1: `connections` connections on one thread for `seconds`. */
async function load(url: string, body: string, connections: number, seconds: number): Promise<Load> {
  const [cmd, args] = pinned(1, ["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", join(scratch, "post.lua"), `${url}/predict`]);
  const res = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, BODY_FILE: await bodyFile(body) }, maxBuffer: 16 * 1024 * 1024 });
  const m = /^WRK (\{.*\})$/m.exec(res.stdout ?? "");
  if (res.status !== 0 || m === null) throw new Error(`wrk failed (${res.status}): ${res.stderr}${res.stdout}`);
  const r = JSON.parse(m[1]!) as Record<string, number>;
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    ok: r.requests! - r.status!,
    non2xx: r.status!,
    errors: r.connect! + r.read! + r.write! + r.timeout!,
    rps: r.requests! / (r.durationUs! / 1e6),
    p50: ms(r.p50Us!),
    p99: ms(r.p99Us!),
  };
}

/** Sum of custseg_predictions_total over clusters, from /metrics. */
async function predictionsServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^custseg_predictions_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}

/** User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process and the processes it started (the workers of `serve --workers N`). */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter((x) => x !== "").map(Number);
  } catch {}
  return [pid, ...children.flatMap(processTree)];
}

const treeCpuSeconds = (pid: number) => processTree(pid).reduce((sum, p) => sum + cpuSeconds(p), 0);

function countLines(log: string): number {
  const dir = join(log, "..");
  let lines = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith("predictions.jsonl")) continue;
    const text = readFileSync(join(dir, f));
    for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** After a case: the log's lines reach the predictions the server counted (within a few flushes), or the check fails. */
async function checkLog(url: string, log: string): Promise<{ logLines: number; predictionsCounted: number }> {
  let last = { logLines: 0, predictionsCounted: 0 };
  for (let i = 0; i < 20; i++) {
    last = { predictionsCounted: await predictionsServed(url), logLines: countLines(log) };
    if (last.logLines === last.predictionsCounted) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/**
 * Warm-up, then every case against one server (its process and any it started); CPU from /proc,
 * latency from wrk; with `log`, the log's line count checked after each case.
 */
async function measureCases(pid: number, url: string, label: string, log?: string): Promise<{ rows: Measured[]; served: number }> {
  // Warm-up, not counted: the JIT compiles the request path for both body sizes before anything is measured.
  let served = (await load(url, JSON.stringify({ instances: instances(1) }), 16, 2)).ok;
  served += (await load(url, JSON.stringify({ instances: instances(100) }), 16, 1)).ok * 100;
  const rows: Measured[] = [];
  for (const c of CASES) {
    const cpu0 = treeCpuSeconds(pid);
    const r = await load(url, JSON.stringify({ instances: instances(c.instances) }), c.connections, duration);
    served += r.ok * c.instances;
    const cpu = treeCpuSeconds(pid) - cpu0;
    rows.push({
      case: c.case,
      serverCpuUsPerRequest: Math.round((cpu / r.ok) * 1e6),
      requestsPerCpuS: Math.round(r.ok / cpu),
      requestsPerS: Math.round(r.rps),
      p50Ms: r.p50,
      p99Ms: r.p99,
      instancesPerS: Math.round(r.rps * c.instances),
      ok: r.ok,
      non2xx: r.non2xx,
      errors: r.errors,
      ...(log === undefined ? {} : await checkLog(url, log)),
    });
    const logged = log === undefined ? "" : `; log ${rows.at(-1)!.logLines} lines, ${rows.at(-1)!.predictionsCounted} predictions counted`;
    process.stderr.write(`  ${label} ${c.case}: ${Math.round(r.rps)} requests/s, p50 ${r.p50} ms, p99 ${r.p99} ms${logged}\n`);
  }
  return { rows, served };
}

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, j) => Math.max(...table.map((row) => row[j]!.length)));
  for (const row of table) process.stdout.write(`${row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ")}\n`);
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "custseg-bench-serve-"));
  try {
    await prepareLoad(tmp);
    const model = arg("model") ?? (await seedModel(tmp));
    const log = join(tmp, "predictions.jsonl");
    const { child, url } = await startServer(model, log);
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    // custseg's answers to the benchmark's bodies: the floor servers answer them as fixed text.
    const replies: Record<number, string> = {};
    let served = 0;
    for (const n of new Set(CASES.map((c) => c.instances))) {
      const res = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ instances: instances(n) }) });
      if (!res.ok) throw new Error(`custseg answered ${res.status} to ${n} instances: ${await res.text()}`);
      replies[n] = await res.text();
      served += n;
    }
    const measured = await measureCases(child.pid!, url, "custseg", log);
    served += measured.served;
    const rows = measured.rows;
    // The server's own count: wrk stops counting at its deadline, with requests still in flight.
    const servedByServer = await predictionsServed(url);
    child.kill("SIGTERM");
    const code = await exited;
    const logged = countLines(log);

    const repliesPath = join(tmp, "replies.json");
    await writeFileAtomic(repliesPath, JSON.stringify(replies));
    const floor: { server: string; cases: Measured[] }[] = [];
    for (const kind of ["node", "fastify", "net"] as const) {
      const server = await startPinned([process.execPath, httpFloor, kind, repliesPath]);
      try {
        floor.push({ server: FLOOR_NAMES[kind], cases: (await measureCases(server.child.pid!, server.url, FLOOR_NAMES[kind])).rows });
      } finally {
        server.child.kill("SIGTERM");
      }
    }

    const baselineCli = arg("baseline");
    if (baselineCli !== undefined) {
      const baselineLog = join(tmp, "baseline", "predictions.jsonl");
      await mkdir(join(tmp, "baseline"));
      const server = await startServer(model, baselineLog, baselineCli);
      const stopped = new Promise<void>((r) => server.child.on("exit", () => r()));
      try {
        const label = `custseg baseline (${baselineCli})`;
        floor.push({ server: "custseg baseline", cases: (await measureCases(server.child.pid!, server.url, label)).rows });
        const counted = await predictionsServed(server.url);
        server.child.kill("SIGTERM");
        await stopped;
        process.stderr.write(`  baseline: ${countLines(baselineLog)} log lines, ${counted} predictions counted\n`);
      } finally {
        server.child.kill("SIGTERM");
      }
    }

    // The same cases on `--workers N`: not pinned, so the primary and its workers use both cores
    // (wrk's core included, as the targets are stated); CPU per request is that of every process.
    const workers = Number(arg("workers") ?? 2);
    const workersLog = join(tmp, "workers", "predictions.jsonl");
    await mkdir(join(tmp, "workers"));
    const multi = await startServer(model, workersLog, cli, workers);
    const multiExited = new Promise<number | null>((r) => multi.child.on("exit", (code) => r(code)));
    let multiRows: Measured[];
    let multiCounted: number;
    try {
      multiRows = (await measureCases(multi.child.pid!, multi.url, `custseg --workers ${workers}`, workersLog)).rows;
      multiCounted = await predictionsServed(multi.url);
    } finally {
      multi.child.kill("SIGTERM");
    }
    const multiCode = await multiExited;
    const multiLogged = countLines(workersLog);

    const flaskLive = process.argv.includes("--flask") ? await measureFlask() : null;
    const flask = flaskLive ?? FLASK;
    const table = [["case", "custseg req/s", "p50 ms", "p99 ms", "instances/s", "server CPU µs/req", "req per CPU-s", "Flask req/s", "Flask p99 ms", "Flask instances/s"]];
    rows.forEach((r, i) => {
      const f = flask[i]!;
      table.push([r.case, String(r.requestsPerS), String(r.p50Ms), String(r.p99Ms), String(r.instancesPerS), String(r.serverCpuUsPerRequest), String(r.requestsPerCpuS), String(f.requestsPerS), String(f.p99Ms), String(f.instancesPerS)]);
    });
    printTable(table);
    const floorTable = [["case", "server", "req/s", "p50 ms", "p99 ms", "instances/s", "server CPU µs/req", "custseg CPU µs/req", "custseg − floor µs/req"]];
    for (const f of floor) {
      f.cases.forEach((r, i) => {
        const own = rows[i]!.serverCpuUsPerRequest;
        floorTable.push([r.case, f.server, String(r.requestsPerS), String(r.p50Ms), String(r.p99Ms), String(r.instancesPerS), String(r.serverCpuUsPerRequest), String(own), String(own - r.serverCpuUsPerRequest)]);
      });
    }
    process.stdout.write("HTTP floor (the same bodies in, custseg's replies out as fixed text, pinned the same way; and --baseline's build if given):\n");
    printTable(floorTable);
    const equal = logged === servedByServer;
    process.stdout.write(
      `prediction log: ${logged} lines; the server counted ${servedByServer} predictions served (${equal ? "equal" : "DIFFERENT"}), the load generator ${served}; server exit code ${code}\n`,
    );
    process.stdout.write(`custseg --workers ${workers} (not pinned; wrk on core 1; CPU of the primary and every worker):\n`);
    const multiTable = [["case", "req/s", "p50 ms", "p99 ms", "instances/s", "server CPU µs/req", "log lines after the case", "predictions counted", "1 process req/s"]];
    multiRows.forEach((r, i) => {
      multiTable.push([r.case, String(r.requestsPerS), String(r.p50Ms), String(r.p99Ms), String(r.instancesPerS), String(r.serverCpuUsPerRequest), String(r.logLines), String(r.predictionsCounted), String(rows[i]!.requestsPerS)]);
    });
    printTable(multiTable);
    const multiEqual = multiLogged === multiCounted && multiRows.every((r) => r.logLines === r.predictionsCounted);
    process.stdout.write(`prediction log of --workers ${workers}: ${multiLogged} lines; the server counted ${multiCounted} predictions served (${multiEqual ? "equal" : "DIFFERENT"}); exit code ${multiCode}\n`);

    const result = {
      loadAverage: loadavg(),
      machine: { cores: 2, pinning: hasTaskset() ? "server on core 0, wrk on core 1 (taskset)" : "none (taskset missing)" },
      durationS: duration,
      command: "npm run bench:serve",
      custseg: rows,
      floor: { source: "bench/cases/http-floor.ts: read the body, JSON.parse, answer custseg's reply to it as fixed text; 'custseg baseline': --baseline's build", baseline: baselineCli ?? null, servers: floor },
      flask: flaskLive
        ? { source: "the original's Flask server (seed_serve.py), measured in this run the same way", cases: flaskLive }
        : { source: "the original's Flask server (seed_serve.py), measured on this machine with wrk (quoted)", cases: FLASK },
      predictionLog: { lines: logged, predictionsServed: servedByServer, answeredWithinDeadline: served, equal },
      serverExitCode: code,
      workers: {
        count: workers,
        pinning: "server not pinned (primary and workers on both cores), wrk on core 1",
        cases: multiRows,
        predictionLog: { lines: multiLogged, predictionsServed: multiCounted, equal: multiEqual },
        serverExitCode: multiCode,
      },
    };
    await writeFileAtomic(resultsPath, `${JSON.stringify(result, null, 2)}\n`);
    if (!equal || !multiEqual || [rows, multiRows, ...floor.map((f) => f.cases)].flat().some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (spawnSync("wrk", ["-v"]).error !== undefined) {
  process.stderr.write("bench:serve needs wrk on the PATH (Debian/Ubuntu: apt-get install wrk)\n");
  process.exit(1);
}
if (!existsSync(seedDir) && !arg("model")) {
  process.stderr.write(`bench:serve needs ${seedDir} (or --model PATH)\n`);
  process.exit(1);
}
await main();
