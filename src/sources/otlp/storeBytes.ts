// What the embedded store's items really cost on the V8 heap: the estimator the store counts its
// cap with, and the interning records of resources and scopes.

import * as crypto from 'node:crypto';
import type { LogRecord } from '../../core/model';
import type { AttrValue, Attrs, MetricPoint, OtlpSpan } from './decode';

// ---- byte estimates ----
// What the heap really holds for each stored item, from V8's layout on a 64-bit Node (no pointer
// compression): a string is a 16-byte header plus its characters (one or two bytes each), rounded to
// 8; a number that is not a small integer is a 16-byte heap number; an object with up to 16
// properties keeps them in a fast backing store (measured ~56 + 10 per property, plus its own hidden
// class when its keys are new to V8), and above that a hash table of 24-byte entries sized to a power
// of two at least twice the count. The constants below were fitted on the heap measured after GC, and
// test/unit/otlp/storeMemory.test.ts measures again, on every run, realistic and hostile shapes.
// Keys are shared by V8 (property names are interned), so a key the store has seen before costs
// nothing per use: the table of known keys holds it and is counted once. Values are counted in full
// even when a decoder shares them, so the estimate errs on the high side.

const SPAN_BASE = 340;
const LOG_BASE = 140;
const EVENT_BASE = 80;
const LINK_BASE = 150;
export const TRACE_ENTRY = 96;
const FAST_OBJECT_BASE = 56;
const FAST_PROPERTY = 10;
const FAST_PROPERTIES_MAX = 16;
const DICT_OBJECT_BASE = 100;
const DICT_ENTRY = 24;
/** A fast object whose keys V8 has not seen in that order builds hidden classes of its own. */
const NEW_SHAPE_PER_KEY = 72;
const RESOURCE_ENTRY = 200;
const SCOPE_ENTRY = 100;
const KNOWN_KEYS_MAX = 4096;
const KNOWN_KEY_MAX_LENGTH = 128;
const KNOWN_KEY_ENTRY = 40;

const align8 = (n: number): number => (n + 7) & ~7;

function isOneByte(s: string): boolean {
  // The whole string, not a prefix: one wide character makes V8 store every character in two bytes.
  return !/[^\x00-\xff]/.test(s);
}

export function stringBytes(s: string | undefined): number {
  if (!s) return 0;
  return align8(16 + s.length * (isOneByte(s) ? 1 : 2));
}

function valueBytes(v: AttrValue): number {
  if (typeof v === 'string') return stringBytes(v);
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 0 : 16;
  return 0;
}

function objectBytes(n: number, newKeys: number): number {
  if (n <= FAST_PROPERTIES_MAX) return FAST_OBJECT_BASE + FAST_PROPERTY * n + NEW_SHAPE_PER_KEY * newKeys;
  // Capacity: the next power of two at or above 2n.
  return DICT_OBJECT_BASE + DICT_ENTRY * 2 ** Math.ceil(Math.log2(2 * n));
}

/**
 * Estimates what the store retains; owns the table of keys it counts once. One per store, so a
 * store's count never depends on another's.
 */
export class ByteEstimator {
  private readonly knownKeys = new Set<string>();
  /** Bytes of the known-keys table itself: counted in the store, never released before clear(). */
  tableBytes = 0;

  attrsBytes(attrs: Attrs | undefined): number {
    if (!attrs) return 0;
    let n = 0;
    let newKeys = 0;
    let bytes = 0;
    for (const k in attrs) {
      n++;
      if (!this.knownKeys.has(k)) {
        if (this.knownKeys.size < KNOWN_KEYS_MAX && k.length <= KNOWN_KEY_MAX_LENGTH) {
          this.knownKeys.add(k);
          this.tableBytes += KNOWN_KEY_ENTRY + stringBytes(k);
        } else bytes += stringBytes(k);
        newKeys++;
      }
      bytes += valueBytes(attrs[k]);
    }
    return bytes + objectBytes(n, newKeys);
  }

  /** A span without its resource and scope, which are interned and counted once by the store. */
  spanBytes(s: OtlpSpan): number {
    let n = SPAN_BASE + stringBytes(s.name) + stringBytes(s.statusMessage) + this.attrsBytes(s.attributes);
    if (s.events) for (const e of s.events) n += EVENT_BASE + stringBytes(e.name) + this.attrsBytes(e.attributes);
    if (s.links) for (const l of s.links) n += LINK_BASE + this.attrsBytes(l.attributes);
    return n;
  }

  logBytes(l: LogRecord): number {
    return LOG_BASE + stringBytes(l.body) + this.attrsBytes(l.attributes);
  }

  resourceBytes(r: Attrs): number {
    return RESOURCE_ENTRY + this.attrsBytes(r);
  }

  scopeBytes(name: string): number {
    return SCOPE_ENTRY + stringBytes(name);
  }

  clear(): void {
    this.knownKeys.clear();
    this.tableBytes = 0;
  }
}

/** A span's estimate from a fresh estimator (every key new): an upper bound, for callers outside a store. */
export function estimateSpanBytes(s: OtlpSpan): number {
  return new ByteEstimator().spanBytes(s);
}

export function estimateLogBytes(l: LogRecord): number {
  return new ByteEstimator().logBytes(l);
}

export function estimatePointBytes(p: MetricPoint): number {
  if (p.histogram) return 120 + p.histogram.counts.length * 8 + p.histogram.bounds.length * 8;
  if (p.quantiles) return 120 + p.quantiles.length * 40;
  return 40;
}

export const SERIES_BASE = 600;

/** Identical resources (by content) share one object; each is counted once while any span holds it. */
export interface Interned<T> {
  value: T;
  key: string;
  refs: number;
  bytes: number;
}

/** Content key of a resource: sorted entries, hashed so that a large resource is not kept twice. */
export function resourceKey(r: Attrs): string {
  const keys = Object.keys(r).sort();
  const h = crypto.createHash('sha1');
  for (const k of keys) {
    const v = r[k];
    h.update(k);
    h.update('\x00');
    h.update(typeof v === 'string' ? `s${v}` : typeof v === 'number' ? `n${v}` : `b${v}`);
    h.update('\x00');
  }
  return h.digest('base64');
}
