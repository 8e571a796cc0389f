// GitHub, 16 March 2022: peak-hour load on the shared mysql1 cluster, with a query that performed poorly
// under it, made the database proxy reach its maximum number of connections; writes failed across
// many features.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

function rubyTrace(message: string): string {
  return [
    `Mysql2::Error::ConnectionError: ${message}`,
    "  /app/vendor/bundle/ruby/3.1.0/gems/mysql2-0.5.3/lib/mysql2/client.rb:131:in `_query'",
    "  /app/vendor/bundle/ruby/3.1.0/gems/mysql2-0.5.3/lib/mysql2/client.rb:131:in `block in query'",
    "  /app/vendor/bundle/ruby/3.1.0/gems/activerecord-7.0.2/lib/active_record/connection_adapters/mysql2/database_statements.rb:46:in `block (2 levels) in execute'",
    "  /app/app/models/notifications/subscription.rb:88:in `touch_thread'",
    "  /app/app/jobs/deliver_notifications_job.rb:41:in `perform'",
  ].join('\n');
}

export const github2022Mysql1Peak: PostmortemCase = {
  slug: 'github-2022-mysql1-peak',
  title: 'Peak load and a slow query make the proxy in front of the shared cluster run out of connections',
  source: { url: 'https://github.blog/2022-03-23-an-update-on-recent-service-disruptions/', publisher: 'GitHub', date: '2022-03-16' },
  follows:
    'During peak hours the load on the shared mysql1 cluster, combined with poor performance of a query under specific circumstances, ' +
    'made the database proxy reach its maximum number of connections; write operations failed for git, webhooks, pull requests, API, ' +
    'issues, Actions and Pages; the fix included an emergency index and throttling.',
  changed:
    'A monolith and a webhook deliverer stand for the many services on mysql1; ProxySQL and mysqld_exporter series; the slow statement is ' +
    'our invention; the window ends before the failover.',
  traps: [
    'The monolith deployed 17 minutes before the onset; the tool must not blame it.',
    'The same slow-query signature is in the logs for the whole window, well before the deploy.',
    'Traffic grows through the window (the daily peak), which is part of the cause rather than noise here.',
    'Errors appear in every service that shares the cluster, not in one.',
  ],
  kindNote: 'The proxy\'s connection limit reached under peak load: capacity of mysql1; no commit.',
  build(rng) {
    const start = utc('2022-03-16T12:10:00Z');
    const end = utc('2022-03-16T14:22:00Z');
    const onset = utc('2022-03-16T14:09:00Z');
    const alertAt = utc('2022-03-16T14:12:00Z');
    const deploy = utc('2022-03-16T13:52:00Z');
    const times = grid(start, end, 30_000);
    // The peak builds through the window; the slow query's latency grows faster than the load.
    const load = (t: number) => 0.72 + 0.3 * ramp(t, start, onset - start);
    const saturated = (t: number) => ramp(t, onset - 60_000, 120_000);

    const metrics: MetricSeries[] = [];
    metrics.push(gauge('proxysql_mysql_status_client_connections_connected', { instance: 'proxysql-mysql1:42004', job: 'proxysql', cluster: 'mysql1' }, times, (t) => Math.min(20_000, Math.round(9_200 * load(t) ** 3 * wobble(rng, 0.02) + 9000 * saturated(t))), { service: 'mysql1' }));
    metrics.push(gauge('proxysql_mysql_variables_max_connections', { instance: 'proxysql-mysql1:42004', job: 'proxysql', cluster: 'mysql1' }, times, () => 20_000, { service: 'mysql1' }));
    metrics.push(counter('proxysql_mysql_status_access_denied_max_connections', { instance: 'proxysql-mysql1:42004', job: 'proxysql', cluster: 'mysql1' }, times, (t) => 4200 * saturated(t), rng, { service: 'mysql1', initial: 0 }));
    metrics.push(gauge('proxysql_connection_pool_conn_used', { instance: 'proxysql-mysql1:42004', hostgroup: '10', endpoint: 'mysql1-primary-7:3306', job: 'proxysql', cluster: 'mysql1' }, times, (t) => Math.min(3000, Math.round(1100 * load(t) ** 4 + 1900 * saturated(t) + rng.int(-20, 20))), { service: 'mysql1' }));
    metrics.push(gauge('mysql_global_status_threads_running', { instance: 'mysql1-primary-7:9104', job: 'mysql', cluster: 'mysql1' }, times, (t) => Math.round(40 * load(t) ** 4 * wobble(rng, 0.1) + 260 * saturated(t)), { service: 'mysql1' }));
    metrics.push(counter('mysql_global_status_slow_queries', { instance: 'mysql1-primary-7:9104', job: 'mysql', cluster: 'mysql1' }, times, (t) => 0.6 * load(t) ** 6 + 25 * saturated(t), rng, { service: 'mysql1' }));
    metrics.push(counter('mysql_global_status_commands_total', { instance: 'mysql1-primary-7:9104', job: 'mysql', cluster: 'mysql1', command: 'update' }, times, (t) => 8200 * load(t) * (1 - 0.7 * saturated(t)) * wobble(rng, 0.02), rng, { service: 'mysql1' }));
    metrics.push(gauge('job:http_requests:rate5m', { job: 'web-monolith' }, times, (t) => 61_000 * load(t) * wobble(rng, 0.01), { service: 'web-monolith' }));
    metrics.push(gauge('job:http_requests_errors:ratio_rate5m', { job: 'web-monolith' }, times, (t) => 0.0011 + 0.31 * saturated(t) * wobble(rng, 0.05), { service: 'web-monolith' }));
    metrics.push(gauge('job:http_requests_errors:ratio_rate5m', { job: 'api' }, times, (t) => 0.0009 + 0.27 * saturated(t) * wobble(rng, 0.05), { service: 'api' }));
    metrics.push(counter('webhook_deliveries_total', { result: 'delivered', job: 'webhooks' }, times, (t) => 5400 * load(t) * (1 - 0.9 * saturated(t)), rng, { service: 'webhooks' }));
    metrics.push(counter('webhook_deliveries_total', { result: 'failed', job: 'webhooks' }, times, (t) => 6 + 4900 * saturated(t), rng, { service: 'webhooks' }));
    metrics.push(gauge('resque_queue_length', { queue: 'notifications', job: 'web-monolith' }, times, (t) => Math.round(800 * load(t) + 180_000 * saturated(t) + rng.int(0, 200)), { service: 'web-monolith' }));

    const logs: LogRecord[] = [];
    const slow = 'SELECT `notification_subscriptions`.* FROM `notification_subscriptions` WHERE `notification_subscriptions`.`list_id` = 88213 AND `notification_subscriptions`.`ignored` = 0 ORDER BY `notification_subscriptions`.`updated_at` DESC';
    logs.push(...atRate(rng, start, end, (t) => 0.6 * load(t) ** 6 * 4 + 20 * saturated(t), (t) => logRecord(t, 'warn', 'mysql1', `# Query_time: ${(rng.between(1.1, 4) * load(t) ** 3).toFixed(6)}  Lock_time: 0.000${rng.int(100, 999)} Rows_sent: ${rng.int(1, 50)}  Rows_examined: ${rng.int(1_800_000, 4_200_000)}\n${slow};`, { 'host.name': 'mysql1-primary-7', 'log.file.name': 'slow.log' })));
    logs.push(...atRate(rng, onset - 30_000, end, (t) => 45 * saturated(t), (t) => logRecord(t, 'error', rng.pick(['web-monolith', 'web-monolith', 'api', 'webhooks']), rubyTrace('Max connect timeout reached while reaching hostgroup 10 after 10000ms'), { 'host.name': `${rng.pick(['web', 'api', 'hooks'])}-${rng.int(1, 300)}.iad.example` })));
    logs.push(...atRate(rng, start, end, () => 1, (t) => logRecord(t, 'info', 'web-monolith', `Completed 200 OK in ${rng.int(40, 400)}ms (Views: ${rng.int(5, 90)}ms | ActiveRecord: ${rng.int(3, 120)}ms)`, { 'host.name': `web-${rng.int(1, 300)}.iad.example` })));
    for (let i = 0; i < 8; i++) logs.push(logRecord(deploy + i * 25_000 + rng.int(0, 5000), 'info', 'web-monolith', `deploy 7f3e1c2 to production-${i < 2 ? 'canary' : 'main'} (${i + 1}/8): done`, {}));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < onset ? 2.5 : 8))) {
      const s = saturated(t);
      const refused = rng.chance(0.9 * s);
      const isHook = rng.chance(0.3);
      const svc = isHook ? 'webhooks' : 'web-monolith';
      const q = call({ service: svc, name: 'UPDATE notification_subscriptions', networkMs: refused ? 10_000 : jitter(rng, 2 + 30 * (load(t) - 0.72), 0.6), attributes: { 'db.system': 'mysql', 'db.namespace': 'github_production', 'server.address': 'proxysql-mysql1', 'db.operation.name': 'UPDATE', 'peer.service': 'mysql1' }, ...(refused ? { status: 'error' as const, statusMessage: 'Max connect timeout reached while reaching hostgroup 10 after 10000ms' } : {}) }, undefined);
      const root: SpanNode = isHook
        ? { service: 'webhooks', kind: 'consumer', name: 'deliver_webhook', selfMs: jitter(rng, 30), attributes: { 'messaging.system': 'resque' }, ...(refused ? { status: 'error' as const } : {}), children: [q] }
        : { service: 'web-monolith', kind: 'server', name: 'PullRequestsController#merge', selfMs: jitter(rng, 40, 0.5), attributes: { 'http.request.method': 'PUT', 'http.route': '/:owner/:repo/pull/:id/merge', 'http.response.status_code': refused ? 500 : 200, 'service.version': t >= deploy + 60_000 ? '7f3e1c2' : 'b19a004' }, ...(refused ? { status: 'error' as const } : {}), children: [q] };
      spans.push(...emitTrace(rng, t, root));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Jo Park', email: 'jo.park@codehost.example', time: utc('2022-03-16T13:20:00Z'), message: 'Repository sidebar: lazy-load the contributors list', files: [{ path: 'app/views/repositories/_sidebar.html.erb', hunks: [{ newStart: 14, newLines: 9 }] }, { path: 'app/assets/modules/sidebar-contributors.ts', status: 'A', hunks: [{ newStart: 1, newLines: 58 }] }], deploy: { ref: 'deploy/7f3e1c2', time: deploy, environment: 'production' } }),
      commit(rng, { author: 'Ana Ruiz', email: 'ana.ruiz@codehost.example', time: utc('2022-03-15T18:05:00Z'), message: 'webhooks: raise delivery concurrency from 48 to 64 per host', files: [{ path: 'config/webhooks.yml', hunks: [{ newStart: 9, newLines: 1 }] }], deploy: { ref: 'deploy/a77c310', time: utc('2022-03-15T19:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'WriteAvailabilityLow', severity: 'critical', labels: { service: 'web-monolith', env: 'production' }, annotations: { summary: 'write requests failing above 10%' }, startsAt: alertAt, value: '0.29', service: 'web-monolith', environment: 'production' });
    const alerts = [alert({ name: 'ProxySQLMaxConnections', severity: 'critical', labels: { instance: 'proxysql-mysql1:42004', cluster: 'mysql1' }, annotations: { summary: 'proxysql client connections at max_connections' }, startsAt: utc('2022-03-16T14:10:00Z') }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
