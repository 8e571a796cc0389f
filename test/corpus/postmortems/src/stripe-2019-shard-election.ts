// Stripe, 10 July 2019: two nodes of a database shard had silently stalled days before; when the
// shard's primary failed, a latent fault of the database's failover could not elect a new primary, the
// shard stopped accepting writes and the API's workers piled up waiting on it.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const SET = 'ledger-store-s14';
const NODES = ['a', 'b', 'c', 'd', 'e'].map((x) => `${SET}-${x}`);
const PRIMARY = `${SET}-b`;
const STALLED = [`${SET}-d`, `${SET}-e`];

function rubyNoPrimary(): string {
  return [
    `Mongo::Error::NoServerAvailable: No primary server is available in cluster: #<Cluster topology=ReplicaSetNoPrimary[${NODES.map((n) => `${n}:27017`).join(',')},name=${SET}] servers=[...]> with timeout=30, LT=0.015`,
    "  /deploy/api/vendor/bundle/ruby/2.5.0/gems/mongo-2.8.0/lib/mongo/server_selector/selectable.rb:119:in `select_server'",
    "  /deploy/api/vendor/bundle/ruby/2.5.0/gems/mongo-2.8.0/lib/mongo/collection/view/writable.rb:222:in `update_one'",
    "  /deploy/api/lib/ledger/balance_transaction_writer.rb:57:in `record!'",
    "  /deploy/api/app/charges/create_charge.rb:143:in `capture_and_record'",
  ].join('\n');
}

