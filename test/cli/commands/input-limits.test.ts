// Every command that reads transactions takes the input bounds as flags (src/cli/limits.ts): a
// source past --max-rows is refused in one line naming the flag, and nothing is written.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateFile } from "../../../src/io/generate/generate.js";
import { assertFailure, runCli } from "../../helpers/cli.js";
import { smallModel } from "../../helpers/serve.js";

const dir = mkdtempSync(join(tmpdir(), "custseg-input-limits-"));
let input = "";
let model = "";

test.before(async () => {
  input = join(dir, "lines.parquet");
  await generateFile(input, { rows: 2_000, customers: 50, seed: 3 });
  model = (await smallModel(dir)).path;
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const refused = /lines\.parquet: holds 2,000 lines, more than the limit of 1,999 \(--max-rows raises the limit\)$/;

for (const [command, args] of [
  ["run", ["--out", "out"]],
  ["tune", ["--grid", "k=3 n-init=1", "--out", "out", "--threads", "1"]],
  ["predict", ["--out", "out.csv"]],
  ["drift", ["--out", "out.html"]],
] as const) {
  test(`${command}: --max-rows bounds its transactions input`, () => {
    const cwd = mkdtempSync(join(dir, `${command}-`));
    const source = command === "predict" ? ["--model", model, "--transactions", input] : command === "drift" ? ["--model", model, "--input", input] : ["--input", input];
    const res = runCli([command, ...source, ...args, "--max-rows", "1999", "--no-cache", "--store", join(cwd, "custseg.db")], { cwd });
    assertFailure(res, refused);
    assert.not.ok(existsSync(join(cwd, args[1])), `${command} wrote ${args[1]}`);
    assert.equal(readdirSync(cwd).filter((f) => f !== "custseg.db" && !f.startsWith("custseg.db-")), [], `${command} left files behind`);
  });
}

test.run();
