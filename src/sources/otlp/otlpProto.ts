// Decodes OTLP/protobuf export requests (traces, metrics, logs) straight from the wire format into
// the shapes of decode.ts. Field numbers follow opentelemetry-proto (trace.proto, metrics.proto,
// logs.proto, common.proto, resource.proto). Unknown fields are skipped, as protobuf requires.
// Tags below are (field << 3 | wireType), written out so the switch compares one integer.
// Over 500 lines: one reader per message of the three signals, each a switch over its field tags;
// they share the reader, the limits and the attribute helpers, and split files would scatter the
// field tables that are checked against the .proto files together.

import {
  type Attrs,
  type AttrValue,
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
  type QuantileValue,
  type SpanLink,
  type Temporality,
  DEFAULT_OTLP_LIMITS,
  OtlpDecodeError,
  UNKNOWN_SERVICE,
  exponentialToExplicit,
  isValidId,
  levelFromSeverity,
  newTally,
  spanKindName,
  statusFromCode,
  temporalityName,
  truncateString,
} from './decode';
import { ProtoError, ProtoReader, WIRE_LEN } from './protobuf';

const MAX_DEPTH = 32;

/** The limits of one decode and what they took away. */
interface Ctx {
  limits: OtlpLimits;
  tally: LimitTally;
}

const KEPT = 1;
const EMPTY = 0;
const DROPPED = -1;

function expectEnd(r: ProtoReader, end: number): void {
  if (r.pos !== end) throw new ProtoError('message overruns its length');
}

// ---- common.proto ----

/** AnyValue as plain JS: string, number, boolean, array, object, or undefined when empty. */
function readAnyValue(r: ProtoReader, end: number, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ProtoError('AnyValue nested too deeply');
  let value: unknown = undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10: // string_value
        value = r.string(end);
        break;
      case 16: // bool_value
        value = r.bool();
        break;
      case 24: // int_value
        value = r.int64();
        break;
      case 33: // double_value
        value = r.double();
        break;
      case 42: {
        // array_value: ArrayValue { repeated AnyValue values = 1 }
        const aEnd = r.lenEnd(end);
        const arr: unknown[] = [];
        while (r.pos < aEnd) {
          const t = r.uint32();
          if (t === 10) {
            const vEnd = r.lenEnd(aEnd);
            arr.push(readAnyValue(r, vEnd, depth + 1) ?? null);
            expectEnd(r, vEnd);
          } else r.skip(t & 7, aEnd);
        }
        expectEnd(r, aEnd);
        value = arr;
        break;
      }
      case 50: {
        // kvlist_value: KeyValueList { repeated KeyValue values = 1 }
        const kEnd = r.lenEnd(end);
        const obj: Record<string, unknown> = {};
        while (r.pos < kEnd) {
          const t = r.uint32();
          if (t === 10) {
            const kvEnd = r.lenEnd(kEnd);
            readKeyValueInto(r, kvEnd, obj, depth + 1);
          } else r.skip(t & 7, kEnd);
        }
        expectEnd(r, kEnd);
        value = obj;
        break;
      }
      case 58: // bytes_value
        value = Buffer.from(r.bytes(end)).toString('base64');
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  return value;
}

export function flattenAttr(v: unknown): AttrValue | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v === undefined || v === null) return undefined;
  return JSON.stringify(v);
}

/** KeyValue { key = 1; value = 2 } into a plain object (kvlist values keep their structure). */
function readKeyValueInto(r: ProtoReader, end: number, out: Record<string, unknown>, depth: number): void {
  let key = '';
  let value: unknown = undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) key = r.string(end);
    else if (tag === 18) {
      const vEnd = r.lenEnd(end);
      value = readAnyValue(r, vEnd, depth);
    } else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  out[key] = value ?? null;
}

