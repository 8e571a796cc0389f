// Looking where an alert looks, against a real Prometheus (Debian binary on 127.0.0.1) scraping a target
// this test serves. The target's body is written exactly to the documented formats of what cannot run
// here: OpenTelemetry's HTTP server metrics as Prometheus exports them (semantic conventions:
// http_server_request_duration_seconds with http_response_status_code), and cAdvisor's and
// kube-state-metrics' container series (no Kubernetes here). Prometheus, its rules and queries are real.

import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert, MetricSeries } from '../../../src/core/model';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { investigate } from '../../../src/agent/investigate';
import { binariesAvailable, startPrometheus, waitFor, type RunningServer } from '../../support/promStack';

let scrapes = 0;
const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5];

function histogram(labels: string, count: number, slow: boolean): string[] {
  // Requests spread over the buckets: the slow service's half take 0.5 to 1 s.
  const counts = buckets.map((le) => Math.round(count * (slow ? (le < 0.5 ? 0.5 : le < 1 ? 0.6 : 1) : le < 0.1 ? 0.9 : 1)));
  return [
    ...buckets.map((le, i) => `http_server_request_duration_seconds_bucket{${labels},le="${le}"} ${counts[i]}`),
    `http_server_request_duration_seconds_bucket{${labels},le="+Inf"} ${count}`,
    `http_server_request_duration_seconds_sum{${labels}} ${count * (slow ? 0.4 : 0.03)}`,
    `http_server_request_duration_seconds_count{${labels}} ${count}`,
  ];
}

function metricsText(): string {
  scrapes++;
  const n = scrapes;
  const cadvisor = (pod: string, container: string, cpu: number, mem: number, throttled: number) => [
    `container_cpu_usage_seconds_total{namespace="shop",pod="${pod}",container="${container}"} ${cpu * n}`,
    `container_memory_working_set_bytes{namespace="shop",pod="${pod}",container="${container}"} ${mem}`,
    `container_cpu_cfs_periods_total{namespace="shop",pod="${pod}",container="${container}"} ${10 * n}`,
    `container_cpu_cfs_throttled_periods_total{namespace="shop",pod="${pod}",container="${container}"} ${throttled * n}`,
  ];
  return [
    '# HELP http_server_request_duration_seconds Duration of HTTP server requests.',
    '# TYPE http_server_request_duration_seconds histogram',
    ...histogram('service="payments",http_route="/pay",http_request_method="POST",http_response_status_code="200"', 16 * n, true),
    ...histogram('service="payments",http_route="/pay",http_request_method="POST",http_response_status_code="503"', 4 * n, true),
    ...histogram('service="cart",http_route="/cart",http_request_method="GET",http_response_status_code="200"', 10 * n, false),
    '# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.',
    '# TYPE container_cpu_usage_seconds_total counter',
    '# HELP container_memory_working_set_bytes Current working set in bytes.',
    '# TYPE container_memory_working_set_bytes gauge',
    '# TYPE container_cpu_cfs_periods_total counter',
    '# TYPE container_cpu_cfs_throttled_periods_total counter',
    ...cadvisor('payments-1', 'app', 1.5, 460 * 2 ** 20, 4),
    ...cadvisor('cart-1', 'app', 0.2, 50 * 2 ** 20, 0),
    // cAdvisor's sandbox and whole-pod series: not containers anyone wrote.
    `container_memory_working_set_bytes{namespace="shop",pod="payments-1",container="POD"} ${2 ** 20}`,
    `container_memory_working_set_bytes{namespace="shop",pod="payments-1",container=""} ${470 * 2 ** 20}`,
    '# HELP kube_pod_container_resource_limits The number of requested limit resource by a container.',
    '# TYPE kube_pod_container_resource_limits gauge',
    `kube_pod_container_resource_limits{namespace="shop",pod="payments-1",container="app",resource="memory",unit="byte"} ${512 * 2 ** 20}`,
    `kube_pod_container_resource_limits{namespace="shop",pod="cart-1",container="app",resource="memory",unit="byte"} ${512 * 2 ** 20}`,
    '# HELP kube_pod_container_status_restarts_total The number of container restarts per container.',
    '# TYPE kube_pod_container_status_restarts_total counter',
    `kube_pod_container_status_restarts_total{namespace="shop",pod="payments-1",container="app"} ${Math.floor(n / 5)}`,
    `kube_pod_container_status_restarts_total{namespace="shop",pod="cart-1",container="app"} 0`,
    '',
  ].join('\n');
}

