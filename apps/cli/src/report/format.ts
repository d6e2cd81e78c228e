/** Number formats of the human-readable output. */

/** Formats a count with thousands separators: 235146 -> "235,146". */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** Formats a loss with four decimals, or in exponent form below 0.001 so small losses keep their digits. */
export function formatLoss(value: number): string {
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(3);
  return value.toFixed(4);
}

/**
 * Formats the losses of one interval or epoch: a single loss as its value,
 * several as `name value` pairs, e.g. "module 1/2 0.3120, decoder 0.0410".
 */
export function formatLosses(losses: Readonly<Record<string, number>>): string {
  const entries = Object.entries(losses);
  if (entries.length === 0) return "-";
  if (entries.length === 1) return formatLoss(entries[0]![1]);
  return entries.map(([name, value]) => `${name} ${formatLoss(value)}`).join(", ");
}

/** Formats seconds with one decimal: 61.24 -> "61.2 s". */
export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)} s`;
}

/** Formats a remaining time in whole seconds as "45s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
  return `${Math.floor(total / 3600)}h${String(Math.floor((total % 3600) / 60)).padStart(2, "0")}m`;
}

/** Formats an accuracy in [0, 1] as a percentage with two decimals: 0.95843 -> "95.84 %". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}
