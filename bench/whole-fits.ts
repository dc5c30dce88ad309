// The whole k-means fits on the UCI components (FITS in cases/kmeans.ts), this build beside another
// (--against: that checkout's root, built), interleaved fit by fit in one process so both see the
// same load: medians of CPU time (process.cpuUsage, every thread of the process) and wall time, and
// whether both builds gave the same labels, centres, inertia and iterations, bit for bit. On a
// shared machine the CPU time and the ratio are the figures to compare.
// Usage: npm run build && node dist/bench/whole-fits.js [--against DIR] [--rounds N] [--threads 1,2]
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Engine, KMeansResult, ResidentMatrix } from "../src/engine/index.js";
import * as here from "../src/engine/index.js";
import { FITS } from "./cases/kmeans.js";
import { REAL_PCS, readIdCsv } from "./cases/real-data.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
const rounds = Number(flag("--rounds") ?? 9);
// Each round is about a tenth of a second a build: a few hundred keep a run within minutes.
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 500) fail(`--rounds must be a whole number from 1 to 500, got ${flag("--rounds")}`);
const threadList = (flag("--threads") ?? "1,2").split(",").map(Number);
if (threadList.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) fail(`--threads must list whole numbers from 1 to 64, got ${flag("--threads")}`);
const against = flag("--against");

interface Build {
  name: string;
  load: typeof here.loadEngine;
}
const builds: Build[] = [{ name: "this build", load: here.loadEngine }];
if (against !== undefined) {
  const entry = pathToFileURL(resolve(against, "dist/src/engine/index.js")).href;
  const other = (await import(entry).catch(() => fail(`--against: no built engine at ${entry} (run npm run build there)`))) as typeof here;
  builds.push({ name: against, load: other.loadEngine });
}

/** A digest of everything a fit returns, to tell bit-identical results at a glance. */
function digest(r: KMeansResult): string {
  const h = createHash("sha1");
  h.update(new Uint8Array(r.labels.buffer, r.labels.byteOffset, r.labels.byteLength));
  h.update(new Uint8Array(r.centers.buffer, r.centers.byteOffset, r.centers.byteLength));
  h.update(`${r.inertia}/${r.nIter}`);
  return h.digest("hex").slice(0, 12);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const matrix = readIdCsv(REAL_PCS);
for (const threads of threadList) {
  const sides: { engine: Engine; x: ResidentMatrix }[] = [];
  for (const build of builds) {
    const engine = await build.load({ threads });
    sides.push({ engine, x: engine.upload(matrix) });
  }
  for (const { name, options } of FITS) {
    const cpu = sides.map((): number[] => []);
    const wall = sides.map((): number[] => []);
    const digests = sides.map(() => "");
    for (let r = 0; r < rounds; r++) {
      sides.forEach(({ engine, x }, i) => {
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        const result = engine.kmeans(x, options);
        wall[i]!.push(performance.now() - w0);
        const c = process.cpuUsage(c0);
        cpu[i]!.push((c.user + c.system) / 1000);
        digests[i] = digest(result);
      });
    }
    const cells = builds.map((b, i) => `${b.name}: CPU ${median(cpu[i]!).toFixed(1)} ms, wall ${median(wall[i]!).toFixed(1)} ms`);
    const ratio = builds.length > 1 ? `, CPU ratio ${(median(cpu[0]!) / median(cpu[1]!)).toFixed(3)}` : "";
    const same = builds.length > 1 ? (digests.every((d) => d === digests[0]) ? ", same results" : ", RESULTS DIFFER") : "";
    console.log(`${name}, ${threads} thread${threads > 1 ? "s" : ""} | ${cells.join(" | ")}${ratio}${same}`);
  }
  for (const { engine, x } of sides) {
    x.free();
    engine.close();
  }
}
