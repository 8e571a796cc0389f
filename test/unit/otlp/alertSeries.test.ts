import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { formatReportedValue } from '../../../src/core/units';
import { EmbeddedSource, RED_ERROR_RATIO } from '../../../src/sources/otlp/embeddedSource';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { logRecord, serverSpan } from './helpers';

const T0 = 1_800_000_000_000;
const MIN = 60_000;

describe("the embedded receiver's built-in rules: their own series, computed as the rule computes them", () => {
  let store: TelemetryStore;
  let now = T0;
  let source: EmbeddedSource;

  beforeEach(() => {
    store = new TelemetryStore({ maxBytes: 1 << 24 });
    now = T0;
    source = new EmbeddedSource(store, { now: () => now, rules: { errorRatio: { forMs: 0 }, errorLogs: { forMs: 0 } } });
  });
  afterEach(() => source.dispose());

  /** 20 requests every 5 s on checkout POST /pay; from `badFrom` on, one in four fails. */
  function traffic(from: number, to: number, badFrom: number): void {
    for (let t = from; t <= to; t += 5000) {
      store.addSpans(Array.from({ length: 20 }, (_, i) => serverSpan({ service: 'checkout', route: '/pay', end: t - i * 100, error: t >= badFrom && i % 4 === 0 })));
      store.addSpans(Array.from({ length: 5 }, (_, i) => serverSpan({ service: 'checkout', route: '/health', end: t - i * 100 })));
    }
  }

  it('an alert of a built-in rule carries its description: language, threshold, for, unit', async () => {
    traffic(T0 - 10 * MIN, T0, T0 - 2 * MIN);
    const [alert] = (await source.listAlerts()).filter((a) => a.name === 'HighErrorRatio');
    assert.ok(alert, 'the rule fired');
    assert.equal(alert.rule?.language, 'builtin');
    assert.equal(alert.rule?.group, 'incident-lens-builtin');
    assert.deepEqual(alert.rule?.threshold, { op: '>', value: 0.05 });
    assert.equal(alert.rule?.unit, 'ratio');
    assert.equal(alert.rule?.forMs, 0);
    assert.equal(formatReportedValue(alert.value, alert.rule?.unit), alert.value, 'its value is already text for people');
  });

  it("charts HighErrorRatio's own sliding 1-minute ratio for its route, with the threshold, then the service's RED", async () => {
    traffic(T0 - 10 * MIN, T0, T0 - 2 * MIN);
    const [alert] = (await source.listAlerts()).filter((a) => a.name === 'HighErrorRatio');
    const series = await source.seriesForAlert(alert, { start: T0 - 10 * MIN, end: T0 + 5 * MIN });
    const own = series.filter((s) => s.role === 'alert');
    assert.equal(own.length, 1);
    assert.deepEqual(own[0].labels, { service: 'checkout', route: 'POST /pay' });
    assert.deepEqual(own[0].threshold, { op: '>', value: 0.05 });
    assert.equal(own[0].unit, 'ratio');
    assert.equal(own[0].values[0], 0, 'healthy before');
    assert.ok(Math.abs(own[0].values.at(-1)! - 0.25) < 0.01, `one in four fails at the end: ${own[0].values.at(-1)}`);
    // The ratio climbs over the rule's minute, as the rule saw it, instead of stepping per bucket.
    const rising = own[0].values.filter((v) => v > 0 && v < 0.24);
    assert.ok(rising.length >= 2, `intermediate points while the minute fills: ${own[0].values.join(' ')}`);
    assert.ok(own[0].timestamps.at(-1)! <= T0 + 1000, 'ends at the newest data, not at the window end');
    const red = series.filter((s) => s.role === 'red');
    assert.ok(red.some((s) => s.name === RED_ERROR_RATIO && s.labels.route === 'POST /pay'));
    assert.ok(red.some((s) => s.labels.route === 'POST /health'), "the service's other routes too");
  });

  it("charts ErrorLogBurst's own count of error logs per minute", async () => {
    for (let t = T0 - 5 * MIN; t <= T0; t += 2000) store.addLogs([logRecord('checkout', t, t > T0 - MIN ? 'error' : 'info', 'payment failed')]);
    const [alert] = (await source.listAlerts()).filter((a) => a.name === 'ErrorLogBurst');
    assert.ok(alert);
    const [own] = (await source.seriesForAlert(alert, { start: T0 - 5 * MIN, end: T0 })).filter((s) => s.role === 'alert');
    assert.deepEqual(own.threshold, { op: '>=', value: 10 });
    assert.equal(own.values[0], 0);
    assert.equal(own.values.at(-1), 30, 'one error log every 2 s for the last minute');
  });

  it("an alert from elsewhere about a service the receiver knows gets that service's series, and no made-up own series", async () => {
    traffic(T0 - 10 * MIN, T0, T0 - 2 * MIN);
    const fromPrometheus: Alert = { id: 'p', name: 'CheckoutDown', state: 'firing', severity: 'critical', labels: { alertname: 'CheckoutDown', service: 'checkout' }, annotations: {}, startsAt: T0, sourceName: 'prom', sourceKind: 'prometheus', service: 'checkout' };
    const series = await source.seriesForAlert(fromPrometheus, { start: T0 - 10 * MIN, end: T0 });
    assert.ok(series.length > 0);
    assert.ok(!series.some((s) => s.role === 'alert'));
    assert.deepEqual(await source.seriesForAlert({ ...fromPrometheus, service: undefined, labels: { alertname: 'X' } }, { start: T0 - MIN, end: T0 }), []);
  });
});
