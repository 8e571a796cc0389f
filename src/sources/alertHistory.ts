// "Fired 3 times in the last 7 days": how often an alert fired before, from the history its source
// keeps. Prometheus writes every firing alert as the series ALERTS{alertname, alertstate="firing",
// <the alert's labels>} while it fires and ends the series (a stale marker) when it resolves, so each
// unbroken run of samples is one firing. Bounded: one range query, at most ~10,000 points.
import type { Alert } from '../core/model';
import type { MetricSource } from '../core/sources';
import { formatSpan, formatTime } from '../core/time';
import { matcherText } from './relatedSeries';

export interface AlertHistory {
  /** Firings in the period, the current one included. */
  firings: number;
  since: number;
  until: number;
  /** Start of the earliest firing seen in the period. */
  first?: number;
  /** Total time firing, ms. */
  firingMs: number;
}

export interface AlertHistoryOptions {
  /** How far back (default 7 days). */
  periodMs?: number;
  /** Query resolution (default: the period over 10,000 points, at least 60 s). */
  stepSeconds?: number;
  signal?: AbortSignal;
}

/** The ALERTS selector of an alert: its name and every label it carries (Prometheus copies them all onto ALERTS). */
export function alertsSelector(alert: Alert): string {
  const labels = Object.fromEntries(Object.entries(alert.labels).filter(([k, v]) => k !== 'alertname' && k !== 'alertstate' && v !== ''));
  const scope = matcherText(labels);
  return `ALERTS{alertname=${JSON.stringify(alert.name)},alertstate="firing"${scope ? `,${scope}` : ''}}`;
}

/** Counts the firings in the period (undefined when the source has no history of this alert). */
export async function alertFiringHistory(source: MetricSource, alert: Alert, now: number, opts: AlertHistoryOptions = {}): Promise<AlertHistory | undefined> {
  const periodMs = opts.periodMs ?? 7 * 24 * 3600_000;
  const step = opts.stepSeconds ?? Math.max(60, Math.ceil(periodMs / 1000 / 10_000));
  const since = now - periodMs;
  const series = await source.queryRange({ query: alertsSelector(alert), start: since, end: now, stepSeconds: step, limit: 20 }, opts.signal);
  if (series.length === 0) return undefined;
  // Several series (labels the alert does not carry, such as a rule's changed labels) are one alert's history: merge their samples.
  const times = [...new Set(series.flatMap((s) => s.timestamps.filter((_, i) => Number.isFinite(s.values[i]))))].sort((a, b) => a - b);
  if (times.length === 0) return undefined;
  const gap = step * 1000 * 1.5;
  let firings = 1;
  let firingMs = 0;
  let runStart = times[0];
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] > gap) {
      firings++;
      firingMs += times[i - 1] - runStart + step * 1000;
      runStart = times[i];
    }
  }
  firingMs += times[times.length - 1] - runStart + step * 1000;
  return { firings, since, until: now, first: times[0], firingMs };
}

/** "Fired 3 times in the last 7 days (first 2024-05-01 14:03:22 UTC, 2 h 5 min in all)". */
export function describeHistory(h: AlertHistory, opts: { timeZone?: string } = {}): string {
  const period = formatSpan(h.until - h.since);
  const times = h.firings === 1 ? 'once' : `${h.firings} times`;
  return `Fired ${times} in the last ${period.replace(/^7 d$/, '7 days')}${h.first !== undefined ? ` (first ${formatTime(h.first, opts)}, ${formatSpan(h.firingMs)} in all)` : ''}`;
}
