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
