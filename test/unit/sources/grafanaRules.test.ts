// Grafana cannot run here: these tests serve bodies written to Grafana's documented formats, the
// ProvisionedAlertRule of GET /api/v1/provisioning/alert-rules (pkg/services/ngalert/api/tooling/
// definitions/provisioning_alert_rules.go, and the example in the Alerting provisioning HTTP API docs)
// and the Alertmanager-compatible alert list, whose labels carry __alert_rule_uid__.

import * as assert from 'node:assert/strict';
import { GrafanaSource, describeGrafanaRule } from '../../../src/sources/grafana';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { sendJson, startLocalServer, type LocalServer } from './localServer';

// A rule as Grafana's UI saves it: a Prometheus query, a reduce and a threshold expression.
const cpuRule = {
  id: 7,
  uid: 'd1rdpdv7k',
  orgID: 1,
  folderUID: 'fe2qrw3x9bxmoc',
  ruleGroup: 'hosts',
  title: 'High CPU usage',
  condition: 'C',
  data: [
    {
      refId: 'A',
      queryType: '',
      relativeTimeRange: { from: 600, to: 0 },
      datasourceUid: 'PBFA97CFB590B2093',
      model: {
        datasource: { type: 'prometheus', uid: 'PBFA97CFB590B2093' },
        editorMode: 'code',
        expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
        instant: true,
        intervalMs: 1000,
        maxDataPoints: 43200,
        range: false,
        refId: 'A',
      },
    },
    {
      refId: 'B',
      queryType: '',
      relativeTimeRange: { from: 600, to: 0 },
      datasourceUid: '__expr__',
      model: { datasource: { type: '__expr__', uid: '__expr__' }, expression: 'A', intervalMs: 1000, maxDataPoints: 43200, reducer: 'last', refId: 'B', type: 'reduce' },
    },
    {
      refId: 'C',
      queryType: '',
      relativeTimeRange: { from: 600, to: 0 },
      datasourceUid: '__expr__',
      model: {
        conditions: [{ evaluator: { params: [0.8], type: 'gt' }, operator: { type: 'and' }, query: { params: ['C'] }, reducer: { params: [], type: 'last' }, type: 'query' }],
        datasource: { type: '__expr__', uid: '__expr__' },
        expression: 'B',
        intervalMs: 1000,
        maxDataPoints: 43200,
        refId: 'C',
        type: 'threshold',
      },
    },
  ],
  updated: '2024-05-02T10:11:12Z',
  noDataState: 'NoData',
  execErrState: 'Error',
  for: '5m',
  annotations: { summary: 'CPU above 80 %' },
  labels: { team: 'infra' },
  isPaused: false,
};

// The example of the Alerting provisioning HTTP API docs: a classic condition on the query "up".
const docsExample = {
  id: 1,
  uid: 'XXXXXXXXX',
  orgID: 1,
  folderUID: 'SET_FOLDER_UID',
  ruleGroup: 'API',
  title: 'TEST-API_1',
  condition: 'B',
  data: [
    { refId: 'A', queryType: '', relativeTimeRange: { from: 600, to: 0 }, datasourceUid: 'XXXXXXXXX-XXXXXXXXX-XXXXXXXXXX', model: { expr: 'up', hide: false, intervalMs: 1000, maxDataPoints: 43200, refId: 'A' } },
    {
      refId: 'B',
      queryType: '',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: '-100',
      model: {
        conditions: [{ evaluator: { params: [6], type: 'gt' }, operator: { type: 'and' }, query: { params: ['A'] }, reducer: { params: [], type: 'last' }, type: 'query' }],
        datasource: { type: '__expr__', uid: '-100' },
        hide: false,
        intervalMs: 1000,
        maxDataPoints: 43200,
        refId: 'B',
        type: 'classic_conditions',
      },
    },
  ],
  noDataState: 'OK',
  execErrState: 'OK',
  for: '5m',
  annotations: { summary: 'test_api_1' },
  labels: { API: 'test1' },
  isPaused: false,
};

