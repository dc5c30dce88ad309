// k-means++ seeding (k = 8) on the 1,000,000×16 blobs and the UCI components, this build beside
// another (--against), interleaved seeding by seeding in one process (cases/builds.ts), and whether
// both builds drew the same centres, bit for bit (each round draws with its own seed).
// Usage: npm run build && node dist/bench/seeding.js [--against DIR] [--rounds N] [--threads 1,2]
import { createHash } from "node:crypto";
import { buildsRun, interleave, resultLine } from "./cases/builds.js";
import { matrixOf, sizes } from "./cases/kmeans.js";

const { builds, rounds, threads: threadList } = await buildsRun(process.argv.slice(2), 15);

for (const threads of threadList) {
  for (const size of ["L", "R"] as const) {
    const matrix = matrixOf(size);
    const sides = await Promise.all(builds.map(async (b) => {
      const engine = await b.engine.loadEngine({ threads });
      return { engine, seed: b.kmeans.kmeansPlusPlus, x: engine.upload(matrix), round: 0 };
    }));
    const results = interleave(rounds, sides, (side) => {
      const centres = side.seed(side.engine.context, side.x, 8, side.round++);
      return createHash("sha1").update(new Uint8Array(centres.buffer)).digest("hex").slice(0, 12);
    });
    console.log(resultLine(`k-means++ k=8, ${sizes[size].label}, ${threads} thread${threads > 1 ? "s" : ""}`, builds, results));
    for (const { engine, x } of sides) {
      x.free();
      engine.close();
    }
  }
}
