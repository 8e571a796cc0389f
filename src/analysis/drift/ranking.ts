// Which features drifted first, and how much each goes with the drop in performance. For every
// feature, its main drift statistic and the performance metric are paired chunk by chunk (reference
// and analysis alike); the share of the metric's variance that a least-squares line on the statistic
// explains (R²) is the feature's score, counted only when more drift goes with worse performance. It is
// an association across chunks: a feature that drifts with the one that matters scores too.
import type { ChunkInfo, ChunkSeries, DriftRankEntry, FeatureDrift } from '../../core/modelMonitoring';
import { higherIsBetter } from './performance';

export function correlation(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

export function rankDriftedFeatures(features: readonly FeatureDrift[], performance: ChunkSeries, chunks: readonly ChunkInfo[]): DriftRankEntry[] {
  const worseWhenHigher = !higherIsBetter(performance.method as Parameters<typeof higherIsBetter>[0]);
  const entries = features.map((f): DriftRankEntry => {
    const stat = f.series[0];
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < chunks.length; i++) {
      const x = stat?.values[i];
      const y = performance.values[i];
      if (x === null || x === undefined || y === null || y === undefined || chunks[i].small) continue;
      xs.push(x);
      ys.push(y);
    }
    const r = correlation(xs, ys);
    const aligned = Number.isFinite(r) && (worseWhenHigher ? r > 0 : r < 0);
    return { feature: f.feature, alertCount: f.alertCount, ...(f.firstAlert ? { firstAlert: f.firstAlert } : {}), explained: aligned ? r * r : 0 };
  });
  const order = new Map(chunks.map((c, i) => [c.key, i]));
  // Drifted features first, by how much they explain, then by when they first drifted.
  return entries.sort((a, b) => {
    if ((a.alertCount > 0) !== (b.alertCount > 0)) return a.alertCount > 0 ? -1 : 1;
    if (b.explained !== a.explained) return b.explained - a.explained;
    return (order.get(a.firstAlert ?? '') ?? Infinity) - (order.get(b.firstAlert ?? '') ?? Infinity);
  });
}