const rules = `groups:
  - name: shop-red
    rules:
      - alert: PaymentsErrorRatio
        expr: sum by (service) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[15s])) / sum by (service) (rate(http_server_request_duration_seconds_count[15s])) > 0.05
        for: 0s
        labels: { severity: critical }
  - name: shop-pods
    rules:
      - alert: PodMemoryNearLimit
        expr: sum by (namespace, pod) (container_memory_working_set_bytes{container!="",container!="POD"}) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource="memory"}) > 0.8
        for: 0s
        labels: { severity: warning }
`;

const window = () => ({ start: Date.now() - 10 * 60_000, end: Date.now() });
const named = (list: MetricSeries[], name: string) => list.filter((s) => s.name === name);

describe('seriesForAlert against a real Prometheus: a service alert and a pod alert (target bodies in the documented OpenTelemetry, cAdvisor and kube-state-metrics formats)', function () {
  let target: http.Server;
  let prometheus: RunningServer | undefined;
  let prom: PrometheusSource;
  let serviceAlert: Alert;
  let podAlert: Alert;

  before(async function () {
    const bins = binariesAvailable();
    if (!bins.ok) {
      console.warn(`skipping: ${bins.missing.join(', ')} not installed`);
      this.skip();
    }
    this.timeout(90_000);
    target = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText());
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus(
      ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'rule_files: [RULES_FILE]', 'scrape_configs:', '  - job_name: shop', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'),
      rules,
    );
    prom = new PrometheusSource({ name: 'prom', url: prometheus.url, timeoutMs: 10_000 });
    const started = Date.now();
    const alerts = await waitFor(
      'both alerts to fire',
      async () => {
        const list = await prom.listAlerts();
        const s = list.find((a) => a.name === 'PaymentsErrorRatio' && a.state === 'firing');
        const p = list.find((a) => a.name === 'PodMemoryNearLimit' && a.state === 'firing');
        return s && p ? { s, p } : undefined;
      },
      45_000,
      300,
    );
    serviceAlert = alerts.s;
    podAlert = alerts.p;
    // Data for a whole rate range (a 15 s step plus a 1 s scrape): a younger series reads as a lower rate.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 20_000 - Date.now())));
  });

  after(async function () {
    this.timeout(20_000);
    await prometheus?.stop();
    if (target) await new Promise<void>((r) => target.close(() => r()));
  });

  it('each alert knows its rule and group; the pod alert fires for the one pod near its limit', () => {
    assert.equal(serviceAlert.rule?.group, 'shop-red');
    assert.equal(serviceAlert.rule?.unit, 'ratio');
    assert.deepEqual(serviceAlert.rule?.threshold, { op: '>', value: 0.05 });
    assert.equal(podAlert.labels.pod, 'payments-1');
    assert.equal(podAlert.rule?.group, 'shop-pods');
    // kube-state-metrics' limit says its unit in a label (unit="byte"), not in its name: no unit is guessed.
    assert.equal(podAlert.rule?.unit, undefined);
  });

  it("a service alert: its own expression for that service, then the service's RED series with units", async () => {
    const series = await prom.seriesForAlert(serviceAlert, window());
    const own = series.filter((s) => s.role === 'alert');
    assert.equal(own.length, 1);
    assert.equal(own[0].labels.service, 'payments');
    assert.deepEqual(own[0].threshold, { op: '>', value: 0.05 });
    assert.ok(Math.abs(own[0].values.at(-1)! - 0.2) < 0.02, `4 of 20 requests fail: ${own[0].values.at(-1)}`);
    const red = series.filter((s) => s.role === 'red');
    assert.deepEqual(red.map((s) => [s.name, s.unit]), [
      ['Request rate', 'req/s'],
      ['Error ratio', 'ratio'],
      ['Latency p50', 's'],
      ['Latency p95', 's'],
      ['Latency p99', 's'],
    ]);
    assert.ok(red.every((s) => s.query?.includes('service="payments"') && s.service === 'payments'));
    const rate = named(red, 'Request rate')[0].values.at(-1)!;
    assert.ok(rate > 10 && rate < 30, `20 requests per 1 s scrape: ${rate} req/s`);
    assert.ok(Math.abs(named(red, 'Error ratio')[0].values.at(-1)! - 0.2) < 0.02, 'errors from the 5xx status codes');
    assert.ok(named(red, 'Latency p95')[0].values.at(-1)! > 0.5, 'the slow half shows in p95');
    assert.ok(!series.some((s) => s.labels.service === 'cart' || s.query?.includes('cart')), 'nothing of the other service');
  });

  it("a pod alert: its own expression for that pod, then the pod's CPU in cores, memory, throttling and restarts", async () => {
    const series = await prom.seriesForAlert(podAlert, window());
    const own = series.filter((s) => s.role === 'alert');
    assert.equal(own.length, 1);
    assert.equal(own[0].labels.pod, 'payments-1');
    assert.ok(Math.abs(own[0].values.at(-1)! - 460 / 512) < 0.01);
    const resources = series.filter((s) => s.role === 'resource');
    const units = Object.fromEntries(resources.map((s) => [s.name, s.unit]));
    assert.deepEqual(units, { 'Container CPU': 'cores', 'CPU throttled': 'ratio', 'Container memory (working set)': 'bytes', 'Memory limit': 'bytes', 'Container restarts': 'count' });
    for (const s of resources) {
      assert.equal(s.labels.pod, 'payments-1', s.id);
      assert.equal(s.labels.container, 'app', `${s.id}: not the sandbox, not the whole pod`);
    }
    assert.ok(Math.abs(named(resources, 'Container CPU')[0].values.at(-1)! - 1.5) < 0.2, '1.5 CPU seconds per second is 1.5 cores');
    assert.ok(Math.abs(named(resources, 'CPU throttled')[0].values.at(-1)! - 0.4) < 0.05);
    assert.equal(named(resources, 'Container memory (working set)')[0].values.at(-1), 460 * 2 ** 20);
  });

  it('seriesForService gives another service its RED series, with a zero error ratio rather than none', async () => {
    const series = await prom.seriesForService('cart', window());
    assert.deepEqual(series.map((s) => s.name), ['Request rate', 'Error ratio', 'Latency p50', 'Latency p95', 'Latency p99']);
    assert.equal(named(series, 'Error ratio')[0].values.at(-1), 0);
    assert.ok(named(series, 'Latency p95')[0].values.at(-1)! < 0.25);
  });

  it('a hostile label value stays a value: it scopes to nothing rather than rewriting the query', async () => {
    const hostile = 'payments"}) or vector(42) or up{x="';
    const series = await prom.seriesForAlert({ ...serviceAlert, id: 'h', labels: { ...serviceAlert.labels, service: hostile }, service: hostile }, window());
    assert.ok(!series.some((s) => s.values.includes(42)), series.map((s) => s.query).join('\n'));
    assert.ok(!series.some((s) => s.role === 'alert'), 'no series of another service passes for the alert\'s own');
  });

  it('investigate() takes the alert\'s own metrics from seriesForAlert', async () => {
    const result = await investigate(serviceAlert, { metrics: [prom] }, { lookbackMs: 10 * 60_000 });
    assert.deepEqual(result.errors, []);
    const roles = result.bundle.metrics.map((s) => s.role);
    assert.equal(roles[0], 'alert');
    assert.ok(roles.includes('red'));
    assert.ok(result.bundle.metrics.every((s) => s.unit), 'every series carries its unit');
  });
});
