import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { describePromqlRule, expressionFromGeneratorUrl, matchAlertRule, withRule, type RuleCandidate } from '../../../src/sources/alertRules';

function alert(labels: Record<string, string>, extra: Partial<Alert> = {}): Alert {
  return { id: 'x', name: labels.alertname, state: 'firing', severity: 'warning', labels, annotations: {}, startsAt: 0, sourceName: 'am', sourceKind: 'alertmanager', ...extra };
}

function candidate(name: string, expression: string, extra: Partial<RuleCandidate> = {}): RuleCandidate {
  return { name, labels: {}, rule: describePromqlRule({ name, expression, group: extra.group }), ...extra };
}

describe('alert rules: which rule fired an alert, and what it looks at', () => {
  it('describes a PromQL rule: threshold, graphed part, for, group and unit', () => {
    const rule = describePromqlRule({ name: 'HostOutOfMemory', expression: '(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < .10)', group: 'NodeExporter', forMs: 120_000, sourceName: 'prom' });
    assert.deepEqual(rule, {
      name: 'HostOutOfMemory',
      expression: '(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < .10)',
      language: 'promql',
      group: 'NodeExporter',
      forMs: 120_000,
      sourceName: 'prom',
      valueExpression: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
      threshold: { op: '<', value: 0.1 },
      unit: 'ratio',
    });
    assert.deepEqual(JSON.parse(JSON.stringify(rule)), rule, 'plain data: survives JSON');
  });

  it('matches by name and static labels; a rule of the same name for another team is not it', () => {
    const ours = candidate('HighLatency', 'a > 1', { labels: { team: 'payments' } });
    const theirs = candidate('HighLatency', 'b > 1', { labels: { team: 'search' } });
    const templated = candidate('Other', 'c > 1', { labels: { service: '{{ $labels.job }}' } });
    assert.equal(matchAlertRule(alert({ alertname: 'HighLatency', team: 'payments' }), [theirs, ours]), ours);
    assert.equal(matchAlertRule(alert({ alertname: 'Other', service: 'x' }), [templated]), templated, 'a templated label value cannot disagree');
    assert.equal(matchAlertRule(alert({ alertname: 'Missing' }), [ours]), undefined);
  });

  it('tells same-named rules apart by group, by the generatorURL expression, then by their active alerts', () => {
    const a = candidate('Down', 'up{job="a"} == 0', { group: 'g1', activeAlerts: [{ alertname: 'Down', job: 'a' }] });
    const b = candidate('Down', 'up{job="b"} == 0', { group: 'g2', activeAlerts: [{ alertname: 'Down', job: 'b' }] });
    assert.equal(matchAlertRule(alert({ alertname: 'Down' }, { rule: { name: 'Down', expression: '', language: 'promql', group: 'g2' } }), [a, b]), b);
    const url = `http://prom:9090/graph?g0.expr=${encodeURIComponent('up{job="a"}  == 0')}&g0.tab=1`;
    assert.equal(expressionFromGeneratorUrl(url), 'up{job="a"}  == 0');
    assert.equal(matchAlertRule(alert({ alertname: 'Down', job: 'zzz' }, { generatorURL: url }), [b, a]), a, 'whitespace aside, the expression Prometheus links to');
    assert.equal(matchAlertRule(alert({ alertname: 'Down', job: 'b', instance: 'i' }), [a, b]), b, 'the rule that reports this alert as active');
    assert.equal(matchAlertRule(alert({ alertname: 'Down', job: 'c' }), [a, b]), undefined, 'still two different expressions: none rather than the wrong one');
  });

  it("uses Grafana's rule uid label when the alert carries one", () => {
    const r1 = candidate('CPU', 'x > 1', { uid: 'u1' });
    const r2 = candidate('CPU', 'y > 1', { uid: 'u2' });
    assert.equal(matchAlertRule(alert({ alertname: 'CPU', __alert_rule_uid__: 'u2' }), [r1, r2]), r2);
  });

  it('withRule keeps an alert that already knows its rule, and copies otherwise', () => {
    const c = candidate('A', 'x > 1');
    const a = alert({ alertname: 'A' });
    const got = withRule(a, [c]);
    assert.notEqual(got, a);
    assert.equal(got.rule, c.rule);
    assert.equal(a.rule, undefined, 'the input is not changed');
    const known = alert({ alertname: 'A' }, { rule: { name: 'A', expression: 'y > 2', language: 'promql' } });
    assert.equal(withRule(known, [c]), known);
  });
});
