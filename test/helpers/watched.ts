// Runs the compiled CLI as a child process without blocking the test (which may serve HTTP or send
// signals meanwhile), and reports the child's peak resident memory as the child itself measured it.
import { type StartOptions, startCli } from "./cli.js";

const RSS_MARK = "custseg-test-peak-rss-kb=";
// Loaded before the CLI: prints the process's peak RSS when it exits. On Linux, VmHWM of
// /proc/self/status: the high-water mark of this program's own memory (all threads). getrusage's
// maxRSS would do elsewhere, but on Linux it keeps the high-water mark of the process before exec,
// that is of the test runner at the fork, whatever the runner held then.
const rssProbe = `data:text/javascript,${encodeURIComponent(`import { readFileSync } from "node:fs";
process.on("exit", () => {
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch {}
  process.stderr.write("\\n${RSS_MARK}" + kb + "\\n");
});`)}`;

export interface WatchedResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without the probe's line. */
  stderr: string;
  /** Peak resident set of the child in MB, where it exited normally. */
  peakRssMb?: number;
  /** Whether the liveness bound ran out and the child was killed. */
  killed: boolean;
}

export interface WatchedOptions extends Omit<StartOptions, "nodeArgs"> {
  /** Kill the child (SIGKILL) if it is still alive after this long: a liveness bound, not a speed test. */
  livenessMs?: number;
}

export async function runWatched(args: string[], opts: WatchedOptions = {}): Promise<WatchedResult> {
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  const res = await startCli(args, {
    ...opts,
    nodeArgs: ["--import", rssProbe],
    onStart: (child) => {
      timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, opts.livenessMs ?? 60_000);
      opts.onStart?.(child);
    },
  }).finally(() => clearTimeout(timer));
  const at = res.stderr.lastIndexOf(`\n${RSS_MARK}`);
  const peakRssMb = at >= 0 ? Number(res.stderr.slice(at + RSS_MARK.length + 1).trim()) / 1024 : undefined;
  return { status: res.code, signal: res.signal, stdout: res.stdout, stderr: at >= 0 ? res.stderr.slice(0, at) : res.stderr, peakRssMb, killed };
}

/** The non-empty lines of a stderr text. */
export const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
