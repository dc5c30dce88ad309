// custseg download: fetch the UCI Online Retail archive and unpack its workbook.
import type { CommandModule } from "yargs";
import {
  DEFAULT_DOWNLOAD_DEADLINE_MS,
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  downloadUci,
  UCI_URL,
} from "../../io/download.js";
import { DEFAULT_MAX_INFLATED_BYTES } from "../../io/limits.js";

interface DownloadArgs {
  url: string;
  dir: string;
  timeoutMs: number;
  "max-download-mb": number;
  "deadline-s": number;
  "max-inflated-mb": number;
  json: boolean;
}

const command: CommandModule<object, DownloadArgs> = {
  builder: (y) =>
    y
      .option("url", { type: "string", default: UCI_URL, describe: "Where to download the zip from" })
      .option("dir", { type: "string", default: "data", describe: "Directory for online_retail.zip and Online Retail.xlsx" })
      .option("timeout-ms", {
        type: "number",
        default: DEFAULT_DOWNLOAD_TIMEOUT_MS,
        describe: "Give up when no data arrives for this long",
      })
      .option("max-download-mb", {
        type: "number",
        default: DEFAULT_MAX_DOWNLOAD_BYTES / 2 ** 20,
        describe: "Refuse a download larger than this",
      })
      .option("deadline-s", {
        type: "number",
        default: DEFAULT_DOWNLOAD_DEADLINE_MS / 1000,
        describe: "Give up when the whole download takes longer than this",
      })
      .option("max-inflated-mb", {
        type: "number",
        default: DEFAULT_MAX_INFLATED_BYTES / 2 ** 20,
        describe: "Refuse an archive whose workbook inflates to more than this",
      })
      .option("json", { type: "boolean", default: false, describe: "Print one JSON object (paths, bytes, sha256) on stdout" })
      .example("$0 download", "fetch into ./data")
      .example("$0 download --dir /tmp/retail --json", "fetch elsewhere and report as JSON") as never,
  handler: async (args) => {
    const result = await downloadUci(args.dir, {
      url: args.url,
      timeoutMs: args.timeoutMs,
      deadlineMs: args["deadline-s"] * 1000,
      maxBytes: Math.floor(args["max-download-mb"] * 2 ** 20),
      maxInflatedBytes: Math.floor(args["max-inflated-mb"] * 2 ** 20),
      progress: process.stderr.isTTY === true,
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ url: args.url, ...result })}\n`);
      return;
    }
    process.stdout.write(`${result.xlsx}\n`);
    process.stderr.write(`downloaded ${(result.bytes / 1e6).toFixed(1)} MB (sha256 ${result.sha256}); kept ${result.zip}\n`);
  },
};

export default command;
