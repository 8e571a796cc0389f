// The internal shapes both OTLP decoders (JSON and protobuf) produce, and the helpers they share.
// Spans and log records are the core model types (plus a few optional extras); metric points are
// flattened, one per data point, with exponential histograms turned into explicit buckets.

import type { LogLevel, LogRecord, Span, SpanEvent } from '../../core/model';

export type AttrValue = string | number | boolean;
export type Attrs = Record<string, AttrValue>;

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attrs;
  /** Attributes the sender or this receiver dropped (over the count limit, or with an over-long key). */
  droppedAttributesCount?: number;
}

export interface OtlpSpanEvent extends SpanEvent {
  droppedAttributesCount?: number;
}

/**
 * A core Span plus what OTLP carries beyond it. The resource object is shared by a batch's spans, and
 * the store interns identical resources across batches. Dropped counts add the sender's own to ours.
 */
export interface OtlpSpan extends Span {
  events?: OtlpSpanEvent[];
  links?: SpanLink[];
  scope?: string;
  resource?: Attrs;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

export interface OtlpLogRecord extends LogRecord {
  droppedAttributesCount?: number;
}

/**
 * What one record may carry. AttributeCountLimit, EventCountLimit, LinkCountLimit and the per-event and
 * per-link attribute limits default to 128 as in the OpenTelemetry SDK specification; over the count,
 * attributes (events, links) are dropped and counted. AttributeValueLengthLimit is unlimited there; a
 * store with a memory cap needs a bound, so longer string values are truncated, as the SDKs do when it
 * is set. The specification exempts resource and metric attributes because an SDK sets them once; a
 * receiver that keeps what anyone sends applies the same count limit to them, and bounds log bodies
 * and names (span, event, scope, metric) by the value length limit.
 */
export interface OtlpLimits {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  /** Keys longer than this are not attribute names anyone queries by: the attribute is dropped. */
  attributeKeyLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
  logBodyLengthLimit: number;
}

export const DEFAULT_OTLP_LIMITS: Readonly<OtlpLimits> = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: 8192,
  attributeKeyLengthLimit: 256,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
  logBodyLengthLimit: 32 * 1024,
});

/** What the limits took away from one request, for the receiver's partial-success warning and stats. */
export interface LimitTally {
  droppedAttributes: number;
  droppedEvents: number;
  droppedLinks: number;
  truncatedValues: number;
}

export function newTally(): LimitTally {
  return { droppedAttributes: 0, droppedEvents: 0, droppedLinks: 0, truncatedValues: 0 };
}

/** A tally's sentence for the partial_success error_message, or undefined when nothing was limited. */
export function describeTally(t: LimitTally, limits: OtlpLimits): string | undefined {
  const parts: string[] = [];
  if (t.droppedAttributes) parts.push(`${t.droppedAttributes} attribute(s) dropped over the limit of ${limits.attributeCountLimit} per record or with keys over ${limits.attributeKeyLengthLimit} characters`);
  if (t.droppedEvents) parts.push(`${t.droppedEvents} span event(s) dropped over the limit of ${limits.eventCountLimit} per span`);
  if (t.droppedLinks) parts.push(`${t.droppedLinks} span link(s) dropped over the limit of ${limits.linkCountLimit} per span`);
  if (t.truncatedValues) parts.push(`${t.truncatedValues} value(s) truncated to ${limits.attributeValueLengthLimit} characters (log bodies to ${limits.logBodyLengthLimit})`);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * `s` cut to `max` characters (never inside a surrogate pair), as a fresh string: a slice of a long
 * string would keep the whole original alive.
 */
export function truncateString(s: string, max: number, tally: LimitTally): string {
  if (s.length <= max) return s;
  tally.truncatedValues++;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return Buffer.from(s.slice(0, end), 'utf8').toString('utf8');
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
  limited: LimitTally;
}

export interface DecodedMetrics {
  points: MetricPoint[];
  rejected: number;
  errorMessage?: string;
  limited: LimitTally;
}

export interface DecodedLogs {
  logs: OtlpLogRecord[];
  rejected: number;
  errorMessage?: string;
  limited: LimitTally;
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
