// The generator's options and defaults, apart from the generator so that the command line can
// show them without loading Arrow and parquet-wasm.

export interface GenerateOptions {
  rows: number;
  customers: number;
  seed: number;
}

export const GENERATE_DEFAULTS: GenerateOptions = { rows: 541_909, customers: 4_372, seed: 0 };
