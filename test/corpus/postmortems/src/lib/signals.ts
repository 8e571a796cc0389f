// Small generators shared by several cases: background logs at a rate, and noise helpers.

import type { LogRecord } from '../../../../../src/core/model';
import type { SeededRandom } from './random';
import { traceStarts } from './traces';

/** Calls `make` at Poisson-distributed times with the given rate per minute; `make` may return nothing. */
export function atRate<T>(
  rng: SeededRandom,
  from: number,
  to: number,
  perMinute: (t: number) => number,
  make: (t: number) => T | T[] | undefined,
): T[] {
  const out: T[] = [];
  for (const t of traceStarts(rng, from, to, perMinute)) {
    const made = make(t);
    if (made === undefined) continue;
    if (Array.isArray(made)) out.push(...made);
    else out.push(made);
  }
  return out;
}

/** Multiplicative noise around 1 with the given relative spread. */
export function wobble(rng: SeededRandom, spread: number): number {
  return Math.max(0, 1 + rng.normal(0, spread));
}

/** Keeps the newest `max` records in each group (a source's per-query limit). */
export function capLogs(logs: LogRecord[], max: number): LogRecord[] {
  if (logs.length <= max) return logs;
  return [...logs].sort((a, b) => a.time - b.time).slice(logs.length - max);
}

/** Picks a value by weight. */
export function weighted<T>(rng: SeededRandom, items: readonly [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x <= 0) return item;
  }
  return items[items.length - 1][0];
}