/** An attribute's AnyValue, flattened: scalars as they are, arrays and maps as JSON text. */
function readAttrValue(r: ProtoReader, end: number): AttrValue | undefined {
  let value: AttrValue | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        value = r.string(end);
        break;
      case 16:
        value = r.bool();
        break;
      case 24:
        value = r.int64();
        break;
      case 33:
        value = r.double();
        break;
      case 42:
      case 50:
      case 58:
        value = flattenAttr(readStructuredValue(r, end, tag));
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  return value;
}

/** The rest of an AnyValue field that holds an array (42), a kvlist (50) or bytes (58); its tag is read. */
function readStructuredValue(r: ProtoReader, end: number, tag: number): unknown {
  const fEnd = r.lenEnd(end);
  if (tag === 58) {
    const b = Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, fEnd - r.pos).toString('base64');
    r.pos = fEnd;
    return b;
  }
  if (tag === 42) {
    const arr: unknown[] = [];
    while (r.pos < fEnd) {
      const t = r.uint32();
      if (t === 10) arr.push(readAnyValue(r, r.lenEnd(fEnd), 1) ?? null);
      else r.skip(t & 7, fEnd);
    }
    expectEnd(r, fEnd);
    return arr;
  }
  const obj: Record<string, unknown> = {};
  while (r.pos < fEnd) {
    const t = r.uint32();
    if (t === 10) readKeyValueInto(r, r.lenEnd(fEnd), obj, 1);
    else r.skip(t & 7, fEnd);
  }
  expectEnd(r, fEnd);
  return obj;
}

/**
 * One KeyValue attribute into `out`, unless the collection already holds `held` >= `limit` attributes
 * or the key is over-long (DROPPED: skipped without decoding its value); an empty value is EMPTY.
 */
function readAttribute(r: ProtoReader, end: number, out: Attrs, held: number, limit: number, ctx: Ctx): number {
  const kvEnd = r.lenEnd(end);
  if (held >= limit) {
    r.pos = kvEnd;
    ctx.tally.droppedAttributes++;
    return DROPPED;
  }
  let key = '';
  let value: AttrValue | undefined;
  while (r.pos < kvEnd) {
    const tag = r.uint32();
    if (tag === 10) key = r.string(kvEnd);
    else if (tag === 18) value = readAttrValue(r, r.lenEnd(kvEnd));
    else r.skip(tag & 7, kvEnd);
  }
  expectEnd(r, kvEnd);
  if (key.length > ctx.limits.attributeKeyLengthLimit) {
    ctx.tally.droppedAttributes++;
    return DROPPED;
  }
  if (value === undefined) return EMPTY;
  out[key] = typeof value === 'string' ? truncateString(value, ctx.limits.attributeValueLengthLimit, ctx.tally) : value;
  return KEPT;
}

/** Attributes of one collection, with its count and what was dropped. */
class AttrCounter {
  held = 0;
  dropped = 0;
  add(k: number): void {
    if (k === KEPT) this.held++;
    else if (k === DROPPED) this.dropped++;
  }
}

/** Resource { repeated KeyValue attributes = 1 } */
function readResource(r: ProtoReader, end: number, ctx: Ctx): Attrs {
  const attrs: Attrs = {};
  const n = new AttrCounter();
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) n.add(readAttribute(r, end, attrs, n.held, ctx.limits.attributeCountLimit, ctx));
    else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  return attrs;
}

/** InstrumentationScope { name = 1; version = 2 }: only the name is kept. */
function readScopeName(r: ProtoReader, end: number, ctx: Ctx): string {
  let name = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = truncateString(r.string(end), ctx.limits.attributeValueLengthLimit, ctx.tally);
    else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  return name;
}

function serviceOf(resource: Attrs): string {
  const s = resource['service.name'];
  return typeof s === 'string' && s !== '' ? s : UNKNOWN_SERVICE;
}

/**
 * A resource/scope container whose children must be decoded after its own header fields, which may
 * come later on the wire. Returns the child segments (start, end) and the header.
 */
