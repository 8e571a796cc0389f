// Alert history from a real Prometheus (the Debian binary on 127.0.0.1): a rule fires, resolves and
// fires again as the test flips its target's value, and the history counts the firings from ALERTS.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../../src/core/model';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { alertFiringHistory, alertsSelector, describeHistory } from '../../../src/sources/alertHistory';
import { binariesAvailable, startPrometheus, waitFor, type RunningServer } from '../../support/promStack';

describe('alert history from a real Prometheus', function () {
  this.timeout(90_000);
  let target: http.Server;
  let prometheus: RunningServer | undefined;
  let source: PrometheusSource;
  let queueDepth = 0;

  before(async function () {
    if (!binariesAvailable().ok) this.skip();
    target = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE il_queue_depth gauge\nil_queue_depth{queue="orders"} ${queueDepth}\nil_queue_depth{queue="mail"} 0\n`);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus(
      ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'rule_files: [RULES_FILE]', 'scrape_configs:', '  - job_name: queues', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'),
      ['groups:', '  - name: queues', '    rules:', '      - alert: QueueBacklog', '        expr: il_queue_depth > 100', '        for: 0s', '        labels: { severity: warning }', ''].join('\n'),
    );
    source = new PrometheusSource({ name: 'prom', url: prometheus.url });
  });

  after(async () => {
    await prometheus?.stop();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  });

  const firing = async () => (await source.listAlerts()).find((a) => a.name === 'QueueBacklog' && a.state === 'firing');

  it('counts each time the alert fired, and says so with local times', async () => {
    const started = Date.now();
    let alert: Alert | undefined;
    for (let i = 0; i < 3; i++) {
      queueDepth = 500;
      alert = await waitFor('QueueBacklog to fire', firing, 20_000, 200);
      await new Promise((r) => setTimeout(r, 2500));
      queueDepth = 0;
      await waitFor('QueueBacklog to resolve', async () => ((await firing()) ? undefined : true), 20_000, 200);
      await new Promise((r) => setTimeout(r, 2500));
    }
    assert.ok(alert);
    assert.equal(alertsSelector(alert), 'ALERTS{alertname="QueueBacklog",alertstate="firing",instance="' + alert.labels.instance + '",job="queues",queue="orders",severity="warning"}');
    const history = await alertFiringHistory(source, alert, Date.now(), { periodMs: Date.now() - started + 5000, stepSeconds: 1 });
    assert.ok(history, 'no history');
    assert.equal(history.firings, 3);
    assert.ok(history.firingMs >= 4000 && history.firingMs < 30_000, `firing for ${history.firingMs} ms`);
    assert.match(describeHistory(history, { timeZone: 'UTC' }), /^Fired 3 times in the last \d+ s \(first \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+ s in all\)$/);

    const neverFired: Alert = { ...alert, labels: { ...alert.labels, queue: 'mail' } };
    assert.equal(await alertFiringHistory(source, neverFired, Date.now(), { periodMs: 120_000, stepSeconds: 1 }), undefined);
  });
});
