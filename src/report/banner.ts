// The banner a report opens with when its customers were generated: it must be the first thing a
// reader sees, so nobody takes segments of synthetic data for real ones. Styled inline, so it
// stands out the same in every report that uses it.
import { esc } from "./svg.js";

const STYLE = "margin:0 0 1.5rem;padding:1rem 1.25rem;border:3px solid #b45309;border-radius:6px;background:#fef3c7;color:#78350f;font-size:1.1rem";

/** `detail` says how the data was generated (seed, lines, customers), where known. */
export function syntheticBanner(detail: string | undefined): string {
  const how = detail ? ` <span class="synthetic-detail">(${esc(detail)})</span>` : "";
  return `<div class="synthetic-banner" role="alert" style="${STYLE}"><strong>Synthetic data</strong> — these segments describe generated customers, not real ones.${how}</div>`;
}
