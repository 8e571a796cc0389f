// Workloads for measuring what the OTLP store really retains: realistic telemetry from the OpenTelemetry
// SDK and hostile shapes at the limits the decoders allow. Used by bench/otlp-memory.ts and by
// test/unit/otlp/storeMemory.test.ts.
import * as crypto from 'node:crypto';
import { makeSpanBatches } from '../sources';
import { decodeLogsJson, decodeTracesJson } from '../../src/sources/otlp/otlpJson';
import { decodeTracesProto } from '../../src/sources/otlp/otlpProto';
import type { TelemetryStore } from '../../src/sources/otlp/store';

type Kv = { key: string; value: { stringValue?: string; intValue?: string; doubleValue?: number } };
let uniq = 0;
const u = (): string => (uniq++).toString(36);
const hex = (bytes: number): string => crypto.randomBytes(bytes).toString('hex');
const now = BigInt(Date.now()) * 1_000_000n;

function jsonSpan(attrs: Kv[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { traceId: hex(16), spanId: hex(8), name: 'GET /x', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n), attributes: attrs, ...extra };
}

function tracesBody(resources: { attrs: Kv[]; spans: Record<string, unknown>[] }[]): string {
  return JSON.stringify({ resourceSpans: resources.map((r) => ({ resource: { attributes: r.attrs }, scopeSpans: [{ scope: { name: 'hostile' }, spans: r.spans }] })) });
}

const svc: Kv = { key: 'service.name', value: { stringValue: 'hostile' } };
const str = (key: string, value: string): Kv => ({ key, value: { stringValue: value } });

export interface Workload {
  name: string;
  /** One batch into the store; returns how many items it added. */
  feed(store: TelemetryStore): number;
}

export function workloads(): Workload[] {
  const { bodies } = makeSpanBatches(12);
  let k = 0;
  return [
    { name: 'realistic SDK spans (protobuf)', feed: (st) => st.addSpans(decodeTracesProto(bodies[k++ % bodies.length]).spans).accepted },
    {
      name: '128 new keys per span, short unique values (JSON)',
      feed: (st) => st.addSpans(decodeTracesJson(tracesBody([{ attrs: [svc], spans: Array.from({ length: 20 }, () => jsonSpan(Array.from({ length: 128 }, (_, i) => str(`k.${u()}.${i}`, `v-${u()}-${hex(8)}`)))) }])).spans).accepted,
    },
    {
      name: '16 new keys per span (fast objects with their own hidden classes)',
      feed: (st) => st.addSpans(decodeTracesJson(tracesBody([{ attrs: [svc], spans: Array.from({ length: 50 }, () => jsonSpan(Array.from({ length: 16 }, (_, i) => str(`key.${u()}.${i}`, `v${i}`)))) }])).spans).accepted,
    },
    {
      name: '8 values of 8,000 characters per span',
      feed: (st) => st.addSpans(decodeTracesJson(tracesBody([{ attrs: [svc], spans: Array.from({ length: 10 }, () => jsonSpan(Array.from({ length: 8 }, (_, i) => str(`big.${i}`, hex(4000))))) }])).spans).accepted,
    },
    {
      name: 'two-byte values (non-Latin-1 text)',
      feed: (st) => st.addSpans(decodeTracesJson(tracesBody([{ attrs: [svc], spans: Array.from({ length: 20 }, () => jsonSpan(Array.from({ length: 20 }, (_, i) => str(`t.${i}`, `数据-${u()}-` + 'ж'.repeat(200))))) }])).spans).accepted,
    },
    {
      name: '128 events of 4 attributes per span',
      feed: (st) =>
        st.addSpans(
          decodeTracesJson(
            tracesBody([{ attrs: [svc], spans: Array.from({ length: 4 }, () => jsonSpan([], { events: Array.from({ length: 128 }, (_, i) => ({ name: `event ${u()}`, timeUnixNano: String(now), attributes: [str('a', u()), str('b', `x${i}`), { key: 'n', value: { doubleValue: i + 0.5 } }, { key: 'm', value: { intValue: String(i) } }] })) })) }]),
          ).spans,
        ).accepted,
    },
    {
      name: 'a new resource of 128 attributes per span',
      feed: (st) => st.addSpans(decodeTracesJson(tracesBody(Array.from({ length: 20 }, () => ({ attrs: [svc, ...Array.from({ length: 127 }, (_, i) => str(`res.${i}`, `r-${u()}`))], spans: [jsonSpan([str('http.route', '/x')])] })))).spans).accepted,
    },
    {
      name: 'log records with 30,000-character bodies',
      feed: (st) =>
        st.addLogs(
          decodeLogsJson(JSON.stringify({ resourceLogs: [{ resource: { attributes: [svc] }, scopeLogs: [{ logRecords: Array.from({ length: 10 }, () => ({ timeUnixNano: String(now), severityNumber: 17, body: { stringValue: `${u()} ` + hex(15000) }, attributes: [str('thread', 'main')] })) }] }] })).logs,
        ).accepted,
    },
    {
      name: 'short log records with attributes',
      feed: (st) =>
        st.addLogs(
          decodeLogsJson(JSON.stringify({ resourceLogs: [{ resource: { attributes: [svc] }, scopeLogs: [{ logRecords: Array.from({ length: 200 }, (_, i) => ({ timeUnixNano: String(now), severityNumber: 9, body: { stringValue: `served GET /api/orders/${u()} in ${i} ms` }, attributes: [str('http.route', '/api/orders/:id'), { key: 'order.id', value: { intValue: String(i) } }] })) }] }] })).logs,
        ).accepted,
    },
  ];
}
