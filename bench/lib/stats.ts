/** Order statistics of a sample (not sorted in place). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** The median of several runs, with min and max: every figure the suite reports. */
export function spread(values: readonly number[]): Spread {
  return {
    median: percentile(values, 50),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
  };
}
