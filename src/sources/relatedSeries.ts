// Which series to look at beside an alert, chosen by what the alert is about and scoped by the labels
// that identify it: a host gets its USE series (node_exporter's names), a service its RED series (the
// OpenTelemetry semantic conventions and the Prometheus client conventions), a pod or container its
// resources (cAdvisor and kube-state-metrics). Metric names come from what the backend says exists
// (label values, series, metadata), never from substrings such as "error". Pure planning: the sources
// discover and query; this module only decides, so it is unit-tested without a backend.

import type { Alert, Labels, SeriesRole } from '../core/model';
import { unitFromMetricName } from './promqlUnits';

/** Labels that say which thing an alert is about, in the order they are tried. */
export const IDENTIFYING_LABELS = ['instance', 'job', 'pod', 'namespace', 'container', 'service', 'node'] as const;

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** One query to run for a related series, with what to call it and its unit. */
export interface SeriesPlan {
  name: string;
  query: string;
  unit?: string;
  role: SeriesRole;
  /** Upper bound on series this query may return. */
  limit: number;
  service?: string;
}

export interface MetricMeta {
  type?: string;
  unit?: string;
}

/**
 * The alert's identifying labels: those of IDENTIFYING_LABELS (and the configured service label) it
 * carries, without the rule's own static labels (a rule that adds `service: payments` to its alerts
 * does not make the series carry it).
 */
export function identifyingLabels(alert: Alert, opts: { serviceLabel?: string; ruleLabels?: Labels } = {}): Labels {
  const names = [...IDENTIFYING_LABELS, ...(opts.serviceLabel && !(IDENTIFYING_LABELS as readonly string[]).includes(opts.serviceLabel) ? [opts.serviceLabel] : [])];
  const out: Labels = {};
  for (const k of names) {
    const v = alert.labels?.[k];
    if (typeof v !== 'string' || v === '') continue;
    const staticValue = opts.ruleLabels?.[k];
    if (staticValue !== undefined && !staticValue.includes('{{')) continue;
    out[k] = v;
  }
  return out;
}

