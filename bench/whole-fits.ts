// The whole k-means fits on the UCI components (FITS in cases/kmeans.ts), this build beside another
// (--against), interleaved fit by fit in one process (cases/builds.ts), and whether both builds gave
// the same labels, centres, inertia and iterations, bit for bit.
// Usage: npm run build && node dist/bench/whole-fits.js [--against DIR] [--rounds N] [--threads 1,2]
import { createHash } from "node:crypto";
import type { KMeansResult } from "../src/engine/index.js";
import { buildsRun, interleave, resultLine } from "./cases/builds.js";
import { FITS } from "./cases/kmeans.js";
import { REAL_PCS, readIdCsv } from "./cases/real-data.js";

const { builds, rounds, threads: threadList } = await buildsRun(process.argv.slice(2));

/** A digest of everything a fit returns, to tell bit-identical results at a glance. */
function digest(r: KMeansResult): string {
  const h = createHash("sha1");
  h.update(new Uint8Array(r.labels.buffer, r.labels.byteOffset, r.labels.byteLength));
  h.update(new Uint8Array(r.centers.buffer, r.centers.byteOffset, r.centers.byteLength));
  h.update(`${r.inertia}/${r.nIter}`);
  return h.digest("hex").slice(0, 12);
}

const matrix = readIdCsv(REAL_PCS);
for (const threads of threadList) {
  const sides = await Promise.all(builds.map(async (b) => {
    const engine = await b.engine.loadEngine({ threads });
    return { engine, x: engine.upload(matrix) };
  }));
  for (const { name, options } of FITS) {
    const results = interleave(rounds, sides, ({ engine, x }) => digest(engine.kmeans(x, options)));
    console.log(resultLine(`${name}, ${threads} thread${threads > 1 ? "s" : ""}`, builds, results));
  }
  for (const { engine, x } of sides) {
    x.free();
    engine.close();
  }
}
