// Step timing and progress for a multi-step job. The pipeline reports each step through a
// `StepReporter`; the CLI decides how to show it (a live line on a terminal, nothing with --json).

export interface StepReporter {
  start(step: string): void;
  done(step: string, ms: number, detail?: string): void;
  note(message: string): void;
}

export const silentReporter: StepReporter = { start() {}, done() {}, note() {} };

/** Runs steps in order, timing each one into `timingsMs` and reporting start and end. */
export class StepTimer {
  readonly timingsMs: Record<string, number> = {};
  constructor(private readonly reporter: StepReporter = silentReporter) {}

  async step<T>(name: string, fn: () => T | Promise<T>, detail?: (result: T) => string): Promise<T> {
    this.reporter.start(name);
    const t0 = performance.now();
    const result = await fn();
    const ms = performance.now() - t0;
    this.timingsMs[name] = round1(ms);
    this.reporter.done(name, ms, detail?.(result));
    return result;
  }

  note(message: string): void {
    this.reporter.note(message);
  }
}

export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The step that writes a job's outputs. It ends after them, so no output can carry its own time. */
export const WRITE_STEP = "write";

/** The step that renders the run's files, the report among them: the report cannot carry its time either. */
export const REPORT_STEP = "report";

const OUTPUT_STEPS: ReadonlySet<string> = new Set([REPORT_STEP, WRITE_STEP]);

/** Whether a timing belongs to producing the outputs rather than to a step the report lists. */
export const isOutputStep = (step: string): boolean => OUTPUT_STEPS.has(step);

/**
 * The time of every step but rendering and writing the outputs: the total the run's report shows,
 * and the terminal summary prints beside the outputs' time. Sums the timings as recorded (to 0.1 ms).
 */
export const stepsTotalMs = (timingsMs: Readonly<Record<string, number>>): number => sumTimings(timingsMs, false);

/** The time of rendering and writing the outputs, which the report cannot show. */
export const outputsMs = (timingsMs: Readonly<Record<string, number>>): number => sumTimings(timingsMs, true);

function sumTimings(timingsMs: Readonly<Record<string, number>>, outputs: boolean): number {
  let total = 0;
  for (const [step, ms] of Object.entries(timingsMs)) if (isOutputStep(step) === outputs) total += ms;
  return round1(total);
}
