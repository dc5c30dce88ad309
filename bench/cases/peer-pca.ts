// ml-pca 4 beside custseg's PCA: its default (an SVD of the centred data) and its covariance method
// (the covariance and its eigendecomposition, as custseg computes it), both f64. The check is the
// explained-variance ratios of the first components.
import { PCA as MlPca } from "ml-pca";
import type { Matrix } from "../../src/engine/index.js";
import { absoluteCheck } from "../checks.js";
import type { BenchCase } from "../harness.js";
import { custseg, rowsOf } from "./peer-inputs.js";
import { PCA, type PcaSize, pcaInput } from "./stats.js";

/** f64 on both sides: the ratios agree to rounding. */
const F64_TOLERANCE = 1e-9;

const METHODS = { "ml-pca (SVD)": "SVD", "ml-pca (covariance)": "covarianceMatrix" } as const;

/** `all`: also 1,000,000 rows (half a minute a call here). */
export function peerPcaCases(all: boolean): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const size of Object.keys(PCA.sizes) as PcaSize[]) {
    if (size === "L" && !all) continue;
    for (const [impl, method] of Object.entries(METHODS)) {
      let m: Matrix;
      cases.push({
        kernel: PCA.kernel,
        size: PCA.sizes[size],
        impl,
        setup: () => void rowsOf((m = pcaInput(size))),
        fn: () => new MlPca(rowsOf(m), { method }).getExplainedVariance().slice(0, PCA.components),
        check: async (ratios) => absoluteCheck("explained-variance ratios", ratios as number[], (await custseg()).pca(m, { components: PCA.components, scores: false }).explainedVarianceRatio, F64_TOLERANCE),
        ...(size === "M" ? { samples: 3 } : size === "L" ? { samples: 1 } : {}),
      });
    }
  }
  return cases;
}
