// Flag names belong to the CLI: errors and notes of src/pipeline, src/model, src/io and src/store
// carry the option's name (OptionError, OutputError, OptionHintError, a Note) and src/cli/failure.ts
// words it as a flag. Read from the sources' string literals with the TypeScript parser, so that
// comments and code such as `stack[--sp]` are not mistaken for text.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import ts from "typescript";
import { repoRoot } from "../helpers/shared.js";

const src = join(repoRoot, "src");
const LAYERS = ["pipeline", "model", "io", "store"];

/**
 * Literals that are data, not words for the user: the mark a generated file carries is the
 * command line that made it, read back by the same module.
 */
const DATA_FORMATS = new Set(["io/generated-mark.ts"]);

const FLAG = /(^|[^\w-])--[a-z][a-z-]*/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

/** The text of every string and template literal of a source file, with its line. */
function literals(text: string, name = "source.ts"): { line: number; text: string }[] {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test("the scan finds a flag in strings and templates, not in comments or code", () => {
  const sample = [
    "// pass --force in a comment",
    "/** --out in a doc comment */",
    "const a = stack[--sp];",
    'const b = "name another file with --store";',
    `const c = \`\${x} with --lock\`;`,
    `const d = \`--as-of \${day}: expected a date\`;`,
    'const e = "x--y and a-b";',
  ].join("\n");
  const hits = literals(sample).filter((l) => FLAG.test(l.text));
  assert.equal(
    hits.map((h) => h.line),
    [4, 5, 6],
  );
});

test("no string literal of src/pipeline, src/model, src/io or src/store names a command-line flag", () => {
  const offenders: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(join(src, layer))) {
      const module = relative(src, file);
      if (DATA_FORMATS.has(module)) continue;
      for (const l of literals(readFileSync(file, "utf8"), file)) if (FLAG.test(l.text)) offenders.push(`${module}:${l.line}: ${JSON.stringify(l.text)}`);
    }
  }
  assert.equal(offenders, [], `flag names outside src/cli (name the option; src/cli/failure.ts words it):\n${offenders.join("\n")}`);
});

test.run();
