// The defaults and bounds of a k-means fit, apart from its orchestration (kmeans.ts): the pipeline's
// options and the CLI's flag checks read them at start-up, when no engine module need be loaded.

/** Upper bounds on the runs and iterations of one fit: past them a fit would run for hours. */
export const KMEANS_LIMITS = { nInit: 1000, maxIter: 10_000 } as const;

export const KMEANS_DEFAULTS = { init: "k-means++", nInit: 10, maxIter: 300, tol: 1e-4, seed: 0 } as const;
