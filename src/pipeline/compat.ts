// The two feature semantics, apart from the features step itself so that the command line can
// offer them without loading Arrow.

export type Compat = "seed" | "none";
export const COMPAT_MODES: readonly Compat[] = ["none", "seed"];