/** Matcher text for inside braces: `instance="a:9100",job="node"`. Values are quoted as PromQL strings. */
export function matcherText(scope: Labels | LabelMatcher[]): string {
  const list = Array.isArray(scope) ? scope : Object.entries(scope).map(([name, value]) => ({ name, op: '=' as const, value }));
  return list
    .filter((m) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name))
    .map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`)
    .join(',');
}

/** `metric{scope,extra}` */
export function selectorFor(metric: string, scope: string, ...extra: string[]): string {
  return `${metric}{${[scope, ...extra].filter(Boolean).join(',')}}`;
}

/** A regular expression matching exactly this text (for `instance=~"host(:[0-9]+)?"`). */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The host part of an `instance` label (`10.0.0.5:9100` -> `10.0.0.5`, `[::1]:9100` -> `[::1]`). */
export function hostOfInstance(instance: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(instance);
  return m ? m[1] : instance;
}

// ---- hosts: node_exporter ----

/** Metrics whose presence says "node_exporter runs on this instance". */
const nodeExporterMarkers = ['node_cpu_seconds_total', 'node_load1', 'node_memory_MemTotal_bytes'];

export function looksLikeNodeExporter(names: Set<string>): boolean {
  return nodeExporterMarkers.some((n) => names.has(n));
}

/** Filesystems that hold no user data; their fullness says nothing. */
const pseudoFilesystems = 'tmpfs|ramfs|devtmpfs|squashfs|overlay|nsfs|proc|sysfs|cgroup2?|autofs|fuse\\..*';

/** USE series of a host, for the node_exporter metrics that exist under the scope. */
export function hostPlans(scope: string, names: Set<string>, range: string): SeriesPlan[] {
  const has = (n: string) => names.has(n);
  const sel = (metric: string, ...extra: string[]) => selectorFor(metric, scope, ...extra);
  const plans: SeriesPlan[] = [];
  if (has('node_cpu_seconds_total')) {
    plans.push({ name: 'CPU by mode', query: `avg by (instance, mode) (rate(${sel('node_cpu_seconds_total')}[${range}]))`, unit: 'ratio', role: 'use', limit: 10 });
  }
  if (has('node_load1')) {
    plans.push(
      has('node_cpu_seconds_total')
        ? { name: 'Load per CPU (1 min)', query: `${sel('node_load1')} / on (instance) count by (instance) (${sel('node_cpu_seconds_total', 'mode="idle"')})`, role: 'use', limit: 2 }
        : { name: 'Load (1 min)', query: sel('node_load1'), role: 'use', limit: 2 },
    );
  }
  if (has('node_memory_MemAvailable_bytes') && has('node_memory_MemTotal_bytes')) {
    plans.push({ name: 'Memory used', query: `1 - ${sel('node_memory_MemAvailable_bytes')} / ${sel('node_memory_MemTotal_bytes')}`, unit: 'ratio', role: 'use', limit: 2 });
  }
  if (has('node_vmstat_pgmajfault')) {
    plans.push({ name: 'Major page faults', query: `rate(${sel('node_vmstat_pgmajfault')}[${range}])`, unit: '/s', role: 'use', limit: 2 });
  }
  if (has('node_disk_io_time_seconds_total')) {
    plans.push({ name: 'Disk busy by device', query: `rate(${sel('node_disk_io_time_seconds_total')}[${range}])`, unit: 'ratio', role: 'use', limit: 4 });
  }
  for (const [metric, title] of [
    ['node_disk_read_bytes_total', 'Disk read'],
    ['node_disk_written_bytes_total', 'Disk written'],
  ] as const) {
    if (has(metric)) plans.push({ name: title, query: `sum by (instance) (rate(${sel(metric)}[${range}]))`, unit: 'bytes/s', role: 'use', limit: 2 });
  }
  if (has('node_filesystem_avail_bytes') && has('node_filesystem_size_bytes')) {
    const fs = `fstype!~${JSON.stringify(pseudoFilesystems)}`;
    plans.push({ name: 'Filesystem used', query: `1 - ${sel('node_filesystem_avail_bytes', fs)} / ${sel('node_filesystem_size_bytes', fs)}`, unit: 'ratio', role: 'use', limit: 5 });
  }
  for (const [metric, title] of [
    ['node_network_receive_bytes_total', 'Network received'],
    ['node_network_transmit_bytes_total', 'Network sent'],
  ] as const) {
    if (has(metric)) plans.push({ name: title, query: `sum by (instance) (rate(${sel(metric, 'device!="lo"')}[${range}]))`, unit: 'bytes/s', role: 'use', limit: 2 });
  }
  const errs = ['node_network_receive_errs_total', 'node_network_transmit_errs_total'].filter(has);
  if (errs.length) {
    plans.push({ name: 'Network errors', query: errs.map((m) => `sum by (instance) (rate(${sel(m, 'device!="lo"')}[${range}]))`).join(' + '), unit: '/s', role: 'use', limit: 2 });
  }
  return plans;
}

// ---- pods and containers: cAdvisor, kube-state-metrics ----

export function podPlans(scope: string, names: Set<string>, range: string): SeriesPlan[] {
  const has = (n: string) => names.has(n);
  const sel = (metric: string, ...extra: string[]) => selectorFor(metric, scope, ...extra);
  // cAdvisor also reports the pod's sandbox ("POD") and the pod as a whole (container=""): skip both.
  const real = ['container!=""', 'container!="POD"'];
  const by = 'namespace, pod, container';
  const plans: SeriesPlan[] = [];
  if (has('container_cpu_usage_seconds_total')) {
    // CPU seconds per second is the number of cores busy.
    plans.push({ name: 'Container CPU', query: `sum by (${by}) (rate(${sel('container_cpu_usage_seconds_total', ...real)}[${range}]))`, unit: 'cores', role: 'resource', limit: 6 });
  }
  if (has('container_cpu_cfs_throttled_periods_total') && has('container_cpu_cfs_periods_total')) {
    plans.push({
      name: 'CPU throttled',
      query: `sum by (${by}) (rate(${sel('container_cpu_cfs_throttled_periods_total', ...real)}[${range}])) / sum by (${by}) (rate(${sel('container_cpu_cfs_periods_total', ...real)}[${range}]))`,
      unit: 'ratio',
      role: 'resource',
      limit: 6,
    });
  }
  if (has('container_memory_working_set_bytes')) {
    plans.push({ name: 'Container memory (working set)', query: `sum by (${by}) (${sel('container_memory_working_set_bytes', ...real)})`, unit: 'bytes', role: 'resource', limit: 6 });
  }
  if (has('kube_pod_container_resource_limits')) {
    plans.push({ name: 'Memory limit', query: `sum by (${by}) (${sel('kube_pod_container_resource_limits', 'resource="memory"')})`, unit: 'bytes', role: 'resource', limit: 6 });
  }
  if (has('kube_pod_container_status_restarts_total')) {
    // Restarts are rare events: a count over the range reads better than a rate per second.
    plans.push({ name: 'Container restarts', query: `sum by (${by}) (increase(${sel('kube_pod_container_status_restarts_total')}[${range}]))`, unit: 'count', role: 'resource', limit: 6 });
  }
  if (has('kube_pod_container_status_last_terminated_reason')) {
    plans.push({ name: 'Last terminated: OOMKilled', query: `sum by (${by}) (${sel('kube_pod_container_status_last_terminated_reason', 'reason="OOMKilled"')})`, unit: 'count', role: 'resource', limit: 6 });
  }
  return plans;
}

// ---- services: RED ----

/** A request-duration histogram (or a request counter) of one convention. */
export interface RedFamily {
  /** The histogram's name without `_bucket`, or the counter's name. */
  base: string;
  histogram: boolean;
  /** The metric whose rate is the request rate: the histogram's `_count` or the counter. */
  countMetric: string;
  /** Unit of the histogram's observations. */
  unit?: 's' | 'ms';
}

// Request-duration histograms, most standard first: OpenTelemetry's stable HTTP and RPC conventions as
// Prometheus exports them, the older OpenTelemetry names, the Prometheus client libraries' customary
// names, Micrometer's, and go-grpc-prometheus's.
const durationHistograms: [string, 's' | 'ms'][] = [
  ['http_server_request_duration_seconds', 's'],
  ['rpc_server_call_duration_seconds', 's'],
  ['http_server_duration_milliseconds', 'ms'],
  ['rpc_server_duration_milliseconds', 'ms'],
  ['http_request_duration_seconds', 's'],
  ['http_server_requests_seconds', 's'],
  ['grpc_server_handling_seconds', 's'],
];
// Request counters for when there is no duration histogram.
const requestCounters = ['http_requests_total', 'grpc_server_handled_total'];

/**
 * The service's request metrics, by convention first, then any histogram that the metadata calls a
 * histogram and whose unit (metadata or name suffix) is a duration. At most `max`.
 */
export function redFamilies(names: Set<string>, meta: Map<string, MetricMeta>, max = 2): RedFamily[] {
  const out: RedFamily[] = [];
  const seen = new Set<string>();
  const add = (f: RedFamily) => {
    if (seen.has(f.base) || out.length >= max) return;
    seen.add(f.base);
    out.push(f);
  };
  for (const [base, unit] of durationHistograms) {
    if (names.has(`${base}_count`)) add({ base, histogram: names.has(`${base}_bucket`), countMetric: `${base}_count`, unit });
  }
  if (!out.length) {
    for (const n of [...names].sort()) {
      if (!n.endsWith('_bucket')) continue;
      const base = n.slice(0, -'_bucket'.length);
      const m = meta.get(base);
      if (m?.type !== 'histogram' || !names.has(`${base}_count`)) continue;
      const unit = m.unit === 'seconds' ? 's' : m.unit === 'milliseconds' ? 'ms' : unitFromMetricName(base).unit;
      if (unit === 's' || unit === 'ms') add({ base, histogram: true, countMetric: `${base}_count`, unit });
    }
  }
  if (!out.length) for (const c of requestCounters) if (names.has(c)) add({ base: c, histogram: false, countMetric: c });
  return out;
}

/** Status labels of the conventions above, and what a server error is in each. */
const statusLabels: [string, string][] = [
  ['http_response_status_code', '=~"5.."'],
  ['http_status_code', '=~"5.."'],
  ['status_code', '=~"5.."'],
  ['code', '=~"5.."'],
  ['status', '=~"5.."'],
  // gRPC: the codes that mean the server failed (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
  ['grpc_code', '=~"Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss"'],
  ['rpc_grpc_status_code', '=~"2|4|12|13|14|15"'],
];

/** The matcher that selects failed requests, from the labels the request metric has; undefined when it has none of them. */
export function errorMatcher(labelNames: Set<string>): string | undefined {
  for (const [label, match] of statusLabels) if (labelNames.has(label)) return `${label}${match}`;
  // OpenTelemetry sets error.type only on failed operations.
  if (labelNames.has('error_type')) return 'error_type!=""';
  return undefined;
}

export function redPlans(scope: string, family: RedFamily, errors: string | undefined, range: string, service?: string): SeriesPlan[] {
  const sel = (metric: string, ...extra: string[]) => selectorFor(metric, scope, ...extra);
  const requests = `sum(rate(${sel(family.countMetric)}[${range}]))`;
  const base: Pick<SeriesPlan, 'role' | 'limit' | 'service'> = { role: 'red', limit: 1, ...(service ? { service } : {}) };
  const plans: SeriesPlan[] = [{ ...base, name: 'Request rate', query: requests, unit: 'req/s' }];
  if (errors) {
    // No failed request at all is a ratio of zero, not a missing series.
    plans.push({ ...base, name: 'Error ratio', query: `(sum(rate(${sel(family.countMetric, errors)}[${range}])) or vector(0)) / ${requests}`, unit: 'ratio' });
  }
  if (family.histogram) {
    for (const q of [0.5, 0.95, 0.99]) {
      plans.push({ ...base, name: `Latency p${Math.round(q * 100)}`, query: `histogram_quantile(${q}, sum by (le) (rate(${sel(`${family.base}_bucket`)}[${range}])))`, unit: family.unit });
    }
  }
  return plans;
}

/**
 * For an alert none of the conventions cover: the series its own expression reads, each selector as
 * the rule wrote it (already scoped), in the form its type asks for: counters as rates, histograms as
 * p95, gauges as they are. At most `max`.
 */
export function ingredientPlans(selectors: { name: string; text: string }[], names: Set<string>, meta: Map<string, MetricMeta>, range: string, max: number, service?: string): SeriesPlan[] {
  const plans: SeriesPlan[] = [];
  const seen = new Set<string>();
  for (const s of selectors) {
    if (plans.length >= max) break;
    if (seen.has(s.text) || !names.has(s.name)) continue;
    seen.add(s.text);
    const conv = unitFromMetricName(s.name);
    const family = s.name.replace(/_(bucket|count|sum)$/, '');
    const m = meta.get(s.name) ?? meta.get(family);
    const extra = service ? { service } : {};
    if (conv.bucket) {
      plans.push({ name: `${family} p95`, query: `histogram_quantile(0.95, sum by (le) (rate(${s.text}[${range}])))`, unit: unitFromMetricName(family).unit, role: 'other', limit: 1, ...extra });
    } else if (conv.counter || m?.type === 'counter') {
      const unit = conv.unit === 's' ? 'ratio' : conv.unit === 'bytes' ? 'bytes/s' : '/s';
      plans.push({ name: `${s.name} rate`, query: `rate(${s.text}[${range}])`, unit, role: 'other', limit: 4, ...extra });
    } else {
      plans.push({ name: s.name, query: s.text, unit: m?.unit || conv.unit, role: 'other', limit: 4, ...extra });
    }
  }
  return plans;
}
