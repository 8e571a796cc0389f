// Metric series as a scrape would have stored them: gauges, monotonic counters with resets at restarts,
// and classic histograms as cumulative `_bucket` series with an `le` label plus `_sum` and `_count`.

import type { Labels, MetricSeries } from '../../../../../src/core/model';
import type { SeededRandom } from './random';

export interface SeriesOptions {
  service?: string;
  unit?: string;
}

/** The id a Prometheus source would give the series: the selector with sorted labels. */
export function seriesId(name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  const inner = keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',');
  return `${name}{${inner}}`;
}

/** Keeps bundles small: four significant digits is more than any exporter's precision matters here. */
export function sig(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

function makeSeries(name: string, labels: Labels, timestamps: number[], values: number[], opts: SeriesOptions): MetricSeries {
  const series: MetricSeries = { id: seriesId(name, labels), name, labels, timestamps, values };
  if (opts.service) series.service = opts.service;
  if (opts.unit) series.unit = opts.unit;
  return series;
}

/**
 * A gauge sampled at `times`. Returning NaN from `valueAt` drops the sample (a target that was down or
 * had not started yet), so series can begin late, end early or have holes, as real scrapes do.
 */
export function gauge(
  name: string,
  labels: Labels,
  times: number[],
  valueAt: (t: number, i: number) => number,
  opts: SeriesOptions = {},
): MetricSeries {
  const ts: number[] = [];
  const vs: number[] = [];
  times.forEach((t, i) => {
    const v = valueAt(t, i);
    if (Number.isNaN(v)) return;
    ts.push(t);
    // Integers (revisions, timestamps, counts) stay exact; measurements keep five significant digits.
    vs.push(Number.isInteger(v) ? v : sig(v, 5));
  });
  return makeSeries(name, labels, ts, vs, opts);
}

export interface CounterOptions extends SeriesOptions {
  /** Times at which the process restarted: the counter drops to 0 there. */
  resetsAt?: number[];
  /** The counter's value at the first sample (a process that has been up for a while). */
  initial?: number;
  /** Samples outside [alive.from, alive.to) are absent (pod not yet created, or gone). */
  alive?: { from: number; to: number };
  /** Samples where this returns false are absent (a process that was down, not scraped). */
  present?: (t: number) => boolean;
}

/** A monotonic counter whose increments are Poisson draws of `ratePerSecond(t)` over each step. */
export function counter(
  name: string,
  labels: Labels,
  times: number[],
  ratePerSecond: (t: number) => number,
  rng: SeededRandom,
  opts: CounterOptions = {},
): MetricSeries {
  const resets = [...(opts.resetsAt ?? [])].sort((a, b) => a - b);
  let value = opts.initial ?? Math.round(rng.between(1e3, 5e4));
  let prev: number | undefined;
  let last: number | undefined;
  const ts: number[] = [];
  const vs: number[] = [];
  for (const t of times) {
    if ((opts.alive && (t < opts.alive.from || t >= opts.alive.to)) || (opts.present && !opts.present(t))) {
      prev = undefined;
      continue;
    }
    if (prev !== undefined) {
      const step = (t - prev) / 1000;
      if (resets.some((r) => r > prev! && r <= t)) value = 0;
      value += rng.poisson(Math.max(0, ratePerSecond(t)) * step);
    } else if (last !== undefined) {
      // Back after a gap: a restart in the gap started the counter again from zero.
      const restart = resets.filter((r) => r > last! && r <= t).pop();
      if (restart !== undefined) value = rng.poisson(Math.max(0, ratePerSecond(t)) * ((t - restart) / 1000));
    }
    prev = t;
    last = t;
    ts.push(t);
    vs.push(value);
  }
  return makeSeries(name, labels, ts, vs, opts);
}

/** A latency distribution for one step: a log-normal body with an optional slow mode. */
export interface LatencyShape {
  /** Median of the body, in the histogram's unit. */
  median: number;
  /** Log-space spread of the body (0.3 narrow, 0.8 wide). */
  sigma: number;
  slowFraction?: number;
  slowMedian?: number;
  slowSigma?: number;
}

function erf(x: number): number {
  // Abramowitz and Stegun 7.1.26, max error 1.5e-7: plenty for bucket counts.
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

function logNormalCdf(x: number, median: number, sigma: number): number {
  if (x <= 0) return 0;
  return 0.5 * (1 + erf(Math.log(x / median) / (sigma * Math.SQRT2)));
}

export function latencyCdf(x: number, shape: LatencyShape): number {
  const slow = shape.slowFraction ?? 0;
  const body = logNormalCdf(x, shape.median, shape.sigma);
  if (slow <= 0) return body;
  return (1 - slow) * body + slow * logNormalCdf(x, shape.slowMedian ?? shape.median * 10, shape.slowSigma ?? shape.sigma);
}

export function latencyMean(shape: LatencyShape): number {
  const slow = shape.slowFraction ?? 0;
  const body = shape.median * Math.exp((shape.sigma * shape.sigma) / 2);
  const slowSigma = shape.slowSigma ?? shape.sigma;
  const slowMean = (shape.slowMedian ?? shape.median * 10) * Math.exp((slowSigma * slowSigma) / 2);
  return (1 - slow) * body + slow * slowMean;
}

export interface HistogramOptions extends SeriesOptions {
  resetsAt?: number[];
  alive?: { from: number; to: number };
  /** Suffix style: Prometheus client libraries append `_bucket`; the base name is used as given. */
  bucketSuffix?: string;
}

function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}

/**
 * A classic histogram: one cumulative `_bucket` series per bound (plus `+Inf`), `_sum` and `_count`.
 * Bucket increments come from the step's request count and the latency distribution's CDF, so the
 * buckets stay cumulative and monotonic the way a real client library keeps them.
 */
export function histogram(
  baseName: string,
  labels: Labels,
  times: number[],
  bounds: number[],
  ratePerSecond: (t: number) => number,
  shapeAt: (t: number) => LatencyShape,
  rng: SeededRandom,
  opts: HistogramOptions = {},
): MetricSeries[] {
  const les = [...bounds, Infinity];
  const cum = les.map(() => 0);
  let sum = 0;
  let count = 0;
  const resets = [...(opts.resetsAt ?? [])].sort((a, b) => a - b);
  const bucketVals: number[][] = les.map(() => []);
  const sumVals: number[] = [];
  const countVals: number[] = [];
  const ts: number[] = [];
  let prev: number | undefined;
  for (const t of times) {
    if (opts.alive && (t < opts.alive.from || t >= opts.alive.to)) {
      prev = undefined;
      continue;
    }
    if (prev !== undefined) {
      if (resets.some((r) => r > prev! && r <= t)) {
        cum.fill(0);
        sum = 0;
        count = 0;
      }
      const n = rng.poisson(Math.max(0, ratePerSecond(t)) * ((t - prev) / 1000));
      const shape = shapeAt(t);
      let assigned = 0;
      les.forEach((le, i) => {
        const target = i === les.length - 1 ? n : Math.min(n, Math.round(n * latencyCdf(le, shape)));
        const inc = Math.max(assigned, target);
        cum[i] += inc;
        assigned = inc;
      });
      count += n;
      sum += n * latencyMean(shape) * rng.between(0.97, 1.03);
    }
    prev = t;
    ts.push(t);
    les.forEach((_, i) => bucketVals[i].push(cum[i]));
    sumVals.push(sig(sum, 7));
    countVals.push(count);
  }
  const suffix = opts.bucketSuffix ?? '_bucket';
  const out = les.map((le, i) => makeSeries(`${baseName}${suffix}`, { ...labels, le: formatLe(le) }, [...ts], bucketVals[i], opts));
  out.push(makeSeries(`${baseName}_sum`, labels, [...ts], sumVals, opts));
  out.push(makeSeries(`${baseName}_count`, labels, [...ts], countVals, opts));
  return out;
}

/** Prometheus client default buckets, in seconds. */
export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The OpenTelemetry SDK's default explicit bounds for `http.server.request.duration` (seconds). */
export const OTEL_HTTP_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
