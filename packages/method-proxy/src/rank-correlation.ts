/**
 * Spearman's rank correlation, used to check a transferability estimate
 * against the accuracies the bodies actually reach: ρ is the Pearson
 * correlation of the two rank vectors, with tied values sharing the mean of
 * the ranks they span (fractional ranking).
 */
import { ConfigError } from "@modular/nn";

/** Rank `values` from 1 (smallest) to n. Tied values all get the mean of the ranks they occupy. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && order[end]!.value === order[start]!.value) end++;
    // Positions start..end-1 hold ranks start+1..end, whose mean is (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]!.index] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Compute Spearman's ρ between `x` and `y`, in [−1, 1]. Throws `ConfigError`
 * unless both have the same length of at least 2 and only finite values.
 * Returns NaN when either vector is constant, because ρ is undefined then.
 */
export function spearmanCorrelation(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) {
    throw new ConfigError(`spearmanCorrelation: x has ${x.length} values but y has ${y.length}; pass paired values.`);
  }
  if (x.length < 2) {
    throw new ConfigError(`spearmanCorrelation: needs at least 2 pairs, but got ${x.length}.`);
  }
  for (const [name, values] of [["x", x], ["y", y]] as const) {
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new ConfigError(`spearmanCorrelation: ${name}[${bad}] is ${values[bad]}; every value must be finite.`);
  }

  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (x.length + 1) / 2;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  if (varianceX === 0 || varianceY === 0) return Number.NaN;
  return covariance / Math.sqrt(varianceX * varianceY);
}
