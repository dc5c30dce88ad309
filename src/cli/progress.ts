import type { StepReporter } from "../pipeline/progress.js";

/**
 * Step progress on stderr: on a terminal, a spinner line per step replaced by its timing when done;
 * elsewhere (CI, pipes) one plain line per finished step.
 */
export function stderrReporter(stream: NodeJS.WriteStream = process.stderr): StepReporter {
  const tty = stream.isTTY === true;
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let timer: ReturnType<typeof setInterval> | undefined;
  /** The step the spinner shows: a step may finish (its output stored) while the next one runs. */
  let running: string | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const spin = (step: string) => {
    let i = 0;
    stop();
    stream.write(`  ${frames[0]} ${step}`);
    timer = setInterval(() => stream.write(`\r  ${frames[++i % frames.length]} ${step}`), 80);
    timer.unref?.();
  };
  return {
    start(step) {
      running = step;
      if (tty) spin(step);
    },
    done(step, ms, detail) {
      stop();
      const line = `  ✓ ${step.padEnd(26)} ${formatMs(ms).padStart(9)}${detail ? `  ${detail}` : ""}`;
      stream.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
      if (running === step) running = undefined;
      else if (tty && running) spin(running);
    },
    note(message) {
      stop();
      stream.write(tty ? `\r\x1b[2K  ${message}\n` : `  ${message}\n`);
    },
  };
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
