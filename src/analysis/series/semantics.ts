// What a metric series means, read from its type, unit and naming conventions (Prometheus, OpenTelemetry
// semantic conventions, the common exporters), never from one system's own names: is it a counter, a
// histogram bucket or a gauge; is it traffic, errors, latency, saturation, memory, availability or a
// limit; which way is bad; and which service, host, pod or zone it belongs to.
import type { MetricSeries } from '../../core/model';
import type { SeriesRole } from '../../core/investigation';

export type SeriesKind = 'counter' | 'gauge' | 'bucket' | 'histogram-sum' | 'histogram-count';
export type Resource = 'cpu' | 'memory' | 'disk' | 'connections' | 'threads' | 'queue' | 'network' | 'files' | 'quota' | 'lag';

export interface SeriesMeaning {
  kind: SeriesKind;
  role: SeriesRole;
  /** Which way is bad. */
  direction: 'up' | 'down' | 'both';
  /** The name without the histogram/counter suffixes, lower case. */
  baseName: string;
  /** A ceiling (max connections, a memory limit, a quota): what usage series are compared with. */
  isLimit: boolean;
  /** The process's start time: a step in it is a restart. */
  isStartTime: boolean;
  resource?: Resource;
  /** Where the series lives. */
  entity: { service?: string; host?: string; pod?: string; zone?: string; instance?: string };
}

const SUFFIX = /(_bucket|\.bucket|_sum|\.sum|_count|\.count|_total|_created)$/;

