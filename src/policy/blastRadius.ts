// Blast-radius sizes fail closed: a size that is unknown, missing, NaN, negative, fractional or not
// a number is unbounded, so it is above every limit and never "small". `pods > limit` alone is
// false for NaN, which is how a broken size used to pass every limit.

import type { BlastRadius } from './types';

export type SizeKind = 'pods' | 'replicas';

/** Pods or replicas a plan touches, or +Infinity when that is not known for certain. */
export function blastRadiusSize(b: BlastRadius | undefined, what: SizeKind): number {
  if (!b || typeof b !== 'object') return Number.POSITIVE_INFINITY;
  if (b.unknown !== undefined && b.unknown !== false) return Number.POSITIVE_INFINITY;
  const v: unknown = b[what];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return Number.POSITIVE_INFINITY;
  return v;
}

/** How a size reads in a reason: "3 pods", or why it counts as unbounded. */
export function describeSize(b: BlastRadius | undefined, what: SizeKind): string {
  const size = blastRadiusSize(b, what);
  if (Number.isFinite(size)) return `${size} ${what}`;
  if (!b || typeof b !== 'object') return `unknown (the plan has no blast radius), so counted as unbounded`;
  if (b.unknown !== undefined && b.unknown !== false) return 'unknown, so counted as unbounded';
  const v: unknown = b[what];
  if (v === undefined) return `not stated in ${what}, so counted as unbounded`;
  return `invalid (${what} = ${typeof v === 'number' ? String(v) : JSON.stringify(v)}), so counted as unbounded`;
}