interface Segments {
  header: Attrs | string | undefined;
  children: number[];
}

function collectSegments(r: ProtoReader, end: number, headerTag: number, childTag: number, header: (end: number) => Attrs | string): Segments {
  const out: Segments = { header: undefined, children: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === headerTag) {
      const hEnd = r.lenEnd(end);
      out.header = header(hEnd);
    } else if (tag === childTag) {
      const cEnd = r.lenEnd(end);
      out.children.push(r.pos, cEnd);
      r.pos = cEnd;
    } else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  return out;
}

/** Walks Request -> Resource* -> Scope* -> item*, calling `item` with each item's segment. */
function walkRequest(
  body: Uint8Array,
  ctx: Ctx,
  item: (r: ProtoReader, end: number, resource: Attrs, service: string, scope: string) => void,
): void {
  const r = new ProtoReader(body);
  const top = collectSegments(r, body.length, -1, 10, () => '');
  const emptyResource: Attrs = {};
  for (let i = 0; i < top.children.length; i += 2) {
    r.pos = top.children[i];
    const rs = collectSegments(r, top.children[i + 1], 10, 18, (e) => readResource(r, e, ctx));
    const resource = (rs.header as Attrs | undefined) ?? emptyResource;
    const service = serviceOf(resource);
    for (let j = 0; j < rs.children.length; j += 2) {
      r.pos = rs.children[j];
      const ss = collectSegments(r, rs.children[j + 1], 10, 18, (e) => readScopeName(r, e, ctx));
      const scope = (ss.header as string | undefined) ?? '';
      for (let k = 0; k < ss.children.length; k += 2) {
        r.pos = ss.children[k];
        item(r, ss.children[k + 1], resource, service, scope);
      }
    }
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProtoError) throw new OtlpDecodeError(`invalid protobuf body: ${err.message}`);
    throw err;
  }
}

// ---- trace.proto ----

function readEvent(r: ProtoReader, end: number, ctx: Ctx): OtlpSpanEvent {
  let time = 0;
  let name = '';
  let attrs: Attrs | undefined;
  let wireDropped = 0;
  const n = new AttrCounter();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 9:
        time = r.fixed64() / 1e6;
        break;
      case 18:
        name = truncateString(r.string(end), ctx.limits.attributeValueLengthLimit, ctx.tally);
        break;
      case 26:
        n.add(readAttribute(r, end, (attrs ??= {}), n.held, ctx.limits.attributePerEventCountLimit, ctx));
        break;
      case 32:
        wireDropped = r.uint32();
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  const ev: OtlpSpanEvent = { name, time };
  if (attrs && n.held) ev.attributes = attrs;
  if (wireDropped + n.dropped) ev.droppedAttributesCount = wireDropped + n.dropped;
  return ev;
}

function readLink(r: ProtoReader, end: number, ctx: Ctx): SpanLink {
  const link: SpanLink = { traceId: '', spanId: '' };
  let wireDropped = 0;
  const n = new AttrCounter();
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        link.traceId = r.hex(end);
        break;
      case 18:
        link.spanId = r.hex(end);
        break;
      case 34:
        n.add(readAttribute(r, end, (link.attributes ??= {}), n.held, ctx.limits.attributePerLinkCountLimit, ctx));
        break;
      case 40:
        wireDropped = r.uint32();
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  if (link.attributes && !n.held) delete link.attributes;
  if (wireDropped + n.dropped) link.droppedAttributesCount = wireDropped + n.dropped;
  return link;
}

