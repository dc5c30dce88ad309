// Two-sample statistics for drift: pure functions of numbers, matched to SciPy.
export { chiSquareContingency, type ChiSquareResult } from "./chi2.js";
export { PSI_EPSILON, psi, quantileSorted, totalVariation, wasserstein1, type PsiResult } from "./distance.js";
export { chiSquareSf, gammaQ, logGamma } from "./gamma.js";
export { ks2samp, ksStatistic, type KsMethod, type KsResult } from "./ks.js";
export { kolmogorovSf, smirnov } from "./kolmogorov.js";
