// Google Cloud, 19 July 2022: a cooling failure in a building of zone europe-west2-a during a heat wave
// terminated VMs in that zone; a customer's nodes and zonal database primary there went away.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt, type Instance } from './lib/fleet';
import { javaStack, logRecord } from './lib/logs';
import { OTEL_HTTP_SECONDS_BUCKETS, counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const ZONES = ['europe-west2-a', 'europe-west2-b', 'europe-west2-c'];

export const gcp2022ZoneCooling: PostmortemCase = {
  slug: 'gcp-2022-zone-cooling',
  title: 'A cooling failure in one zone takes out a customer\'s nodes and zonal database primary',
  source: { url: 'https://status.cloud.google.com/incidents/fmEL9i2fArADKawkZAa2', publisher: 'Google Cloud', date: '2022-07-19' },
  follows:
    'Multiple redundant cooling systems failed in a data center hosting zone europe-west2-a during record heat; instances in the affected ' +
    'building terminated abnormally, zonal persistent disks and Cloud SQL instances were unavailable, and some HA failovers did not complete.',
  changed:
    'One customer\'s GKE cluster (six nodes over three zones) and its Cloud SQL primary in zone a; the bundle starts before the heat, ends ' +
    '13 minutes after the alert; the later deliberate power-down of part of the zone is not in it.',
  traps: [
    'quote-api rolled out a new version 16 minutes before the nodes failed; its pods were renamed, and errors hit pods of both versions.',
    'The database client errors look like a dependency (the database) or a connection-pool problem, but the database primary sits in the failed zone.',
    'An unrelated certificate-expiry warning fired earlier in the window.',
    'UK morning traffic grows through the window (benign growth).',
  ],
  kindNote: 'A failed zone is one failure domain: infrastructure, with host naming the zone and service the alerting service running in it.',
  build(rng) {
    const start = utc('2022-07-19T11:50:00Z');
    const end = utc('2022-07-19T14:05:00Z');
    const alertAt = utc('2022-07-19T13:52:00Z');
    const rollout = utc('2022-07-19T13:25:00Z');
    const dbDown = utc('2022-07-19T13:43:30Z');
    const times = grid(start, end, 30_000);
    const nodes = ZONES.flatMap((z) => [1, 2].map((i) => ({ name: `gke-quotes-prod-pool-1-${z.slice(-1)}${rng.hex(3)}-${rng.podSuffix(4)}`, zone: z, i })));
    const nodeDies = new Map<string, number>();
    nodes.filter((n) => n.zone === 'europe-west2-a').forEach((n, k) => nodeDies.set(n.name, utc('2022-07-19T13:41:20Z') + k * 210_000 + rng.int(0, 20_000)));
    const nodeUp = (name: string, t: number) => !nodeDies.has(name) || t < nodeDies.get(name)!;
    const rps = (t: number) => 140 * diurnal(t, 12, 0.45);
    const dbBad = (t: number) => (t >= dbDown ? 1 : 0);

    const podsFor = (deployment: string, initial: string, next: string): Instance[] => {
      const pods = deploymentPods(rng, deployment, 6, start, end, initial, deployment === 'quote-api' ? [{ at: rollout, version: next }] : [], nodes.map((n) => n.name), nodes.map((n) => n.zone));
      // Pods on a node that dies end there; their replacements come up on surviving nodes about 3 minutes later.
      const extra: Instance[] = [];
      for (const p of pods) {
        const dies = nodeDies.get(p.host);
        if (dies !== undefined && p.from < dies && p.to > dies) {
          p.to = dies;
          const host = rng.pick(nodes.filter((n) => !nodeDies.has(n.name))).name;
          extra.push({ ...p, name: `${deployment}-${p.templateHash}-${rng.podSuffix()}`, host, zone: nodes.find((n) => n.name === host)!.zone, from: dies + rng.int(150_000, 240_000), to: end + 1 });
        }
      }
      return [...pods, ...extra];
    };
    const quotePods = podsFor('quote-api', '1.42.0', '1.43.0');
    const ratingPods = podsFor('rating-engine', '7.3.2', '7.3.2');

    const metrics: MetricSeries[] = [];
    for (const n of nodes) {
      metrics.push(gauge('kube_node_status_condition', { node: n.name, condition: 'Ready', status: 'true', job: 'kube-state-metrics' }, times, (t) => (nodeUp(n.name, t) ? 1 : 0)));
      metrics.push(gauge('up', { job: 'node-exporter', instance: `${n.name}:9100`, node: n.name, topology_kubernetes_io_zone: n.zone }, times, (t) => (nodeUp(n.name, t) ? 1 : 0)));
    }
    metrics.push(gauge('kube_deployment_status_replicas_available', { deployment: 'quote-api', namespace: 'quotes', job: 'kube-state-metrics' }, times, (t) => liveAt(quotePods, t).length));
    metrics.push(gauge('kube_deployment_status_replicas_available', { deployment: 'rating-engine', namespace: 'quotes', job: 'kube-state-metrics' }, times, (t) => liveAt(ratingPods, t).length));
    metrics.push(gauge('stackdriver_cloudsql_database_cloudsql_googleapis_com_database_up', { database_id: 'insureco-prod:policy-db', region: 'europe-west2', zone: 'europe-west2-a' }, times, (t) => 1 - dbBad(t), { service: 'policy-db' }));
    for (const status of ['200', '502', '503']) {
      metrics.push(
        counter('nginx_ingress_controller_requests', { ingress: 'quotes', exported_service: 'quote-api', status, namespace: 'quotes' }, times, (t) => {
          const bad = 0.68 * dbBad(t) + 0.25 * (nodes.some((n) => nodeDies.get(n.name)! <= t && t < nodeDies.get(n.name)! + 200_000) ? 1 : 0);
          const b = Math.min(0.95, bad);
          const share = status === '200' ? 1 - b - 0.0008 : status === '502' ? b * 0.35 + 0.0003 : b * 0.65 + 0.0005;
          return rps(t) * share * wobble(rng, 0.04);
        }, rng, { service: 'quote-api' }),
      );
    }
    metrics.push(
      ...histogram('http.server.request.duration', { 'service.name': 'quote-api', 'http.route': '/v2/quotes', 'http.request.method': 'POST' }, times, OTEL_HTTP_SECONDS_BUCKETS, (t) => rps(t) * 0.6,
        (t) => (dbBad(t) ? { median: 4.8, sigma: 0.5, slowFraction: 0.25, slowMedian: 0.12 } : { median: 0.11, sigma: 0.45 }), rng, { service: 'quote-api', unit: 's' }),
    );
    metrics.push(gauge('db.client.connection.count', { 'service.name': 'rating-engine', 'db.client.connection.pool.name': 'policy-db', 'db.client.connection.state': 'used' }, times, (t) => (dbBad(t) ? 20 : Math.min(20, Math.round(4 + rps(t) / 40 + rng.int(-1, 2)))), { service: 'rating-engine' }));
    metrics.push(gauge('db.client.connection.pending_requests', { 'service.name': 'rating-engine', 'db.client.connection.pool.name': 'policy-db' }, times, (t) => (dbBad(t) ? Math.round(60 + rng.int(0, 30)) : rng.int(0, 1)), { service: 'rating-engine' }));
    metrics.push(gauge('jvm.memory.used', { 'service.name': 'rating-engine', 'jvm.memory.type': 'heap', 'jvm.memory.pool.name': 'G1 Old Gen' }, times, (t) => 6.1e8 + 1.5e8 * ((t / 600_000) % 1) + rng.normal(0, 1e7), { service: 'rating-engine', unit: 'By' }));

    const logs: LogRecord[] = [];
    for (const n of nodes) {
      const dies = nodeDies.get(n.name);
      if (dies === undefined) continue;
      logs.push(logRecord(dies + 40_000, 'warn', 'kube-controller-manager', `Node ${n.name} status is now: NodeNotReady`, { 'k8s.node.name': n.name, 'cloud.availability_zone': n.zone, 'k8s.event.reason': 'NodeNotReady' }));
      logs.push(logRecord(dies + 5000, 'warn', 'gce-guest-agent', `instance ${n.name} terminated: host error (unexpected host maintenance event)`, { 'k8s.node.name': n.name, 'cloud.availability_zone': n.zone }));
      for (const p of [...quotePods, ...ratingPods].filter((q) => q.host === n.name && q.to === dies)) {
        logs.push(logRecord(dies + 300_000 + rng.int(0, 30_000), 'info', 'kube-controller-manager', `Marking for deletion Pod quotes/${p.name} (node ${n.name} unreachable)`, { 'k8s.pod.name': p.name, 'k8s.event.reason': 'TaintManagerEviction' }));
      }
    }
    logs.push(logRecord(dbDown + 20_000, 'error', 'cloudsql', 'policy-db: instance unavailable; automatic failover to europe-west2-b started', { 'cloud.availability_zone': 'europe-west2-a', 'gcp.cloudsql.instance': 'policy-db' }));
    logs.push(logRecord(dbDown + 330_000, 'error', 'cloudsql', 'policy-db: failover did not complete: standby could not attach regional persistent disk replica', { 'cloud.availability_zone': 'europe-west2-b', 'gcp.cloudsql.instance': 'policy-db' }));
    logs.push(logRecord(utc('2022-07-19T12:10:00Z'), 'warn', 'cert-manager', 'Certificate quotes/quotes-insureco-tls expires in 13 days (2022-08-01T12:00:00Z); renewal scheduled', {}));
    logs.push(
      ...atRate(rng, dbDown, end, () => 10, (t) => {
        const pod = rng.pick(liveAt(ratingPods, t));
        return logRecord(t, 'error', 'rating-engine', javaStack('java.sql.SQLTransientConnectionException', 'HikariPool-1 - Connection is not available, request timed out after 30000ms.', [
          'com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)',
          'com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)',
          'uk.insureco.rating.policy.PolicyRepository.load(PolicyRepository.java:64)',
          'uk.insureco.rating.api.RateController.rate(RateController.java:39)',
        ], { type: 'org.postgresql.util.PSQLException', message: 'Connection to 10.91.0.3:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.', frames: ['org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)'] }), { 'k8s.pod.name': pod.name, 'cloud.availability_zone': pod.zone! });
      }),
    );
    logs.push(...atRate(rng, start, end, () => 2.5, (t) => { const pod = rng.pick(liveAt(quotePods, t)); return logRecord(t, 'info', 'quote-api', `quote issued product=${rng.pick(['home', 'motor', 'pet'])} premium_gbp=${rng.int(90, 1900)}`, { 'k8s.pod.name': pod.name, 'service.version': pod.version, 'cloud.availability_zone': pod.zone! }); }));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < dbDown ? 2 : 6))) {
      const qp = rng.pick(liveAt(quotePods, t));
      const rp = rng.pick(liveAt(ratingPods, t));
      if (!qp || !rp) continue;
      const bad = dbBad(t) === 1;
      const db: SpanNode = call({ service: 'rating-engine', name: 'SELECT policy', networkMs: bad ? 30_000 : jitter(rng, 3.5), attributes: { 'db.system': 'postgresql', 'db.namespace': 'policies', 'server.address': '10.91.0.3', 'db.operation.name': 'SELECT' }, ...(bad ? { status: 'error' as const, statusMessage: 'HikariPool-1 - Connection is not available, request timed out after 30000ms.' } : {}) }, undefined);
      const rating: SpanNode = call({ service: 'quote-api', name: 'POST /v1/rate', networkMs: jitter(rng, 1.2), attributes: { 'http.request.method': 'POST', 'server.address': 'rating-engine.quotes.svc', 'http.response.status_code': bad ? 500 : 200 }, ...(bad ? { status: 'error' as const } : {}) },
        { service: 'rating-engine', name: 'POST /v1/rate', selfMs: jitter(rng, 18), attributes: { 'http.route': '/v1/rate', 'http.response.status_code': bad ? 500 : 200, 'k8s.pod.name': rp.name, 'cloud.availability_zone': rp.zone!, 'k8s.node.name': rp.host }, ...(bad ? { status: 'error' as const } : {}), children: [db] });
      if (bad && t > end - 32_000) continue;
      spans.push(...emitTrace(rng, t, { service: 'quote-api', kind: 'server', name: 'POST /v2/quotes', selfMs: jitter(rng, 6), attributes: { 'http.request.method': 'POST', 'http.route': '/v2/quotes', 'http.response.status_code': bad ? 503 : 200, 'k8s.pod.name': qp.name, 'service.version': qp.version, 'cloud.availability_zone': qp.zone!, 'k8s.node.name': qp.host }, ...(bad ? { status: 'error' as const } : {}), children: [rating] }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Fiona McLeod', email: 'fiona.mcleod@insureco-example.co.uk', time: utc('2022-07-19T12:58:00Z'), message: 'quotes: show multi-car discount on the summary step', files: [{ path: 'quote-api/src/quotes/summary.py', hunks: [{ newStart: 77, newLines: 19 }] }, { path: 'quote-api/tests/test_summary.py', hunks: [{ newStart: 140, newLines: 31 }] }], deploy: { ref: 'quote-api/1.43.0', time: rollout, environment: 'prod' } }),
      commit(rng, { author: 'Kwame Mensah', email: 'kwame.mensah@insureco-example.co.uk', time: utc('2022-07-18T15:30:00Z'), message: 'infra: move policy-db maintenance window to Sunday 03:00', files: [{ path: 'infra/terraform/cloudsql.tf', hunks: [{ newStart: 52, newLines: 3 }] }] }),
    ]);
    const main = alert({ name: 'QuoteAPIAvailabilitySLOBurn', severity: 'critical', labels: { service: 'quote-api', namespace: 'quotes', env: 'prod' }, annotations: { summary: 'quote-api is burning its 30-day error budget 14x too fast' }, startsAt: alertAt, value: '14.2', service: 'quote-api', environment: 'prod' });
    const alerts = [
      alert({ name: 'CertificateExpiringSoon', severity: 'warning', labels: { namespace: 'quotes', certificate: 'quotes-insureco-tls' }, annotations: { summary: 'certificate expires in less than 14 days' }, startsAt: utc('2022-07-19T12:10:00Z') }),
      alert({ name: 'KubeNodeNotReady', severity: 'warning', labels: { node: nodes[0].name, job: 'kube-state-metrics' }, annotations: { summary: `node ${nodes[0].name} not ready for 5 minutes` }, startsAt: nodeDies.get(nodes[0].name)! + 300_000 }),
      main,
    ];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'quote-api', to: 'rating-engine' }, { from: 'rating-engine', to: 'policy-db' }] };
  },
};
