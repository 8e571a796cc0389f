import * as assert from 'node:assert/strict';
import type { Alert, Severity } from '../../../src/core/model';
import { groupIncidents, incidentTitle, relatedAlerts } from '../../../src/agent/incidents';

const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const MIN = 60_000;

function alert(id: string, name: string, service: string | undefined, startMin: number, severity: Severity = 'critical', extra: Record<string, string> = {}): Alert {
  return {
    id,
    name,
    state: 'firing',
    severity,
    labels: { alertname: name, ...(service ? { service } : {}), severity, ...extra },
    annotations: {},
    startsAt: t0 + startMin * MIN,
    sourceName: 'local',
    sourceKind: 'otlp',
    ...(service ? { service } : {}),
  };
}

// The demo lab's one fault, as the embedded receiver reports it: payments throws, its callers answer 5xx.
const labAlerts = (): Alert[] => [
  alert('sf-err', 'HighErrorRatio', 'storefront', 1.5, 'critical', { route: 'GET /checkout' }),
  alert('co-log', 'ErrorLogBurst', 'checkout', 1.2, 'warning'),
  alert('pay-log', 'ErrorLogBurst', 'payments', 0.5, 'warning'),
  alert('co-err', 'HighErrorRatio', 'checkout', 1.1, 'critical', { route: 'POST /checkout' }),
  alert('pay-err', 'HighErrorRatio', 'payments', 1, 'critical', { route: 'POST /charge' }),
  alert('sf-log', 'ErrorLogBurst', 'storefront', 1.6, 'warning'),
];
const labEdges = [
  { from: 'storefront', to: 'checkout' },
  { from: 'checkout', to: 'payments' },
];

describe('incidents: alerts that share a cause', () => {
  it('makes the lab fault one incident, the failing callee first and its callers after', () => {
    const unrelated = alert('search-lat', 'HighLatencyP95', 'search', 1, 'warning');
    const earlier = alert('pay-old', 'HighErrorRatio', 'payments', -180);
    const incidents = groupIncidents([...labAlerts(), unrelated, earlier], { edges: labEdges });
    const lab = incidents.find((i) => i.alerts.length > 1);
    assert.ok(lab);
    assert.equal(lab.alerts.length, 6);
    assert.deepEqual(lab.alerts.map((a) => a.id), ['pay-err', 'pay-log', 'co-err', 'co-log', 'sf-err', 'sf-log']);
    assert.equal(lab.primary.id, 'pay-err');
    assert.deepEqual(lab.services, ['payments', 'checkout', 'storefront']);
    assert.ok(lab.reasons.includes('call') && lab.reasons.includes('service'));
    assert.equal(incidents.length, 3, 'the search alert and the payments alert of three hours earlier stay apart');
    assert.match(incidentTitle(lab), /^payments: 6 alerts \(HighErrorRatio, ErrorLogBurst\) on payments, checkout, storefront$/);
    assert.deepEqual(relatedAlerts(incidents, { sourceName: 'local', id: 'co-err' }).map((a) => a.id).sort(), ['co-log', 'pay-err', 'pay-log', 'sf-err', 'sf-log']);
    assert.deepEqual(relatedAlerts(incidents, { sourceName: 'local', id: 'search-lat' }), []);
  });

  it('without a call graph keeps one incident per service', () => {
    const incidents = groupIncidents(labAlerts());
    assert.equal(incidents.length, 3);
    for (const i of incidents) assert.equal(new Set(i.services).size, 1);
  });

  it('joins alerts on different services when their investigations name the same cause, that service first', () => {
    const alerts = [alert('a', 'SLOBurn', 'frontend', 0), alert('b', 'QueueLag', 'worker', 3, 'warning')];
    const cause = { key: 'code-change|worker|abc123', service: 'worker' };
    const incidents = groupIncidents(alerts, { causes: new Map([['local/a', cause], ['local/b', cause]]) });
    assert.equal(incidents.length, 1);
    assert.equal(incidents[0].primary.id, 'b');
    assert.deepEqual(incidents[0].reasons, ['cause']);
  });

  it('joins a host alert with the alerts of apps on that host, but not everything on loopback', () => {
    const host = alert('cpu', 'HostHighCpuLoad', 'node', 0, 'warning', { instance: '10.0.0.5:9100' });
    const app = alert('lat', 'HighLatencyP95', 'api', 2, 'warning', { instance: '10.0.0.5:8080' });
    assert.equal(groupIncidents([host, app]).length, 1);
    const localHost = alert('cpu', 'HostHighCpuLoad', 'node', 0, 'warning', { instance: '127.0.0.1:9100' });
    const localApp = alert('lat', 'HighLatencyP95', 'api', 2, 'warning', { instance: '127.0.0.1:8080' });
    assert.equal(groupIncidents([localHost, localApp]).length, 2);
  });

  it('joins only alerts that started close together, chaining through the ones between', () => {
    const alerts = [alert('a', 'X', 'api', 0), alert('b', 'Y', 'api', 14), alert('c', 'Z', 'api', 28), alert('d', 'W', 'api', 60)];
    const incidents = groupIncidents(alerts);
    assert.deepEqual(incidents.map((i) => i.alerts.map((a) => a.id).sort()).sort(), [['a', 'b', 'c'], ['d']]);
    assert.equal(groupIncidents(alerts, { windowMs: 5 * MIN }).length, 4);
  });

  it('puts live incidents before resolved ones and critical before warnings', () => {
    const resolved = { ...alert('r', 'Old', 'billing', 0), state: 'resolved' as const };
    const warn = alert('w', 'Slow', 'search', 0, 'warning');
    const crit = alert('c', 'Down', 'auth', 0, 'critical');
    assert.deepEqual(groupIncidents([resolved, warn, crit]).map((i) => i.primary.id), ['c', 'w', 'r']);
  });

  it('groups a 10,000-alert storm without losing or duplicating an alert', () => {
    const services = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const alerts = Array.from({ length: 10_000 }, (_, i) => alert(`s${i}`, `N${i % 5}`, services[i % services.length], (i * 7919) % 360, 'warning', { instance: `10.1.${(i >> 8) & 255}.${i & 255}:80` }));
    const incidents = groupIncidents(alerts, { edges: [{ from: 'a', to: 'b' }] });
    const ids = incidents.flatMap((i) => i.alerts.map((a) => a.id));
    assert.equal(ids.length, 10_000);
    assert.equal(new Set(ids).size, 10_000);
    assert.ok(incidents.every((i) => i.services.every((s) => s === 'a' || s === 'b') || i.services.length === 1));
  });
});
