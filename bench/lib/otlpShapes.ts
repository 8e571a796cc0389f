// Workloads for measuring what the OTLP store really retains: realistic telemetry from the OpenTelemetry
// SDK and hostile shapes at the limits the decoders allow. Used by bench/otlp-memory.ts and by
// test/unit/otlp/storeMemory.test.ts.
import * as crypto from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { makeLogBatches, makeSpanBatches } from '../sources';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../../src/sources/otlp/otlpJson';
import { decodeLogsProto, decodeTracesProto } from '../../src/sources/otlp/otlpProto';
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

/** SDK spans with links and events, JSON-encoded by the SDK's own serializer. */
function sdkJsonSpanBodies(batches: number): string[] {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.version': '4.0.2', 'k8s.pod.name': 'orders-5c7d-abcde', 'k8s.namespace.name': 'shop' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  }).getTracer('held-out', '2.1.0');
  const out: string[] = [];
  for (let b = 0; b < batches; b++) {
    memory.reset();
    for (let i = 0; i < 200; i++) {
      const parent = tracer.startSpan('consume orders', { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders', 'messaging.message.id': `${b}-${i}-${u()}` } });
      const link = { context: parent.spanContext(), attributes: { 'messaging.batch.index': i } };
      const child = tracer.startSpan('process order', { links: [link], attributes: { 'order.id': `${u()}`, 'order.total': i * 1.25 } }, trace.setSpan(ROOT_CONTEXT, parent));
      child.addEvent('validated', { 'rule.count': i % 9 });
      child.end();
      parent.end();
    }
    out.push(Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!).toString('utf8'));
  }
  return out;
}

/** Gauge points of many series (one per pod and route), JSON. */
function metricsBody(): string {
  const points = Array.from({ length: 200 }, (_, i) => ({ timeUnixNano: String(now), asDouble: i * 0.37, attributes: [str('k8s.pod.name', `pod-${u()}`), str('http.route', `/r/${i % 7}`)] }));
  return JSON.stringify({ resourceMetrics: [{ resource: { attributes: [svc] }, scopeMetrics: [{ metrics: [{ name: 'queue.depth', unit: '1', gauge: { dataPoints: points } }] }] }] });
}

/**
 * Shapes the estimator's constants were NOT fitted on (added after the constants were fixed): their
 * ratios are the out-of-sample figures.
 */
export function heldOutWorkloads(): Workload[] {
  const json = sdkJsonSpanBodies(8);
  const logs = makeLogBatches(8);
  let j = 0;
  let l = 0;
  return [
    { name: 'SDK spans with links and events (JSON, held out)', feed: (st) => st.addSpans(decodeTracesJson(json[j++ % json.length]).spans).accepted },
    { name: 'SDK log records (protobuf, held out)', feed: (st) => st.addLogs(decodeLogsProto(logs[l++ % logs.length]).logs).accepted },
    { name: 'gauge points, a new series each (JSON, held out)', feed: (st) => st.addMetricPoints(decodeMetricsJson(metricsBody()).points).accepted },
    {
      name: '64 links of 8 attributes per span (JSON, held out)',
      feed: (st) =>
        st.addSpans(
          decodeTracesJson(tracesBody([{ attrs: [svc], spans: Array.from({ length: 5 }, () => jsonSpan([str('a', u())], { links: Array.from({ length: 64 }, () => ({ traceId: hex(16), spanId: hex(8), attributes: Array.from({ length: 8 }, (_, i) => str(`l.${i}`, u())) })) })) }])).spans,
        ).accepted,
    },
  ];
}
