// Decodes OTLP/JSON export requests into the shapes of decode.ts, following the OTLP/JSON mapping:
// lowerCamelCase field names, trace and span ids as hex strings, 64-bit integers as strings or
// numbers, enums as integers, AnyValue as {stringValue|boolValue|intValue|doubleValue|arrayValue|
// kvlistValue|bytesValue}. Unknown fields are ignored; a field of the wrong type is a 400.

import {
  type Attrs,
  type DecodedLogs,
  type DecodedMetrics,
  type DecodedTraces,
  type HistogramValue,
  type LimitTally,
  type MetricKind,
  type MetricPoint,
  type OtlpLimits,
  type OtlpLogRecord,
  type OtlpSpan,
  type OtlpSpanEvent,
  type SpanLink,
  DEFAULT_OTLP_LIMITS,
  OtlpDecodeError,
  UNKNOWN_SERVICE,
  exponentialToExplicit,
  isValidId,
  newTally,
  sharedInterner,
  spanKindName,
  statusFromCode,
  temporalityName,
  truncateString,
} from './decode';
import { flattenAttr, makeLogRecord } from './otlpProto';

type Json = Record<string, unknown>;
const intern = (s: string) => sharedInterner.intern(s);
const MAX_DEPTH = 32;

/** The limits of one decode and what they took away. */
interface Ctx {
  limits: OtlpLimits;
  tally: LimitTally;
}

/** A string field cut to the value length limit. */
function limitedStr(v: unknown, path: string, ctx: Ctx): string {
  return truncateString(str(v, path), ctx.limits.attributeValueLengthLimit, ctx.tally);
}

function fail(path: string, what: string): never {
  throw new OtlpDecodeError(`invalid OTLP/JSON at ${path}: ${what}`);
}

function obj(v: unknown, path: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) fail(path, 'expected an object');
  return v as Json;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'expected an array');
  return v;
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

/** int64/uint64/fixed64: a JSON number or a decimal string. */
function int(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
  return fail(path, 'expected an integer (number or decimal string)');
}

/** double: a number, or the proto3 JSON strings for special values. */
function dbl(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) return n;
  }
  return fail(path, 'expected a number');
}

/** Enums are integers in OTLP/JSON; the names are accepted too, since some emitters send them. */
function enumInt(v: unknown, path: string, names: string[]): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  return fail(path, 'expected an enum integer');
}

const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const TEMPORALITY_NAMES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];
const SEVERITY_NAMES = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((l) => [l, `${l}2`, `${l}3`, `${l}4`].map((s) => `SEVERITY_NUMBER_${s}`)),
];

/** Ids are hex in OTLP/JSON; anything else yields an invalid id, which rejects the item. */
function hexId(v: unknown, path: string): string {
  const s = str(v, path);
  return /^[0-9a-fA-F]*$/.test(s) ? s.toLowerCase() : '';
}

