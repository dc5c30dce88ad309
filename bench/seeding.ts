// k-means++ seeding (k = 8) on the 1,000,000×16 blobs and the UCI components, this build beside
// another (--against), interleaved seeding by seeding in one process (cases/builds.ts), and whether
// both builds drew the same centres, bit for bit (each round draws with its own seed). Beside the
// blobs, the floor a pass over them stands on: one pass of rowSqNormsChunk (a multiply-add per
// value, one value written per row), on the same threads; the seeding makes 8 passes.
// Usage: npm run build && node dist/bench/seeding.js [--against DIR] [--rounds N] [--threads 1,2]
import { createHash } from "node:crypto";
import { chunkCount, CHUNK_ROWS, forEachChunk } from "../src/engine/context.js";
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
    if (size === "L") {
      const { engine, x } = sides[0]!;
      const { rows, cols } = matrix;
      const out = engine.context.arena.alloc(rows * 8);
      const pass = interleave(rounds, [0], () => {
        forEachChunk(engine.context, "rowSqNormsChunk", [x.ptr, rows, cols, out, CHUNK_ROWS], chunkCount(rows));
        return "";
      });
      console.log(`  floor: one pass of rowSqNormsChunk over ${sizes[size].label} (this build): wall ${pass[0]!.wall.toFixed(2)} ms, ×8 = ${(8 * pass[0]!.wall).toFixed(1)} ms`);
    }
    for (const { engine, x } of sides) {
      x.free();
      engine.close();
    }
  }
}
