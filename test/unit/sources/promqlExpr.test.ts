import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PromqlSyntaxError, metricNamesOf, parsePromql, scopeExpression, splitThreshold } from '../../../src/sources/promqlExpr';
import { inferUnit } from '../../../src/sources/promqlUnits';

const communityRules = path.resolve(__dirname, '../../../../shared/data/prometheus-alert-rules/dist/rules');
const kubernetesMixin = path.resolve(__dirname, '../../../../shared/data/kubernetes-mixin');

function* ruleFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* ruleFiles(p);
    else if (/\.ya?ml$/.test(e.name)) yield p;
  }
}

describe('PromQL expressions: threshold, scope and unit', () => {
  it('splits `<expr> <op> <number>` into the graphed value and its threshold', () => {
    assert.deepEqual(splitThreshold('1 - (avg without (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) > .80'), {
      valueExpression: '1 - (avg without (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m])))',
      threshold: { op: '>', value: 0.8 },
    });
    assert.deepEqual(splitThreshold('(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < .10)')?.threshold, { op: '<', value: 0.1 });
    assert.deepEqual(splitThreshold('0.9 > up_ratio'), { valueExpression: 'up_ratio', threshold: { op: '<', value: 0.9 } }, 'a number on the left flips the comparison');
    assert.deepEqual(splitThreshold('rate(x_total[5m]) > 0.01 and rate(x_total[5m]) > 0')?.threshold, { op: '>', value: 0.01 }, 'the left side of a top-level and');
    assert.deepEqual(splitThreshold('delta(temp[1h]) < -5')?.threshold, { op: '<', value: -5 });
    assert.equal(splitThreshold('absent(up{job="node"})'), undefined);
    assert.equal(splitThreshold('a > b'), undefined, 'two series: no number to draw');
    assert.equal(splitThreshold('x > bool 1'), undefined, 'bool turns the comparison into a value');
    assert.equal(splitThreshold('sum(x'), undefined, 'a broken expression has none, and does not throw');
  });

  it('scopes every selector by the labels that identify the alert, keeping the matchers already there', () => {
    assert.equal(
      scopeExpression('1 - avg without (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', { instance: 'h:9100', job: 'node' }),
      '1 - avg without (cpu) (rate(node_cpu_seconds_total{mode="idle",instance="h:9100",job="node"}[5m]))',
    );
    assert.equal(scopeExpression('up == 0', { instance: 'a' }), 'up{instance="a"} == 0');
    assert.equal(scopeExpression('errors_total{service="payments"} / requests_total{}', { service: 'payments' }), 'errors_total{service="payments"} / requests_total{service="payments"}');
    assert.equal(scopeExpression('x{a="1",}', { b: '2' }), 'x{a="1",b="2"}', 'a trailing comma needs no second one');
    assert.equal(scopeExpression('sum by (job) (rate(x[1m])) offset 5m', { job: 'j' }), 'sum by (job) (rate(x{job="j"}[1m])) offset 5m');
    // Label values are data: quotes and backslashes stay inside the string.
    assert.equal(scopeExpression('x', { pod: 'a"b\\c' }), 'x{pod="a\\"b\\\\c"}');
  });

  it('parses what real rules use: BY/ON in capitals, group_left, subqueries, offsets, @, comments, regex names', () => {
    for (const expr of [
      'sum(rate(a[1m])) BY (instance) / ON (instance) GROUP_LEFT (nodename) node_uname_info',
      'max_over_time(rate(x_total[1m])[10m:1m])',
      'x offset -5m @ end()',
      '# a comment\nup == 0',
      '{__name__=~"pg_settings_.*"} != ON(__name__, instance) {__name__=~"pg_settings_.*"} OFFSET 5m',
      'topk(3, sum without (cpu) (rate(node_cpu_seconds_total[5m])))',
      'histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le)) > 1',
      '2 ^ 3 ^ 2 + -x',
      'rate(x[$__rate_interval])',
    ]) assert.doesNotThrow(() => parsePromql(expr), expr);
    assert.deepEqual(metricNamesOf('a / on(i) group_left b + c{x="1"} or {__name__="d"}'), ['a', 'b', 'c', 'd']);
  });

  it('says where an expression is broken', () => {
    assert.throws(() => parsePromql('sum(rate(x[5m])'), (err: unknown) => err instanceof PromqlSyntaxError && /expected "\)"/.test(err.message));
    assert.throws(() => parsePromql('x{a=1}'), /quoted value/);
    assert.throws(() => parsePromql(''), /empty/);
  });

  it('tells the unit of the value from the naming conventions', () => {
    assert.equal(inferUnit('1 - (avg without (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'), 'ratio', 'seconds per second is a fraction of time');
    assert.equal(inferUnit('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'), 'ratio');
    assert.equal(inferUnit('node_filesystem_avail_bytes * 100 / node_filesystem_size_bytes'), 'percent');
    assert.equal(inferUnit('histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket[1m])))'), 's');
    assert.equal(inferUnit('histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket[1m])) by (le))'), 'ms');
    assert.equal(inferUnit('sum(rate(http_server_errors_total[1m])) / sum(rate(http_server_requests_total[1m]))'), 'ratio');
    assert.equal(inferUnit('rate(node_network_receive_bytes_total[5m])'), 'bytes/s');
    assert.equal(inferUnit('sum(rate(http_requests_total[5m]))'), '/s');
    assert.equal(inferUnit('process_resident_memory_bytes'), 'bytes');
    assert.equal(inferUnit('node_load1'), undefined, 'a gauge without a unit suffix has none');
    assert.equal(inferUnit('count(up == 0)'), undefined, 'a count has no unit');
    assert.equal(inferUnit('a_bytes * b_seconds'), undefined, 'a product of units is not guessed');
    assert.equal(inferUnit('my_latency', () => 'seconds'), 's', 'metadata speaks where the name does not');
    assert.equal(inferUnit('rate(my_busy_total[1m])', () => 'seconds'), 'ratio');
  });

  it('parses every community rule of awesome-prometheus-alerts (../shared/data), and finds most thresholds', function () {
    if (!fs.existsSync(communityRules)) {
      console.warn(`skipping: ${communityRules} is absent`);
      this.skip();
    }
    let total = 0;
    let withThreshold = 0;
    const failures: string[] = [];
    for (const file of ruleFiles(communityRules)) {
      const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { groups?: { rules?: { alert?: string; expr?: unknown }[] }[] };
      for (const g of doc?.groups ?? []) {
        for (const r of g.rules ?? []) {
          if (r.expr === undefined) continue;
          total++;
          try {
            parsePromql(String(r.expr));
          } catch (err) {
            failures.push(`${path.relative(communityRules, file)} ${r.alert}: ${(err as Error).message}`);
            continue;
          }
          if (splitThreshold(String(r.expr))) withThreshold++;
        }
      }
    }
    assert.ok(total > 900, `${total} rules read`);
    assert.deepEqual(failures, []);
    // Rules such as `up == 0` or `absent(...)` have a threshold too; `a > b` between two series has none.
    assert.ok(withThreshold / total > 0.9, `${withThreshold} of ${total} rules have the form <expr> <op> <number>`);
  });

  it("parses kubernetes-mixin's alert expressions too, which the parser was not written against", function () {
    if (!fs.existsSync(kubernetesMixin)) {
      console.warn(`skipping: ${kubernetesMixin} is absent`);
      this.skip();
    }
    // The mixin's jsonnet placeholders, filled as its config.libsonnet defaults would (selectors, label names, numbers).
    const fill: Record<string, string> = { cadvisorSelector: 'job="cadvisor"', clusterLabel: 'cluster', cpuThrottlingPercent: '25', cpuThrottlingSelector: '', ignoringOverprovisionedWorkloadSelector: '', kubeJobTimeoutDuration: '43200', kubeStateMetricsSelector: 'job="kube-state-metrics"', namespaceLabel: 'namespace', namespaceOvercommitFactor: '1.5', prefixedNamespaceSelector: '', resource: 'cpu' };
    const exprs: string[] = [];
    for (const f of fs.readdirSync(kubernetesMixin).filter((x) => /^alerts_.*\.libsonnet$/.test(x))) {
      const text = fs.readFileSync(path.join(kubernetesMixin, f), 'utf8');
      for (const m of text.matchAll(/expr: \|\|\|\n([\s\S]*?)\|\|\|/g)) exprs.push(m[1].replace(/%\((\w+)\)s/g, (_, k: string) => fill[k] ?? k).replace(/%%/g, '%'));
    }
    assert.ok(exprs.length >= 20, `${exprs.length} expressions read`);
    const failures = exprs.filter((e) => {
      try {
        parsePromql(e);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(failures, []);
  });
});
