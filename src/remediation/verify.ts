// Verification: poll a signal until its condition holds or time runs out. A Verifier reads one kind of
// signal from one kind of source: PromQL from a Prometheus-compatible metric source, the error ratio of a
// service's server spans from a trace source (the embedded receiver, Jaeger, Tempo). No query strings are
// invented: the signal says what it is.

import { errorMessage } from '../core/errors';
import { formatValue } from '../core/units';
import type { MetricSource, TraceSource } from '../core/sources';
import type { ComparisonOp, Verification, VerificationSignal } from './plan';

export interface Verifier {
  /** The signal's current value; throws with a reason when it cannot be read. */
  read(signal: VerificationSignal, abort?: AbortSignal): Promise<number>;
}

export function describeSignal(signal: VerificationSignal): string {
  switch (signal.kind) {
    case 'promql':
      return signal.query;
    case 'error-ratio':
      return `error ratio of ${signal.service}'s server spans`;
    case 'latency-p95':
      return `p95 latency of ${signal.service}'s traces`;
    case 'mlflow-pointer':
      return `${signal.alias !== undefined ? `alias ${signal.alias}` : `stage ${signal.stage}`} of ${signal.model} at version ${signal.version}`;
  }
}

const missingVerifier: Record<VerificationSignal['kind'], string> = {
  promql: 'no Prometheus-compatible metric source is configured to read the verification query',
  'error-ratio': 'no trace source is configured to read the error ratio',
  'latency-p95': 'no trace source is configured to read the latency',
  'mlflow-pointer': 'no model registry client is available to read where the alias or stage points',
};

/** The last value of a PromQL expression over the last minute. */
export class PromqlVerifier implements Verifier {
  constructor(
    private readonly source: MetricSource,
    private readonly now: () => number = Date.now,
  ) {}
  async read(signal: VerificationSignal, abort?: AbortSignal): Promise<number> {
    if (signal.kind !== 'promql') throw new Error(`${this.source.name} reads PromQL, not ${signal.kind}`);
    const now = this.now();
    const series = await this.source.queryRange({ query: signal.query, start: now - 60_000, end: now, stepSeconds: 5, limit: 10 }, abort);
    if (series.length === 0) throw new Error(`${signal.query} returned no series from ${this.source.name}`);
    if (series.length > 1) throw new Error(`${signal.query} returned ${series.length} series from ${this.source.name}; a verification needs exactly one`);
    const last = series[0].values.filter((v) => Number.isFinite(v)).pop();
    if (last === undefined) throw new Error(`${signal.query} has no recent value in ${this.source.name}`);
    return last;
  }
}

/** The share of a service's recent traces that failed, from a trace source. */
export class ErrorRatioVerifier implements Verifier {
  constructor(
    private readonly source: TraceSource,
    private readonly now: () => number = Date.now,
  ) {}
  async read(signal: VerificationSignal, abort?: AbortSignal): Promise<number> {
    if (signal.kind !== 'error-ratio' && signal.kind !== 'latency-p95') throw new Error(`${this.source.name} reads error ratios and latencies, not ${signal.kind}`);
    const now = this.now();
    const summaries = await this.source.searchTraces({ start: now - (signal.windowMs ?? 15_000), end: now, service: signal.service, limit: 2000 }, abort);
    if (summaries.length === 0) throw new Error(`no traces of ${signal.service} in ${this.source.name} in the last ${Math.round((signal.windowMs ?? 15_000) / 1000)} s`);
    if (signal.kind === 'latency-p95') {
      // The 95th percentile of trace durations (nearest rank), in seconds.
      const ms = summaries.map((t) => t.durationMs).sort((a, b) => a - b);
      return ms[Math.min(ms.length - 1, Math.ceil(0.95 * ms.length) - 1)] / 1000;
    }
    return summaries.filter((t) => t.errorCount > 0).length / summaries.length;
  }
}

/** Routes each signal to the verifier for its kind, and says clearly when none is configured. */
export class VerifierSet implements Verifier {
  constructor(private readonly byKind: Partial<Record<VerificationSignal['kind'], Verifier>>) {}
  canRead(signal: VerificationSignal): boolean {
    return !!this.byKind[signal.kind];
  }
  read(signal: VerificationSignal, abort?: AbortSignal): Promise<number> {
    const v = this.byKind[signal.kind];
    if (!v) return Promise.reject(new Error(missingVerifier[signal.kind]));
    return v.read(signal, abort);
  }
}

export interface VerificationSample {
  time: number;
  value?: number;
  error?: string;
  /** The other checks' values in the same sample (a verification with `checks`). */
  checks?: { description: string; value?: number; error?: string }[];
}

export interface VerificationResult {
  ok: boolean;
  samples: VerificationSample[];
  lastValue?: number;
  /** Why it did not hold: timed out (with the last value), cancelled. */
  reason: string;
}

