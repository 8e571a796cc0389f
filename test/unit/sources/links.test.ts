import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { linksFor, runbookTarget, type LinkSourceConfig } from '../../../src/sources/links';

const window = { start: Date.UTC(2024, 4, 1, 11, 0, 0), end: Date.UTC(2024, 4, 1, 12, 0, 0) };

function alert(over: Partial<Alert> = {}): Alert {
  return { id: 'a1', name: 'HostHighCpuLoad', state: 'firing', severity: 'warning', labels: { instance: '10.0.0.5:9100' }, annotations: {}, startsAt: window.end - 600_000, sourceName: 'am', sourceKind: 'alertmanager', ...over };
}

const configs: LinkSourceConfig[] = [
  { name: 'prom', kind: 'prometheus', url: 'http://prom.internal:9090', uiUrl: 'https://prom.example.org' },
  { name: 'am', kind: 'alertmanager', url: 'http://am:9093' },
  { name: 'grafana', kind: 'grafana', url: 'https://grafana.example.org/' },
  { name: 'Loki', kind: 'loki', url: 'http://loki:3100' },
  { name: 'es', kind: 'elasticsearch', url: 'http://es:9200', uiUrl: 'https://kibana.example.org', serviceLabel: 'service.name' },
  { name: 'jaeger', kind: 'jaeger', url: 'http://jaeger:16686' },
];

describe('links out of an investigation', () => {
  it('opens the alert expression in the Prometheus UI over the investigation window, expression intact', () => {
    const expr = '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",instance="10.0.0.5:9100"}[2m]))) > 80';
    const links = linksFor({ alert: alert({ rule: { name: 'HostHighCpuLoad', expression: expr, language: 'promql', sourceName: 'prom' } }), window, configs });
    const prom = links.find((l) => l.kind === 'metrics');
    assert.ok(prom && prom.target.type === 'url');
    const u = new URL(prom.target.url);
    assert.equal(u.origin + u.pathname, 'https://prom.example.org/graph');
    assert.equal(u.searchParams.get('g0.expr'), expr);
    assert.equal(u.searchParams.get('g0.range_input'), '3600s');
    assert.equal(u.searchParams.get('g0.end_input'), '2024-05-01 12:00:00');
  });

  it('puts the runbook first: a URL, or a workspace file, never a javascript: link or a path out of the workspace', () => {
    const links = linksFor({ alert: alert({ annotations: { runbook_url: 'https://wiki.example.org/runbooks/cpu' } }), window, configs });
    assert.equal(links[0].kind, 'runbook');
    assert.deepEqual(links[0].target, { type: 'url', url: 'https://wiki.example.org/runbooks/cpu' });
    assert.deepEqual(runbookTarget(alert({ annotations: { runbook_url: 'docs/runbooks/payments.md' } })), { type: 'workspaceFile', path: 'docs/runbooks/payments.md' });
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', '../../etc/passwd', '/etc/passwd', 'command:workbench.action.terminal.new']) assert.equal(runbookTarget(alert({ annotations: { runbook_url: bad } })), undefined, bad);
  });

  it('links the Grafana dashboard an annotation names, or Grafana\'s own dashboard uid, over the window', () => {
    const byPath = linksFor({ alert: alert({ annotations: { dashboard: '/d/node-exporter/node?var-instance=10.0.0.5' } }), window, configs }).find((l) => l.kind === 'dashboard');
    assert.ok(byPath?.target.type === 'url');
    const u = new URL(byPath.target.url);
    assert.equal(u.origin + u.pathname, 'https://grafana.example.org/d/node-exporter/node');
    assert.equal(u.searchParams.get('from'), String(window.start));
    assert.equal(u.searchParams.get('var-instance'), '10.0.0.5');
    const byUid = linksFor({ alert: alert({ sourceKind: 'grafana', sourceName: 'grafana', annotations: { __dashboardUid__: 'abc-123', __panelId__: '7' } }), window, configs }).find((l) => l.kind === 'dashboard');
    assert.ok(byUid?.target.type === 'url');
    assert.match(byUid.target.url, /^https:\/\/grafana\.example\.org\/d\/abc-123\?orgId=1&viewPanel=7&from=\d+&to=\d+$/);
    assert.equal(linksFor({ alert: alert({ annotations: { __dashboardUid__: '../../admin' } }), window, configs }).find((l) => l.kind === 'dashboard'), undefined);
  });

  it('links the logs and the trace in their own UIs, with hostile service names encoded', () => {
    const service = 'pay"ments\' OR 1';
    const links = linksFor({ alert: alert(), window, configs, service, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    const kibana = links.find((l) => l.label === 'Logs in Kibana');
    assert.ok(kibana?.target.type === 'url');
    const hash = decodeURIComponent(new URL(kibana.target.url).hash);
    assert.ok(hash.includes(`query:'service.name:"pay\\"ments!' OR 1"'`), hash);
    assert.ok(hash.includes("from:'2024-05-01T11:00:00.000Z'"), hash);
    const loki = links.find((l) => l.label === 'Logs in Grafana (Loki)');
    assert.ok(loki?.target.type === 'url');
    const left = JSON.parse(new URL(loki.target.url).searchParams.get('left') ?? '{}') as { datasource: string; queries: { expr: string }[] };
    assert.equal(left.datasource, 'Loki');
    assert.equal(left.queries[0].expr, '{service_name="pay\\"ments\' OR 1"}');
    const jaeger = links.find((l) => l.kind === 'trace');
    assert.ok(jaeger?.target.type === 'url');
    assert.equal(jaeger.target.url, 'http://jaeger:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(linksFor({ alert: alert(), window, configs, traceId: '<script>' }).find((l) => l.kind === 'trace'), undefined);
  });
});
