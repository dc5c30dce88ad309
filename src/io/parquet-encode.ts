// The one way custseg turns an Arrow IPC stream into Parquet bytes (zstd; dictionary pages except
// for the columns named plain), shared by the writer on this thread (write.ts) and the writer thread
// (parquet-write-worker.ts), so a file is the same byte for byte wherever it was encoded. It imports
// no Arrow: the writer thread loads parquet-wasm alone.
import type * as ParquetWasm from "parquet-wasm";

export function parquetFromIPCStream(wasm: typeof ParquetWasm, ipcStream: Uint8Array, plainColumns: readonly string[]): Uint8Array {
  const { Compression, Table: WasmTable, WriterPropertiesBuilder, writeParquet } = wasm;
  let props = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  for (const name of plainColumns) props = props.setColumnDictionaryEnabled(name, false);
  return writeParquet(WasmTable.fromIPCStream(ipcStream), props.build());
}
