// The internal shapes both OTLP decoders (JSON and protobuf) produce, and the helpers they share.
// Spans and log records are the core model types (plus a few optional extras); metric points are
// flattened, one per data point, with exponential histograms turned into explicit buckets.

import type { LogLevel, LogRecord, Span } from '../../core/model';

export type AttrValue = string | number | boolean;
export type Attrs = Record<string, AttrValue>;

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attrs;
}

/** A core Span plus what OTLP carries beyond it. The resource object is shared by a batch's spans. */
export interface OtlpSpan extends Span {
  links?: SpanLink[];
  scope?: string;
  resource?: Attrs;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

/** Explicit-bucket histogram: counts.length === bounds.length + 1 (the last bucket is +Inf). */
export interface HistogramValue {
  count: number;
  sum?: number;
  bounds: number[];
  counts: number[];
  min?: number;
  max?: number;
}

export interface QuantileValue {
  quantile: number;
  value: number;
}

export interface MetricPoint {
  name: string;
  unit?: string;
  kind: MetricKind;
  service: string;
  /** The data point's own attributes (resource attributes other than service.name are not copied). */
  attributes: Attrs;
  /** Milliseconds since the epoch. */
  time: number;
  startTime?: number;
  temporality: Temporality;
  monotonic?: boolean;
  /** Gauge and sum points. */
  value?: number;
  /** Histogram and exponential histogram points. */
  histogram?: HistogramValue;
  /** Summary points. */
  quantiles?: QuantileValue[];
  count?: number;
  sum?: number;
}

export interface DecodedTraces {
  spans: OtlpSpan[];
  rejected: number;
  errorMessage?: string;
}

export interface DecodedMetrics {
  points: MetricPoint[];
  rejected: number;
  errorMessage?: string;
}

export interface DecodedLogs {
  logs: LogRecord[];
  rejected: number;
  errorMessage?: string;
}

/** A body that is not an OTLP request at all: the receiver answers 400 with this message. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

export const UNKNOWN_SERVICE = 'unknown_service';

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function spanKindName(kind: number): string | undefined {
  return kind > 0 && kind < SPAN_KINDS.length ? SPAN_KINDS[kind] : undefined;
}

export function statusFromCode(code: number): 'unset' | 'ok' | 'error' {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}

export function temporalityName(t: number): Temporality {
  return t === 1 ? 'delta' : t === 2 ? 'cumulative' : 'unspecified';
}

/** OTLP SeverityNumber ranges: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal. */
export function levelFromSeverity(num: number, text: string | undefined): LogLevel {
  if (num >= 1 && num <= 24) {
    if (num <= 4) return 'trace';
    if (num <= 8) return 'debug';
    if (num <= 12) return 'info';
    if (num <= 16) return 'warn';
    if (num <= 20) return 'error';
    return 'fatal';
  }
  if (!text) return 'unknown';
  const t = text.toLowerCase();
  if (t.startsWith('trace')) return 'trace';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('info') || t === 'notice') return 'info';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('err') || t === 'severe') return 'error';
  if (t.startsWith('fatal') || t === 'critical' || t === 'crit' || t === 'emergency' || t === 'alert' || t === 'panic')
    return 'fatal';
  return 'unknown';
}

export const LEVEL_RANK: Record<LogLevel, number> = {
  unknown: 0,
  trace: 1,
  debug: 2,
  info: 3,
  warn: 4,
  error: 5,
  fatal: 6,
};

/** A valid trace id is 32 hex chars and not all zero; a span id 16. */
export function isValidId(hex: string, len: number): boolean {
  if (hex.length !== len) return false;
  for (let i = 0; i < len; i++) if (hex.charCodeAt(i) !== 48) return true;
  return false;
}

export function nanosToMs(nanos: number): number {
  return nanos / 1e6;
}

/**
 * Keys and short values repeat across every span of a batch (and every batch); keeping one copy of
 * each saves most of the store's string memory. Bounded: the table is dropped when it grows past its cap.
 */
export class StringInterner {
  private table = new Map<string, string>();
  constructor(private readonly maxEntries = 20000, private readonly maxLength = 64) {}

  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const hit = this.table.get(s);
    if (hit !== undefined) return hit;
    if (this.table.size >= this.maxEntries) this.table.clear();
    this.table.set(s, s);
    return s;
  }
}

export const sharedInterner = new StringInterner();

/** Exponential histogram buckets as explicit upper bounds: bucket i covers (base^i, base^(i+1)]. */
export function exponentialToExplicit(
  scale: number,
  zeroCount: number,
  positiveOffset: number,
  positiveCounts: number[],
  negativeCounts: number[],
): { bounds: number[]; counts: number[] } {
  const base = Math.pow(2, Math.pow(2, -scale));
  let nonPositive = zeroCount;
  for (const c of negativeCounts) nonPositive += c;
  const bounds = [0];
  const counts = [nonPositive];
  for (let i = 0; i < positiveCounts.length; i++) {
    bounds.push(Math.pow(base, positiveOffset + i + 1));
    counts.push(positiveCounts[i]);
  }
  counts.push(0);
  return { bounds, counts };
}