function anyValue(v: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) fail(path, 'AnyValue nested too deeply');
  const o = obj(v, path);
  if ('stringValue' in o) return str(o.stringValue, `${path}.stringValue`);
  if ('boolValue' in o) {
    if (typeof o.boolValue !== 'boolean') fail(`${path}.boolValue`, 'expected a boolean');
    return o.boolValue;
  }
  if ('intValue' in o) return int(o.intValue, `${path}.intValue`);
  if ('doubleValue' in o) return dbl(o.doubleValue, `${path}.doubleValue`);
  if ('arrayValue' in o) {
    const values = arr(obj(o.arrayValue, `${path}.arrayValue`).values, `${path}.arrayValue.values`);
    return values.map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1) ?? null);
  }
  if ('kvlistValue' in o) {
    const values = arr(obj(o.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`);
    const out: Record<string, unknown> = {};
    values.forEach((kv, i) => {
      const k = obj(kv, `${path}.kvlistValue.values[${i}]`);
      out[str(k.key, `${path}.kvlistValue.values[${i}].key`)] = anyValue(k.value, `${path}.kvlistValue.values[${i}].value`, depth + 1) ?? null;
    });
    return out;
  }
  if ('bytesValue' in o) return str(o.bytesValue, `${path}.bytesValue`);
  return undefined;
}

/** An attribute list, at most `limit` of them (the rest dropped and counted in `dropped`). */
function attributes(v: unknown, path: string, ctx: Ctx, limit: number, counts?: { dropped: number }): Attrs {
  const out: Attrs = {};
  const list = arr(v, path);
  let held = 0;
  let dropped = 0;
  for (let i = 0; i < list.length; i++) {
    if (held >= limit) {
      dropped += list.length - i;
      break;
    }
    const kv = obj(list[i], `${path}[${i}]`);
    const f = flattenAttr(anyValue(kv.value, `${path}[${i}].value`, 0));
    if (f === undefined) continue;
    const key = str(kv.key, `${path}[${i}].key`);
    if (key.length > ctx.limits.attributeKeyLengthLimit) {
      dropped++;
      continue;
    }
    out[intern(key)] = typeof f === 'string' ? intern(truncateString(f, ctx.limits.attributeValueLengthLimit, ctx.tally)) : f;
    held++;
  }
  ctx.tally.droppedAttributes += dropped;
  if (counts) counts.dropped += dropped;
  return out;
}

/** A droppedAttributesCount (or droppedEventsCount, ...) field as the sender set it. */
function wireCount(v: unknown, path: string): number {
  const n = int(v, path);
  return n > 0 ? n : 0;
}

function serviceOf(resource: Attrs): string {
  const s = resource['service.name'];
  return typeof s === 'string' && s !== '' ? intern(s) : UNKNOWN_SERVICE;
}

function parse(body: Uint8Array | string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON body: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OtlpDecodeError('invalid OTLP/JSON: the body must be a JSON object');
  return parsed as Json;
}

/** Walks resource* -> scope* -> item*, as every OTLP request does. */
function walk(
  root: Json,
  ctx: Ctx,
  resourceKey: string,
  scopeKey: string,
  itemKey: string,
  item: (v: unknown, path: string, resource: Attrs, service: string, scope: string) => void,
): void {
  const rlist = arr(root[resourceKey], resourceKey);
  rlist.forEach((rv, i) => {
    const rpath = `${resourceKey}[${i}]`;
    const r = obj(rv, rpath);
    const resource = attributes(obj(r.resource, `${rpath}.resource`).attributes, `${rpath}.resource.attributes`, ctx, ctx.limits.attributeCountLimit);
    const service = serviceOf(resource);
    arr(r[scopeKey], `${rpath}.${scopeKey}`).forEach((sv, j) => {
      const spath = `${rpath}.${scopeKey}[${j}]`;
      const s = obj(sv, spath);
      const scope = intern(limitedStr(obj(s.scope, `${spath}.scope`).name, `${spath}.scope.name`, ctx));
      arr(s[itemKey], `${spath}.${itemKey}`).forEach((v, k) => item(v, `${spath}.${itemKey}[${k}]`, resource, service, scope));
    });
  });
}

export function decodeTracesJson(body: Uint8Array | string, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedTraces {
  const root = parse(body);
  const ctx: Ctx = { limits, tally: newTally() };
  const spans: OtlpSpan[] = [];
  let rejected = 0;
  walk(root, ctx, 'resourceSpans', 'scopeSpans', 'spans', (v, path, resource, service, scope) => {
    const s = obj(v, path);
    const status = obj(s.status, `${path}.status`);
    const spanDropped = { dropped: wireCount(s.droppedAttributesCount, `${path}.droppedAttributesCount`) };
    const span: OtlpSpan = {
      traceId: hexId(s.traceId, `${path}.traceId`),
      spanId: hexId(s.spanId, `${path}.spanId`),
      name: intern(limitedStr(s.name, `${path}.name`, ctx)),
      service,
      kind: spanKindName(enumInt(s.kind, `${path}.kind`, SPAN_KIND_NAMES)),
      startTime: int(s.startTimeUnixNano, `${path}.startTimeUnixNano`) / 1e6,
      endTime: int(s.endTimeUnixNano, `${path}.endTimeUnixNano`) / 1e6,
      status: statusFromCode(enumInt(status.code, `${path}.status.code`, STATUS_NAMES)),
      attributes: attributes(s.attributes, `${path}.attributes`, ctx, limits.attributeCountLimit, spanDropped),
      resource,
      scope,
    };
    const parent = hexId(s.parentSpanId, `${path}.parentSpanId`);
    if (parent !== '') span.parentSpanId = parent;
    const message = limitedStr(status.message, `${path}.status.message`, ctx);
    if (message !== '') span.statusMessage = message;
    if (spanDropped.dropped) span.droppedAttributesCount = spanDropped.dropped;
    const events = arr(s.events, `${path}.events`);
    const droppedEvents = Math.max(0, events.length - limits.eventCountLimit) + wireCount(s.droppedEventsCount, `${path}.droppedEventsCount`);
    ctx.tally.droppedEvents += Math.max(0, events.length - limits.eventCountLimit);
    if (events.length)
      span.events = events.slice(0, limits.eventCountLimit).map((ev, i): OtlpSpanEvent => {
        const e = obj(ev, `${path}.events[${i}]`);
        const out: OtlpSpanEvent = { name: intern(limitedStr(e.name, `${path}.events[${i}].name`, ctx)), time: int(e.timeUnixNano, `${path}.events[${i}].timeUnixNano`) / 1e6 };
        const counts = { dropped: wireCount(e.droppedAttributesCount, `${path}.events[${i}].droppedAttributesCount`) };
        const a = attributes(e.attributes, `${path}.events[${i}].attributes`, ctx, limits.attributePerEventCountLimit, counts);
        if (Object.keys(a).length) out.attributes = a;
        if (counts.dropped) out.droppedAttributesCount = counts.dropped;
        return out;
      });
    if (droppedEvents) span.droppedEventsCount = droppedEvents;
    const links = arr(s.links, `${path}.links`);
    const droppedLinks = Math.max(0, links.length - limits.linkCountLimit) + wireCount(s.droppedLinksCount, `${path}.droppedLinksCount`);
    ctx.tally.droppedLinks += Math.max(0, links.length - limits.linkCountLimit);
    if (links.length)
      span.links = links.slice(0, limits.linkCountLimit).map((lv, i): SpanLink => {
        const l = obj(lv, `${path}.links[${i}]`);
        const out: SpanLink = { traceId: hexId(l.traceId, `${path}.links[${i}].traceId`), spanId: hexId(l.spanId, `${path}.links[${i}].spanId`) };
        const counts = { dropped: wireCount(l.droppedAttributesCount, `${path}.links[${i}].droppedAttributesCount`) };
        const a = attributes(l.attributes, `${path}.links[${i}].attributes`, ctx, limits.attributePerLinkCountLimit, counts);
        if (Object.keys(a).length) out.attributes = a;
        if (counts.dropped) out.droppedAttributesCount = counts.dropped;
        return out;
      });
    if (droppedLinks) span.droppedLinksCount = droppedLinks;
    if (isValidId(span.traceId, 32) && isValidId(span.spanId, 16)) spans.push(span);
    else rejected++;
  });
  return rejected
    ? { spans, rejected, errorMessage: `${rejected} span(s) without a valid trace id or span id were rejected`, limited: ctx.tally }
    : { spans, rejected, limited: ctx.tally };
}

const METRIC_KINDS: [string, MetricKind][] = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

function numbers(v: unknown, path: string, conv: (x: unknown, p: string) => number): number[] {
  return arr(v, path).map((x, i) => conv(x, `${path}[${i}]`));
}

export function decodeMetricsJson(body: Uint8Array | string, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedMetrics {
  const root = parse(body);
  const ctx: Ctx = { limits, tally: newTally() };
  const points: MetricPoint[] = [];
  let rejected = 0;
  walk(root, ctx, 'resourceMetrics', 'scopeMetrics', 'metrics', (v, path, _resource, service) => {
    const m = obj(v, path);
    const name = intern(limitedStr(m.name, `${path}.name`, ctx));
    const unit = intern(limitedStr(m.unit, `${path}.unit`, ctx));
    const found = METRIC_KINDS.find(([key]) => m[key] !== undefined && m[key] !== null);
    if (!found || name === '') {
      rejected++;
      return;
    }
    const [key, kind] = found;
    const dpath = `${path}.${key}`;
    const data = obj(m[key], dpath);
    const temporality = temporalityName(enumInt(data.aggregationTemporality, `${dpath}.aggregationTemporality`, TEMPORALITY_NAMES));
    const monotonic = kind === 'sum' ? data.isMonotonic === true : undefined;
    arr(data.dataPoints, `${dpath}.dataPoints`).forEach((pv, i) => {
      const ppath = `${dpath}.dataPoints[${i}]`;
      const p = obj(pv, ppath);
      const point: MetricPoint = {
        name,
        kind,
        service,
        attributes: attributes(p.attributes, `${ppath}.attributes`, ctx, limits.attributeCountLimit),
        time: int(p.timeUnixNano, `${ppath}.timeUnixNano`) / 1e6,
        temporality,
      };
      if (unit) point.unit = unit;
      const start = int(p.startTimeUnixNano, `${ppath}.startTimeUnixNano`);
      if (start) point.startTime = start / 1e6;
      if (monotonic !== undefined) point.monotonic = monotonic;
      if (kind === 'gauge' || kind === 'sum') {
        if (p.asDouble !== undefined && p.asDouble !== null) point.value = dbl(p.asDouble, `${ppath}.asDouble`);
        else if (p.asInt !== undefined && p.asInt !== null) point.value = int(p.asInt, `${ppath}.asInt`);
        else {
          rejected++;
          return;
        }
      } else if (kind === 'histogram') {
        const h: HistogramValue = {
          count: int(p.count, `${ppath}.count`),
          bounds: numbers(p.explicitBounds, `${ppath}.explicitBounds`, dbl),
          counts: numbers(p.bucketCounts, `${ppath}.bucketCounts`, int),
        };
        if (p.sum !== undefined) h.sum = dbl(p.sum, `${ppath}.sum`);
        if (p.min !== undefined) h.min = dbl(p.min, `${ppath}.min`);
        if (p.max !== undefined) h.max = dbl(p.max, `${ppath}.max`);
        point.histogram = h;
      } else if (kind === 'exponential_histogram') {
        const pos = obj(p.positive, `${ppath}.positive`);
        const neg = obj(p.negative, `${ppath}.negative`);
        const { bounds, counts } = exponentialToExplicit(
          int(p.scale, `${ppath}.scale`),
          int(p.zeroCount, `${ppath}.zeroCount`),
          int(pos.offset, `${ppath}.positive.offset`),
          numbers(pos.bucketCounts, `${ppath}.positive.bucketCounts`, int),
          numbers(neg.bucketCounts, `${ppath}.negative.bucketCounts`, int),
        );
        const h: HistogramValue = { count: int(p.count, `${ppath}.count`), bounds, counts };
        if (p.sum !== undefined) h.sum = dbl(p.sum, `${ppath}.sum`);
        if (p.min !== undefined) h.min = dbl(p.min, `${ppath}.min`);
        if (p.max !== undefined) h.max = dbl(p.max, `${ppath}.max`);
        point.histogram = h;
      } else {
        point.count = int(p.count, `${ppath}.count`);
        point.sum = dbl(p.sum, `${ppath}.sum`);
        point.quantiles = arr(p.quantileValues, `${ppath}.quantileValues`).map((qv, j) => {
          const q = obj(qv, `${ppath}.quantileValues[${j}]`);
          return { quantile: dbl(q.quantile, `${ppath}.quantileValues[${j}].quantile`), value: dbl(q.value, `${ppath}.quantileValues[${j}].value`) };
        });
      }
      points.push(point);
    });
  });
  return rejected
    ? { points, rejected, errorMessage: `${rejected} data point(s) without a name, type or value were rejected`, limited: ctx.tally }
    : { points, rejected, limited: ctx.tally };
}

function bodyString(v: unknown, path: string): string {
  const b = anyValue(v, path, 0);
  if (b === undefined || b === null) return '';
  if (typeof b === 'string') return b;
  if (typeof b === 'number' || typeof b === 'boolean') return String(b);
  return JSON.stringify(b);
}

export function decodeLogsJson(body: Uint8Array | string, receivedAt = Date.now(), limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedLogs {
  const root = parse(body);
  const ctx: Ctx = { limits, tally: newTally() };
  const logs: OtlpLogRecord[] = [];
  walk(root, ctx, 'resourceLogs', 'scopeLogs', 'logRecords', (v, path, _resource, service) => {
    const l = obj(v, path);
    const counts = { dropped: wireCount(l.droppedAttributesCount, `${path}.droppedAttributesCount`) };
    const attrs = attributes(l.attributes, `${path}.attributes`, ctx, limits.attributeCountLimit, counts);
    const rec = makeLogRecord(
      int(l.timeUnixNano, `${path}.timeUnixNano`),
      int(l.observedTimeUnixNano, `${path}.observedTimeUnixNano`),
      enumInt(l.severityNumber, `${path}.severityNumber`, SEVERITY_NAMES),
      intern(limitedStr(l.severityText, `${path}.severityText`, ctx)),
      truncateString(bodyString(l.body, `${path}.body`), limits.logBodyLengthLimit, ctx.tally),
      Object.keys(attrs).length ? attrs : undefined,
      hexId(l.traceId, `${path}.traceId`),
      hexId(l.spanId, `${path}.spanId`),
      intern(limitedStr(l.eventName, `${path}.eventName`, ctx)),
      service,
      receivedAt,
    );
    if (counts.dropped) rec.droppedAttributesCount = counts.dropped;
    logs.push(rec);
  });
  return { logs, rejected: 0, limited: ctx.tally };
}
