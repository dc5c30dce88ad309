// `custseg --help` and `custseg <command> --help` start in a blink only if they load no reader,
// store, server or report: each such package is loaded on first use, by the job that needs it.
// This checks which packages the process loads (through a module hook), not how long it takes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commands } from "../../src/cli/commands/index.js";
import { runCli } from "../helpers/cli.js";

/** Packages that only a command's work needs, never its flags. */
const HEAVY = ["apache-arrow", "parquet-wasm", "xlsx", "better-sqlite3", "fastify", "prom-client", "yauzl", "iconv-lite"];

// Runs in the loader thread: reports every module from node_modules as it loads.
const hook = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function load(url, ctx, next) { const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)/.exec(url); if (m) process.stderr.write('LOADED ' + m[1] + '\\\\n'); return next(url, ctx); }"));
`)}`;

function packagesLoaded(args: string[]): Set<string> {
  const res = runCli(args, { nodeArgs: ["--import", hook] });
  assert.is(res.code, 0, `custseg ${args.join(" ")}: ${res.stderr}`);
  return new Set([...res.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!));
}

test("the hook sees what a command's work loads (the check can fail)", () => {
  const loaded = packagesLoaded(["generate", "--help"]);
  assert.ok(loaded.has("yargs"), `expected yargs among ${[...loaded].join(", ")}`);
});

test("--help loads none of the packages a command's work needs", () => {
  const heavy = [...packagesLoaded(["--help"])].filter((p) => HEAVY.includes(p));
  assert.equal(heavy, []);
});

for (const command of commands) {
  const name = String(command.command).split(" ")[0]!;
  test(`${name} --help loads none of the packages its work needs`, () => {
    const heavy = [...packagesLoaded([name, "--help"])].filter((p) => HEAVY.includes(p));
    assert.equal(heavy, [], `custseg ${name} --help loaded ${heavy.join(", ")}`);
  });
}

test.run();
