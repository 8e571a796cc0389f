// AWS S3, 28 February 2017: while debugging a slow billing subsystem, an operator ran a playbook command
// with a wrong input and removed a large part of the index subsystem's servers; the index had to be
// restarted in full and every GET, PUT and LIST in the region failed meanwhile.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

export const awsS32017PlaybookRemoval: PostmortemCase = {
  slug: 'aws-s3-2017-playbook-removal',
  title: 'A playbook command with a wrong input removes most of the index fleet',
  source: { url: 'https://aws.amazon.com/message/41926/', publisher: 'Amazon Web Services', date: '2017-02-28' },
  follows:
    'An authorised operator, debugging a billing subsystem that ran slower than expected, executed an established playbook command ' +
    'meant to remove a few servers from a billing subsystem; one input was entered incorrectly and many more servers were removed, ' +
    'including servers of the index subsystem that every GET, LIST, PUT and DELETE needs; the index needed a full restart.',
  changed:
    'Our names (blob-gateway, blob-index, blob-placement, billing-usage); one region; the command appears as an audit-log line and ' +
    'the fleet manager\'s decommission logs; the bundle ends while the index restart is still in progress.',
  traps: [
    'The earliest alert of the storm is the unrelated-looking billing lag that motivated the operator, not the outage itself.',
    'The front end (blob-gateway) was deployed 32 minutes before the onset and is where the errors are counted.',
    'The failing calls are to an internal service whose own server spans are in the traces (the index is not an external dependency).',
    'No commit touches the index: the cause is an operator\'s command, visible only in the audit log and the fleet size.',
  ],
  kindNote: 'An operator\'s runbook command that changed the running fleet: config-change (undo the action), no commit.',
  build(rng) {
    const start = utc('2017-02-28T15:40:00Z');
    const end = utc('2017-02-28T17:52:00Z');
    const commandAt = utc('2017-02-28T17:37:04Z');
    const alertAt = utc('2017-02-28T17:39:30Z');
    const billingSlowFrom = utc('2017-02-28T16:35:00Z');
    const gatewayDeploy = utc('2017-02-28T17:05:00Z');
    const times = grid(start, end, 30_000);
    const removed = (t: number) => ramp(t, commandAt + 20_000, 150_000);
    const restartBegins = utc('2017-02-28T17:44:30Z');
    const indexDown = (t: number) => Math.max(0.92 * removed(t), t >= restartBegins ? 0.99 : 0);
    const rps = (op: string) => (t: number) => ({ GET: 52000, PUT: 9000, LIST: 4100, DELETE: 1300 } as Record<string, number>)[op] * diurnal(t, 19, 0.25);

    const metrics: MetricSeries[] = [];
    for (const op of ['GET', 'PUT', 'LIST', 'DELETE']) {
      for (const code of ['200', '500', '503']) {
        metrics.push(
          counter('blob_gateway_requests_total', { op, code, job: 'blob-gateway', region: 'use1' }, times, (t) => {
            const bad = indexDown(t) * (op === 'PUT' ? 0.995 : 0.97);
            const share = code === '200' ? 1 - bad - 0.0004 : code === '500' ? 0.0003 + bad * 0.3 : 0.0001 + bad * 0.7;
            return rps(op)(t) * share * wobble(rng, 0.015);
          }, rng, { service: 'blob-gateway' }),
        );
      }
    }
    metrics.push(
      ...histogram('blob_gateway_request_duration_seconds', { op: 'GET', job: 'blob-gateway' }, times, [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], (t) => rps('GET')(t) / 200,
        (t) => (indexDown(t) > 0.3 ? { median: 1.9, sigma: 0.5, slowFraction: 0.3, slowMedian: 0.004, slowSigma: 0.4 } : { median: 0.021, sigma: 0.55 }), rng, { service: 'blob-gateway', unit: 's' }),
    );
    metrics.push(gauge('job:up:sum', { job: 'blob-index', region: 'use1' }, times, (t) => Math.round(944 - 570 * removed(t) - (t >= restartBegins ? 352 * ramp(t, restartBegins, 120_000) : 0) + rng.int(-3, 0)), { service: 'blob-index' }));
    metrics.push(gauge('job:up:sum', { job: 'blob-placement', region: 'use1' }, times, () => 212 - rng.int(0, 2), { service: 'blob-placement' }));
    metrics.push(gauge('job:up:sum', { job: 'billing-usage', region: 'use1' }, times, (t) => (t >= commandAt + 20_000 ? 36 : 40) - rng.int(0, 1), { service: 'billing-usage' }));
    metrics.push(gauge('blob_index_partitions_serving_ratio', { job: 'blob-index', region: 'use1' }, times, (t) => Math.max(0, 1 - 0.97 * indexDown(t) + rng.normal(0, 0.002)), { service: 'blob-index' }));
    metrics.push(
      counter('blob_index_lookups_total', { job: 'blob-index', result: 'ok' }, times, (t) => (rps('GET')(t) + rps('LIST')(t)) * 1.4 * (1 - indexDown(t)), rng, { service: 'blob-index' }),
      counter('blob_index_lookups_total', { job: 'blob-index', result: 'not_owner' }, times, (t) => 3 + (rps('GET')(t) * 0.2 * removed(t) * (t < restartBegins ? 1 : 0.1)), rng, { service: 'blob-index' }),
    );
    metrics.push(gauge('billing_usage_aggregation_lag_seconds', { job: 'billing-usage', region: 'use1' }, times, (t) => {
      const lag = 90 + 2400 * ramp(t, billingSlowFrom, 60 * 60_000);
      return lag * wobble(rng, 0.04);
    }, { service: 'billing-usage', unit: 's' }));
    metrics.push(gauge('instance:node_cpu_utilisation:rate5m', { job: 'node', instance: 'blob-index-use1-c0412:9100' }, times, (t) => (t >= commandAt + 25_000 && t < restartBegins + 60_000 ? 0.93 : 0.41) * wobble(rng, 0.04)));

    const logs: LogRecord[] = [];
    logs.push(
      ...atRate(rng, start, end, () => 1.5, (t) => logRecord(t, 'info', 'billing-usage', logfmt({ msg: 'aggregation batch committed', shard: `b${rng.int(1, 40)}`, records: rng.int(80_000, 140_000), duration_ms: Math.round(t > billingSlowFrom ? rng.between(9000, 30000) : rng.between(1800, 3200)) }), { 'host.name': `billing-usage-use1-${rng.int(1, 40)}` })),
    );
    logs.push(
      logRecord(utc('2017-02-28T16:58:10Z'), 'info', 'ops-audit', logfmt({ user: 'op-mhalvorsen', action: 'session.open', ticket: 'TT-88231', reason: 'billing-usage aggregation slower than expected', host: 'bastion-use1-02' })),
      logRecord(utc('2017-02-28T17:14:52Z'), 'info', 'ops-audit', logfmt({ user: 'op-mhalvorsen', action: 'playbook.run', playbook: 'capacity/remove-hosts', args: '--fleet billing-usage-use1 --count 4 --dry-run', ticket: 'TT-88231', result: 'dry-run ok: 4 hosts' })),
      logRecord(commandAt, 'info', 'ops-audit', logfmt({ user: 'op-mhalvorsen', action: 'playbook.run', playbook: 'capacity/remove-hosts', args: '--fleet blob-index-use1,billing-usage-use1 --count 4 --percent 60', ticket: 'TT-88231', result: 'accepted' })),
    );
    logs.push(logRecord(commandAt + 3000, 'warn', 'fleet-manager', 'decommission request TT-88231: 4 hosts from billing-usage-use1, 566 hosts (60%) from blob-index-use1; draining without quorum check (playbook override)'));
    logs.push(
      ...atRate(rng, commandAt + 5000, commandAt + 160_000, () => 40, (t) => logRecord(t, 'info', 'fleet-manager', `host blob-index-use1-c0${rng.int(100, 999)} removed from service (decommission TT-88231)`)),
    );
    logs.push(
      ...atRate(rng, commandAt + 30_000, end, (t) => (t < restartBegins ? 30 : 12), (t) => logRecord(t, 'error', 'blob-index', logfmt({ level: 'error', msg: t < restartBegins ? 'partition map incomplete: lost owners for partitions, refusing lookups' : 'index subsystem restart in progress: waiting for partition map quorum', partitions_lost: rng.int(11_000, 19_000), host: `blob-index-use1-c0${rng.int(100, 999)}` }), { 'host.name': `blob-index-use1-c0${rng.int(100, 999)}` })),
    );
    logs.push(logRecord(restartBegins, 'warn', 'blob-index', 'index subsystem: full restart initiated by ops (TT-88231): capacity below minimum for safe partition ownership'));
    logs.push(
      ...atRate(rng, start, end, (t) => 0.4 + 70 * indexDown(t), (t) => {
        const bad = rng.chance(0.05 + indexDown(t));
        if (!bad) return logRecord(t, 'warn', 'blob-gateway', logfmt({ msg: 'slow request', op: 'GET', bucket: `b-${rng.hex(6)}`, latency_ms: rng.int(900, 2500) }));
        return logRecord(t, 'error', 'blob-gateway', logfmt({ msg: 'request failed', op: rng.pick(['GET', 'GET', 'PUT', 'LIST']), status: 503, code: 'ServiceUnavailable', cause: 'index lookup failed: UNAVAILABLE: no partition owner', request_id: rng.hex(16).toUpperCase() }));
      }),
    );
    for (let i = 0; i < 6; i++) logs.push(logRecord(gatewayDeploy + i * 40_000 + rng.int(0, 9000), 'info', 'blob-gateway', `deploy blob-gateway 2017.02.28-1 on blob-gateway-use1-0${i + 1}: healthy`));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < commandAt ? 2.2 : 9))) {
      const down = indexDown(t);
      const op = rng.pick(['GET', 'GET', 'GET', 'PUT', 'LIST']);
      const failing = rng.chance(down * 0.97);
      const idxHost = `blob-index-use1-c0${rng.int(100, 999)}`;
      const lookupServer: SpanNode | undefined =
        failing && rng.chance(0.6)
          ? undefined
          : {
              service: 'blob-index',
              name: 'IndexService/Lookup',
              selfMs: failing ? jitter(rng, 4, 0.4) : jitter(rng, 3.2, 0.4),
              attributes: { 'rpc.system': 'grpc', 'rpc.service': 'IndexService', 'rpc.method': 'Lookup', 'host.name': idxHost, ...(failing ? { 'rpc.grpc.status_code': 9 } : { 'rpc.grpc.status_code': 0 }) },
              ...(failing ? { status: 'error' as const, statusMessage: 'FAILED_PRECONDITION: partition not owned by this host' } : {}),
            };
      const lookup = call(
        {
          service: 'blob-gateway',
          name: 'IndexService/Lookup',
          networkMs: failing && !lookupServer ? jitter(rng, 1000, 0.2) : jitter(rng, 0.9),
          attributes: { 'rpc.system': 'grpc', 'server.address': 'blob-index.use1.internal', 'rpc.grpc.status_code': failing ? 14 : 0 },
          ...(failing ? { status: 'error' as const, statusMessage: lookupServer ? 'FAILED_PRECONDITION' : 'UNAVAILABLE: no healthy upstream' } : {}),
        },
        lookupServer,
      );
      const children: SpanNode[] = [lookup];
      if (!failing && op === 'PUT') {
        children.push(call({ service: 'blob-gateway', name: 'PlacementService/Allocate', networkMs: jitter(rng, 1), attributes: { 'rpc.system': 'grpc', 'server.address': 'blob-placement.use1.internal' } },
          { service: 'blob-placement', name: 'PlacementService/Allocate', selfMs: jitter(rng, 6), attributes: { 'rpc.system': 'grpc' } }));
      }
      if (!failing) children.push({ service: 'blob-gateway', name: 'storage.read', selfMs: jitter(rng, 12, 0.6), attributes: { 'storage.node': `st-use1-${rng.int(1000, 9999)}` } });
      spans.push(
        ...emitTrace(rng, t, {
          service: 'blob-gateway',
          kind: 'server',
          name: `${op} /{bucket}/{key}`,
          selfMs: jitter(rng, 1.5),
          attributes: { 'http.request.method': op === 'LIST' ? 'GET' : op, 'http.route': op === 'LIST' ? '/{bucket}' : '/{bucket}/{key}', 'http.response.status_code': failing ? 503 : 200, 'service.version': t >= gatewayDeploy + 150_000 ? '2017.02.28-1' : '2017.02.21-3' },
          ...(failing ? { status: 'error' as const, statusMessage: '503 ServiceUnavailable' } : {}),
          children,
        }),
      );
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Priya Raman', email: 'priya.raman@blobstore.example', time: utc('2017-02-28T16:41:00Z'), message: 'gateway: include request id in 503 bodies', files: [{ path: 'gateway/src/errors/ServiceUnavailable.java', hunks: [{ newStart: 31, newLines: 9 }] }], deploy: { ref: 'blob-gateway/2017.02.28-1', time: gatewayDeploy, environment: 'production' } }),
      commit(rng, { author: 'Dmitri Volkov', email: 'dmitri.volkov@blobstore.example', time: utc('2017-02-28T14:02:00Z'), message: 'billing-usage: log batch durations', files: [{ path: 'billing-usage/src/batch.py', hunks: [{ newStart: 118, newLines: 4 }] }], deploy: { ref: 'billing-usage/517', time: utc('2017-02-28T14:30:00Z'), environment: 'production' } }),
      commit(rng, { author: 'Lena Fischer', email: 'lena.fischer@blobstore.example', time: utc('2017-02-27T21:15:00Z'), message: 'index: tighten lookup deadline metrics buckets', files: [{ path: 'index/src/metrics.rs', hunks: [{ newStart: 22, newLines: 3 }] }], deploy: { ref: 'blob-index/2017.02.27', time: utc('2017-02-27T23:00:00Z'), environment: 'production' } }),
    ]);

    const main = alert({ name: 'BlobGatewayErrorRateHigh', severity: 'critical', labels: { service: 'blob-gateway', region: 'use1', env: 'production' }, annotations: { summary: 'blob-gateway 5xx ratio above 5% in use1' }, startsAt: alertAt, value: '0.71', service: 'blob-gateway', environment: 'production' });
    const alerts = [
      alert({ name: 'BillingUsageLagHigh', severity: 'warning', labels: { service: 'billing-usage', region: 'use1' }, annotations: { summary: 'billing aggregation lag above 15 minutes' }, startsAt: utc('2017-02-28T16:52:00Z'), value: '1012', service: 'billing-usage' }),
      alert({ name: 'BlobIndexHostsDown', severity: 'critical', labels: { service: 'blob-index', region: 'use1' }, annotations: { summary: 'more than 20% of blob-index hosts down' }, startsAt: utc('2017-02-28T17:38:30Z'), value: '418', service: 'blob-index' }),
      main,
      alert({ name: 'BlobPlacementErrors', severity: 'warning', labels: { service: 'blob-placement', region: 'use1' }, annotations: { summary: 'placement allocations failing' }, startsAt: utc('2017-02-28T17:40:30Z'), service: 'blob-placement' }),
    ];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'blob-gateway', to: 'blob-index' }, { from: 'blob-gateway', to: 'blob-placement' }, { from: 'blob-placement', to: 'blob-index' }] };
  },
};
