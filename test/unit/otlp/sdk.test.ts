// The real OpenTelemetry JS SDK and its OTLP exporters (HTTP/JSON and HTTP/protobuf) sending to our
// receiver on a random loopback port; the store and the local source must answer over what arrived.
import * as assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OtlpReceiver } from '../../../src/sources/otlp/receiver';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { EmbeddedSource, RED_ERROR_RATIO, RED_REQUEST_RATE } from '../../../src/sources/otlp/embeddedSource';

interface Exporter<T> {
  export(items: T, done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

function exportVia<T>(exporter: Exporter<T>, items: T): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('export timed out')), 10_000);
    exporter.export(items, (r) => {
      clearTimeout(timer);
      if (r.code === 0) resolve();
      else reject(r.error ?? new Error('export failed'));
    });
  });
}

class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const WIRES = [
  { wire: 'HTTP/JSON', format: 'json' as const, traces: JsonTraceExporter, metrics: JsonMetricExporter, logs: JsonLogExporter },
  { wire: 'HTTP/protobuf', format: 'proto' as const, traces: ProtoTraceExporter, metrics: ProtoMetricExporter, logs: ProtoLogExporter },
];

describe('OpenTelemetry SDK -> receiver -> store', function () {
  this.timeout(30_000);
  let store: TelemetryStore;
  let receiver: OtlpReceiver;
  let base: string;

  beforeEach(async () => {
    store = new TelemetryStore({ maxBytes: 1 << 25 });
    receiver = new OtlpReceiver({ port: 0, store });
    base = `http://127.0.0.1:${(await receiver.start()).port}`;
  });

  afterEach(async () => {
    await receiver.stop();
  });

  for (const w of WIRES) {
    describe(`over ${w.wire}`, () => {
      afterEach(() => {
        const other = w.format === 'json' ? 'proto' : 'json';
        assert.ok(receiver.stats.decoded[w.format] > 0 && receiver.stats.decoded[other] === 0, `the exporter sent ${w.format}: ${JSON.stringify(receiver.stats.decoded)}`);
      });

      const service = `checkout-${w.wire === 'HTTP/JSON' ? 'json' : 'proto'}`;
      const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.version': '1.4.2' });

      it('delivers traces with services, attributes, parent links, durations, events and status', async () => {
        const memory = new InMemorySpanExporter();
        const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
        const tracer = provider.getTracer('shop');
        const t0 = Date.now() - 1000;
        const parent = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER, startTime: t0, attributes: { 'http.route': '/pay', 'http.request.method': 'POST', 'http.response.status_code': 500 } });
        const child = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, startTime: t0 + 10, attributes: { 'peer.service': 'payments', attempt: 2 } }, trace.setSpan(ROOT_CONTEXT, parent));
        child.addEvent('exception', { 'exception.type': 'CardDeclined', 'exception.message': 'card expired' }, t0 + 200);
        child.setStatus({ code: SpanStatusCode.ERROR, message: 'card expired' });
        child.end(t0 + 210);
        parent.setStatus({ code: SpanStatusCode.ERROR });
        parent.end(t0 + 250);
        const exporter = new w.traces({ url: `${base}/v1/traces` });
        await exportVia<ReadableSpan[]>(exporter, memory.getFinishedSpans());
        await exporter.shutdown();

        const traceId = parent.spanContext().traceId;
        const spans = store.getTrace(traceId);
        assert.equal(spans.length, 2);
        const [p, c] = spans;
        assert.equal(p.service, service);
        assert.equal(p.name, 'POST /pay');
        assert.equal(p.kind, 'server');
        assert.equal(p.attributes['http.route'], '/pay');
        assert.equal(p.attributes['http.response.status_code'], 500);
        assert.equal(c.parentSpanId, p.spanId);
        assert.equal(c.kind, 'client');
        assert.equal(c.attributes.attempt, 2);
        assert.ok(Math.abs(p.endTime - p.startTime - 250) < 1, `parent lasted ${p.endTime - p.startTime} ms`);
        assert.ok(Math.abs(c.endTime - c.startTime - 200) < 1, `child lasted ${c.endTime - c.startTime} ms`);
        assert.equal(c.status, 'error');
        assert.equal(c.statusMessage, 'card expired');
        assert.equal(c.events?.[0].attributes?.['exception.type'], 'CardDeclined');
        assert.equal(p.resource?.['service.version'], '1.4.2');

        const source = new EmbeddedSource(store);
        try {
          const found = await source.searchTraces({ start: t0 - 1, end: Date.now() + 1, service, errorsOnly: true, limit: 10 });
          assert.equal(found.length, 1);
          assert.equal(found[0].traceId, traceId);
          assert.equal(found[0].rootName, 'POST /pay');
          assert.equal(found[0].spanCount, 2);
          assert.equal(found[0].errorCount, 2);
          assert.ok(Math.abs(found[0].durationMs - 250) < 1);
        } finally {
          source.dispose();
        }
      });

      it('delivers metrics: counters, gauges and histogram points with buckets', async () => {
        const reader = new ManualReader();
        const meterProvider = new MeterProvider({ resource, readers: [reader] });
        const meter = meterProvider.getMeter('shop');
        meter.createCounter('orders.created').add(3, { region: 'eu' });
        meter.createObservableGauge('queue.depth').addCallback((r) => r.observe(7, { queue: 'payments' }));
        const duration = meter.createHistogram('http.server.request.duration', {
          unit: 's',
          advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5] },
        });
        for (let i = 0; i < 20; i++) duration.record(0.09, { 'http.route': '/pay', 'http.request.method': 'POST' });
        duration.record(2, { 'http.route': '/pay', 'http.request.method': 'POST' });
        duration.record(2, { 'http.route': '/pay', 'http.request.method': 'POST' });
        const { resourceMetrics, errors } = await reader.collect();
        assert.deepEqual(errors, []);
        const exporter = new w.metrics({ url: `${base}/v1/metrics` });
        await exportVia(exporter, resourceMetrics);
        await exporter.shutdown();
        await meterProvider.shutdown();

        const source = new EmbeddedSource(store);
        try {
          const window = { start: Date.now() - 60_000, end: Date.now() + 1000, stepSeconds: 0 };
          const orders = await source.queryRange({ query: `orders.created{service="${service}"}`, ...window });
          assert.equal(orders.length, 1);
          assert.deepEqual(orders[0].values, [3]);
          assert.equal(orders[0].labels.region, 'eu');
          const depth = await source.queryRange({ query: 'queue.depth{queue="payments"}', ...window });
          assert.deepEqual(depth[0].values, [7]);
          const [hist] = store.matchSeries({ name: 'http.server.request.duration', matchers: [] });
          assert.equal(hist.unit, 's');
          assert.equal(hist.labels['http.route'], '/pay');
          const point = hist.histograms[hist.head];
          assert.equal(point.count, 22);
          assert.ok(Math.abs((point.sum ?? 0) - 5.8) < 1e-9);
          assert.equal(point.bounds.length, 12);
          assert.equal(point.counts[5], 20, '0.09 s falls in the (0.075, 0.1] bucket');
          assert.equal(point.counts[10], 2, '2 s falls in the (1, 2.5] bucket');
          const quantiles = await source.queryRange({ query: 'http.server.request.duration', ...window });
          const p99 = quantiles.find((s) => s.labels.quantile === '0.99');
          const p50 = quantiles.find((s) => s.labels.quantile === '0.5');
          assert.ok(p99 && p99.values[0] > 1 && p99.values[0] <= 2.5, `p99 ${p99?.values[0]}`);
          assert.ok(p50 && p50.values[0] > 0.075 && p50.values[0] <= 0.1, `p50 ${p50?.values[0]}`);
        } finally {
          source.dispose();
        }
      });

      it('delivers logs with bodies, severities, attributes and trace context', async () => {
        const memory = new InMemoryLogRecordExporter();
        const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(memory)] });
        const logger = loggerProvider.getLogger('shop');
        const span = new BasicTracerProvider().getTracer('t').startSpan('op');
        logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order 42 accepted', attributes: { 'order.id': 42 } });
        logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment declined: card expired', attributes: { gateway: 'stripe' }, context: trace.setSpan(ROOT_CONTEXT, span) });
        logger.emit({ severityNumber: SeverityNumber.WARN, body: { structured: true, reason: 'slow gateway' } });
        const exporter = new w.logs({ url: `${base}/v1/logs` });
        await exportVia(exporter, memory.getFinishedLogRecords());
        await exporter.shutdown();
        await loggerProvider.shutdown();

        const source = new EmbeddedSource(store);
        try {
          const window = { start: Date.now() - 60_000, end: Date.now() + 1000 };
          const all = await source.queryLogs({ ...window, query: '', limit: 10, service });
          assert.equal(all.length, 3);
          const declined = await source.queryLogs({ ...window, query: 'DECLINED', limit: 10 });
          assert.equal(declined.length, 1);
          assert.equal(declined[0].level, 'error');
          assert.equal(declined[0].service, service);
          assert.equal(declined[0].body, 'payment declined: card expired');
          assert.equal(declined[0].attributes?.gateway, 'stripe');
          assert.equal(declined[0].traceId, span.spanContext().traceId);
          assert.equal(declined[0].spanId, span.spanContext().spanId);
          const warnings = await source.queryLogs({ ...window, query: 'level:warn', limit: 10 });
          assert.deepEqual(warnings.map((l) => l.level).sort(), ['error', 'warn']);
          const structured = all.find((l) => l.level === 'warn');
          assert.deepEqual(JSON.parse(structured?.body ?? '{}'), { structured: true, reason: 'slow gateway' });
          assert.equal(all.find((l) => l.level === 'info')?.attributes?.['order.id'], 42);
        } finally {
          source.dispose();
        }
      });
    });
  }

  it('fires built-in alerts on injected errors and an error-log burst, and tells listeners', async () => {
    const source = new EmbeddedSource(store, { rules: { errorRatio: { forMs: 0 }, errorLogs: { forMs: 0, threshold: 10 } } });
    let changes = 0;
    const sub = source.onDidChangeAlerts(() => changes++);
    try {
      const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'payments' });
      const memory = new InMemorySpanExporter();
      const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('payments');
      for (let i = 0; i < 30; i++) {
        const s = tracer.startSpan('POST /charge', { kind: SpanKind.SERVER, attributes: { 'http.route': '/charge', 'http.request.method': 'POST' } });
        if (i % 5 === 0) s.setStatus({ code: SpanStatusCode.ERROR, message: 'gateway timeout' });
        s.end();
      }
      // gzip, as exporters configured with OTEL_EXPORTER_OTLP_COMPRESSION=gzip send it.
      const traceExporter = new ProtoTraceExporter({ url: `${base}/v1/traces`, compression: CompressionAlgorithm.GZIP });
      await exportVia<ReadableSpan[]>(traceExporter, memory.getFinishedSpans());
      await traceExporter.shutdown();

      let alerts = await source.listAlerts();
      const ratio = alerts.find((a) => a.name === 'HighErrorRatio');
      assert.ok(ratio, `alerts: ${JSON.stringify(alerts.map((a) => a.name))}`);
      assert.equal(ratio.state, 'firing');
      assert.deepEqual(ratio.labels, { alertname: 'HighErrorRatio', service: 'payments', route: 'POST /charge', severity: 'critical' });
      assert.equal(ratio.value, '20%');
      assert.match(ratio.annotations.summary, /20%/);
      assert.match(ratio.annotations.description, /6 of 30/);
      assert.equal(ratio.sourceName, 'local');
      assert.equal(ratio.sourceKind, 'otlp');
      assert.equal(ratio.service, 'payments');
      assert.ok(!alerts.some((a) => a.name === 'ErrorLogBurst'));

      const logMemory = new InMemoryLogRecordExporter();
      const logger = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(logMemory)] }).getLogger('payments');
      for (let i = 0; i < 12; i++) logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: `charge ${i} failed: gateway timeout` });
      const logExporter = new JsonLogExporter({ url: `${base}/v1/logs` });
      await exportVia(logExporter, logMemory.getFinishedLogRecords());
      await logExporter.shutdown();

      alerts = await source.listAlerts();
      const burst = alerts.find((a) => a.name === 'ErrorLogBurst');
      assert.ok(burst);
      assert.equal(burst.state, 'firing');
      assert.equal(burst.labels.service, 'payments');
      assert.equal(burst.value, '12');
      assert.match(burst.annotations.summary, /12 error logs/);
      assert.ok(changes >= 2, 'listeners heard about both alerts');

      const red = await source.seriesForService('payments', { start: Date.now() - 5 * 60_000, end: Date.now() + 1000 });
      const rate = red.find((s) => s.name === RED_REQUEST_RATE && s.labels.route === 'POST /charge');
      const errs = red.find((s) => s.name === RED_ERROR_RATIO && s.labels.route === 'POST /charge');
      assert.ok(rate && errs);
      // Buckets start where the service's data starts; their width is the spacing of the timestamps (5 s at
      // least), and the last one is a rate over the time it covers (to the newest span plus a second), so a
      // partial bucket is not drawn as a drop.
      const stepSeconds = rate.timestamps.length > 1 ? (rate.timestamps[1] - rate.timestamps[0]) / 1000 : 5;
      const dataEnd = Math.max(...source.store.spansInWindow({ start: 0, end: Date.now() + 1000 }, { service: 'payments', kind: 'server' }).map((s) => s.endTime)) + 1000;
      const counted = rate.values.reduce((sum, v, i) => sum + v * Math.max(0.001, Math.min(stepSeconds, (dataEnd - rate.timestamps[i]) / 1000)), 0);
      assert.ok(Math.abs(counted - 30) < 1e-6, `the rate buckets add up to the 30 requests (${counted})`);
      assert.ok(rate.timestamps[0] >= Date.now() - 60_000, 'the series starts where the data starts, not at the window start');
      // A window reaching into the future ends at the newest data: later buckets would read as a drop to zero.
      const ahead = await source.seriesForService('payments', { start: Date.now() - 5 * 60_000, end: Date.now() + 10 * 60_000 });
      const aheadRate = ahead.find((x) => x.name === RED_REQUEST_RATE && x.labels.route === 'POST /charge');
      assert.ok(aheadRate && aheadRate.timestamps[aheadRate.timestamps.length - 1] <= Date.now() + 1000, 'no buckets after the newest span');
      assert.ok(errs.values.some((v) => Math.abs(v - 0.2) < 1e-9));
    } finally {
      sub.dispose();
      source.dispose();
    }
  });
});
