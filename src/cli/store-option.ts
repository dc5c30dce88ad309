// The --store flag, shared by every command that reads or writes the run store.
import type { Argv } from "yargs";

export const STORE_DESCRIPTION = "Run store file (default: $CUSTSEG_STORE, else custseg.db in the working directory)";

export function withStore<T>(y: Argv<T>): Argv<T & { store?: string }> {
  return y.option("store", { type: "string", describe: STORE_DESCRIPTION });
}
