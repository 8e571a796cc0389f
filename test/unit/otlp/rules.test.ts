import * as assert from 'node:assert/strict';
import { AlertRuleEngine } from '../../../src/sources/otlp/rules';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import type { MetricPoint } from '../../../src/sources/otlp/decode';
import { logRecord, serverSpan } from './helpers';

const T0 = 1_800_000_000_000;

function traffic(store: TelemetryStore, service: string, route: string, at: number, total: number, errors: number, durationMs = 20): void {
  store.addSpans(Array.from({ length: total }, (_, i) => serverSpan({ service, route, end: at - i * 10, error: i < errors, durationMs })));
}

describe('AlertRuleEngine', () => {
  it('goes pending, then firing after `for`, then resolved when errors stop, then forgets', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const engine = new AlertRuleEngine(store, { rules: { errorRatio: { forMs: 60_000 }, keepResolvedMs: 10 * 60_000 } });
    traffic(store, 'checkout', '/pay', T0, 40, 8);
    let alerts = engine.evaluate(T0);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].state, 'pending');
    assert.equal(alerts[0].name, 'HighErrorRatio');
    assert.equal(alerts[0].labels.route, 'POST /pay');
    assert.equal(alerts[0].value, '20%');

    traffic(store, 'checkout', '/pay', T0 + 60_000, 40, 8);
    alerts = engine.evaluate(T0 + 60_000);
    assert.equal(alerts[0].state, 'firing');
    const id = alerts[0].id;

    // A healthy minute: 40 requests, none failed.
    traffic(store, 'checkout', '/pay', T0 + 125_000, 40, 0);
    alerts = engine.evaluate(T0 + 125_000);
    assert.equal(alerts[0].id, id);
    assert.equal(alerts[0].state, 'resolved');
    assert.equal(alerts[0].endsAt, T0 + 125_000);

    alerts = engine.evaluate(T0 + 125_000 + 11 * 60_000);
    assert.deepEqual(alerts, [], 'resolved alerts are kept only for keepResolvedMs');
  });

  it('does not fire below the minimum request count or at a healthy ratio', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const engine = new AlertRuleEngine(store, { rules: { errorRatio: { forMs: 0 } } });
    traffic(store, 'quiet', '/admin', T0, 5, 5);
    traffic(store, 'healthy', '/home', T0, 100, 3);
    assert.deepEqual(engine.evaluate(T0), []);
  });

  it('fires latency alerts from span durations per service and route', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const engine = new AlertRuleEngine(store, { rules: { latency: { forMs: 0, p95Ms: 500, p99Ms: 5000 } } });
    traffic(store, 'search', '/query', T0, 50, 0, 1200);
    traffic(store, 'search', '/suggest', T0, 50, 0, 30);
    const alerts = engine.evaluate(T0);
    const firing = alerts.filter((a) => a.state === 'firing');
    assert.deepEqual(
      firing.map((a) => [a.name, a.labels.route]),
      [['HighLatencyP95', 'POST /query']],
    );
    assert.equal(firing[0].value, '1.20s');
    assert.match(firing[0].annotations.description, /threshold 500ms/);
  });

  it('fires latency alerts from http.server.request.duration histograms when there are no spans', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const engine = new AlertRuleEngine(store, { rules: { latency: { forMs: 0, p95Ms: 1000 } } });
    const point = (time: number, counts: number[]): MetricPoint => ({
      name: 'http.server.request.duration',
      unit: 's',
      kind: 'histogram',
      service: 'api',
      attributes: { 'http.route': '/orders', 'http.request.method': 'GET' },
      time,
      temporality: 'cumulative',
      histogram: { count: counts.reduce((a, b) => a + b, 0), bounds: [0.1, 0.5, 1, 5], counts },
    });
    // Before: all fast. Then 100 more requests, 40 of them between 1 s and 5 s.
    store.addMetricPoints([point(T0 - 60_000, [500, 0, 0, 0, 0]), point(T0, [560, 0, 0, 40, 0])]);
    const alerts = engine.evaluate(T0);
    const p95 = alerts.find((a) => a.name === 'HighLatencyP95');
    assert.ok(p95, JSON.stringify(alerts));
    assert.equal(p95.state, 'firing');
    assert.equal(p95.labels.service, 'api');
    assert.equal(p95.labels.route, 'GET /orders');
    assert.match(p95.annotations.description, /histogram/);
  });

  it('fires an error-log burst per service at the threshold', () => {
    const store = new TelemetryStore({ maxBytes: 1 << 24 });
    const engine = new AlertRuleEngine(store, { rules: { errorLogs: { threshold: 5 } } });
    store.addLogs(Array.from({ length: 5 }, (_, i) => logRecord('worker', T0 - i * 1000, i % 2 ? 'fatal' : 'error', `job ${i} crashed`)));
    store.addLogs(Array.from({ length: 20 }, (_, i) => logRecord('web', T0 - i * 1000, 'warn', `slow ${i}`)));
    store.addLogs(Array.from({ length: 4 }, (_, i) => logRecord('cron', T0 - i * 1000, 'error', `failed ${i}`)));
    const alerts = engine.evaluate(T0).filter((a) => a.state === 'firing');
    assert.deepEqual(
      alerts.map((a) => [a.name, a.labels.service, a.value]),
      [['ErrorLogBurst', 'worker', '5']],
    );
  });
});
