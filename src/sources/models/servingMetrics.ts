// A model server's own metrics in Prometheus, for one model (selected by the label that names it):
// the mean of the prediction histogram over time, its bucket counts in two halves of the window (so
// a shift of the outputs shows without the data files), p95 latency and the error ratio. Queries go
// through the PrometheusSource, bounded like every other query.
import type { ModelServingSpec, ServingMetrics, TimeSeriesPoints } from '../../core/modelMonitoring';
import type { PrometheusSource } from '../prometheus';

function selector(spec: ModelServingSpec, model: string): string {
  return `{${spec.modelLabel}=${JSON.stringify(model)}}`;
}

function points(series: { timestamps: number[]; values: number[] }[] | undefined): TimeSeriesPoints | undefined {
  const s = series?.[0];
  if (!s || s.values.length === 0) return undefined;
  return { timestamps: s.timestamps, values: s.values };
}

/** Per-bucket counts from cumulative `le` buckets, in upper-bound order, +Inf last. */
export function bucketCounts(byLe: Map<number, number>): { upperBounds: number[]; counts: number[] } {
  const upperBounds = [...byLe.keys()].sort((a, b) => a - b);
  const counts: number[] = [];
  let below = 0;
  for (const le of upperBounds) {
    const cumulative = byLe.get(le) ?? 0;
    counts.push(Math.max(0, cumulative - below));
    below = Math.max(below, cumulative);
  }
  return { upperBounds, counts };
}

export async function readServingMetrics(prom: PrometheusSource, spec: ModelServingSpec, model: string, window: { start: number; end: number }, signal?: AbortSignal): Promise<ServingMetrics> {
  const sel = selector(spec, model);
  const span = window.end - window.start;
  if (!(span > 0)) throw new RangeError(`the serving window must end after it starts (${window.start}..${window.end})`);
  const step = Math.max(1, Math.round(span / 1000 / 120));
  const rateRange = `${Math.max(4 * step, 60)}s`;
  const range = (query: string) => prom.queryRange({ query, start: window.start, end: window.end, stepSeconds: step, limit: 1 }, signal);
  const out: ServingMetrics = { source: prom.name, start: window.start, end: window.end };
  const jobs: Promise<void>[] = [];
  if (spec.predictionHistogram) {
    const h = spec.predictionHistogram;
    jobs.push(range(`sum(rate(${h}_sum${sel}[${rateRange}])) / sum(rate(${h}_count${sel}[${rateRange}]))`).then((s) => void (out.predictionMean = points(s))));
    const half = Math.max(1, Math.floor(span / 2 / 1000));
    const mid = window.start + half * 1000;
    const bucketsAt = async (time: number) => {
      const r = await prom.query(`sum by (le) (increase(${h}_bucket${sel}[${half}s]))`, time, 200, signal);
      const byLe = new Map<number, number>();
      for (const s of r.series) {
        const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
        const v = s.values[0];
        if (Number.isFinite(le) || le === Number.POSITIVE_INFINITY) byLe.set(le, Number.isFinite(v) ? v : 0);
      }
      return bucketCounts(byLe);
    };
    jobs.push(
      Promise.all([bucketsAt(mid), bucketsAt(window.end)]).then(([earlier, later]) => {
        if (earlier.upperBounds.length === 0 && later.upperBounds.length === 0) return;
        const bounds = [...new Set([...earlier.upperBounds, ...later.upperBounds])].sort((a, b) => a - b);
        const on = (b: { upperBounds: number[]; counts: number[] }) => bounds.map((x) => b.counts[b.upperBounds.indexOf(x)] ?? 0);
        out.predictionBuckets = { upperBounds: bounds, earlier: on(earlier), later: on(later) };
      }),
    );
  }
  if (spec.latencyHistogram) {
    jobs.push(range(`histogram_quantile(0.95, sum by (le) (rate(${spec.latencyHistogram}_bucket${sel}[${rateRange}])))`).then((s) => void (out.latencyP95 = points(s))));
  }
  if (spec.errorCounter && spec.requestCounter) {
    jobs.push(range(`sum(rate(${spec.errorCounter}${sel}[${rateRange}])) / sum(rate(${spec.requestCounter}${sel}[${rateRange}]))`).then((s) => void (out.errorRatio = points(s))));
  }
  await Promise.all(jobs);
  return out;
}