export function conditionHolds(value: number, op: ComparisonOp, threshold: number): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function pollVerification(
  verification: Verification,
  verifier: Verifier,
  opts: { signal?: AbortSignal; onSample?: (s: VerificationSample) => void; maxSamples?: number } = {},
): Promise<VerificationResult> {
  if (verification.holdMs !== undefined || verification.checks?.length) return pollAll(verification, verifier, opts);
  const { op, value: threshold } = verification.condition;
  const fmt = (v: number) => formatValue(v, verification.unit);
  const deadline = Date.now() + verification.timeoutMs;
  const samples: VerificationSample[] = [];
  const maxSamples = opts.maxSamples ?? 1000;
  let lastValue: number | undefined;
  while (true) {
    if (opts.signal?.aborted) return { ok: false, samples, lastValue, reason: 'verification was cancelled' };
    const sample: VerificationSample = { time: Date.now() };
    try {
      const v = await verifier.read(verification.signal, opts.signal);
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`the verifier returned ${String(v)}, not a number`);
      sample.value = v;
      lastValue = v;
    } catch (err) {
      sample.error = errorMessage(err);
    }
    if (samples.length < maxSamples) samples.push(sample);
    opts.onSample?.(sample);
    if (sample.value !== undefined && conditionHolds(sample.value, op, threshold)) {
      return { ok: true, samples, lastValue, reason: `${verification.description}: ${fmt(sample.value)} ${op} ${fmt(threshold)}` };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      return {
        ok: false,
        samples,
        lastValue,
        reason: `${verification.description} did not hold within ${formatValue(verification.timeoutMs / 1000, 's')} (${lastValue === undefined ? 'no value could be read' : `last value ${fmt(lastValue)}, wanted ${op} ${fmt(threshold)}`})`,
      };
    }
    await sleep(Math.min(verification.intervalMs, left), opts.signal);
  }
}

/**
 * A verification with several conditions, or a soak. Recovery (no holdMs): succeeds at the first sample
 * where every condition holds. Soak (holdMs): every sample until holdMs must satisfy every condition that
 * could be read, the first broken one fails at once, and each condition must have been read at least once.
 */
async function pollAll(verification: Verification, verifier: Verifier, opts: { signal?: AbortSignal; onSample?: (s: VerificationSample) => void; maxSamples?: number }): Promise<VerificationResult> {
  const conditions = [{ description: verification.description, signal: verification.signal, condition: verification.condition }, ...(verification.checks ?? [])];
  const started = Date.now();
  const deadline = started + (verification.holdMs ?? verification.timeoutMs);
  const samples: VerificationSample[] = [];
  const maxSamples = opts.maxSamples ?? 1000;
  const seen = new Set<number>();
  let lastValue: number | undefined;
  while (true) {
    if (opts.signal?.aborted) return { ok: false, samples, lastValue, reason: 'verification was cancelled' };
    const read = await Promise.all(
      conditions.map(async (c) => {
        try {
          const v = await verifier.read(c.signal, opts.signal);
          if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`the verifier returned ${String(v)}, not a number`);
          return { description: c.description, value: v };
        } catch (err) {
          return { description: c.description, error: errorMessage(err) };
        }
      }),
    );
    const sample: VerificationSample = { time: Date.now(), ...(read[0].value !== undefined ? { value: read[0].value } : { error: read[0].error }), checks: read.slice(1) };
    if (read[0].value !== undefined) lastValue = read[0].value;
    if (samples.length < maxSamples) samples.push(sample);
    opts.onSample?.(sample);
    read.forEach((r, i) => r.value !== undefined && seen.add(i));
    const broken = read.findIndex((r, i) => r.value !== undefined && !conditionHolds(r.value, conditions[i].condition.op, conditions[i].condition.value));
    const allHold = read.every((r, i) => r.value !== undefined && conditionHolds(r.value, conditions[i].condition.op, conditions[i].condition.value));
    if (verification.holdMs !== undefined && broken >= 0) {
      const c = conditions[broken];
      return { ok: false, samples, lastValue, reason: `${c.description} broke after ${Math.round((Date.now() - started) / 1000)} s: ${read[broken].value} (wanted ${c.condition.op} ${c.condition.value})` };
    }
    if (verification.holdMs === undefined && allHold) return { ok: true, samples, lastValue, reason: conditions.map((c, i) => `${c.description}: ${read[i].value} ${c.condition.op} ${c.condition.value}`).join('; ') };
    const left = deadline - Date.now();
    if (left <= 0) {
      if (verification.holdMs === undefined) return { ok: false, samples, lastValue, reason: `${conditions.filter((_, i) => !(read[i].value !== undefined && conditionHolds(read[i].value!, conditions[i].condition.op, conditions[i].condition.value))).map((c) => c.description).join(', ')} did not hold within ${verification.timeoutMs} ms` };
      const unread = conditions.filter((_, i) => !seen.has(i));
      if (unread.length) return { ok: false, samples, lastValue, reason: `no value could be read for ${unread.map((c) => c.description).join(', ')} in ${verification.holdMs} ms (${read.filter((r) => r.error).map((r) => r.error).join('; ')})` };
      return { ok: true, samples, lastValue, reason: `every condition held for ${Math.round(verification.holdMs / 1000)} s over ${samples.length} samples: ${conditions.map((c, i) => `${c.description} ${read[i].value ?? '?'} ${c.condition.op} ${c.condition.value}`).join('; ')}` };
    }
    await sleep(Math.min(verification.intervalMs, left), opts.signal);
  }
}