function readSpan(r: ProtoReader, end: number, resource: Attrs, service: string, scope: string, ctx: Ctx): OtlpSpan {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let start = 0;
  let finish = 0;
  const attributes: Attrs = {};
  const n = new AttrCounter();
  let events: OtlpSpanEvent[] | undefined;
  let links: SpanLink[] | undefined;
  let statusCode = 0;
  let statusMessage = '';
  let wireDropped = 0;
  let droppedEvents = 0;
  let droppedLinks = 0;
  const limits = ctx.limits;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        traceId = r.hex(end);
        break;
      case 18:
        spanId = r.hex(end);
        break;
      case 34:
        parentSpanId = r.hex(end);
        break;
      case 42:
        name = truncateString(r.string(end), limits.attributeValueLengthLimit, ctx.tally);
        break;
      case 48:
        kind = r.int32();
        break;
      case 57:
        start = r.fixed64();
        break;
      case 65:
        finish = r.fixed64();
        break;
      case 74:
        n.add(readAttribute(r, end, attributes, n.held, limits.attributeCountLimit, ctx));
        break;
      case 80:
        wireDropped = r.uint32();
        break;
      case 90: {
        const eEnd = r.lenEnd(end);
        if ((events?.length ?? 0) < limits.eventCountLimit) (events ??= []).push(readEvent(r, eEnd, ctx));
        else {
          r.pos = eEnd;
          droppedEvents++;
        }
        break;
      }
      case 96:
        droppedEvents += r.uint32();
        break;
      case 106: {
        const lEnd = r.lenEnd(end);
        if ((links?.length ?? 0) < limits.linkCountLimit) (links ??= []).push(readLink(r, lEnd, ctx));
        else {
          r.pos = lEnd;
          droppedLinks++;
        }
        break;
      }
      case 112:
        droppedLinks += r.uint32();
        break;
      case 122: {
        const sEnd = r.lenEnd(end);
        while (r.pos < sEnd) {
          const t = r.uint32();
          if (t === 18) statusMessage = truncateString(r.string(sEnd), limits.attributeValueLengthLimit, ctx.tally);
          else if (t === 24) statusCode = r.int32();
          else r.skip(t & 7, sEnd);
        }
        expectEnd(r, sEnd);
        break;
      }
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  const span: OtlpSpan = {
    traceId,
    spanId,
    name,
    service,
    kind: spanKindName(kind),
    startTime: start / 1e6,
    endTime: finish / 1e6,
    status: statusFromCode(statusCode),
    attributes,
    resource,
    scope,
  };
  if (parentSpanId !== '') span.parentSpanId = parentSpanId;
  if (statusMessage !== '') span.statusMessage = statusMessage;
  if (events) span.events = events;
  if (links) span.links = links;
  if (wireDropped + n.dropped) span.droppedAttributesCount = wireDropped + n.dropped;
  if (droppedEvents) span.droppedEventsCount = droppedEvents;
  if (droppedLinks) span.droppedLinksCount = droppedLinks;
  return span;
}

