import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { parsePromql } from '../../../src/sources/promqlExpr';
import { errorMatcher, hostOfInstance, hostPlans, identifyingLabels, ingredientPlans, matcherText, podPlans, redFamilies, redPlans } from '../../../src/sources/relatedSeries';

const alert = (labels: Record<string, string>): Alert => ({ id: 'x', name: labels.alertname ?? 'A', state: 'firing', severity: 'warning', labels, annotations: {}, startsAt: 0, sourceName: 's', sourceKind: 'prometheus' });

describe('related series: what to look at beside an alert', () => {
  it("scopes by the alert's identifying labels, not by the labels its rule adds", () => {
    const a = alert({ alertname: 'HostHighCpuLoad', instance: 'h:9100', job: 'node', severity: 'warning', team: 'infra', pod: '' });
    assert.deepEqual(identifyingLabels(a), { instance: 'h:9100', job: 'node' });
    const b = alert({ alertname: 'PaymentsErrors', service: 'payments', env: 'prod', namespace: 'shop' });
    assert.deepEqual(identifyingLabels(b, { ruleLabels: { namespace: 'shop', severity: 'critical' } }), { service: 'payments' }, "the rule's static namespace is not on the series");
    assert.deepEqual(identifyingLabels(alert({ app: 'cart', job: 'k' }), { serviceLabel: 'app' }), { job: 'k', app: 'cart' }, 'the configured service label identifies too');
  });

  it('a host gets its USE series, for the node_exporter metrics that exist only', () => {
    const scope = matcherText({ instance: 'h:9100' });
    const all = new Set(['node_cpu_seconds_total', 'node_load1', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes', 'node_disk_io_time_seconds_total', 'node_filesystem_avail_bytes', 'node_filesystem_size_bytes', 'node_network_receive_bytes_total', 'node_network_transmit_errs_total']);
    const plans = hostPlans(scope, all, '60s');
    const byName = Object.fromEntries(plans.map((p) => [p.name, p]));
    assert.equal(byName['CPU by mode'].query, 'avg by (instance, mode) (rate(node_cpu_seconds_total{instance="h:9100"}[60s]))');
    assert.equal(byName['CPU by mode'].unit, 'ratio');
    assert.match(byName['Load per CPU (1 min)'].query, /node_load1\{instance="h:9100"\} \/ on \(instance\) count by \(instance\)/);
    assert.equal(byName['Memory used'].unit, 'ratio');
    assert.equal(byName['Disk busy by device'].unit, 'ratio');
    assert.equal(byName['Network received'].unit, 'bytes/s');
    assert.ok(byName['Network errors'] && !byName['Disk read'], 'only what exists');
    for (const p of plans) {
      assert.doesNotThrow(() => parsePromql(p.query), p.query);
      assert.ok(p.role === 'use' && p.limit > 0);
    }
    const bare = hostPlans(scope, new Set(['node_load1']), '60s');
    assert.deepEqual(bare.map((p) => [p.name, p.query]), [['Load (1 min)', 'node_load1{instance="h:9100"}']]);
  });

  it("a pod gets its containers' CPU in cores, memory, throttling and restarts (cAdvisor, kube-state-metrics)", () => {
    const scope = matcherText({ namespace: 'shop', pod: 'payments-7d9' });
    const plans = podPlans(scope, new Set(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total', 'kube_pod_container_status_restarts_total']), '2m');
    assert.deepEqual(plans.map((p) => [p.name, p.unit]), [
      ['Container CPU', 'cores'],
      ['CPU throttled', 'ratio'],
      ['Container memory (working set)', 'bytes'],
      ['Container restarts', 'count'],
    ]);
    assert.ok(plans.every((p) => p.query.includes('namespace="shop",pod="payments-7d9"')));
    assert.ok(plans[0].query.includes('container!="POD"'), "the pod's sandbox is not a container");
    for (const p of plans) assert.doesNotThrow(() => parsePromql(p.query), p.query);
  });

  it('a service gets RED from the conventional names, preferring OpenTelemetry, and errors from its status label', () => {
    const names = new Set(['http_requests_total', 'http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_sum', 'process_cpu_seconds_total']);
    const [family] = redFamilies(names, new Map());
    assert.deepEqual(family, { base: 'http_server_request_duration_seconds', histogram: true, countMetric: 'http_server_request_duration_seconds_count', unit: 's' });
    assert.equal(errorMatcher(new Set(['__name__', 'http_response_status_code', 'http_route'])), 'http_response_status_code=~"5.."');
    assert.equal(errorMatcher(new Set(['grpc_code'])), 'grpc_code=~"Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss"');
    assert.equal(errorMatcher(new Set(['error_type'])), 'error_type!=""');
    assert.equal(errorMatcher(new Set(['route'])), undefined);
    const plans = redPlans(matcherText({ service: 'payments' }), family, 'http_response_status_code=~"5.."', '1m', 'payments');
    assert.deepEqual(plans.map((p) => [p.name, p.unit]), [
      ['Request rate', 'req/s'],
      ['Error ratio', 'ratio'],
      ['Latency p50', 's'],
      ['Latency p95', 's'],
      ['Latency p99', 's'],
    ]);
    assert.equal(plans[1].query, '(sum(rate(http_server_request_duration_seconds_count{service="payments",http_response_status_code=~"5.."}[1m])) or vector(0)) / sum(rate(http_server_request_duration_seconds_count{service="payments"}[1m]))');
    assert.ok(plans.every((p) => p.service === 'payments' && p.role === 'red'));
    // Only a counter: a request rate and errors, no made-up latency.
    assert.deepEqual(redFamilies(new Set(['http_requests_total']), new Map()).map((f) => [f.base, f.histogram]), [['http_requests_total', false]]);
  });

  it('an unconventional histogram counts only when the metadata says histogram and its unit is a duration', () => {
    const names = new Set(['shop_checkout_latency_bucket', 'shop_checkout_latency_count', 'shop_queue_size_bucket', 'shop_queue_size_count']);
    const meta = new Map([
      ['shop_checkout_latency', { type: 'histogram', unit: 'seconds' }],
      ['shop_queue_size', { type: 'histogram' }],
    ]);
    assert.deepEqual(redFamilies(names, meta).map((f) => [f.base, f.unit]), [['shop_checkout_latency', 's']]);
    assert.deepEqual(redFamilies(names, new Map()), [], 'without metadata, no guess from the name');
    // And never because a name says "error".
    assert.deepEqual(redFamilies(new Set(['node_filesystem_device_error', 'node_netstat_Tcp_InErrors']), new Map()), []);
  });

  it("charts what an unconventional rule reads, each series as its type asks", () => {
    const plans = ingredientPlans(
      [
        { name: 'jobs_failed_total', text: 'jobs_failed_total{queue="mail"}' },
        { name: 'queue_depth', text: 'queue_depth{queue="mail"}' },
        { name: 'queue_depth', text: 'queue_depth{queue="mail"}' },
        { name: 'absent_metric', text: 'absent_metric' },
      ],
      new Set(['jobs_failed_total', 'queue_depth']),
      new Map([['queue_depth', { type: 'gauge' }]]),
      '1m',
      4,
    );
    assert.deepEqual(plans.map((p) => [p.query, p.unit]), [
      ['rate(jobs_failed_total{queue="mail"}[1m])', '/s'],
      ['queue_depth{queue="mail"}', undefined],
    ]);
  });

  it('reads the host of an instance', () => {
    assert.equal(hostOfInstance('10.0.0.5:9100'), '10.0.0.5');
    assert.equal(hostOfInstance('[::1]:9100'), '[::1]');
    assert.equal(hostOfInstance('node-a'), 'node-a');
  });
});