function tokens(name: string): string[] {
  return name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

const ERROR_WORDS = new Set(['error', 'errors', 'failed', 'failure', 'failures', 'fail', 'fails', 'faults', 'fault', 'exception', 'exceptions', 'panic', 'panics', 'rejected', 'rejections', 'denied', 'timeouts', 'dropped', 'drops', 'drop', 'aborted', 'killed', 'oom', 'servfail', 'unavailable', 'crash', 'crashes', '5xx', 'invalid', 'refused']);
const LATENCY_WORDS = new Set(['duration', 'latency', 'latencies', 'rtt', 'wait', 'elapsed', 'response_time', 'handling']);
const AVAILABILITY_WORDS = new Set(['up', 'success', 'successful', 'available', 'availability', 'serving', 'healthy', 'ready', 'writable', 'uptime', 'ok', 'reachable']);
const SATURATION_WORDS = new Set(['cpu', 'utilisation', 'utilization', 'load', 'load1', 'load5', 'load15', 'queue', 'queued', 'backlog', 'pending', 'inuse', 'in_use', 'active', 'connected', 'running', 'busy', 'waiting', 'waited', 'lag', 'staleness', 'pressure', 'throttled', 'throttling', 'saturation', 'goroutines', 'threads', 'used', 'usage', 'open', 'locks', 'blocked', 'undelivered', 'inflight']);
const MEMORY_WORDS = new Set(['memory', 'mem', 'heap', 'rss', 'working', 'alloc', 'allocated', 'memstats']);
const TRAFFIC_WORDS = new Set(['requests', 'request', 'queries', 'query', 'messages', 'ops', 'rps', 'qps', 'throughput', 'received', 'sent', 'handled', 'calls', 'deliveries', 'commands', 'questions', 'lookups', 'responses', 'reads', 'writes', 'logins', 'registrations', 'orders', 'transactions', 'events', 'packets', 'bytes_received', 'executions', 'jobs']);
const LIMIT_WORDS = new Set(['max', 'limit', 'limits', 'capacity', 'quota', 'maximum', 'spec', 'size']);

/** Label values that mark a series as counting failures (HTTP 5xx, gRPC errors, DNS SERVFAIL, "error" outcomes). */
export function isErrorStatus(value: string): boolean {
  const v = value.trim().toLowerCase();
  return /^5\d\d$|^5xx$/.test(v) || ['error', 'errors', 'failure', 'failed', 'fail', 'server_error', 'servfail', 'unavailable', 'internal', 'deadline_exceeded', 'resource_exhausted', 'unknown', 'aborted', 'dataloss', 'timeout', 'refused', 'nxdomain'].includes(v);
}

const STATUS_LABELS = ['status', 'code', 'status_code', 'http_status_code', 'http.response.status_code', 'http_response_status_code', 'response_code', 'rcode', 'outcome', 'result', 'grpc_code', 'code_class', 'envoy_response_code_class', 'status_class', 'state'];

/** The labels that say which service a series belongs to, most specific first. */
const SERVICE_LABELS = ['service', 'service.name', 'service_name', 'app', 'application', 'app_kubernetes_io_name', 'app.kubernetes.io/name', 'container', 'job'];
const HOST_LABELS = ['host', 'host.name', 'hostname', 'node', 'k8s.node.name', 'kubernetes_node', 'nodename'];
const ZONE_LABELS = ['zone', 'topology_kubernetes_io_zone', 'topology.kubernetes.io/zone', 'cloud.availability_zone', 'availability_zone', 'az', 'failure_domain'];

export function seriesMeaning(s: Pick<MetricSeries, 'name' | 'labels' | 'unit' | 'service'>): SeriesMeaning {
  const name = (s.name ?? '').trim();
  const lower = name.toLowerCase();
  const labels = s.labels ?? {};
  const hasLe = 'le' in labels;
  let kind: SeriesKind = 'gauge';
  if (/(_bucket|\.bucket)$/.test(lower) && hasLe) kind = 'bucket';
  else if (/(_sum|\.sum)$/.test(lower)) kind = 'histogram-sum';
  else if (/(_count|\.count)$/.test(lower) && !/connection[s]?[._]count$/.test(lower)) kind = 'histogram-count';
  else if (/(_total|\.total)$/.test(lower)) kind = 'counter';
  const baseName = lower.replace(SUFFIX, '');
  const t = tokens(baseName);
  const has = (set: Set<string>) => t.some((x) => set.has(x));
  const unit = (s.unit ?? '').toLowerCase();
  const seconds = /(^|_|\.)(seconds?|ms|milliseconds|us|microseconds)$/.test(baseName) || ['s', 'ms', 'seconds', 'us'].includes(unit);
  const statusLabel = STATUS_LABELS.find((l) => labels[l] !== undefined);
  const errorByLabel = statusLabel !== undefined && isErrorStatus(labels[statusLabel]);
  const isStartTime = /start_time|process_start/.test(baseName);
  let role: SeriesRole = 'other';
  let resource: Resource | undefined;
  const isLimit = has(LIMIT_WORDS) && !has(ERROR_WORDS) && !/(_used|_usage|_in_use|inuse)/.test(baseName) && !/exceeded|reached/.test(baseName);
  if (/filesystem|disk|volume/.test(baseName)) resource = 'disk';
  else if (/cpu|throttl/.test(baseName)) resource = 'cpu';
  else if (has(MEMORY_WORDS)) resource = 'memory';
  else if (/conn|pool|clients|sessions/.test(baseName)) resource = 'connections';
  else if (/thread|goroutine|worker/.test(baseName)) resource = 'threads';
  else if (/queue|backlog|undelivered|pending/.test(baseName)) resource = 'queue';
  else if (/network|receive|transmit|packets/.test(baseName) && /node_/.test(baseName)) resource = 'network';
  else if (/fds?\b|file_descriptor|open_fds|files_free/.test(baseName)) resource = 'files';
  else if (/quota/.test(baseName)) resource = 'quota';
  else if (/lag|staleness|replication_delay/.test(baseName)) resource = 'lag';

  if (isStartTime) role = 'other';
  else if (has(ERROR_WORDS) || errorByLabel) role = 'errors';
  else if (!isLimit && (has(LATENCY_WORDS) || (seconds && (kind === 'bucket' || kind === 'histogram-sum' || kind === 'histogram-count'))) && resource !== 'cpu') role = kind === 'histogram-count' ? 'traffic' : 'latency';
  else if (has(AVAILABILITY_WORDS) && !has(TRAFFIC_WORDS) && resource === undefined) role = 'availability';
  else if (resource === 'memory' && !isLimit) role = 'memory';
  else if (!isLimit && (has(SATURATION_WORDS) || /in_use|inuse|_used\b|in\.use/.test(baseName) || resource === 'cpu' || resource === 'queue' || resource === 'lag' || (resource === 'disk' && /avail|free|used|usage/.test(baseName)))) role = 'saturation';
  else if (has(TRAFFIC_WORDS) || (kind === 'histogram-count' && !isLimit)) role = 'traffic';
  // Free space and remaining capacity fall when things go wrong; success and availability fall too.
  let direction: SeriesMeaning['direction'] = 'both';
  if (role === 'errors' || role === 'latency' || role === 'memory') direction = 'up';
  else if (role === 'availability') direction = 'down';
  else if (role === 'saturation') direction = /avail|free|remaining|idle/.test(baseName) ? 'down' : 'up';
  const entity: SeriesMeaning['entity'] = {};
  const service = s.service ?? SERVICE_LABELS.map((l) => labels[l]).find((v) => typeof v === 'string' && v !== '');
  if (service) entity.service = service;
  const host = HOST_LABELS.map((l) => labels[l]).find((v) => typeof v === 'string' && v !== '');
  if (host) entity.host = host;
  const pod = labels.pod ?? labels['k8s.pod.name'] ?? labels.pod_name;
  if (pod) entity.pod = pod;
  const zone = ZONE_LABELS.map((l) => labels[l]).find((v) => typeof v === 'string' && v !== '');
  if (zone) entity.zone = zone;
  if (labels.instance) entity.instance = labels.instance;
  return { kind, role, direction, baseName, isLimit, isStartTime, ...(resource ? { resource } : {}), entity };
}

/** A series whose values never fall except to reset: a cumulative counter exported as it is. */
export function looksCumulative(values: readonly number[]): boolean {
  let rises = 0;
  let falls = 0;
  let finite = 0;
  let prev = NaN;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    finite++;
    if (Number.isFinite(prev)) {
      if (v > prev) rises++;
      else if (v < prev) falls++;
    }
    prev = v;
  }
  // Counters rise most of the time and fall only at a reset (to a value near zero).
  return finite >= 8 && rises >= finite / 3 && falls <= Math.max(1, finite / 50);
}
