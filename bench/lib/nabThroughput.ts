// Synthetic series for bench/nab.ts: deterministic, so runs compare. Metric-like series (a daily cycle,
// a slow walk, noise, now and then a spike) for throughput, and anomaly-free processes (white noise,
// a random walk, a strongly autocorrelated AR(1)) to count the regions the product would show on them.
import type { MetricSeries } from '../../src/core/model';
import { mulberry32 as uniform } from '../../src/eval/random';

function metricLike(id: string, n: number, stepMs: number, seed: number): MetricSeries {
  const u = uniform(seed);
  const timestamps = new Array<number>(n);
  const values = new Array<number>(n);
  let walk = 0;
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * stepMs;
    walk += (u() - 0.5) * 0.2;
    const daily = 10 * Math.sin((2 * Math.PI * timestamps[i]) / 86_400_000);
    values[i] = 100 + daily + walk + (u() - 0.5) * 4 + (u() < 0.001 ? 40 : 0);
  }
  return { id, name: id, labels: {}, timestamps, values };
}

/** One long series at 1-minute resolution. */
export function longSeries(n: number): MetricSeries {
  return metricLike('throughput/long', n, 60_000, 1);
}

/** `count` series of `n` points at 15-second resolution, as one investigation reads them. */
export function investigationBatch(count: number, n: number): MetricSeries[] {
  return Array.from({ length: count }, (_, i) => metricLike(`throughput/batch-${i}`, n, 15_000, 100 + i));
}

/** Standard normal draws from a uniform generator (Box-Muller). */
function gaussian(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

export type NullProcess = 'white noise' | 'random walk' | 'AR(1) 0.99';

/** `count` anomaly-free series of `n` points at 15-second resolution. */
export function nullSeries(kind: NullProcess, count: number, n: number): MetricSeries[] {
  return Array.from({ length: count }, (_, s) => {
    const z = gaussian(7 + s);
    let x = 0;
    const values = Array.from({ length: n }, () => {
      if (kind === 'white noise') return 50 + z();
      x = kind === 'random walk' ? x + z() : 0.99 * x + z();
      return 50 + x;
    });
    return { id: `${kind}/${s}`, name: kind, labels: {}, timestamps: values.map((_, i) => 1_700_000_000_000 + i * 15_000), values };
  });
}
