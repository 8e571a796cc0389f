// Verification: poll a signal until its condition holds or time runs out. The verifier is whatever
// reads the signal (a PromQL query against Prometheus, the local store, a file in tests).

import { errorMessage } from '../core/errors';
import type { ComparisonOp, Verification } from './plan';

export type Verifier = (verification: Verification) => Promise<number>;

export interface VerificationSample {
  time: number;
  value?: number;
  error?: string;
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
  const { op, value: threshold } = verification.condition;
  const deadline = Date.now() + verification.timeoutMs;
  const samples: VerificationSample[] = [];
  const maxSamples = opts.maxSamples ?? 1000;
  let lastValue: number | undefined;
  while (true) {
    if (opts.signal?.aborted) return { ok: false, samples, lastValue, reason: 'verification was cancelled' };
    const sample: VerificationSample = { time: Date.now() };
    try {
      const v = await verifier(verification);
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`verifier returned ${String(v)}, not a number`);
      sample.value = v;
      lastValue = v;
    } catch (err) {
      sample.error = errorMessage(err);
    }
    if (samples.length < maxSamples) samples.push(sample);
    opts.onSample?.(sample);
    if (sample.value !== undefined && conditionHolds(sample.value, op, threshold)) {
      return { ok: true, samples, lastValue, reason: `${verification.description}: ${sample.value} ${op} ${threshold}` };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      return {
        ok: false,
        samples,
        lastValue,
        reason: `${verification.description} did not hold within ${verification.timeoutMs} ms (${lastValue === undefined ? 'no value could be read' : `last value ${lastValue}, wanted ${op} ${threshold}`})`,
      };
    }
    await sleep(Math.min(verification.intervalMs, left), opts.signal);
  }
}
