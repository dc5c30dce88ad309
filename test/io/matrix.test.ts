import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Float64, Int32, makeData, makeVector, Table, Utf8, vectorFromArray } from "apache-arrow";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LimitError, UserError } from "../../src/errors.js";
import { readMatrix } from "../../src/io/matrix.js";
import { writeTable } from "../../src/io/write.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-matrix-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected an error matching ${pattern}`);
}

test("CSV: header row, numbers in row-major order, CRLF, a BOM, quoted names, exponents", async () => {
  const path = file("a.csv", '\ufeffa,"b c",d\r\n1,2.5,-3e2\r\n4,.5,6\r\n\r\n');
  const { matrix, columnNames } = await readMatrix(path);
  assert.equal(columnNames, ["a", "b c", "d"]);
  assert.is(matrix.rows, 2);
  assert.is(matrix.cols, 3);
  assert.equal(Array.from(matrix.data), [1, 2.5, -300, 4, 0.5, 6]);
});

test("CSV: --columns picks and orders columns", async () => {
  const path = file("b.csv", "a,b,c\n1,2,3\n4,5,6\n");
  const { matrix, columnNames } = await readMatrix(path, { columns: ["c", "a"] });
  assert.equal(columnNames, ["c", "a"]);
  assert.equal(Array.from(matrix.data), [3, 1, 6, 4]);
  await rejects(readMatrix(path, { columns: ["a", "z"] }), /no column "z"; the columns are "a", "b", "c"/);
});

test("CSV: a non-numeric, empty, NaN or Inf cell names the file, line and column", async () => {
  await rejects(readMatrix(file("c.csv", "a,b\n1,2\n3,x7\n")), /c\.csv: line 3, column 2 \(b\): "x7" is not a finite number/);
  await rejects(readMatrix(file("d.csv", "a,b\n1,\n")), /line 2, column 2 \(b\): "" is not a finite number/);
  await rejects(readMatrix(file("e.csv", "a,b\n1,2\n1e400,3\n")), /e\.csv: line 3, column 1 \(a\): "1e400" is not a finite number/);
  await rejects(readMatrix(file("e.csv", "a,b\nNaN,1\n")), /line 2, column 1 \(a\): "NaN"/);
  await rejects(readMatrix(file("f.csv", "a,b\n1,Infinity\n")), /line 2, column 2 \(b\): "Infinity"/);
  await rejects(readMatrix(file("g.csv", "a,b\n1,2,3\n")), /line 2 has 3 fields, the header has 2/);
  await rejects(readMatrix(file("h.csv", "")), /empty file/);
});

test("a header with no rows is a 0-row matrix (the engine rejects it)", async () => {
  const { matrix } = await readMatrix(file("i.csv", "a,b\n"));
  assert.is(matrix.rows, 0);
  assert.is(matrix.cols, 2);
});

test("missing file, directory and unknown extension are user errors", async () => {
  await rejects(readMatrix(join(dir, "absent.csv")), /absent\.csv: no such file/);
  await rejects(readMatrix(file("j.txt", "a\n1\n")), /unsupported matrix file type "\.txt"/);
});

const table = () =>
  new Table({
    x: makeVector(makeData({ type: new Float64(), length: 3, data: new Float64Array([1.5, 2.5, 3.5]) })),
    n: makeVector(makeData({ type: new Int32(), length: 3, data: new Int32Array([7, 8, 9]) })),
    s: vectorFromArray(["a", "b", "c"], new Utf8()),
  });

for (const ext of [".arrow", ".parquet"]) {
  test(`${ext}: numeric columns, selected by name; a text column is refused`, async () => {
    const path = join(dir, `t${ext}`);
    await writeTable(path, table());
    const { matrix, columnNames } = await readMatrix(path, { columns: ["n", "x"] });
    assert.equal(columnNames, ["n", "x"]);
    assert.equal(Array.from(matrix.data), [7, 1.5, 8, 2.5, 9, 3.5]);
    await rejects(readMatrix(path), /column "s" is Utf8, not numeric/);
  });
}

test("Arrow: a null cell or NaN names row and column", async () => {
  const path = join(dir, "nulls.arrow");
  await writeTable(path, new Table({ x: vectorFromArray([1, null, 3], new Float64()) }));
  await rejects(readMatrix(path), /row 2, column "x": missing value/);
  const nan = join(dir, "nan.arrow");
  await writeTable(nan, new Table({ x: vectorFromArray([1, 2, Number.NaN], new Float64()) }));
  await rejects(readMatrix(nan), /row 3, column "x": NaN is not a finite number/);
});

test("a matrix wider than maxColumns is a LimitError naming the file, from CSV and Arrow alike", async () => {
  const path = file("wide.csv", "a,b,c\n1,2,3\n");
  await rejects(readMatrix(path, { maxColumns: 2 }), /wide\.csv: 3 columns, more than the limit of 2$/);
  assert.is((await readMatrix(path, { maxColumns: 2, columns: ["c", "a"] })).matrix.cols, 2);
  const arrow = join(dir, "wide.arrow");
  await writeTable(arrow, new Table({ a: vectorFromArray([1]), b: vectorFromArray([2]), c: vectorFromArray([3]) }));
  try {
    await readMatrix(arrow, { maxColumns: 2 });
    assert.unreachable("expected a LimitError");
  } catch (err) {
    assert.instance(err, LimitError);
    assert.is((err as LimitError).limit, "matrixColumns");
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
