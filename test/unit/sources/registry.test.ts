import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { silentLogger } from '../../../src/core/logger';
import { collectAlerts, createSource, validateSourceConfigs } from '../../../src/sources/registry';
import { groupAlerts, sortForTriage } from '../../../src/agent/alertGrouping';
import { labelsFingerprint, normaliseSeverity, serviceFromLabels, environmentFromLabels } from '../../../src/sources/alertFields';
import { levelFromLine, normaliseLogLevel } from '../../../src/sources/logFields';

function alert(p: Partial<Alert> & { id: string }): Alert {
  return { name: 'A', state: 'firing', severity: 'warning', labels: {}, annotations: {}, startsAt: 1000, sourceName: 's', sourceKind: 'alertmanager', ...p };
}

describe('validateSourceConfigs', () => {
  it('keeps good entries and explains every bad one', () => {
    const { configs, errors } = validateSourceConfigs([
      { name: 'prod-am', kind: 'alertmanager', url: 'http://127.0.0.1:9093', serviceLabel: 'app' },
      { name: 'prod-am', kind: 'prometheus', url: 'http://127.0.0.1:9090' },
      { name: 'x', kind: 'splunk', url: 'http://h' },
      { name: 'y', kind: 'loki', url: 'ftp://h' },
      { name: 'z', kind: 'grafana', url: 'https://admin:pw@grafana.example.org' },
      { kind: 'tempo', url: 'http://h' },
      { name: 'es', kind: 'elasticsearch', url: 'http://h:9200', index: 'logs-*', timeoutMs: 5 },
      { name: 'j', kind: 'jaeger', url: 'http://h:16686', index: 'x', colour: 'red' },
      'nonsense',
      { name: 'os', kind: 'opensearch', url: 'http://h:9200', index: 'app-*', uiUrl: 'http://dash:5601' },
    ]);
    assert.deepEqual(configs, [
      { name: 'prod-am', kind: 'alertmanager', url: 'http://127.0.0.1:9093', serviceLabel: 'app' },
      { name: 'os', kind: 'opensearch', url: 'http://h:9200', index: 'app-*', uiUrl: 'http://dash:5601' },
    ]);
    const text = errors.join('\n');
    assert.match(text, /source #2 \("prod-am"\): the name is already used by source #1/);
    assert.match(text, /source #3 \("x"\): "kind" must be one of .* \(got "splunk"\)/);
    assert.match(text, /source #4 \("y"\): "url" must start with http:\/\/ or https:\/\//);
    assert.match(text, /source #5 \("z"\): "url" contains a user name or password/);
    assert.ok(!text.includes('pw@'), 'the password is not echoed');
    assert.match(text, /source #6: "name" is required/);
    assert.match(text, /source #7 \("es"\): "timeoutMs" must be/);
    assert.match(text, /source #8 \("j"\): "index" only applies to elasticsearch and opensearch/);
    assert.match(text, /source #8 \("j"\): unknown field\(s\) "colour"/);
    assert.match(text, /source #9: must be an object/);
  });

  it('treats a missing setting as no sources and a non-list as an error', () => {
    assert.deepEqual(validateSourceConfigs(undefined), { configs: [], errors: [] });
    assert.deepEqual(validateSourceConfigs({ name: 'x' }).errors, ['incidentLens.sources must be a list of sources']);
  });
});

describe('createSource', () => {
  it('gives each kind the capabilities it has', () => {
    const caps = (kind: string) => {
      const c = createSource({ name: kind, kind: kind as never, url: 'http://127.0.0.1:1', index: kind.endsWith('search') ? 'logs-*' : undefined }, async () => undefined, silentLogger);
      return ['alerts', 'silences', 'metrics', 'logs', 'traces'].filter((k) => (c as unknown as Record<string, unknown>)[k]).join(',') + `:${c.source.kind}`;
    };
    assert.deepEqual(
      ['alertmanager', 'grafana', 'prometheus', 'loki', 'elasticsearch', 'opensearch', 'jaeger', 'tempo'].map(caps),
      ['alerts,silences:alertmanager', 'alerts,silences:grafana', 'alerts,metrics:prometheus', 'logs:loki', 'logs:elasticsearch', 'logs:opensearch', 'traces:jaeger', 'traces:tempo'],
    );
  });
});

describe('collectAlerts deduplication', () => {
  it('keeps one copy per id, preferring silenced, then firing, over pending and resolved', async () => {
    const src = (name: string, alerts: Alert[]) => ({ name, kind: 'test', listAlerts: async () => alerts });
    const { alerts } = await collectAlerts([
      src('a', [alert({ id: '1', state: 'resolved' }), alert({ id: '2', state: 'firing', value: '7' }), alert({ id: '3', state: 'pending' })]),
      src('b', [alert({ id: '1', state: 'firing', sourceName: 'b' }), alert({ id: '2', state: 'silenced', silencedBy: ['s1'] }), alert({ id: '3', state: 'pending' })]),
    ]);
    const byId = Object.fromEntries(alerts.map((a) => [a.id, a]));
    assert.equal(alerts.length, 3);
    assert.equal(byId['1'].state, 'firing');
    assert.equal(byId['1'].sourceName, 'b');
    assert.equal(byId['2'].state, 'silenced');
    assert.equal(byId['2'].value, '7', 'keeps the value the other copy had');
  });
  it('reports a thrown non-SourceError as internal, naming the source', async () => {
    const { errors } = await collectAlerts([{ name: 'odd', kind: 'x', listAlerts: async () => { throw new TypeError('boom'); } }]);
    assert.deepEqual(errors, [{ source: 'odd', kind: 'internal', message: 'odd: boom' }]);
  });
});

describe('groupAlerts and sortForTriage', () => {
  const alerts = [
    alert({ id: 'a', service: 'cart', severity: 'warning', startsAt: 5 }),
    alert({ id: 'b', service: 'checkout', severity: 'critical', startsAt: 9 }),
    alert({ id: 'c', service: 'checkout', severity: 'warning', startsAt: 1 }),
    alert({ id: 'd', service: 'search', severity: 'critical', state: 'silenced', startsAt: 2 }),
    alert({ id: 'e', severity: 'info', startsAt: 3 }),
    alert({ id: 'f', service: 'cart', severity: 'warning', startsAt: 4, state: 'pending' }),
  ];

  it('by service: worst live severity first, then how many fire; muted groups last', () => {
    const groups = groupAlerts(alerts, 'service');
    assert.deepEqual(groups.map((g) => [g.label, g.worstSeverity, g.firing, g.alerts.map((a) => a.id).join('')]), [
      ['checkout', 'critical', 2, 'bc'],
      ['cart', 'warning', 1, 'fa'],
      ['(no service)', 'info', 1, 'e'],
      ['search', 'critical', 0, 'd'],
    ]);
  });

  it('by severity, alertname and none', () => {
    assert.deepEqual(groupAlerts(alerts, 'severity').map((g) => g.label), ['Critical', 'Warning', 'Info']);
    assert.deepEqual(groupAlerts(alerts, 'none').map((g) => [g.key, g.alerts.length]), [['all', 6]]);
    assert.deepEqual(groupAlerts([alert({ id: 'x', name: 'HighLatency' })], 'alertname').map((g) => g.label), ['HighLatency']);
  });

  it('sortForTriage: live alerts first, most severe first, then oldest first; input untouched', () => {
    const before = alerts.map((a) => a.id).join('');
    assert.equal(sortForTriage(alerts).map((a) => a.id).join(''), 'bcfaed');
    assert.equal(alerts.map((a) => a.id).join(''), before);
  });
});

describe('label and level normalisation', () => {
  it('severity words', () => {
    assert.deepEqual(['page', 'CRITICAL', 'sev-1', 'P1', 'warn', 'Warning', 'major', 'info', 'low', '', 'banana'].map((s) => normaliseSeverity(s)), [
      'critical', 'critical', 'critical', 'critical', 'warning', 'warning', 'error', 'info', 'info', 'none', 'none',
    ]);
  });
  it('service and environment fall back through the usual labels', () => {
    assert.equal(serviceFromLabels({ job: 'node', app: 'cart' }), 'cart');
    assert.equal(serviceFromLabels({ job: 'node', team: 'x' }, 'team'), 'x');
    assert.equal(serviceFromLabels({ instance: 'h' }), undefined);
    assert.equal(environmentFromLabels({ namespace: 'prod-ns', environment: 'prod' }), 'prod');
    assert.equal(environmentFromLabels({ namespace: 'staging' }), 'staging');
  });
  it('fingerprint of the empty label set is the FNV-64a offset basis, as in Prometheus', () => {
    assert.equal(labelsFingerprint({}), 'cbf29ce484222325');
    assert.equal(labelsFingerprint({ b: '2', a: '1' }), labelsFingerprint({ a: '1', b: '2' }));
  });
  it('log levels from fields and from lines', () => {
    assert.deepEqual(['ERR', 'Warning', 'CRIT', 17, '9', 'nope'].map((x) => normaliseLogLevel(x)), ['error', 'warn', 'fatal', 'error', 'info', 'unknown']);
    assert.equal(levelFromLine('ts=1 level=error msg="x"'), 'error');
    assert.equal(levelFromLine('{"level":"warn","msg":"x"}'), 'warn');
    assert.equal(levelFromLine('2023-11-14 22:13:20 ERROR payment failed'), 'error');
    assert.equal(levelFromLine('nothing to see'), 'unknown');
  });
});