const lokiRule = {
  uid: 'loki1',
  title: 'Payment errors in logs',
  ruleGroup: 'logs',
  folderUID: 'f',
  condition: 'B',
  for: '0s',
  data: [
    { refId: 'A', datasourceUid: 'P8E80F9AEF21F6940', model: { datasource: { type: 'loki', uid: 'P8E80F9AEF21F6940' }, expr: 'sum(count_over_time({app="payments"} |= "error" [5m]))', refId: 'A' } },
    { refId: 'B', datasourceUid: '__expr__', model: { datasource: { type: '__expr__', uid: '__expr__' }, expression: '$A > 10', type: 'math', refId: 'B' } },
  ],
};

const cpuAlert = {
  annotations: { summary: 'CPU above 80 %' },
  endsAt: '2099-01-01T00:00:00Z',
  fingerprint: 'bc97ff14869b13e3',
  receivers: [{ name: 'grafana-default-email' }],
  startsAt: '2024-05-02T10:20:00Z',
  status: { inhibitedBy: [], silencedBy: [], state: 'active' },
  updatedAt: '2024-05-02T10:20:10Z',
  generatorURL: 'http://grafana.local/alerting/grafana/d1rdpdv7k/view',
  labels: { __alert_rule_uid__: 'd1rdpdv7k', alertname: 'High CPU usage', grafana_folder: 'Hosts', instance: 'db-1:9100', team: 'infra' },
};

describe("Grafana's alert rules (documented ProvisionedAlertRule bodies; no Grafana server available here)", () => {
  let server: LocalServer;
  let rulesStatus = 200;
  beforeEach(async () => {
    rulesStatus = 200;
    server = await startLocalServer((req, res) => {
      if (req.path === '/api/v1/provisioning/alert-rules') return rulesStatus === 200 ? sendJson(res, [cpuRule, docsExample, lokiRule]) : sendJson(res, { message: 'You do not have permission' }, rulesStatus);
      if (req.path === '/api/alertmanager/grafana/api/v2/alerts') return sendJson(res, [cpuAlert]);
      sendJson(res, { message: 'Not found' }, 404);
    });
  });
  afterEach(() => server.close());

  it('follows the condition through threshold and reduce to the Prometheus query: expression, threshold, for, group, uid, unit', () => {
    const c = describeGrafanaRule(cpuRule, 'grafana')!;
    assert.equal(c.uid, 'd1rdpdv7k');
    assert.deepEqual(c.rule, {
      name: 'High CPU usage',
      expression: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
      language: 'promql',
      group: 'hosts',
      forMs: 300_000,
      uid: 'd1rdpdv7k',
      sourceName: 'grafana',
      unit: 'ratio',
      valueExpression: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
      labels: { team: 'infra' },
      threshold: { op: '>', value: 0.8 },
    });
  });

  it("reads the docs' classic condition (expression data source -100) and a Loki rule's math condition", () => {
    const classic = describeGrafanaRule(docsExample, 'grafana')!.rule;
    assert.deepEqual([classic.expression, classic.language, classic.threshold, classic.forMs], ['up', 'promql', { op: '>', value: 6 }, 300_000]);
    const loki = describeGrafanaRule(lokiRule, 'grafana')!.rule;
    assert.deepEqual([loki.language, loki.threshold, loki.forMs], ['logql', { op: '>', value: 10 }, 0]);
    assert.equal(describeGrafanaRule({ title: 'broken' } as never, 'g'), undefined, 'a rule without data is skipped, not a crash');
  });

  it('an alert from Grafana carries its rule, matched by the __alert_rule_uid__ label', async () => {
    const g = new GrafanaSource({ name: 'grafana', url: server.url });
    const [a] = await g.listAlerts();
    assert.equal(a.rule?.uid, 'd1rdpdv7k');
    assert.deepEqual(a.rule?.threshold, { op: '>', value: 0.8 });
    // A Prometheus source takes a PromQL rule as it comes: no lookup of its own (its URL here answers nothing).
    const prom = new PrometheusSource({ name: 'prom', url: 'http://127.0.0.1:9', timeoutMs: 500, retries: 0 });
    assert.equal(await prom.ruleFor(a), a.rule);
  });

  it('without permission to read rules, the alerts are still listed', async () => {
    rulesStatus = 403;
    const g = new GrafanaSource({ name: 'grafana', url: server.url });
    const alerts = await g.listAlerts();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].rule, undefined);
  });
});
