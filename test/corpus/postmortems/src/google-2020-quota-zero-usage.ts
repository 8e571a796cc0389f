// Google, 14 December 2020: the automated quota system, still fed by a legacy usage report that said 0,
// cut the storage quota of the account database behind the User ID service; its Paxos leader could no
// longer write, reads went stale, and authentication lookups failed everywhere.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt } from './lib/fleet';
import { javaStack, logRecord } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

export const google2020QuotaZeroUsage: PostmortemCase = {
  slug: 'google-2020-quota-zero-usage',
  title: 'Automated quota cut to a usage reported as zero stops the account store from writing',
  source: { url: 'https://status.cloud.google.com/incident/zall/20013', publisher: 'Google Cloud', date: '2020-12-14' },
  follows:
    'A migration of the User ID Service to a new quota system left parts of the old one in place, which reported its usage as 0; ' +
    'when a grace period ended, the automated quota system reduced the account database\'s quota, the Paxos leader could not write, ' +
    'reads became outdated and authentication lookups returned errors for 47 minutes.',
  changed:
    'Our names (session-gateway in front, account-store behind it, quota-manager); one region; the October registration change is ' +
    'outside the window and not in `changes`; the quota enforcement appears as a quota-manager log line and a limit series that drops.',
  traps: [
    'session-gateway, where the alert fires, was deployed 38 minutes before the onset.',
    'The series that is wrong (reported usage 0) is flat for the whole window: nothing changes in it at the onset.',
    'Errors surface on client spans of the gateway, but the callee (account-store) is an internal service whose own error spans are present.',
    'Morning traffic grows through the window (benign growth).',
  ],
  kindNote: 'A storage quota reached (set too low by automation): capacity, in the service that owns the quota.',
  build(rng) {
    const start = utc('2020-12-14T10:00:00Z');
    const end = utc('2020-12-14T11:58:00Z');
    const enforce = utc('2020-12-14T11:43:12Z');
    const staleFrom = utc('2020-12-14T11:46:00Z');
    const alertAt = utc('2020-12-14T11:48:30Z');
    const gwDeploy = utc('2020-12-14T11:10:00Z');
    const times = grid(start, end, 30_000);
    const writesFail = (t: number) => ramp(t, enforce + 8000, 20_000);
    const lookupsFail = (t: number) => 0.93 * ramp(t, staleFrom, 90_000);
    const rps = (t: number) => 88_000 * diurnal(t, 15, 0.3);
    const gwPods = deploymentPods(rng, 'session-gateway', 4, start, end, '2020.50.2', [{ at: gwDeploy, version: '2020.50.3' }], ['gke-auth-a-1', 'gke-auth-a-2', 'gke-auth-b-1', 'gke-auth-b-2']);

    const metrics: MetricSeries[] = [];
    metrics.push(gauge('storage_quota_limit_bytes', { quota_owner: 'account-store', cell: 'us-1', job: 'quota-manager' }, times, (t) => (t >= enforce ? 1.2e11 : 4.0e12), { service: 'account-store', unit: 'By' }));
    metrics.push(gauge('storage_used_bytes', { quota_owner: 'account-store', cell: 'us-1', job: 'account-store' }, times, (t) => 2.612e12 + (t - start) * 1.1 * (1 - writesFail(t)), { service: 'account-store', unit: 'By' }));
    metrics.push(gauge('quota_reported_usage_bytes', { quota_owner: 'account-store', cell: 'us-1', reporter: 'legacy', job: 'quota-manager' }, times, () => 0, { service: 'account-store', unit: 'By' }));
    metrics.push(gauge('quota_reported_usage_bytes', { quota_owner: 'session-gateway', cell: 'us-1', reporter: 'v2', job: 'quota-manager' }, times, (t) => 8.1e9 + (t - start) * 0.01, { service: 'session-gateway', unit: 'By' }));
    metrics.push(gauge('account_store_replica_staleness_seconds', { cell: 'us-1', job: 'account-store' }, times, (t) => (t < enforce + 8000 ? rng.between(0.2, 0.9) : (t - enforce) / 1000), { service: 'account-store', unit: 's' }));
    for (const code of ['OK', 'RESOURCE_EXHAUSTED', 'UNAVAILABLE']) {
      for (const method of ['Lookup', 'IssueCredential']) {
        metrics.push(
          counter('grpc_server_handled_total', { grpc_service: 'accounts.v1.AccountStore', grpc_method: method, grpc_code: code, job: 'account-store' }, times, (t) => {
            const base = method === 'Lookup' ? rps(t) * 1.8 : rps(t) * 0.12;
            const fail = method === 'Lookup' ? lookupsFail(t) : writesFail(t);
            const share = code === 'OK' ? 1 - fail : code === 'RESOURCE_EXHAUSTED' ? (method === 'IssueCredential' ? fail : 0) + 1e-6 : method === 'Lookup' ? fail : 1e-6;
            return base * share * wobble(rng, 0.02);
          }, rng, { service: 'account-store' }),
        );
      }
    }
    for (const pod of gwPods) {
      for (const code of ['200', '401', '503']) {
        metrics.push(
          counter('http_requests_total', { code, handler: '/v1/session/verify', job: 'session-gateway', pod: pod.name, namespace: 'auth' }, times, (t) => {
            const f = lookupsFail(t) * 0.97;
            const share = code === '200' ? 1 - f - 0.012 : code === '401' ? 0.012 : f + 0.0002;
            return (rps(t) / 4) * share * wobble(rng, 0.02);
          }, rng, { service: 'session-gateway', alive: { from: pod.from, to: pod.to } }),
        );
      }
    }
    metrics.push(
      ...histogram('grpc_server_handling_seconds', { grpc_service: 'accounts.v1.AccountStore', grpc_method: 'Lookup', job: 'account-store' }, times, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], (t) => rps(t) / 100,
        (t) => (lookupsFail(t) > 0.5 ? { median: 0.0021, sigma: 0.4 } : { median: 0.0034, sigma: 0.5 }), rng, { service: 'account-store', unit: 's' }),
    );

    const logs: LogRecord[] = [];
    logs.push(...atRate(rng, start, end, () => 2, (t) => logRecord(t, 'info', 'quota-manager', `reconcile cell=us-1 owners=4112 adjusted=${rng.int(0, 6)} pending_grace=1`)));
    logs.push(logRecord(utc('2020-12-14T10:12:00Z'), 'info', 'quota-manager', 'grace period for account-store/us-1 (legacy usage reporter) ends 2020-12-14T11:43:00Z'));
    logs.push(logRecord(enforce, 'warn', 'quota-manager', 'enforcing quota for account-store/us-1: storage limit 4.00 TB -> 120 GB (reported usage 0 B by legacy reporter; grace period expired)'));
    logs.push(
      ...atRate(rng, enforce + 8000, end, () => 25, (t) =>
        logRecord(t, 'error', 'account-store', javaStack('io.grpc.StatusRuntimeException', 'RESOURCE_EXHAUSTED: storage quota exceeded for account-store/us-1 (used 2.61 TB, limit 120 GB)', [
          'io.grpc.Status.asRuntimeException(Status.java:535)',
          'net.idplane.paxos.LeaderLog.append(LeaderLog.java:211)',
          'net.idplane.accounts.store.AccountWriter.commit(AccountWriter.java:96)',
          'net.idplane.accounts.api.IssueCredentialHandler.handle(IssueCredentialHandler.java:58)',
        ]), { 'host.name': `account-store-us1-${rng.int(1, 12)}`, 'thread.name': `grpc-default-executor-${rng.int(1, 64)}` })),
    );
    logs.push(
      ...atRate(rng, staleFrom, end, () => 30, (t) => logRecord(t, 'error', 'account-store', `Lookup rejected: replica staleness ${Math.round((t - enforce) / 1000)}s exceeds bound 30s (leader cannot commit)`, { 'host.name': `account-store-us1-${rng.int(1, 12)}` })),
    );
    logs.push(
      ...atRate(rng, start, end, (t) => 0.5 + 40 * lookupsFail(t), (t) => {
        const pod = rng.pick(liveAt(gwPods, t));
        if (!pod) return undefined;
        if (lookupsFail(t) < 0.2) return logRecord(t, 'warn', 'session-gateway', `verify: cookie rejected: expired (age ${rng.int(30, 400)}d)`, { 'k8s.pod.name': pod.name });
        return logRecord(t, 'error', 'session-gateway', `verify: account lookup failed: rpc error: code = Unavailable desc = Lookup rejected: replica staleness ${Math.round((t - enforce) / 1000)}s exceeds bound 30s`, { 'k8s.pod.name': pod.name, 'service.version': pod.version });
      }),
    );

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < staleFrom ? 2.5 : 9))) {
      const pod = rng.pick(liveAt(gwPods, t));
      if (!pod) continue;
      const failing = rng.chance(lookupsFail(t));
      const issuing = rng.chance(0.15);
      const writeFail = issuing && rng.chance(writesFail(t));
      const lookupServer = {
        service: 'account-store',
        name: 'accounts.v1.AccountStore/Lookup',
        selfMs: jitter(rng, 2.6),
        attributes: { 'rpc.system': 'grpc', 'rpc.service': 'accounts.v1.AccountStore', 'rpc.method': 'Lookup', 'rpc.grpc.status_code': failing ? 14 : 0 },
        ...(failing ? { status: 'error' as const, statusMessage: 'replica staleness exceeds bound' } : {}),
      };
      const children = [call({ service: 'session-gateway', name: 'accounts.v1.AccountStore/Lookup', networkMs: jitter(rng, 0.7), attributes: { 'rpc.system': 'grpc', 'server.address': 'account-store.auth.svc', 'rpc.grpc.status_code': failing ? 14 : 0 }, ...(failing ? { status: 'error' as const, statusMessage: 'Unavailable' } : {}) }, lookupServer)];
      if (issuing && !failing) {
        children.push(call({ service: 'session-gateway', name: 'accounts.v1.AccountStore/IssueCredential', networkMs: jitter(rng, 0.7), attributes: { 'rpc.system': 'grpc', 'server.address': 'account-store.auth.svc', 'rpc.grpc.status_code': writeFail ? 8 : 0 }, ...(writeFail ? { status: 'error' as const, statusMessage: 'ResourceExhausted' } : {}) },
          { service: 'account-store', name: 'accounts.v1.AccountStore/IssueCredential', selfMs: jitter(rng, 9), attributes: { 'rpc.system': 'grpc', 'rpc.grpc.status_code': writeFail ? 8 : 0 }, ...(writeFail ? { status: 'error' as const, statusMessage: 'RESOURCE_EXHAUSTED: storage quota exceeded' } : {}) }));
      }
      const bad = failing || writeFail;
      spans.push(...emitTrace(rng, t, { service: 'session-gateway', kind: 'server', name: issuing ? 'POST /v1/session' : 'GET /v1/session/verify', selfMs: jitter(rng, 0.9), attributes: { 'http.request.method': issuing ? 'POST' : 'GET', 'http.route': issuing ? '/v1/session' : '/v1/session/verify', 'http.response.status_code': bad ? 503 : 200, 'k8s.pod.name': pod.name, 'service.version': pod.version }, ...(bad ? { status: 'error' as const } : {}), children }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Jonas Eriksen', email: 'jonas.eriksen@idplane.example', time: utc('2020-12-14T10:31:00Z'), message: 'session: drop SameSite attribute for clients that reject None', files: [{ path: 'session-gateway/cookie/samesite.go', hunks: [{ newStart: 40, newLines: 17 }] }, { path: 'session-gateway/cookie/samesite_test.go', hunks: [{ newStart: 88, newLines: 40 }] }], deploy: { ref: 'session-gateway/2020.50.3', time: gwDeploy, environment: 'production' } }),
      commit(rng, { author: 'Amara Okafor', email: 'amara.okafor@idplane.example', time: utc('2020-12-13T16:20:00Z'), message: 'account-store: export replica staleness as a gauge', files: [{ path: 'account-store/src/main/java/net/idplane/accounts/metrics/ReplicaMetrics.java', hunks: [{ newStart: 12, newLines: 30 }] }], deploy: { ref: 'account-store/2020.50.1', time: utc('2020-12-13T18:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'AuthLookupErrors', severity: 'critical', labels: { service: 'session-gateway', cell: 'us-1', env: 'prod' }, annotations: { summary: 'session verification failing for more than 10% of requests' }, startsAt: alertAt, value: '0.87', service: 'session-gateway', environment: 'prod' });
    const alerts = [alert({ name: 'AccountStoreWriteFailures', severity: 'warning', labels: { service: 'account-store', cell: 'us-1' }, annotations: { summary: 'IssueCredential failing' }, startsAt: utc('2020-12-14T11:45:00Z'), service: 'account-store' }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