export function decodeTracesProto(body: Uint8Array, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedTraces {
  return wrap(() => {
    const ctx: Ctx = { limits, tally: newTally() };
    const spans: OtlpSpan[] = [];
    let rejected = 0;
    walkRequest(body, ctx, (r, end, resource, service, scope) => {
      const span = readSpan(r, end, resource, service, scope, ctx);
      if (isValidId(span.traceId, 32) && isValidId(span.spanId, 16)) spans.push(span);
      else rejected++;
    });
    return rejected
      ? { spans, rejected, errorMessage: `${rejected} span(s) without a valid trace id or span id were rejected`, limited: ctx.tally }
      : { spans, rejected, limited: ctx.tally };
  });
}

// ---- metrics.proto ----

interface PointContext {
  name: string;
  unit?: string;
  kind: MetricKind;
  service: string;
  temporality: Temporality;
  monotonic?: boolean;
  ctx: Ctx;
}

function readPackedOrSingle(r: ProtoReader, end: number, tag: number, out: number[], kind: 'fixed64' | 'double' | 'uint64'): void {
  const read = kind === 'fixed64' ? () => r.fixed64() : kind === 'double' ? () => r.double() : () => r.uint64();
  if ((tag & 7) === WIRE_LEN) {
    const pEnd = r.lenEnd(end);
    while (r.pos < pEnd) out.push(read());
    expectEnd(r, pEnd);
  } else out.push(read());
}

function readNumberPoint(r: ProtoReader, end: number, ctx: PointContext): MetricPoint | undefined {
  const attributes: Attrs = {};
  const n = new AttrCounter();
  let time = 0;
  let startTime = 0;
  let value: number | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 58:
        n.add(readAttribute(r, end, attributes, n.held, ctx.ctx.limits.attributeCountLimit, ctx.ctx));
        break;
      case 17:
        startTime = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        value = r.double();
        break;
      case 49:
        value = r.sfixed64();
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  if (value === undefined) return undefined;
  return pointOf(ctx, attributes, time, startTime, { value });
}

function pointOf(ctx: PointContext, attributes: Attrs, time: number, startTime: number, extra: Partial<MetricPoint>): MetricPoint {
  const p: MetricPoint = {
    name: ctx.name,
    kind: ctx.kind,
    service: ctx.service,
    attributes,
    time: time / 1e6,
    temporality: ctx.temporality,
    ...extra,
  };
  if (ctx.unit) p.unit = ctx.unit;
  if (startTime) p.startTime = startTime / 1e6;
  if (ctx.monotonic !== undefined) p.monotonic = ctx.monotonic;
  return p;
}

function readHistogramPoint(r: ProtoReader, end: number, ctx: PointContext): MetricPoint {
  const attributes: Attrs = {};
  const n = new AttrCounter();
  let time = 0;
  let startTime = 0;
  const h: HistogramValue = { count: 0, bounds: [], counts: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 74:
        n.add(readAttribute(r, end, attributes, n.held, ctx.ctx.limits.attributeCountLimit, ctx.ctx));
        break;
      case 17:
        startTime = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        h.count = r.fixed64();
        break;
      case 41:
        h.sum = r.double();
        break;
      case 49:
      case 50:
        readPackedOrSingle(r, end, tag, h.counts, 'fixed64');
        break;
      case 57:
      case 58:
        readPackedOrSingle(r, end, tag, h.bounds, 'double');
        break;
      case 89:
        h.min = r.double();
        break;
      case 97:
        h.max = r.double();
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  return pointOf(ctx, attributes, time, startTime, { histogram: h });
}

function readBuckets(r: ProtoReader, end: number): { offset: number; counts: number[] } {
  const b = { offset: 0, counts: [] as number[] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 8) b.offset = r.sint32();
    else if (tag === 16 || tag === 18) readPackedOrSingle(r, end, tag, b.counts, 'uint64');
    else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  return b;
}

function readExponentialPoint(r: ProtoReader, end: number, ctx: PointContext): MetricPoint {
  const attributes: Attrs = {};
  const n = new AttrCounter();
  let time = 0;
  let startTime = 0;
  let count = 0;
  let sum: number | undefined;
  let scale = 0;
  let zeroCount = 0;
  let positive = { offset: 0, counts: [] as number[] };
  let negative = { offset: 0, counts: [] as number[] };
  let min: number | undefined;
  let max: number | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 10:
        n.add(readAttribute(r, end, attributes, n.held, ctx.ctx.limits.attributeCountLimit, ctx.ctx));
        break;
      case 17:
        startTime = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        count = r.fixed64();
        break;
      case 41:
        sum = r.double();
        break;
      case 48:
        scale = r.sint32();
        break;
      case 57:
        zeroCount = r.fixed64();
        break;
      case 66:
        positive = readBuckets(r, r.lenEnd(end));
        break;
      case 74:
        negative = readBuckets(r, r.lenEnd(end));
        break;
      case 97:
        min = r.double();
        break;
      case 105:
        max = r.double();
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  const { bounds, counts } = exponentialToExplicit(scale, zeroCount, positive.offset, positive.counts, negative.counts);
  const h: HistogramValue = { count, bounds, counts };
  if (sum !== undefined) h.sum = sum;
  if (min !== undefined) h.min = min;
  if (max !== undefined) h.max = max;
  return pointOf(ctx, attributes, time, startTime, { histogram: h });
}

function readSummaryPoint(r: ProtoReader, end: number, ctx: PointContext): MetricPoint {
  const attributes: Attrs = {};
  const n = new AttrCounter();
  let time = 0;
  let startTime = 0;
  let count = 0;
  let sum = 0;
  const quantiles: QuantileValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 58:
        n.add(readAttribute(r, end, attributes, n.held, ctx.ctx.limits.attributeCountLimit, ctx.ctx));
        break;
      case 17:
        startTime = r.fixed64();
        break;
      case 25:
        time = r.fixed64();
        break;
      case 33:
        count = r.fixed64();
        break;
      case 41:
        sum = r.double();
        break;
      case 50: {
        const qEnd = r.lenEnd(end);
        const q: QuantileValue = { quantile: 0, value: 0 };
        while (r.pos < qEnd) {
          const t = r.uint32();
          if (t === 9) q.quantile = r.double();
          else if (t === 17) q.value = r.double();
          else r.skip(t & 7, qEnd);
        }
        expectEnd(r, qEnd);
        quantiles.push(q);
        break;
      }
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  return pointOf(ctx, attributes, time, startTime, { quantiles, count, sum });
}

/** Gauge/Sum/Histogram/ExponentialHistogram/Summary body: data_points = 1, temporality = 2, monotonic = 3. */
function readDataBody(r: ProtoReader, end: number, ctx: PointContext, out: MetricPoint[]): number {
  const pointSegments: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      const pEnd = r.lenEnd(end);
      pointSegments.push(r.pos, pEnd);
      r.pos = pEnd;
    } else if (tag === 16) ctx.temporality = temporalityName(r.int32());
    else if (tag === 24) ctx.monotonic = r.bool();
    else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  let rejected = 0;
  for (let i = 0; i < pointSegments.length; i += 2) {
    r.pos = pointSegments[i];
    const pEnd = pointSegments[i + 1];
    let p: MetricPoint | undefined;
    switch (ctx.kind) {
      case 'gauge':
      case 'sum':
        p = readNumberPoint(r, pEnd, ctx);
        break;
      case 'histogram':
        p = readHistogramPoint(r, pEnd, ctx);
        break;
      case 'exponential_histogram':
        p = readExponentialPoint(r, pEnd, ctx);
        break;
      case 'summary':
        p = readSummaryPoint(r, pEnd, ctx);
        break;
    }
    if (p) out.push(p);
    else rejected++;
  }
  r.pos = end;
  return rejected;
}

const METRIC_DATA_TAGS: Record<number, MetricKind> = {
  42: 'gauge',
  58: 'sum',
  74: 'histogram',
  82: 'exponential_histogram',
  90: 'summary',
};

function readMetric(r: ProtoReader, end: number, service: string, out: MetricPoint[], ctx: Ctx): number {
  let name = '';
  let unit = '';
  let kind: MetricKind | undefined;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) name = truncateString(r.string(end), ctx.limits.attributeValueLengthLimit, ctx.tally);
    else if (tag === 26) unit = truncateString(r.string(end), ctx.limits.attributeValueLengthLimit, ctx.tally);
    else if (METRIC_DATA_TAGS[tag] !== undefined) {
      kind = METRIC_DATA_TAGS[tag];
      dataEnd = r.lenEnd(end);
      dataStart = r.pos;
      r.pos = dataEnd;
    } else r.skip(tag & 7, end);
  }
  expectEnd(r, end);
  if (!kind || name === '') return 1;
  r.pos = dataStart;
  const pctx: PointContext = { name, kind, service, temporality: 'unspecified', ctx };
  if (unit) pctx.unit = unit;
  return readDataBody(r, dataEnd, pctx, out);
}

