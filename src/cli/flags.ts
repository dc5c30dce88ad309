// Every numeric flag of every command is checked here, once, before a command does any work, so
// the same value is accepted or refused with the same words by every command that takes the flag.
// yargs reads "--seed abc" as NaN and "--seed 1.5" as 1.5; neither may reach a command.
import { UserError } from "../errors.js";
import { KMEANS_LIMITS } from "../engine/kmeans-options.js";
import { MINIBATCH_LIMITS, SILHOUETTE_SAMPLE_MAX } from "../pipeline/options.js";
import { SERVE_LIMITS } from "../serve/options.js";
import { wholeRange } from "../whole-range.js";

type Rule = (v: number) => string | undefined;

const whole: (min: number, max: number) => Rule = wholeRange;
const serve = (limit: keyof typeof SERVE_LIMITS): Rule => wholeRange(SERVE_LIMITS[limit].min, SERVE_LIMITS[limit].max);

const positive: Rule = (v) => (Number.isFinite(v) && v > 0 ? undefined : "must be a positive number");

/** Rows and customers of `generate` (the generator's own bounds). */
export const GENERATE_LIMITS = { rows: 2 ** 31 - 1, customers: 1_000_000 } as const;

/** The rule of each numeric flag, whichever command takes it. */
const RULES: Record<string, Rule> = {
  k: whole(1, 1_000_000),
  seed: whole(0, 2 ** 32 - 1),
  "n-init": whole(1, KMEANS_LIMITS.nInit),
  "max-iter": whole(1, KMEANS_LIMITS.maxIter),
  "batch-size": whole(1, MINIBATCH_LIMITS.batchSize),
  "silhouette-sample": whole(3, SILHOUETTE_SAMPLE_MAX),
  tol: (v) => (Number.isFinite(v) && v >= 0 ? undefined : "must be a number ≥ 0"),
  variance: (v) => (v > 0 && v <= 1 ? undefined : "must be a ratio in (0, 1]"),
  components: whole(1, 1_000_000),
  "split-seed": whole(0, 2 ** 32 - 1),
  "max-eval-customers": whole(10, 1_000_000),
  threads: whole(1, 1_000_000),
  "max-columns": whole(1, 1_000_000),
  "max-rows": whole(1, 2 ** 31 - 1),
  rows: whole(1, GENERATE_LIMITS.rows),
  customers: whole(1, GENERATE_LIMITS.customers),
  "max-inflated-mb": positive,
  "xlsx-max-memory-mb": positive,
  "xlsx-timeout-s": positive,
  "max-download-mb": positive,
  "deadline-s": positive,
  "timeout-ms": positive,
  port: serve("port"),
  "body-limit": serve("bodyLimit"),
  "max-instances": serve("maxInstances"),
  "request-timeout": serve("requestTimeout"),
  "headers-timeout": serve("headersTimeout"),
  "keep-alive-timeout": serve("keepAliveTimeout"),
  "max-connections": serve("maxConnections"),
  "log-max-bytes": serve("logMaxBytes"),
  "log-files": serve("logFiles"),
  "log-flush-interval": serve("logFlushInterval"),
  "drain-timeout": serve("drainTimeout"),
};

/** Throw a UserError naming the first numeric flag whose value breaks its rule. */
export function checkFlags(argv: Record<string, unknown>): true {
  for (const [flag, rule] of Object.entries(RULES)) {
    const value = argv[flag];
    // A command that declares the flag as text (predict's --components names a file) is not meant.
    if (typeof value !== "number") continue;
    const why = rule(value);
    if (why) throw new UserError(`--${flag} ${why} (got ${describe(value)})`);
  }
  // Headers are part of the request, so a longer headers timeout could never fire.
  const headers = argv["headers-timeout"];
  const request = argv["request-timeout"];
  if (typeof headers === "number" && typeof request === "number" && headers > request) {
    throw new UserError(`--headers-timeout must not exceed --request-timeout (got ${headers} and ${request})`);
  }
  return true;
}

function describe(value: unknown): string {
  return typeof value === "number" && Number.isNaN(value) ? "something that is not a number" : String(value);
}
