// Trace trees laid out in time: a parent span lasts its own time plus its children's, a client span
// wraps the callee's server span with network time, and a failed call may have no server span at all
// (TLS handshake failures, DNS failures, a peer that is down), exactly as real instrumentation records.

import type { Span, SpanEvent, SpanStatus } from '../../../../../src/core/model';
import type { SeededRandom } from './random';

type AttributeValue = string | number | boolean;

export interface SpanNode {
  service: string;
  name: string;
  kind?: 'server' | 'client' | 'internal' | 'producer' | 'consumer';
  /** The span's own time in ms, split evenly before and after its children. */
  selfMs: number;
  status?: SpanStatus;
  statusMessage?: string;
  attributes?: Record<string, AttributeValue>;
  /** Events at an offset (ms) from the span's start. */
  events?: { name: string; offsetMs: number; attributes?: Record<string, AttributeValue> }[];
  children?: SpanNode[];
  /** Children run concurrently (a fan-out) instead of one after another. */
  parallel?: boolean;
}

/** A client span around a server span of the callee, `networkMs` being the round trip outside the callee. */
export function call(
  client: Omit<SpanNode, 'kind' | 'children' | 'selfMs'> & { networkMs: number },
  server: SpanNode | undefined,
): SpanNode {
  const { networkMs, ...rest } = client;
  return { ...rest, kind: 'client', selfMs: networkMs, children: server ? [{ ...server, kind: server.kind ?? 'server' }] : [] };
}

/** Lays the tree out from `start` and returns its spans (root first). */
export function emitTrace(rng: SeededRandom, start: number, root: SpanNode, traceId = rng.hex(32)): Span[] {
  const spans: Span[] = [];
  const place = (node: SpanNode, at: number, parentSpanId?: string): number => {
    const spanId = rng.hex(16);
    const before = node.selfMs / 2;
    let cursor = at + before;
    let childrenEnd = cursor;
    const children = node.children ?? [];
    if (node.parallel) {
      for (const child of children) childrenEnd = Math.max(childrenEnd, place(child, cursor + rng.between(0.02, 0.2), spanId));
    } else {
      for (const child of children) {
        cursor = place(child, cursor + rng.between(0.02, 0.3), spanId);
        childrenEnd = cursor;
      }
    }
    const end = childrenEnd + node.selfMs - before;
    const span: Span = {
      traceId,
      spanId,
      name: node.name,
      service: node.service,
      kind: node.kind ?? 'internal',
      startTime: round3(at),
      endTime: round3(end),
      status: node.status ?? 'unset',
      attributes: { ...(node.attributes ?? {}) },
    };
    if (parentSpanId) span.parentSpanId = parentSpanId;
    if (node.statusMessage) span.statusMessage = node.statusMessage;
    if (node.events?.length) {
      span.events = node.events.map((e): SpanEvent => {
        const ev: SpanEvent = { name: e.name, time: round3(Math.min(end, at + e.offsetMs)) };
        if (e.attributes) ev.attributes = e.attributes;
        return ev;
      });
    }
    spans.push(span);
    return end;
  };
  place(root, start);
  // Root first, then in start order, as a trace backend returns them.
  return spans.sort((a, b) => (a.parentSpanId ? 1 : 0) - (b.parentSpanId ? 1 : 0) || a.startTime - b.startTime);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Start times of sampled traces: a Poisson process whose rate (per minute) may change over time,
 * drawn second by second so a rate that jumps at an onset takes effect at once.
 */
export function traceStarts(rng: SeededRandom, from: number, to: number, perMinute: (t: number) => number): number[] {
  const out: number[] = [];
  const step = 1000;
  for (let t = from; t < to; t += step) {
    const n = rng.poisson(Math.max(perMinute(t), 0) / 60);
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(Math.round((t + rng.next() * Math.min(step, to - t)) * 1000) / 1000);
    out.push(...times.sort((a, b) => a - b));
  }
  return out;
}

/** A log-normal draw around a median, for span durations. */
export function jitter(rng: SeededRandom, median: number, sigma = 0.35): number {
  return median * Math.exp(rng.normal(0, sigma));
}

/** Drops traces still in flight at `end`: a trace backend exports a trace once its spans have ended. */
export function completeTraces(spans: Span[], end: number): Span[] {
  const late = new Set(spans.filter((s) => s.endTime > end).map((s) => s.traceId));
  return spans.filter((s) => !late.has(s.traceId));
}