export function decodeMetricsProto(body: Uint8Array, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedMetrics {
  return wrap(() => {
    const ctx: Ctx = { limits, tally: newTally() };
    const points: MetricPoint[] = [];
    let rejected = 0;
    walkRequest(body, ctx, (r, end, _resource, service) => {
      rejected += readMetric(r, end, service, points, ctx);
    });
    return rejected
      ? { points, rejected, errorMessage: `${rejected} data point(s) without a name, type or value were rejected`, limited: ctx.tally }
      : { points, rejected, limited: ctx.tally };
  });
}

// ---- logs.proto ----

function bodyToString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function readLogRecord(r: ProtoReader, end: number, service: string, receivedAt: number, ctx: Ctx): OtlpLogRecord {
  let time = 0;
  let observed = 0;
  let severity = 0;
  let severityText = '';
  let body: unknown = undefined;
  let attributes: Attrs | undefined;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  let wireDropped = 0;
  const n = new AttrCounter();
  const limits = ctx.limits;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 9:
        time = r.fixed64();
        break;
      case 16:
        severity = r.int32();
        break;
      case 26:
        severityText = truncateString(r.string(end), limits.attributeValueLengthLimit, ctx.tally);
        break;
      case 42: {
        const bEnd = r.lenEnd(end);
        body = readAnyValue(r, bEnd, 0);
        break;
      }
      case 50:
        n.add(readAttribute(r, end, (attributes ??= {}), n.held, limits.attributeCountLimit, ctx));
        break;
      case 56:
        wireDropped = r.uint32();
        break;
      case 74:
        traceId = r.hex(end);
        break;
      case 82:
        spanId = r.hex(end);
        break;
      case 89:
        observed = r.fixed64();
        break;
      case 98:
        eventName = truncateString(r.string(end), limits.attributeValueLengthLimit, ctx.tally);
        break;
      default:
        r.skip(tag & 7, end);
    }
  }
  expectEnd(r, end);
  const rec: OtlpLogRecord = makeLogRecord(
    time,
    observed,
    severity,
    severityText,
    truncateString(bodyToString(body), limits.logBodyLengthLimit, ctx.tally),
    attributes && n.held ? attributes : undefined,
    traceId,
    spanId,
    eventName,
    service,
    receivedAt,
  );
  if (wireDropped + n.dropped) rec.droppedAttributesCount = wireDropped + n.dropped;
  return rec;
}

