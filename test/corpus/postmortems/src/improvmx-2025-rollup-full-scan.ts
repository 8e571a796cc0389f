// ImprovMX, 5 October 2025: a daily background analytics job ran with incorrect parameters and processed
// the whole dataset instead of the incremental batch; it took the SQL servers' connections and CPU, mail
// deliveries queued and API requests timed out.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt } from './lib/fleet';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const MANIFEST = 'deploy/cronjobs/stats-rollup.yaml';
const MANIFEST_FILE = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: stats-rollup
  namespace: mx
  labels:
    app.kubernetes.io/name: stats-rollup
    app.kubernetes.io/part-of: mail-stats
spec:
  schedule: "0 11 * * *"
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 600
  jobTemplate:
    spec:
      backoffLimit: 1
      activeDeadlineSeconds: 14400
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: rollup
              image: registry.mxrelay.example/stats-rollup:2025.10.04
              command: ["/app/rollup"]
              args:
                - "--batch-window=$(BATCH_WINDOW)"
                - "--db-dsn-file=/secrets/db/dsn"
              envFrom:
                - configMapRef:
                    name: stats-rollup
              resources:
                requests: { cpu: 500m, memory: 512Mi }
                limits: { cpu: "2", memory: 2Gi }
              volumeMounts:
                - name: db
                  mountPath: /secrets/db
                  readOnly: true
          volumes:
            - name: db
              secret:
                secretName: stats-rollup-db
