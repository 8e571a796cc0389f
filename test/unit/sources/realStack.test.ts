// Against a real Prometheus and a real Alertmanager: Prometheus scrapes a target this test serves,
// a rule fires, Prometheus sends to Alertmanager, and Alertmanager pushes to our webhook receiver.

import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../../src/core/model';
import { SourceError } from '../../../src/core/errors';
import { AlertmanagerSource } from '../../../src/sources/alertmanager';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { WebhookReceiver } from '../../../src/sources/webhook';
import { collectAlerts } from '../../../src/sources/registry';
import { groupAlerts } from '../../../src/agent/alertGrouping';
import { PromqlVerifier } from '../../../src/remediation/verify';
import { binariesAvailable, freePort, startAlertmanager, startPrometheus, waitFor, type RunningServer } from '../../support/promStack';

const alertName = 'CheckoutErrorsHigh';
let checkoutErrors = 5;
let requestsServed = 0;

function metricsText(): string {
  return [
    '# HELP il_test_errors Errors per second seen by the test target.',
    '# TYPE il_test_errors gauge',
    `il_test_errors{service="checkout",env="staging"} ${checkoutErrors}`,
    'il_test_errors{service="cart",env="staging"} 0.5',
    'il_test_errors{service="search",env="staging"} 0',
    '# TYPE il_test_requests_total counter',
    `il_test_requests_total{service="checkout"} ${requestsServed}`,
    '# TYPE il_test_request_duration_seconds histogram',
    'il_test_request_duration_seconds_bucket{service="checkout",le="0.1"} 10',
    'il_test_request_duration_seconds_bucket{service="checkout",le="1"} 20',
    'il_test_request_duration_seconds_bucket{service="checkout",le="+Inf"} 20',
    'il_test_request_duration_seconds_sum{service="checkout"} 4',
    'il_test_request_duration_seconds_count{service="checkout"} 20',
    '',
  ].join('\n');
}

