// One refresh of the Right-Sizing view, host-free: the recommendations (analysis/kubernetes/rightsizing.ts)
// and, for each container, its CPU usage over the window as one line for a sparkline (the busiest pod at
// each step), from one range query. The view in src/vscode/ only renders this.
import type { MetricSeries } from '../core/model';
import { errorMessage } from '../core/errors';
import { cpuUsageQuery, rightsize, type ContainerRecommendation, type InstantQuerier, type RangeQuerier, type RightsizeOptions, type RightsizeResult } from '../analysis/kubernetes/rightsizing';

export interface RightsizingReport {
  result: RightsizeResult;
  /** Each recommendation's container: CPU usage (cores) per step, oldest first. */
  charts: Map<ContainerRecommendation, number[]>;
  /** Why the charts are missing, when their query failed (the recommendations stand). */
  chartsError?: string;
}

export async function rightsizingReport(prom: InstantQuerier & RangeQuerier, opts: RightsizeOptions & { historyMs: number; stepSeconds: number; now: number }): Promise<RightsizingReport> {
  const result = await rightsize(prom, opts);
  // One range query charts every container: CPU usage over the window, 48 points.
  let series: MetricSeries[] = [];
  let chartsError: string | undefined;
  try {
    series = await prom.queryRange({ query: cpuUsageQuery(opts.stepSeconds), start: opts.now - opts.historyMs, end: opts.now, stepSeconds: Math.max(opts.stepSeconds, Math.round(opts.historyMs / 48_000)), limit: 5000 });
  } catch (err) {
    chartsError = errorMessage(err);
  }
  const charts = new Map<ContainerRecommendation, number[]>();
  for (const r of result.recommendations) {
    const pods = new Set(r.pods);
    const mine = series.filter((s) => s.labels.namespace === r.namespace && s.labels.container === r.container && pods.has(s.labels.pod));
    const byTime = new Map<number, number>();
    for (const s of mine) s.timestamps.forEach((t, i) => byTime.set(t, Math.max(byTime.get(t) ?? 0, s.values[i])));
    charts.set(r, [...byTime.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]));
  }
  return { result, charts, ...(chartsError ? { chartsError } : {}) };
}
