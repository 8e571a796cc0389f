// When the incident started: the onset agreed by several signals of the services in trouble (series
// that left their baseline and stayed out, error spans and error logs whose rate rose and stayed up),
// not the first wiggle of any series. A signal must last until the alert; a handful of errors an hour
// before, or one series moving alone, does not date an incident when others disagree.
import type { OnsetFinding, OnsetSignal } from '../../core/investigation';

const MIN = 60_000;

/**
 * The start of the sustained rise of an event stream (failing spans, error logs) that lasts until `until`,
 * against a Poisson baseline from the stream's earlier part. Undefined when there is no such rise, or too
 * little data before it to know its baseline.
 */
export function eventRateOnset(times: number[], window: { start: number; end: number }, until: number, bucketMs = MIN): { time: number; excess: number; baselinePerBucket: number } | undefined {
  if (times.length < 5) return undefined;
  const sorted = [...times].filter(Number.isFinite).sort((a, b) => a - b);
  const start = Math.max(window.start, sorted[0] - 10 * bucketMs);
  const end = Math.min(window.end, until + 2 * bucketMs);
  const n = Math.floor((end - start) / bucketMs) + 1;
  if (n < 12) return undefined;
  const counts = new Float64Array(n);
  for (const t of sorted) {
    if (t < start || t > end) continue;
    counts[Math.floor((t - start) / bucketMs)]++;
  }
  const last = Math.min(n - 1, Math.floor((until - start) / bucketMs));
  // Walk back from the alert over buckets above the baseline (allowing short gaps).
  const baseEnd = Math.max(6, Math.floor(last * 0.5));
  const base = Array.from(counts.slice(0, baseEnd)).sort((a, b) => a - b);
  const lambda = Math.max(0.2, base.reduce((a, b) => a + b, 0) / base.length);
  const high = lambda + 3 * Math.sqrt(lambda) + 1;
  let i = last;
  // The stream must be elevated at the alert (or just before it).
  while (i > last - 3 && i >= 0 && counts[i] < high) i--;
  if (i <= last - 3 || i < 0) return undefined;
  let onsetIdx = i;
  let gap = 0;
  for (let j = i; j >= 0; j--) {
    if (counts[j] >= high) {
      onsetIdx = j;
      gap = 0;
    } else if (++gap > 2) break;
  }
  if (onsetIdx < 4) return undefined; // no baseline before it
  let excess = 0;
  for (let j = onsetIdx; j <= last; j++) excess += Math.max(0, counts[j] - lambda);
  if (excess < 5) return undefined;
  return { time: start + onsetIdx * bucketMs, excess, baselinePerBucket: lambda };
}

/**
 * The onset from signals: the earliest time at which signals of enough weight (at least two of
 * different kinds or services, or one very strong one) agree within a few minutes. Earlier lone signals
 * are noise. Falls back to the earliest metric signal, then to a minute before the alert.
 */
export function consensusOnset(signals: OnsetSignal[], alertTime: number): OnsetFinding {
  const usable = signals.filter((s) => Number.isFinite(s.time) && s.time <= alertTime + MIN && s.time >= alertTime - 6 * 3600_000).sort((a, b) => a.time - b.time);
  const span = 5 * MIN;
  for (let i = 0; i < usable.length; i++) {
    const group = usable.filter((s) => s.time >= usable[i].time && s.time <= usable[i].time + span);
    const weight = group.reduce((a, s) => a + s.weight, 0);
    const kinds = new Set(group.map((s) => `${s.kind}:${s.service ?? ''}`)).size;
    if ((kinds >= 2 && weight >= 1) || usable[i].weight >= 1.5) {
      const metric = group.find((s) => s.kind === 'metric');
      const times = group.map((s) => s.time);
      return {
        time: usable[i].time,
        basis: 'signals',
        ...(metric ? { seriesId: metric.ref } : {}),
        low: Math.min(...times),
        high: Math.max(...times),
        signals: group.slice(0, 12),
      };
    }
  }
  const metric = usable.find((s) => s.kind === 'metric');
  if (metric) return { time: metric.time, basis: 'metric', seriesId: metric.ref, low: metric.time, high: metric.time, signals: [metric] };
  return { time: alertTime - MIN, basis: 'fallback' };
}
