// Robust statistics shared by the series detectors: baselines of production metrics are full of
// spikes, gaps and flat stretches, so levels are medians and spreads come from absolute deviations.

/** Median of an already sorted array (NaN when empty). */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** Median of any numbers (NaN when empty); the input is not changed. */
export function median(xs: ArrayLike<number>): number {
  const a = Float64Array.from(xs as ArrayLike<number>);
  a.sort();
  return medianOfSorted(a);
}

/** 1.4826 x the median absolute deviation from `center`: a standard deviation that spikes do not move. */
export function madSigma(xs: ArrayLike<number>, center: number): number {
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) dev[i] = Math.abs(xs[i] - center);
  dev.sort();
  return 1.4826 * medianOfSorted(dev);
}
