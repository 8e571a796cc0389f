// Thresholds from the reference chunks: mean ± k·σ of their values with the population σ (numpy's
// default, which NannyML uses), each side optional and clipped to the statistic's own range; or fixed.
import type { Threshold, ThresholdSpec } from '../../core/modelMonitoring';

export function meanAndPopulationStd(values: readonly (number | null)[]): { mean: number; std: number; n: number } {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / n;
  return { mean, std: Math.sqrt(variance), n };
}

/** The threshold a spec gives over these reference values, clipped to [limits.lower, limits.upper]. */
export function thresholdFrom(spec: ThresholdSpec, referenceValues: readonly (number | null)[], limits: Threshold = {}): Threshold {
  let t: Threshold;
  if (spec.kind === 'fixed') t = { lower: spec.lower, upper: spec.upper };
  else {
    const { mean, std, n } = meanAndPopulationStd(referenceValues);
    if (n === 0) return {};
    t = { lower: spec.lower !== undefined ? mean - spec.lower * std : undefined, upper: spec.upper !== undefined ? mean + spec.upper * std : undefined };
  }
  if (t.lower !== undefined && limits.lower !== undefined) t.lower = Math.max(t.lower, limits.lower);
  if (t.upper !== undefined && limits.upper !== undefined) t.upper = Math.min(t.upper, limits.upper);
  if (t.lower !== undefined && limits.upper !== undefined) t.lower = Math.min(t.lower, limits.upper);
  if (t.upper !== undefined && limits.lower !== undefined) t.upper = Math.max(t.upper, limits.lower);
  return t;
}

export function breaks(value: number | null, t: Threshold): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  return (t.lower !== undefined && value < t.lower) || (t.upper !== undefined && value > t.upper);
}
