// The sustained excursion of a series that is still going on at the alert: did the series leave its
// baseline and stay out until now, since when, which way and how far. Baseline = median and MAD of the
// first quarter of the window; the excursion is the last run of points beyond 4 robust sigmas that
// reaches the alert. A spike that came and went is not an excursion.
import type { MetricSeries } from '../../core/model';
import { madSigma, medianOfSorted } from './robust';

const MIN = 60_000;

export interface Excursion {
  series: MetricSeries;
  onset: number;
  /** Robust z of the excursion (median over its points), capped at 50. */
  score: number;
  direction: 'up' | 'down';
  /** Mean during the excursion over the baseline median. */
  ratio: number;
  /** Index (into the cleaned points) range of the excursion, for shading. */
  end: number;
}

export function seriesExcursion(series: MetricSeries, alertTime: number): Excursion | undefined {
  const ts = series.timestamps;
  const vs = series.values;
  if (!Array.isArray(ts) || !Array.isArray(vs)) return undefined;
  const n = Math.min(ts.length, vs.length);
  const limit = alertTime + 2 * MIN;
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = vs[i];
    const ti = ts[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || typeof ti !== 'number' || !Number.isFinite(ti) || ti > limit) continue;
    t.push(ti);
    v.push(x);
  }
  if (v.length < 12) return undefined;
  const base = Float64Array.from(v.slice(0, Math.max(6, Math.floor(v.length / 4))));
  base.sort();
  const level = medianOfSorted(base);
  // Floors keep a flat baseline (a counter at zero) from turning the smallest blip into a huge z: a
  // change must also be large against the series' own range.
  let maxAbs = 0;
  for (const x of v) if (Math.abs(x) > maxAbs) maxAbs = Math.abs(x);
  const sigma = Math.max(madSigma(base, level), Math.abs(level) * 0.02, maxAbs * 0.01, 1e-9);
  const z = v.map((x) => (x - level) / sigma);
  const last = z.length - 1;
  const tail = z.slice(Math.max(0, last - 3));
  const ups = tail.filter((x) => x > 4).length;
  const downs = tail.filter((x) => x < -4).length;
  if (ups < 2 && downs < 2) return undefined;
  const sign = ups >= downs ? 1 : -1;
  let onsetIdx = last;
  let misses = 0;
  for (let i = last; i >= 0; i--) {
    if (z[i] * sign > 4) {
      onsetIdx = i;
      misses = 0;
    } else if (++misses >= 3) break;
  }
  const zs = Float64Array.from(z.slice(onsetIdx).map((x) => Math.abs(x)));
  zs.sort();
  const vals = v.slice(onsetIdx);
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  return {
    series,
    onset: t[onsetIdx],
    end: t[last],
    score: Math.min(50, zs[Math.floor(zs.length / 2)]),
    direction: sign > 0 ? 'up' : 'down',
    ratio: level !== 0 ? mean / level : mean > 0 ? Infinity : 1,
  };
}