export function makeLogRecord(
  timeNanos: number,
  observedNanos: number,
  severity: number,
  severityText: string,
  body: string,
  attributes: Attrs | undefined,
  traceId: string,
  spanId: string,
  eventName: string,
  service: string,
  receivedAt: number,
): OtlpLogRecord {
  const rec: OtlpLogRecord = {
    time: timeNanos ? timeNanos / 1e6 : observedNanos ? observedNanos / 1e6 : receivedAt,
    body,
    level: levelFromSeverity(severity, severityText),
    service,
  };
  if (eventName) (attributes ??= {})['event.name'] = eventName;
  if (severityText && rec.level === 'unknown') (attributes ??= {})['severity.text'] = severityText;
  if (attributes) rec.attributes = attributes;
  if (isValidId(traceId, 32)) rec.traceId = traceId;
  if (isValidId(spanId, 16)) rec.spanId = spanId;
  return rec;
}

export function decodeLogsProto(body: Uint8Array, receivedAt = Date.now(), limits: OtlpLimits = DEFAULT_OTLP_LIMITS): DecodedLogs {
  return wrap(() => {
    const ctx: Ctx = { limits, tally: newTally() };
    const logs: OtlpLogRecord[] = [];
    walkRequest(body, ctx, (r, end, _resource, service) => {
      logs.push(readLogRecord(r, end, service, receivedAt, ctx));
    });
    return { logs, rejected: 0, limited: ctx.tally };
  });
}
