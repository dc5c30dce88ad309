import type { CommandModule } from "yargs";

// One entry per command file in this folder; each file default-exports its CommandModule.
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules differ in their argument types
export const commands: CommandModule<any, any>[] = [];