`;

export const improvmx2025RollupFullScan: PostmortemCase = {
  slug: 'improvmx-2025-rollup-full-scan',
  title: 'A daily analytics job run with wrong parameters scans everything and saturates the shared SQL servers',
  source: { url: 'https://improvmx-website.pages.dev/blog/2025-10-05-post-mortem-sql-servers-overloaded', publisher: 'ImprovMX', date: '2025-10-05' },
  follows:
    'A background analytics job that runs daily was triggered with incorrect parameters and processed the entire dataset instead of the ' +
    'incremental batch; it consumed the database connections and CPU; for about 40 minutes email deliveries were delayed (queued) and API ' +
    'requests timed out, until the process was killed at 11:45 UTC.',
  changed:
    'The wrong parameter comes from a GitOps commit to the CronJob manifest the afternoon before (it references an environment variable ' +
    'the ConfigMap does not define); MySQL, SQS and Kubernetes series; names are ours; the window ends before the job was killed.',
  traps: [
    'The guilty commit is 19 hours old and touches a CronJob manifest, not the code of any request path.',
    'mx-api deployed 12 minutes before the job started, and it is where the timeouts show.',
    'The database saturation reads like a capacity problem of the SQL servers.',
    'The job\'s pod has a new name at each run (stats-rollup-<schedule id>-<suffix>).',
  ],
  kindNote: 'A CronJob manifest (configuration) committed with a bad argument: config-change, with the commit named.',
  build(rng) {
    const start = utc('2025-10-05T09:20:00Z');
    const end = utc('2025-10-05T11:32:00Z');
    const jobStart = utc('2025-10-05T11:00:04Z');
    const alertAt = utc('2025-10-05T11:21:00Z');
    const apiDeploy = utc('2025-10-05T10:48:00Z');
    const times = grid(start, end, 30_000);
    const heavy = (t: number) => ramp(t, jobStart + 20_000, 900_000);
    const jobPod = `stats-rollup-29328900-${rng.podSuffix()}`;
    const apiPods = deploymentPods(rng, 'mx-api', 3, start, end, '2025.10.03-2', [{ at: apiDeploy, version: '2025.10.05-1' }], ['ip-10-30-1-11', 'ip-10-30-2-7']);
    const rps = (t: number) => 85 * diurnal(t, 14, 0.25);

    const metrics: MetricSeries[] = [];
    const sql = { instance: 'mx-sql-1:9104', job: 'mysql', cluster: 'mx-sql' };
    metrics.push(gauge('kube_job_status_active', { job_name: 'stats-rollup-29328900', namespace: 'mx', job: 'kube-state-metrics' }, times, (t) => (t >= jobStart ? 1 : NaN)));
    metrics.push(gauge('kube_cronjob_status_last_schedule_time', { cronjob: 'stats-rollup', namespace: 'mx', job: 'kube-state-metrics' }, times, (t) => (t >= jobStart ? utc('2025-10-05T11:00:00Z') / 1000 : utc('2025-10-04T11:00:00Z') / 1000)));
    metrics.push(gauge('mysql_global_status_threads_connected', sql, times, (t) => Math.min(500, Math.round(70 + rng.int(-5, 8) + 430 * heavy(t))), { service: 'mx-sql' }));
    metrics.push(gauge('mysql_global_variables_max_connections', sql, times, () => 500, { service: 'mx-sql' }));
    metrics.push(gauge('mysql_global_status_threads_running', sql, times, (t) => Math.round(4 + rng.int(0, 4) + 180 * heavy(t)), { service: 'mx-sql' }));
    metrics.push(counter('mysql_global_status_innodb_rows_read', sql, times, (t) => 40_000 * wobble(rng, 0.1) + 2.1e6 * heavy(t), rng, { service: 'mx-sql' }));
    metrics.push(gauge('instance:node_cpu_utilisation:rate5m', { instance: 'mx-sql-1:9100', job: 'node' }, times, (t) => Math.min(1, 0.22 * wobble(rng, 0.05) + 0.78 * heavy(t))));
    metrics.push(gauge('container_memory_working_set_bytes', { pod: jobPod, container: 'rollup', namespace: 'mx', job: 'cadvisor' }, times, (t) => (t >= jobStart ? 1.8e8 + 1.4e9 * heavy(t) * wobble(rng, 0.02) : NaN), { service: 'stats-rollup', unit: 'By' }));
    metrics.push(gauge('aws_sqs_approximate_number_of_messages_visible_average', { queue_name: 'outbound-deliveries', region: 'eu-west-1' }, times, (t) => Math.round(rng.int(0, 40) + 52_000 * ramp(t, jobStart + 300_000, 1_500_000)), { service: 'mx-relay' }));
    metrics.push(counter('mx_relay_deliveries_total', { result: 'sent', job: 'mx-relay' }, times, (t) => 310 * (1 - 0.85 * heavy(t)) * wobble(rng, 0.04), rng, { service: 'mx-relay' }));
    metrics.push(counter('mx_relay_deliveries_total', { result: 'deferred', job: 'mx-relay' }, times, (t) => 0.4 + 260 * heavy(t), rng, { service: 'mx-relay' }));
    for (const pod of apiPods) {
      for (const code of ['200', '504']) metrics.push(counter('http_requests_total', { code, pod: pod.name, namespace: 'mx', job: 'mx-api' }, times, (t) => (rps(t) / 3) * (code === '200' ? 1 - 0.6 * heavy(t) : 0.0005 + 0.6 * heavy(t)) * wobble(rng, 0.05), rng, { service: 'mx-api', alive: { from: pod.from, to: pod.to } }));
    }

    const logs: LogRecord[] = [];
    logs.push(logRecord(jobStart, 'info', 'stats-rollup', 'rollup 2025.10.04 starting', { 'k8s.pod.name': jobPod, 'k8s.cronjob.name': 'stats-rollup' }));
    logs.push(logRecord(jobStart + 900, 'warn', 'stats-rollup', '--batch-window="$(BATCH_WINDOW)" is not a duration; no window applied, scanning mail_events from 2017-03-14', { 'k8s.pod.name': jobPod, 'k8s.cronjob.name': 'stats-rollup' }));
    logs.push(...atRate(rng, jobStart + 60_000, end, () => 1, (t) => logRecord(t, 'info', 'stats-rollup', logfmt({ msg: 'chunk done', table: 'mail_events', rows: rng.int(900_000, 1_400_000), offset_day: new Date(utc('2017-03-14T00:00:00Z') + (t - jobStart) * 6e3).toISOString().slice(0, 10) }), { 'k8s.pod.name': jobPod })));
    logs.push(...atRate(rng, start, end, () => 4, (t) => logRecord(t, 'info', 'mx-relay', logfmt({ msg: 'delivered', to_domain: rng.pick(['gmail.com', 'outlook.com', 'proton.me', 'fastmail.com']), forward_ms: rng.int(80, 900) * (1 + 20 * heavy(t)) }), { 'host.name': `mx-relay-${rng.int(1, 6)}` })));
    logs.push(...atRate(rng, jobStart + 300_000, end, (t) => 18 * heavy(t), (t) => logRecord(t, 'warn', 'mx-relay', logfmt({ msg: 'alias lookup timed out, deferring to queue', queue: 'outbound-deliveries', timeout_ms: 5000 }), { 'host.name': `mx-relay-${rng.int(1, 6)}` })));
    logs.push(...atRate(rng, jobStart + 240_000, end, (t) => 20 * heavy(t), (t) => {
      const pod = rng.pick(liveAt(apiPods, t));
      return logRecord(t, 'error', 'mx-api', logfmt({ level: 'error', msg: 'query failed', error: rng.chance(0.6) ? 'QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 30.00' : '(pymysql.err.OperationalError) (2013, \'Lost connection to MySQL server during query\')', route: '/v3/domains/{domain}/aliases' }), { 'k8s.pod.name': pod.name, 'service.version': pod.version });
    }));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, () => 3)) {
      const pod = rng.pick(liveAt(apiPods, t));
      const slow = rng.chance(heavy(t) * 0.7);
      const q = call({ service: 'mx-api', name: 'SELECT aliases', networkMs: slow ? 30_000 : jitter(rng, 4 + 300 * heavy(t), 0.6), attributes: { 'db.system': 'mysql', 'db.namespace': 'mx', 'server.address': 'mx-sql-1', 'db.operation.name': 'SELECT' }, ...(slow ? { status: 'error' as const, statusMessage: 'QueuePool limit reached, connection timed out' } : {}) }, undefined);
      if (slow && t > end - 31_000) continue;
      spans.push(...emitTrace(rng, t, { service: 'mx-api', kind: 'server', name: 'GET /v3/domains/{domain}/aliases', selfMs: jitter(rng, 5), attributes: { 'http.request.method': 'GET', 'http.route': '/v3/domains/{domain}/aliases', 'http.response.status_code': slow ? 504 : 200, 'k8s.pod.name': pod.name, 'service.version': pod.version }, ...(slow ? { status: 'error' as const } : {}), children: [q] }));
    }
    for (const t of traceStarts(rng, jobStart + 30_000, end - 60_000, () => 1)) {
      spans.push(...emitTrace(rng, t, { service: 'stats-rollup', kind: 'internal', name: 'rollup.chunk', selfMs: jitter(rng, 300), attributes: { 'k8s.pod.name': jobPod, 'k8s.cronjob.name': 'stats-rollup', 'rollup.window': 'all' }, children: [call({ service: 'stats-rollup', name: 'SELECT mail_events', networkMs: jitter(rng, 24_000, 0.2), attributes: { 'db.system': 'mysql', 'db.namespace': 'mx', 'server.address': 'mx-sql-1', 'db.operation.name': 'SELECT', 'db.collection.name': 'mail_events' } }, undefined)] }));
    }

    const changes: Change[] = history([
      commit(rng, { sha: '36d39dc95e35f02b9351eb0bc07013a881ff360e', author: 'Léa Martin', email: 'lea.martin@mxrelay.example', time: utc('2025-10-04T16:20:00Z'), message: 'stats-rollup: take the batch window from the ConfigMap; bump image', files: [{ path: MANIFEST, hunks: [{ newStart: 22, newLines: 6, oldStart: 22, oldLines: 5 }] }], deploy: { ref: 'argocd/mx-prod@36d39dc', time: utc('2025-10-04T16:25:00Z'), environment: 'prod' } }),
      commit(rng, { author: 'Hugo Bernard', email: 'hugo.bernard@mxrelay.example', time: utc('2025-10-05T09:31:00Z'), message: 'relay: log forward latency per destination domain', files: [{ path: 'relay/forward.py', hunks: [{ newStart: 140, newLines: 6 }] }], deploy: { ref: 'mx-relay/2025.10.05-1', time: utc('2025-10-05T09:55:00Z'), environment: 'prod' } }),
      commit(rng, { author: 'Léa Martin', email: 'lea.martin@mxrelay.example', time: utc('2025-10-05T10:20:00Z'), message: 'api: paginate the alias listing (page size 200)', files: [{ path: 'api/routes/aliases.py', hunks: [{ newStart: 33, newLines: 21 }] }, { path: 'api/tests/test_aliases.py', hunks: [{ newStart: 90, newLines: 26 }] }], deploy: { ref: 'mx-api/2025.10.05-1', time: apiDeploy, environment: 'prod' } }),
    ]);
    const main = alert({ name: 'APIRequestTimeouts', severity: 'critical', labels: { service: 'mx-api', namespace: 'mx', env: 'prod' }, annotations: { summary: 'mx-api 504s above 5%' }, startsAt: alertAt, value: '0.34', service: 'mx-api', environment: 'prod' });
    const alerts = [alert({ name: 'SQLServerCPUSaturated', severity: 'warning', labels: { instance: 'mx-sql-1:9100', cluster: 'mx-sql' }, annotations: { summary: 'SQL server CPU above 90%' }, startsAt: utc('2025-10-05T11:20:00Z') }), main, alert({ name: 'DeliveryQueueBacklog', severity: 'warning', labels: { service: 'mx-relay', queue_name: 'outbound-deliveries' }, annotations: { summary: 'outbound delivery queue above 10k' }, startsAt: utc('2025-10-05T11:24:00Z'), service: 'mx-relay' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [MANIFEST]: MANIFEST_FILE } };
  },
};