export const stripe2019ShardElection: PostmortemCase = {
  slug: 'stripe-2019-shard-election',
  title: 'A shard primary fails while two silently stalled nodes block the election of a new one',
  source: { url: 'https://stripe.com/rcas/2019-07-10', publisher: 'Stripe', date: '2019-07-10' },
  follows:
    'Three months earlier a minor database version introduced a fault in failover that only shows with several stalled nodes; four days ' +
    'earlier two nodes of one shard stalled (they stopped reporting replication lag but answered health checks); at 16:35 UTC the shard\'s ' +
    'primary failed, no primary could be elected, and the API, which uses that shard widely, exhausted its compute; a cluster restart fixed it at 17:02.',
  changed:
    'Our names (charges-api, ledger-store and its shard s14 with five nodes); MongoDB-style exporter series and errors; the window ends before the restart; ' +
    'the second degradation of that day (after the version rollback) is not modelled.',
  traps: [
    'A configuration commit for this very shard landed 33 minutes before the failure (innocent here).',
    'charges-api deployed 25 minutes before; its errors and saturated workers are where the alert is.',
    'The two stalled nodes report healthy (`up` = 1) and simply have no replication-lag samples in the window: the evidence is an absence.',
    'The database has no server spans; the API\'s client spans show the timeouts.',
  ],
  kindNote: 'A failed database node (with the shard unable to fail over): infrastructure, host the failed primary, service the database cluster.',
  build(rng) {
    const start = utc('2019-07-10T14:35:00Z');
    const end = utc('2019-07-10T16:48:00Z');
    const fail = utc('2019-07-10T16:35:10Z');
    const alertAt = utc('2019-07-10T16:36:30Z');
    const apiDeploy = utc('2019-07-10T16:10:00Z');
    const times = grid(start, end, 30_000);
    const noPrimary = (t: number) => (t >= fail ? 1 : 0);
    const starved = (t: number) => ramp(t, fail + 5000, 90_000);
    const rps = (t: number) => 5200 * diurnal(t, 17, 0.2);

    const metrics: MetricSeries[] = [];
    for (const n of NODES) {
      const inst = { instance: `${n}:9216`, job: 'mongodb', set: SET };
      metrics.push(gauge('up', inst, times, (t) => (n === PRIMARY && t >= fail ? 0 : 1)));
      if (STALLED.includes(n)) continue;
      if (n !== PRIMARY) metrics.push(gauge('mongodb_mongod_replset_member_replication_lag', { ...inst, name: `${n}:27017` }, times, (t) => (t >= fail ? (t - fail) / 1000 : rng.between(0, 1.5)), { service: 'ledger-store', unit: 's' }));
      metrics.push(gauge('mongodb_mongod_replset_my_state', inst, times, (t) => (n === PRIMARY ? (t >= fail ? NaN : 1) : 2), { service: 'ledger-store' }));
      metrics.push(counter('mongodb_mongod_op_counters_total', { ...inst, type: 'update' }, times, (t) => (n === PRIMARY ? rps(t) * 0.8 * (1 - noPrimary(t)) : 0), rng, { service: 'ledger-store', alive: n === PRIMARY ? { from: start, to: fail } : undefined }));
    }
    for (const s of ['s07', 's11', 's14', 's20']) metrics.push(gauge('ledger_store_shard_writable', { shard: s, job: 'ledger-router' }, times, (t) => (s === 's14' && t >= fail ? 0 : 1), { service: 'ledger-store' }));
    for (const code of ['200', '402', '500', '503']) {
      metrics.push(counter('charges_api_requests_total', { code, job: 'charges-api' }, times, (t) => {
        const f = 0.8 * starved(t);
        const share = code === '200' ? 0.93 * (1 - f) : code === '402' ? 0.068 * (1 - f) : code === '500' ? 0.001 + f * 0.5 : 0.0005 + f * 0.5;
        return rps(t) * share * wobble(rng, 0.02);
      }, rng, { service: 'charges-api' }));
    }
    metrics.push(gauge('puma_pool_capacity', { job: 'charges-api', instance: 'api-fleet' }, times, (t) => Math.max(0, Math.round(1900 * (1 - 0.98 * starved(t)) + rng.int(-40, 40))), { service: 'charges-api' }));
    metrics.push(gauge('puma_backlog', { job: 'charges-api', instance: 'api-fleet' }, times, (t) => Math.round(rng.int(0, 6) + 9000 * starved(t)), { service: 'charges-api' }));

    const logs: LogRecord[] = [];
    logs.push(logRecord(fail, 'fatal', 'ledger-store', 'Fatal assertion 34437 at src/mongo/db/repl/replication_coordinator_impl.cpp 1452', { 'host.name': PRIMARY }));
    logs.push(logRecord(fail + 200, 'fatal', 'ledger-store', '***aborting after fassert() failure', { 'host.name': PRIMARY }));
    logs.push(...atRate(rng, fail + 10_000, end, () => 6, (t) => {
      const n = rng.pick([`${SET}-a`, `${SET}-c`]);
      return logRecord(t, 'warn', 'ledger-store', `[replexec-${rng.int(1, 9)}] not running for primary, we received insufficient votes (need 3, got 2; no response from ${STALLED.map((s) => `${s}:27017`).join(', ')})`, { 'host.name': n });
    }));
    logs.push(...atRate(rng, start, end, () => 0.5, (t) => logRecord(t, 'info', 'ledger-store', `[conn${rng.int(1e5, 9e5)}] command ledger.balance_transactions command: update ... ${rng.int(100, 180)}ms`, { 'host.name': rng.pick([PRIMARY, `${SET}-a`, `${SET}-c`]) })));
    logs.push(...atRate(rng, fail + 30_000, end, () => 30, (t) => logRecord(t, 'error', 'charges-api', rubyNoPrimary(), { 'host.name': `api-${rng.int(100, 399)}.ash.example`, 'service.version': '2019.07.10-4' })));
    logs.push(...atRate(rng, start, end, () => 1.5, (t) => logRecord(t, 'info', 'charges-api', `POST /v1/charges 200 ${rng.int(180, 700)}ms`, { 'host.name': `api-${rng.int(100, 399)}.ash.example` })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < fail ? 2.5 : 8))) {
      const hitsShard = rng.chance(0.6);
      const bad = noPrimary(t) === 1 && (hitsShard || rng.chance(starved(t) * 0.8));
      const children: SpanNode[] = [
        call({ service: 'charges-api', name: 'POST', networkMs: jitter(rng, 140, 0.4), attributes: { 'server.address': 'card-network-gw.int', 'http.request.method': 'POST', 'http.response.status_code': 200 } }, { service: 'card-gateway', name: 'POST /authorize', selfMs: jitter(rng, 4), attributes: { 'http.route': '/authorize' } }),
        call({ service: 'charges-api', name: 'update ledger.balance_transactions', networkMs: bad ? 30_000 : jitter(rng, 6, 0.5), attributes: { 'db.system': 'mongodb', 'db.namespace': 'ledger', 'db.collection.name': 'balance_transactions', 'server.address': hitsShard ? `${SET}.ledger.int` : 'ledger-store-s07.ledger.int', 'db.operation.name': 'update' }, ...(bad ? { status: 'error' as const, statusMessage: 'Mongo::Error::NoServerAvailable: No primary server is available' } : {}) }, undefined),
      ];
      if (bad && t > end - 31_000) continue;
      spans.push(...emitTrace(rng, t, { service: 'charges-api', kind: 'server', name: 'POST /v1/charges', selfMs: jitter(rng, 20), attributes: { 'http.request.method': 'POST', 'http.route': '/v1/charges', 'http.response.status_code': bad ? 500 : 200, 'service.version': t >= apiDeploy ? '2019.07.10-4' : '2019.07.10-2' }, ...(bad ? { status: 'error' as const } : {}), children }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Elif Demir', email: 'elif.demir@payplatform.example', time: utc('2019-07-10T16:02:00Z'), message: 'ledger-store: raise the oplog window for s14 to 36h', files: [{ path: 'infra/ledger-store/shards/s14.yaml', hunks: [{ newStart: 11, newLines: 2 }] }], deploy: { ref: 'ledger-store-config/s14-20190710', time: utc('2019-07-10T16:05:00Z'), environment: 'production' } }),
      commit(rng, { author: 'Tom Brennan', email: 'tom.brennan@payplatform.example', time: utc('2019-07-10T15:41:00Z'), message: 'charges: tag statement descriptors with the merchant locale', files: [{ path: 'api/app/charges/descriptor.rb', hunks: [{ newStart: 30, newLines: 12 }] }], deploy: { ref: 'api/2019.07.10-4', time: apiDeploy, environment: 'production' } }),
    ]);
    const main = alert({ name: 'APIErrorRateHigh', severity: 'critical', labels: { service: 'charges-api', env: 'production' }, annotations: { summary: 'API 5xx above 5%' }, startsAt: alertAt, value: '0.44', service: 'charges-api', environment: 'production' });
    const alerts = [main, alert({ name: 'LedgerShardNoPrimary', severity: 'critical', labels: { set: SET, service: 'ledger-store' }, annotations: { summary: `${SET} has no primary` }, startsAt: utc('2019-07-10T16:37:10Z'), service: 'ledger-store' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'charges-api', to: 'ledger-store' }, { from: 'charges-api', to: 'card-gateway' }] };
  },
};
