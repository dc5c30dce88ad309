// Benchmarks that compare two sides in one process, interleaved round by round so that both see
// the same load: this build beside another (--against: that checkout's root, built), or two ways of
// one build. Their flags (--against, --rounds, --threads, each bounded: a bad value is one line and
// exit 1), the other build's modules, and the medians of CPU time (process.cpuUsage, every thread
// of the process) and wall time. On a shared machine the CPU time and the ratio are the figures to
// compare.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as engine from "../../src/engine/index.js";
import * as kmeans from "../../src/engine/kmeans.js";
import { median } from "./median.js";

export interface Build {
  name: string;
  engine: typeof engine;
  kmeans: typeof kmeans;
}

export interface BuildsRun {
  builds: Build[];
  rounds: number;
  threads: number[];
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const flagOf = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

/** The --rounds flag of `args` (default `defaultRounds`). */
export function roundsFlag(args: string[], defaultRounds: number): number {
  const rounds = Number(flagOf(args, "--rounds") ?? defaultRounds);
  // A round is about a tenth of a second a side: a few hundred keep a run within minutes.
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 500) fail(`--rounds must be a whole number from 1 to 500, got ${flagOf(args, "--rounds")}`);
  return rounds;
}

/** The flags of `args`, and the builds they name (this one first). */
export async function buildsRun(args: string[], defaultRounds = 9): Promise<BuildsRun> {
  const flag = (name: string) => flagOf(args, name);
  const rounds = roundsFlag(args, defaultRounds);
  const threads = (flag("--threads") ?? "1,2").split(",").map(Number);
  if (threads.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) fail(`--threads must list whole numbers from 1 to 64, got ${flag("--threads")}`);
  const builds: Build[] = [{ name: "this build", engine, kmeans }];
  const against = flag("--against");
  if (against !== undefined) {
    const url = (path: string) => pathToFileURL(resolve(against, "dist/src/engine", path)).href;
    const other = await Promise.all([import(url("index.js")), import(url("kmeans.js"))]).catch(() => fail(`--against: no built engine at ${url("")} (run npm run build there)`));
    builds.push({ name: against, engine: other[0] as typeof engine, kmeans: other[1] as typeof kmeans });
  }
  return { builds, rounds, threads };
}

/**
 * `rounds` rounds of `measure` on every side in turn; per side, the medians of CPU and wall time and
 * the digest of its last result.
 */
export function interleave<S>(rounds: number, sides: S[], measure: (side: S) => string): { cpu: number; wall: number; digest: string }[] {
  const cpu = sides.map((): number[] => []);
  const wall = sides.map((): number[] => []);
  const digests = sides.map(() => "");
  for (let r = 0; r < rounds; r++) {
    sides.forEach((side, i) => {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      digests[i] = measure(side);
      wall[i]!.push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpu[i]!.push((c.user + c.system) / 1000);
    });
  }
  return sides.map((_, i) => ({ cpu: median(cpu[i]!), wall: median(wall[i]!), digest: digests[i]! }));
}

/** One line of results: each build's medians, the CPU ratio (this build ÷ the other) and whether the results agree. */
export function resultLine(label: string, builds: Build[], results: { cpu: number; wall: number; digest: string }[]): string {
  const cells = builds.map((b, i) => `${b.name}: CPU ${results[i]!.cpu.toFixed(1)} ms, wall ${results[i]!.wall.toFixed(1)} ms`);
  const ratio = builds.length > 1 ? `, CPU ratio ${(results[0]!.cpu / results[1]!.cpu).toFixed(3)}` : "";
  const same = builds.length > 1 ? (results.every((r) => r.digest === results[0]!.digest) ? ", same results" : ", RESULTS DIFFER") : "";
  return `${label} | ${cells.join(" | ")}${ratio}${same}`;
}

