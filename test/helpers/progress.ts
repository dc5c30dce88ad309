// The CLI's progress lines on stderr, read back: which pipeline steps a command reported, and
// whether each came from the artefact store (a line ending in "cached").
import { PIPELINE_STEPS } from "../../src/pipeline/options.js";

/** Progress lines name two steps as the run's timings always have. */
const LABELS: Record<string, string> = { metrics: "evaluate", recommendations: "recommend" };

/** Each pipeline step a command reported, and whether it came from the store. */
export function stepsOf(stderr: string): Map<string, boolean> {
  const steps = new Map<string, boolean>();
  for (const m of stderr.matchAll(/^ +✓ (\S+) +[\d.]+ m?s(?: +(.*))?$/gm)) {
    const step = LABELS[m[1]!] ?? m[1]!;
    if ((PIPELINE_STEPS as readonly string[]).includes(step)) steps.set(step, m[2] === "cached");
  }
  return steps;
}
