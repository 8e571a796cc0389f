// AWS DynamoDB, 20 September 2015: after a brief network disruption, storage servers asked the metadata
// service for their memberships all at once; memberships had grown large, answers took longer than the
// storage servers' timeout, they retried and took themselves out of service, and the retries kept the
// metadata service overloaded.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

export const dynamodb2015MetadataOverload: PostmortemCase = {
  slug: 'dynamodb-2015-metadata-overload',
  title: 'A short network blip starts a retry storm against an under-provisioned metadata service',
  source: { url: 'https://aws.amazon.com/message/5467D2/', publisher: 'Amazon Web Services', date: '2015-09-20' },
  follows:
    'A brief network disruption made some storage servers re-request their membership from the metadata service; memberships had grown with ' +
    'the adoption of global secondary indexes, so answers exceeded the allowed retrieval time; the servers retried and removed themselves from ' +
    'service, and the retries overloaded the metadata service; the error rate reached about 55%.',
  changed:
    'Our names (request-router, storage-node, membership-metadata); the network blip is one line per host and a short drop counter; the window ' +
    'ends before requests to the metadata service were paused to add capacity.',
  traps: [
    'A network disruption happens at the onset, on some hosts: an infrastructure explanation (the bad network) is tempting but wrong.',
    'The membership size grew slowly for the whole window (and long before it), so no step change marks the cause.',
    'The failing calls are to an internal service whose own (slow) server spans are in the traces.',
    'Each storage node retries, so traces show more calls per request (a trace-structure change) while the callee\'s own rate explodes.',
    'request-router was deployed 45 minutes earlier.',
  ],
  kindNote: 'The metadata service could not serve the load its clients put on it: capacity of membership-metadata; no commit.',
  build(rng) {
    const start = utc('2015-09-20T07:20:00Z');
    const end = utc('2015-09-20T09:40:00Z');
    const blip = utc('2015-09-20T09:19:00Z');
    const alertAt = utc('2015-09-20T09:27:00Z');
    const feDeploy = utc('2015-09-20T08:34:00Z');
    const times = grid(start, end, 30_000);
    const storm = (t: number) => ramp(t, blip + 20_000, 600_000);
    const membershipBytes = (t: number) => 7.4e6 + (t - start) * 0.35;
    const storageHosts = Array.from({ length: 6 }, (_, i) => `storage-use1-az${(i % 3) + 1}-${rng.int(1000, 9999)}`);
    const blipHosts = storageHosts.slice(0, 4);

    const metrics: MetricSeries[] = [];
    metrics.push(gauge('membership_response_size_bytes', { quantile: '0.99', job: 'membership-metadata' }, times, (t) => membershipBytes(t) * wobble(rng, 0.01), { service: 'membership-metadata', unit: 'By' }));
    metrics.push(counter('membership_requests_total', { job: 'membership-metadata', result: 'ok' }, times, (t) => 38 * wobble(rng, 0.1) + 320 * storm(t) * 0.15, rng, { service: 'membership-metadata' }));
    metrics.push(counter('membership_requests_total', { job: 'membership-metadata', result: 'deadline_exceeded' }, times, (t) => 0.01 + 2900 * storm(t) * wobble(rng, 0.05), rng, { service: 'membership-metadata' }));
    metrics.push(
      ...histogram('membership_request_duration_seconds', { job: 'membership-metadata' }, times, [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], (t) => 38 + 3000 * storm(t),
        (t) => (storm(t) > 0.2 ? { median: 4.6, sigma: 0.4 } : { median: 0.31, sigma: 0.35 }), rng, { service: 'membership-metadata', unit: 's' }),
    );
    metrics.push(gauge('instance:node_cpu_utilisation:rate5m', { instance: 'membership-metadata-use1-a1:9100', job: 'node' }, times, (t) => Math.min(1, 0.34 * wobble(rng, 0.04) + 0.65 * storm(t))));
    metrics.push(gauge('storage_node_partitions_serving_ratio', { job: 'storage-node' }, times, (t) => Math.max(0.3, 1 - 0.52 * storm(t) + rng.normal(0, 0.003)), { service: 'storage-node' }));
    for (const h of storageHosts) {
      metrics.push(counter('node_network_receive_drop_total', { device: 'eth0', instance: `${h}:9100`, job: 'node' }, times, (t) => (blipHosts.includes(h) && t > blip && t <= blip + 60_000 ? 4000 : 0.2), rng, { initial: rng.int(100, 900) }));
    }
    for (const code of ['200', '500', '503']) {
      metrics.push(counter('request_router_requests_total', { code, job: 'request-router' }, times, (t) => {
        const f = 0.55 * storm(t);
        const share = code === '200' ? 1 - f - 0.0002 : code === '500' ? f * 0.4 + 0.0001 : f * 0.6 + 0.0001;
        return 410_000 * share * wobble(rng, 0.01);
      }, rng, { service: 'request-router' }));
    }

    const logs: LogRecord[] = [];
    for (const h of blipHosts) logs.push(logRecord(blip + rng.int(0, 8000), 'warn', undefined, 'bonding: bond0: link status definitely down for interface eth0, disabling it', { 'host.name': h, 'log.file.name': 'kern.log' }), logRecord(blip + rng.int(15_000, 25_000), 'info', undefined, 'bonding: bond0: link status definitely up for interface eth0, 10000 Mbps full duplex', { 'host.name': h, 'log.file.name': 'kern.log' }));
    logs.push(...atRate(rng, blip + 20_000, end, (t) => 50 * storm(t), (t) => {
      const h = rng.pick(storageHosts);
      return rng.chance(0.7)
        ? logRecord(t, 'warn', 'storage-node', logfmt({ msg: 'membership request timed out, retrying', attempt: rng.int(1, 6), timeout_ms: 2500, membership_bytes: Math.round(membershipBytes(t)) }), { 'host.name': h })
        : logRecord(t, 'error', 'storage-node', logfmt({ msg: 'no confirmed membership, removing self from request path', partitions: rng.int(400, 2200) }), { 'host.name': h });
    }));
    logs.push(...atRate(rng, blip + 60_000, end, (t) => 12 * storm(t), (t) => logRecord(t, 'warn', 'membership-metadata', logfmt({ msg: 'request queue above high watermark', queued: rng.int(4000, 30_000), workers_busy: 512 }), { 'host.name': `membership-metadata-use1-${rng.pick(['a1', 'b1', 'c1'])}` })));
    logs.push(...atRate(rng, start, end, () => 1, (t) => logRecord(t, 'info', 'membership-metadata', logfmt({ msg: 'membership served', bytes: Math.round(membershipBytes(t) * rng.between(0.3, 1)), took_ms: rng.int(120, 600) }), { 'host.name': 'membership-metadata-use1-a1' })));
    logs.push(...atRate(rng, blip + 60_000, end, (t) => 25 * storm(t), (t) => logRecord(t, 'error', 'request-router', logfmt({ msg: 'request failed', op: rng.pick(['GetItem', 'PutItem', 'Query']), status: 500, error: 'InternalServerError', cause: 'no storage replica accepting requests for partition' }))));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < blip ? 1.5 : 7))) {
      const s = storm(t);
      const h = rng.pick(storageHosts);
      const attempts = s > 0.1 ? rng.int(2, 4) : 1;
      const children: SpanNode[] = [];
      for (let i = 0; i < attempts; i++) {
        const timedOut = s > 0.1 && (i < attempts - 1 || rng.chance(0.8));
        children.push(call({ service: 'storage-node', name: 'MembershipService/GetMembership', networkMs: timedOut ? 2500 : jitter(rng, 2), attributes: { 'rpc.system': 'grpc', 'server.address': 'membership-metadata.use1.internal', 'rpc.grpc.status_code': timedOut ? 4 : 0, 'retry.attempt': i }, ...(timedOut ? { status: 'error' as const, statusMessage: 'DEADLINE_EXCEEDED' } : {}) },
          timedOut && rng.chance(0.5) ? undefined : { service: 'membership-metadata', name: 'MembershipService/GetMembership', selfMs: timedOut ? jitter(rng, 2400, 0.05) : jitter(rng, 310, 0.3), attributes: { 'rpc.system': 'grpc', 'membership.bytes': Math.round(membershipBytes(t)) } }));
      }
      spans.push(...emitTrace(rng, t, { service: 'storage-node', kind: 'internal', name: 'refresh membership', selfMs: jitter(rng, 3), attributes: { 'host.name': h, trigger: t >= blip ? 'network-recovery' : 'periodic' }, children }));
    }
    for (const t of traceStarts(rng, start, end, () => 1.5)) {
      const failed = rng.chance(0.55 * storm(t));
      spans.push(...emitTrace(rng, t, { service: 'request-router', kind: 'server', name: 'GetItem', selfMs: jitter(rng, 0.8), attributes: { 'rpc.method': 'GetItem', 'http.response.status_code': failed ? 500 : 200, 'service.version': t >= feDeploy ? '2015.09.20.1' : '2015.09.14.3' }, ...(failed ? { status: 'error' as const } : {}), children: failed ? [] : [call({ service: 'request-router', name: 'storage read', networkMs: jitter(rng, 1.5), attributes: { 'server.address': `${rng.pick(storageHosts)}.internal` } }, { service: 'storage-node', name: 'ReadItem', selfMs: jitter(rng, 1.2) })] }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Oren Shapiro', email: 'oren.shapiro@kvstore.example', time: utc('2015-09-20T06:50:00Z'), message: 'router: emit per-operation latency histograms', files: [{ path: 'router/src/metrics/OperationMetrics.java', hunks: [{ newStart: 21, newLines: 40 }] }], deploy: { ref: 'request-router/2015.09.20.1', time: feDeploy, environment: 'production' } }),
      commit(rng, { author: 'Yuki Tanaka', email: 'yuki.tanaka@kvstore.example', time: utc('2015-09-18T22:10:00Z'), message: 'storage-node: log membership size on refresh', files: [{ path: 'storage/src/membership/Refresher.java', hunks: [{ newStart: 133, newLines: 4 }] }], deploy: { ref: 'storage-node/2015.09.19.2', time: utc('2015-09-19T03:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'TableAPIErrorRate', severity: 'critical', labels: { service: 'request-router', region: 'us-east-1' }, annotations: { summary: 'table API errors above 10%' }, startsAt: alertAt, value: '0.38', service: 'request-router' });
    const alerts = [alert({ name: 'NodeNetworkReceiveDrops', severity: 'warning', labels: { instance: `${blipHosts[0]}:9100` }, annotations: { summary: 'receive drops on eth0' }, startsAt: blip + 60_000 }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'request-router', to: 'storage-node' }, { from: 'storage-node', to: 'membership-metadata' }] };
  },
};
