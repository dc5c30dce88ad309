#!/usr/bin/env node
// The custseg command line: parses arguments and hands over to the pipeline or the engine.
// Commands live one per file in ./commands; this file only registers them and reports errors.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { VERSION } from "../version.js";
import { COMMANDS, commandName } from "./commands/index.js";
import { handleInterrupts } from "./interrupt.js";

async function main(): Promise<void> {
  const argv = hideBin(process.argv);
  let cli = yargs(argv)
    .scriptName("custseg")
    .usage("$0 <command> [options]")
    .strict()
    // A repeated flag takes its last value, as in most CLIs, instead of becoming a list.
    .parserConfiguration({ "duplicate-arguments-array": false })
    .demandCommand(1, "Name a command; see --help.")
    .recommendCommands()
    .help()
    .alias("h", "help")
    // The package's own version: yargs would look for a package.json above the working directory.
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns || 100))
    // The flag rules (and the bounds they read) load once arguments are to be checked: --help needs none.
    .check(async (argv) => (await import("./flags.js")).checkFlags(argv))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  // A command's module is loaded only when its name is among the arguments (the command itself is
  // always, as a whole word); the others are registered by name and description, for --help.
  const words = new Set(argv);
  const modules = await Promise.all(COMMANDS.map((entry) => (words.has(commandName(entry)) ? entry.load() : undefined)));
  COMMANDS.forEach((entry, i) => {
    cli = cli.command({ handler: () => {}, ...modules[i]?.default, command: entry.command, describe: entry.describe });
  });
  skipHelpCaching(cli);
  await cli.parseAsync();
}

/**
 * yargs renders a command's whole help text each time the command runs, to show it should the
 * command fail later (70 ms of a 0.35 s run). custseg words its failures itself and never shows
 * help for them, so the rendering is skipped; --help renders as before. The hook is yargs-internal:
 * where it is absent, nothing changes.
 */
function skipHelpCaching(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}

class UsageError extends Error {}

// An interrupted job stops its computations and leaves nothing half-written.
handleInterrupts();

// A reader that stops early (`custseg run | head -2`) must not abort the work: output it no longer
// wants is dropped, and the run directory is still written.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
});

// The wording of failures is loaded only by a command that fails.
main().catch(async (err) => process.exit((await import("./failure.js")).reportFailure(err, err instanceof UsageError)));
