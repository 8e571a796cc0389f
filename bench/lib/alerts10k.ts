// 10,000 active alerts in Alertmanager API v2 JSON served from a local HTTP server, listed through
// AlertmanagerSource (HTTP, parse, map) and grouped by service: the time a refresh of a very busy
// Alertmanager costs. Median of several runs after one warm-up.

import { Worker } from 'node:worker_threads';
import { AlertmanagerSource } from '../../src/sources/alertmanager';
import { groupAlerts } from '../../src/agent/alertGrouping';
import { mulberry32 } from '../../src/eval/random';

const alertNames = [
  'HighErrorRate', 'HighLatencyP99', 'HighLatencyP95', 'PodCrashLooping', 'PodNotReady', 'DeploymentReplicasMismatch', 'ContainerOOMKilled',
  'NodeDiskPressure', 'NodeMemoryPressure', 'NodeNotReady', 'DiskSpaceLow', 'DiskWillFillIn4Hours', 'CPUThrottlingHigh', 'MemoryUsageHigh',
  'TargetDown', 'ProbeFailure', 'SSLCertExpiringSoon', 'KafkaConsumerLag', 'KafkaUnderReplicatedPartitions', 'RabbitMQQueueBacklog',
  'PostgresReplicationLag', 'PostgresTooManyConnections', 'PostgresDeadlocks', 'MySQLSlowQueries', 'RedisMemoryHigh', 'RedisRejectedConnections',
  'ElasticsearchClusterYellow', 'ElasticsearchHeapHigh', 'HTTP5xxRateHigh', 'HTTP4xxRateHigh', 'GRPCErrorRateHigh', 'UpstreamTimeouts',
  'CircuitBreakerOpen', 'JobFailed', 'CronJobMissed', 'QueueDepthHigh', 'ThreadPoolExhausted', 'GCPauseLong', 'FileDescriptorsExhausted',
  'CertManagerRenewFailed', 'IngressErrorBudgetBurn', 'SLOBurnRateFast', 'SLOBurnRateSlow', 'CanaryFailing', 'ConfigReloadFailed',
  'DNSResolutionFailures', 'NetworkPacketLoss', 'LoadBalancerUnhealthy', 'PaymentProviderErrors', 'CacheHitRateLow',
];

const services = [
  'checkout', 'cart', 'payments', 'search', 'catalog', 'inventory', 'shipping', 'orders', 'users', 'auth', 'notifications', 'recommendations',
  'reviews', 'pricing', 'promotions', 'gateway', 'frontend', 'admin', 'billing', 'invoices', 'fraud', 'ledger', 'reports', 'email', 'sms',
  'media', 'uploads', 'geo', 'currency', 'wishlist',
];

const severities = ['critical', 'warning', 'warning', 'info', 'page', 'error'];
const envs = ['prod', 'prod', 'prod', 'staging'];
const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];

export function generateAlertmanagerAlerts(count: number, now = Date.now()): unknown[] {
  const rand = mulberry32(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const alertname = pick(alertNames);
    const service = pick(services);
    const env = pick(envs);
    const pod = `${service}-${Math.floor(rand() * 1e6).toString(36)}-${Math.floor(rand() * 1e5).toString(36)}`;
    const startsAt = new Date(now - Math.floor(rand() * 6 * 3600_000)).toISOString();
    const silenced = rand() < 0.05;
    out.push({
      annotations: {
        summary: `${alertname} on ${service} (${pod})`,
        description: `${alertname} has been active for ${service} in ${env}; value ${Math.round(rand() * 1000) / 10}.`,
        runbook_url: `https://runbooks.example.org/${alertname}`,
      },
      endsAt: new Date(now + 4 * 60_000).toISOString(),
      fingerprint: (i * 2654435761 + 0x9e3779b9).toString(16).padStart(16, '0').slice(-16),
      receivers: [{ name: env === 'prod' ? 'pagerduty' : 'slack-staging' }],
      startsAt,
      status: { inhibitedBy: [], silencedBy: silenced ? ['5c6c8a5e-8f2a-4b4e-9b57-0f4b3a1f0d11'] : [], state: silenced ? 'suppressed' : 'active' },
      updatedAt: startsAt,
      generatorURL: `http://prometheus.${env}.example.org:9090/graph?g0.expr=${encodeURIComponent(`${alertname.toLowerCase()}{service="${service}"} > 1`)}&g0.tab=1`,
      labels: {
        alertname,
        service,
        severity: pick(severities),
        env,
        namespace: `${service}-${env}`,
        pod,
        instance: `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}:8080`,
        job: `kubernetes-pods`,
        region: pick(regions),
        team: `team-${service.length % 7}`,
        prometheus: `monitoring/k8s-${env}`,
      },
    });
  }
  return out;
}

const serverThreadCode = `
const http = require('node:http');
const { workerData, parentPort } = require('node:worker_threads');
const body = Buffer.from(workerData);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Alerts10kDetail {
  alerts10kMs: number;
  listMs: number;
  groupMs: number;
  runs: number;
  alerts: number;
  groups: number;
  bodyBytes: number;
}

/** Runs the measurement; `runs` timed runs after one warm-up. */
export async function benchAlerts10kDetailed(runs = 7): Promise<Alerts10kDetail> {
  const body = Buffer.from(JSON.stringify(generateAlertmanagerAlerts(10_000)));
  // The server runs on its own thread, as a real Alertmanager is its own process: its writes
  // must not be counted as our parsing time.
  const server = new Worker(serverThreadCode, { eval: true, workerData: body });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('message', (m: number) => resolve(m));
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const source = new AlertmanagerSource({ name: 'bench-am', url, timeoutMs: 30_000, retries: 0 });
    const totals: number[] = [];
    const lists: number[] = [];
    const groupings: number[] = [];
    let alerts = 0;
    let groups = 0;
    for (let i = 0; i <= runs; i++) {
      // Start each run with a clean heap so one run's garbage is not collected in the next one's time.
      (globalThis as { gc?: () => void }).gc?.();
      const t0 = performance.now();
      const listed = await source.listAlerts();
      const t1 = performance.now();
      const grouped = groupAlerts(listed, 'service');
      const t2 = performance.now();
      alerts = listed.length;
      groups = grouped.length;
      if (i === 0) continue; // warm-up: JIT and connection setup
      totals.push(t2 - t0);
      lists.push(t1 - t0);
      groupings.push(t2 - t1);
    }
    if (alerts !== 10_000) throw new Error(`expected 10000 alerts, listed ${alerts}`);
    return { alerts10kMs: median(totals), listMs: median(lists), groupMs: median(groupings), runs, alerts, groups, bodyBytes: body.length };
  } finally {
    await server.terminate();
  }
}

export async function benchAlerts10k(): Promise<{ alerts10kMs: number }> {
  const d = await benchAlerts10kDetailed();
  return { alerts10kMs: Math.round(d.alerts10kMs * 10) / 10 };
}
