// Default bounds on what an input can make large, in a module of constants only: the CLI shows
// them in --help without loading the readers (and their Arrow and WASM dependencies).

/**
 * Default bound on the lines of a Parquet or Arrow source. Their compression detaches the lines from
 * the bytes (a few MB can declare hundreds of millions of lines), and the reader sizes its buffers,
 * about 41 bytes a line, from the count the file declares. Twice the largest input measured whole
 * (50 M lines in under 4 GB); text sources and workbooks are bounded by their bytes.
 */
export const DEFAULT_MAX_ROWS = 100_000_000;

/** Default bound on the inflated workbook: ten times the UCI workbook (23 MB), far below memory. */
export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024;

/** The workbook reader's time bound: the real workbook takes about 15 s of CPU, and a busy machine stretches it. */
export const XLSX_DEFAULT_TIMEOUT_MS = 180_000;

/** Memory the workbook-parsing worker may add to the process, heap and buffers, in MB. */
export const XLSX_DEFAULT_MEMORY_MB = 1500;

/**
 * Default bound on the columns of a numeric matrix (pca, kmeans, evaluate). The features have a
 * dozen columns; PCA's covariance grows with columns² in memory and its eigensolver with columns³
 * in time, so a file of thousands of columns would hold one step for seconds. A thousand keeps
 * every step short while staying far above any real use.
 */
export const DEFAULT_MAX_MATRIX_COLUMNS = 1000;