describe('real Prometheus + Alertmanager (Debian binaries on 127.0.0.1)', function () {
  let target: http.Server;
  let receiver: WebhookReceiver;
  let alertmanager: RunningServer | undefined;
  let prometheus: RunningServer | undefined;
  let amSource: AlertmanagerSource;
  let promSource: PrometheusSource;
  let firstAlert: Alert;
  const webhookChanges: number[] = [];

  before(async function () {
    const bins = binariesAvailable();
    if (!bins.ok) {
      console.warn(`skipping: ${bins.missing.join(', ')} not installed`);
      this.skip();
    }
    this.timeout(90_000);
    target = http.createServer((_req, res) => {
      requestsServed += 10;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText());
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as AddressInfo).port;

    receiver = new WebhookReceiver({ name: 'am-webhook', port: 0, path: '/hook' });
    await receiver.start();
    receiver.onDidChangeAlerts(() => webhookChanges.push(Date.now()));

    alertmanager = await startAlertmanager(
      [
        'route:',
        '  receiver: lens',
        "  group_by: ['alertname']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: lens',
        '    webhook_configs:',
        `      - url: ${receiver.url}`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus(
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [RULES_FILE]',
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        `        - targets: ['127.0.0.1:${alertmanager.port}']`,
        'scrape_configs:',
        '  - job_name: incident-lens-test',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        '',
      ].join('\n'),
      [
        'groups:',
        '  - name: incident-lens-test',
        '    rules:',
        `      - alert: ${alertName}`,
        '        expr: il_test_errors > 1',
        '        for: 0s',
        '        labels:',
        '          severity: page',
        '        annotations:',
        '          summary: "{{ $labels.service }} errors at {{ $value }}/s"',
        '',
      ].join('\n'),
    );
    amSource = new AlertmanagerSource({ name: 'am', url: alertmanager.url, timeoutMs: 5000 });
    promSource = new PrometheusSource({ name: 'prom', url: prometheus.url, timeoutMs: 5000 });
    firstAlert = await waitFor(
      'the alert to reach Alertmanager',
      async () => (await amSource.listAlerts()).find((a) => a.name === alertName),
      45_000,
      300,
    );
  });

  after(async function () {
    this.timeout(20_000);
    await prometheus?.stop();
    await alertmanager?.stop();
    await receiver?.stop();
    if (target) await new Promise<void>((r) => target.close(() => r()));
  });

  it('Alertmanager source lists the firing alert with severity, service and environment from its labels', () => {
    assert.equal(firstAlert.state, 'firing');
    assert.equal(firstAlert.severity, 'critical', 'severity=page reads as critical');
    assert.equal(firstAlert.service, 'checkout');
    assert.equal(firstAlert.environment, 'staging');
    assert.equal(firstAlert.sourceKind, 'alertmanager');
    assert.match(firstAlert.id, /^[0-9a-f]{16}$/);
    assert.equal(firstAlert.annotations.summary, 'checkout errors at 5/s');
    assert.ok(firstAlert.generatorURL?.includes('il_test_errors'), 'links back to the rule expression in Prometheus');
    assert.ok(amSource.uiLink(firstAlert)?.startsWith(alertmanager!.url));
  });

  it('Prometheus source lists the same alert as firing, with the same fingerprint as Alertmanager', async () => {
    const alerts = await promSource.listAlerts();
    const a = alerts.find((x) => x.name === alertName);
    assert.ok(a, `alert missing from ${JSON.stringify(alerts)}`);
    assert.equal(a.state, 'firing');
    assert.equal(a.severity, 'critical');
    assert.equal(a.service, 'checkout');
    assert.equal(a.value, '5e+00');
    assert.equal(a.id, firstAlert.id, 'the computed fingerprint matches Alertmanager');
  });

  it('collectAlerts merges the two views into one alert and reports a dead source without hiding the others', async () => {
    const deadPort = await freePort();
    const dead = new AlertmanagerSource({ name: 'dead-am', url: `http://127.0.0.1:${deadPort}`, timeoutMs: 2000, retries: 0 });
    const { alerts, errors } = await collectAlerts([amSource, promSource, dead]);
    const mine = alerts.filter((a) => a.name === alertName);
    assert.equal(mine.length, 1, 'deduplicated by fingerprint');
    assert.equal(mine[0].state, 'firing');
    assert.equal(mine[0].value, '5e+00', 'keeps the value only Prometheus knows');
    assert.equal(mine[0].rule?.expression, 'il_test_errors > 1', 'and the rule only Prometheus knows');
    assert.deepEqual(mine[0].rule?.threshold, { op: '>', value: 1 });
    assert.deepEqual(errors.map((e) => [e.source, e.kind]), [['dead-am', 'down']]);
    assert.match(errors[0].message, /connection refused at http:\/\/127\.0\.0\.1:\d+/);
    const groups = groupAlerts(alerts, 'service');
    assert.equal(groups[0].label, 'checkout');
    assert.equal(groups[0].worstSeverity, 'critical');
  });

  it('lists alert groups as Alertmanager routes them', async () => {
    const groups = await amSource.listGroups();
    const g = groups.find((x) => x.labels.alertname === alertName);
    assert.ok(g, JSON.stringify(groups));
    assert.equal(g.receiver, 'lens');
    assert.equal(g.alerts[0].id, firstAlert.id);
  });

  it('a silence round-trips: created, seen on the alert and in the list, then expired', async function () {
    this.timeout(30_000);
    const now = Date.now();
    const id = await amSource.createSilence({
      matchers: [{ name: 'alertname', value: alertName, isRegex: false }],
      startsAt: now,
      endsAt: now + 10 * 60_000,
      createdBy: 'incident-lens test',
      comment: 'checking the silence round trip',
    });
    assert.match(id, /^[0-9a-f-]{36}$/);
    const silenced = await waitFor(
      'the alert to show as silenced',
      async () => (await amSource.listAlerts()).find((a) => a.id === firstAlert.id && a.state === 'silenced'),
      10_000,
    );
    assert.deepEqual(silenced.silencedBy, [id]);
    const listed = (await amSource.listSilences()).find((s) => s.id === id);
    assert.ok(listed);
    assert.equal(listed.state, 'active');
    assert.equal(listed.comment, 'checking the silence round trip');
    assert.deepEqual(listed.matchers, [{ name: 'alertname', value: alertName, isRegex: false, isEqual: true }]);

    // Prometheus does not know about silences: merged, the silence must still show.
    const merged = await collectAlerts([promSource, amSource]);
    assert.equal(merged.alerts.find((a) => a.id === firstAlert.id)?.state, 'silenced');

    await amSource.expireSilence(id);
    assert.equal((await amSource.listSilences()).find((s) => s.id === id)?.state, 'expired');
    const firingAgain = await waitFor(
      'the alert to fire again after the silence expired',
      async () => (await amSource.listAlerts()).find((a) => a.id === firstAlert.id && a.state === 'firing'),
      10_000,
    );
    assert.equal(firingAgain.silencedBy, undefined);
    await assert.rejects(amSource.expireSilence('00000000-0000-4000-8000-000000000000'), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, 'not-found', err.message);
      assert.match(err.message, /silence 00000000-0000-4000-8000-000000000000 does not exist/);
      return true;
    });
  });

  it('refuses a silence that would mute everything, before sending it', async () => {
    await assert.rejects(
      amSource.createSilence({ matchers: [{ name: 'alertname', value: '.*', isRegex: true }], startsAt: Date.now(), endsAt: Date.now() + 60_000, createdBy: 'me', comment: 'x' }),
      (err: unknown) => err instanceof SourceError && err.kind === 'client' && /match every alert/.test(err.message),
    );
  });

  it('the webhook receiver gets the alert pushed by Alertmanager (webhook_configs)', async function () {
    this.timeout(30_000);
    const pushed = await waitFor(
      'Alertmanager to post to the webhook receiver',
      async () => (await receiver.listAlerts()).find((a) => a.name === alertName),
      20_000,
    );
    assert.equal(pushed.state, 'firing');
    assert.equal(pushed.id, firstAlert.id, 'keyed by the fingerprint Alertmanager sends');
    assert.equal(pushed.severity, 'critical');
    assert.equal(pushed.service, 'checkout');
    assert.ok(webhookChanges.length >= 1, 'listeners were told');
  });

  it('queryRange returns the scraped series within the window, cut to the series limit', async function () {
    this.timeout(20_000);
    const end = Date.now();
    const series = await waitFor(
      'two scraped samples',
      async () => {
        const s = await promSource.queryRange({ query: 'il_test_errors', start: end - 60_000, end: Date.now(), stepSeconds: 1, limit: 2 });
        return s.length === 2 && s.every((x) => x.values.length >= 2) ? s : undefined;
      },
      10_000,
    );
    assert.equal(series.length, 2);
    for (const s of series) {
      assert.equal(s.name, 'il_test_errors');
      assert.equal(s.timestamps.length, s.values.length);
      assert.ok(s.timestamps.every((t) => t >= end - 60_000 && t <= Date.now()));
      assert.ok(s.id.startsWith('il_test_errors{'));
    }
    const all = await promSource.queryRange({ query: 'il_test_errors', start: end - 60_000, end: Date.now(), stepSeconds: 1, limit: 10 });
    assert.equal(all.length, 3);
    const checkout = all.find((s) => s.labels.service === 'checkout');
    assert.equal(checkout?.service, 'checkout');
    assert.equal(checkout?.values.at(-1), 5);
  });

  it('query, series, labels and rules read the same server', async () => {
    const inst = await promSource.query('sum(il_test_errors)');
    assert.equal(inst.resultType, 'vector');
    assert.equal(inst.series[0].values[0], 5.5);
    const window = { start: Date.now() - 5 * 60_000, end: Date.now() };
    const series = await promSource.series(['il_test_errors'], window, 2);
    assert.equal(series.length, 2);
    const names = await promSource.labels(window);
    assert.ok(names.includes('service') && names.includes('env'));
    const rules = await promSource.rules();
    const rule = rules.find((r) => r.name === alertName);
    assert.ok(rule);
    assert.equal(rule.type, 'alerting');
    assert.equal(rule.query, 'il_test_errors > 1');
    assert.equal(rule.state, 'firing');
    assert.equal(rule.activeAlerts, 1);
  });

  it("seriesForService charts the service's RED series from a duration histogram the metadata names, with units", async function () {
    this.timeout(20_000);
    const window = { start: Date.now() - 10 * 60_000, end: Date.now() };
    const series = await waitFor(
      'enough scrapes for a rate',
      async () => {
        const s = await promSource.seriesForService('checkout', { ...window, end: Date.now() });
        return s.some((x) => x.name === 'Request rate' && x.values.length >= 1) ? s : undefined;
      },
      15_000,
      500,
    );
    const byName = Object.fromEntries(series.map((s) => [s.name, s]));
    // il_test_request_duration_seconds is no conventional name: its metadata says histogram, its suffix seconds.
    // The rate range is Grafana's $__rate_interval: the 15 s step plus this Prometheus's 1 s scrape interval.
    assert.equal(byName['Request rate'].query, 'sum(rate(il_test_request_duration_seconds_count{service="checkout"}[16s]))');
    assert.equal(byName['Request rate'].unit, 'req/s');
    assert.match(byName['Latency p95'].query!, /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(il_test_request_duration_seconds_bucket\{service="checkout"\}/);
    assert.equal(byName['Latency p95'].unit, 's');
    assert.ok(byName['Latency p50'] && byName['Latency p99']);
    // No status label on the histogram: no error ratio is made up, and no gauge is picked for its name.
    assert.equal(byName['Error ratio'], undefined);
    assert.ok(!series.some((s) => s.query?.includes('il_test_errors')), series.map((s) => s.query).join('\n'));
    assert.ok(series.every((s) => s.service === 'checkout' && s.role === 'red'));
  });

  it('a PromQL verifier reads the last value of one series, and refuses none or several', async () => {
    const verifier = new PromqlVerifier(promSource);
    assert.equal(await verifier.read({ kind: 'promql', query: 'up{job="incident-lens-test"}' }), 1);
    await assert.rejects(verifier.read({ kind: 'promql', query: 'up{job="no-such-job"}' }), /returned no series/);
    await assert.rejects(verifier.read({ kind: 'promql', query: 'up or vector(1)' }), /returned 2 series/);
    await assert.rejects(verifier.read({ kind: 'error-ratio', service: 'checkout' }), /reads PromQL/);
  });

  it('a bad PromQL query gives a client error carrying Prometheus\'s own explanation', async () => {
    await assert.rejects(
      promSource.queryRange({ query: 'sum(il_test_errors', start: Date.now() - 60_000, end: Date.now(), stepSeconds: 5 }),
      (err: unknown) => err instanceof SourceError && err.kind === 'client' && err.status === 400 && /bad_data/.test(err.message) && /parse error/.test(err.message),
    );
  });

  // Last: it ends the alert for every test above.
  it('when the errors stop, Prometheus resolves the alert and Alertmanager pushes the resolution to the webhook', async function () {
    this.timeout(40_000);
    checkoutErrors = 0;
    const resolved = await waitFor(
      'the resolved notification',
      async () => (await receiver.listAlerts()).find((a) => a.id === firstAlert.id && a.state === 'resolved'),
      30_000,
      300,
    );
    assert.ok(resolved.endsAt && resolved.endsAt >= resolved.startsAt);
    assert.equal((await promSource.listAlerts()).find((a) => a.name === alertName), undefined, 'Prometheus no longer lists it');
  });
});
