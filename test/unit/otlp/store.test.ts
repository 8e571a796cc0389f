import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { TelemetryStore, parseSeriesSelector } from '../../../src/sources/otlp/store';
import type { MetricPoint, OtlpSpan } from '../../../src/sources/otlp/decode';
import { logRecord, serverSpan } from './helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function realisticSpan(i: number, service: string): OtlpSpan {
  return serverSpan({
    service,
    route: `/api/orders/${i % 20}`,
    end: 1_700_000_000_000 + i,
    attrs: {
      'url.path': `/api/orders/${i}?session=${(i * 7919).toString(36)}`,
      'http.response.status_code': 200,
      'server.address': 'checkout.internal',
      'server.port': 8080,
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      'client.address': `10.1.${i % 250}.${i % 7}`,
      'app.items': i % 9,
    },
  });
}

describe('TelemetryStore', () => {
  it('evicts the oldest data first and keeps its byte count under the cap', () => {
    const store = new TelemetryStore({ maxBytes: 2 * 1024 * 1024 });
    const first = realisticSpan(0, 'old-service');
    store.addSpans([first]);
    store.addLogs([logRecord('old-service', 1, 'error', 'the very first log')]);
    let i = 1;
    while (store.stats().evicted.spans < 100) {
      store.addSpans(Array.from({ length: 100 }, () => realisticSpan(i++, 'checkout')));
      store.addLogs([logRecord('checkout', i, 'info', `request ${i} served`)]);
      assert.ok(store.approxBytes <= store.maxBytes, `store holds ${store.approxBytes} bytes, cap ${store.maxBytes}`);
    }
    assert.deepEqual(store.getTrace(first.traceId), [], 'the oldest trace was evicted');
    assert.equal(store.queryLogs({ start: 0, end: Infinity, contains: 'very first', limit: 10 }).length, 0, 'the oldest log was evicted');
    const newest = realisticSpan(i, 'checkout');
    store.addSpans([newest]);
    assert.equal(store.getTrace(newest.traceId).length, 1, 'the newest span is kept');
    assert.ok(store.stats().spans > 1000, 'a 2 MB store holds more than a thousand realistic spans');
  });

  it('really keeps heap memory bounded when fed ten times its cap', function () {
    this.timeout(60000);
    const cap = 8 * 1024 * 1024;
    const store = new TelemetryStore({ maxBytes: cap });
    gc();
    const before = process.memoryUsage().heapUsed;
    let i = 0;
    let fed = 0;
    while (fed < 10 * cap) {
      const batch = Array.from({ length: 200 }, () => realisticSpan(i++, `svc-${i % 5}`));
      store.addSpans(batch);
      store.addLogs(batch.map((s) => logRecord(s.service, s.endTime, 'warn', `slow request ${s.attributes['url.path']} took ${i % 1000} ms`)));
      fed = i * 1400;
    }
    gc();
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(store.stats().evicted.spans > 0 && store.stats().evicted.logs > 0, 'eviction happened');
    // The accounting is an estimate; the real heap must stay within 1.5x of the cap.
    assert.ok(grown < cap * 1.5, `heap grew by ${(grown / 1048576).toFixed(1)} MB for a ${cap / 1048576} MB cap`);
  });

  it('answers trace queries: by id, by service and window, errors only', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const t = 1_700_000_000_000;
    const root = serverSpan({ service: 'frontend', route: '/checkout', end: t + 500, durationMs: 500, traceId: 'ab'.repeat(16) });
    const child: OtlpSpan = { ...serverSpan({ service: 'payments', end: t + 400, durationMs: 300, traceId: root.traceId, error: true }), parentSpanId: root.spanId, kind: 'client' };
    const other = serverSpan({ service: 'frontend', route: '/home', end: t + 10_000 });
    store.addSpans([child, root, other]);
    assert.deepEqual(
      store.getTrace('AB'.repeat(16)).map((s) => s.service),
      ['frontend', 'payments'],
      'trace ids are case-insensitive and spans come earliest first',
    );
    const found = store.searchTraces({ start: t, end: t + 1000, limit: 10 });
    assert.equal(found.length, 1);
    assert.equal(found[0].rootService, 'frontend');
    assert.equal(found[0].rootName, 'POST /checkout');
    assert.equal(found[0].spanCount, 2);
    assert.equal(found[0].errorCount, 1);
    assert.equal(found[0].durationMs, 500);
    assert.equal(store.searchTraces({ start: t, end: t + 20_000, errorsOnly: true, limit: 10 }).length, 1);
    assert.equal(store.searchTraces({ start: t, end: t + 20_000, service: 'payments', limit: 10 }).length, 1);
    assert.equal(store.searchTraces({ start: t, end: t + 20_000, minDurationMs: 400, limit: 10 }).length, 1);
  });

  it('answers log queries by window, service, substring and level, newest first, with a limit', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    store.addLogs([
      logRecord('checkout', 100, 'info', 'order accepted'),
      logRecord('checkout', 200, 'error', 'Payment DECLINED: card expired'),
      logRecord('payments', 300, 'error', 'payment declined by gateway'),
      logRecord('checkout', 400, 'warn', 'payment retry scheduled'),
      logRecord('checkout', 5000, 'error', 'payment declined again'),
    ]);
    const declined = store.queryLogs({ start: 0, end: 1000, contains: 'payment declined', limit: 10 });
    assert.deepEqual(
      declined.map((l) => l.time),
      [300, 200],
    );
    assert.deepEqual(
      store.queryLogs({ start: 0, end: 1000, service: 'checkout', minLevel: 'warn', limit: 10 }).map((l) => l.body),
      ['payment retry scheduled', 'Payment DECLINED: card expired'],
    );
    assert.equal(store.queryLogs({ start: 0, end: 10_000, limit: 2 }).length, 2);
    assert.equal(store.queryLogs({ start: 0, end: 10_000, limit: 2 })[0].time, 5000);
  });

  it('keeps metric series per name and labels and answers selectors, with histogram quantiles', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const gauge = (service: string, region: string, time: number, value: number): MetricPoint => ({
      name: 'queue.depth',
      kind: 'gauge',
      service,
      attributes: { region },
      time,
      temporality: 'unspecified',
      value,
    });
    store.addMetricPoints([gauge('checkout', 'eu', 1000, 3), gauge('checkout', 'us', 1000, 5), gauge('checkout', 'eu', 2000, 4), gauge('payments', 'eu', 1000, 9)]);
    const eu = store.querySeries({ selector: parseSeriesSelector('queue.depth{service="checkout",region="eu"}'), start: 0, end: 5000 });
    assert.equal(eu.length, 1);
    assert.deepEqual(eu[0].values, [3, 4]);
    assert.deepEqual(eu[0].timestamps, [1000, 2000]);
    assert.equal(eu[0].service, 'checkout');
    assert.equal(store.querySeries({ selector: parseSeriesSelector('queue.depth{region=~"e.*|u.*", service!="payments"}'), start: 0, end: 5000 }).length, 2);

    const hist = (time: number, counts: number[]): MetricPoint => ({
      name: 'http.server.request.duration',
      unit: 's',
      kind: 'histogram',
      service: 'checkout',
      attributes: { 'http.route': '/pay' },
      time,
      temporality: 'cumulative',
      histogram: { count: counts.reduce((a, b) => a + b, 0), bounds: [0.1, 0.5, 1, 5], counts },
    });
    store.addMetricPoints([hist(1000, [100, 0, 0, 0, 0]), hist(2000, [100, 0, 0, 100, 0])]);
    const q = store.querySeries({ selector: parseSeriesSelector('http.server.request.duration'), start: 0, end: 5000 });
    const p99 = q.find((s) => s.labels.quantile === '0.99');
    assert.ok(p99);
    // The second point adds 100 requests, all between 1 s and 5 s: its p99 lies in that bucket.
    assert.ok(p99.values[1] > 1 && p99.values[1] <= 5, `p99 ${p99.values[1]}`);
    assert.ok(p99.values[0] <= 0.1, `the first interval was all fast: ${p99.values[0]}`);
    assert.throws(() => parseSeriesSelector('x{a="b"'), /closing brace/);
  });
});
