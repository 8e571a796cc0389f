// Cloudflare, 12 June 2025: the central storage behind Workers KV, partly backed by a third-party cloud
// provider, failed during that provider's outage; uncached KV reads and writes failed, and every product
// that keeps its configuration or identity data in KV failed with it.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt } from './lib/fleet';
import { logRecord, logfmt } from './lib/logs';
import { OTEL_HTTP_SECONDS_BUCKETS, counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const STORAGE = 'storage.googleapis.com';
const GCS_503 = '{"error":{"code":503,"message":"We encountered an internal error. Please try again.","errors":[{"message":"We encountered an internal error. Please try again.","domain":"global","reason":"backendError"}]}}';

export const cloudflare2025KvThirdPartyStorage: PostmortemCase = {
  slug: 'cloudflare-2025-kv-third-party-storage',
  title: 'The third-party storage behind an internal key-value service fails, and every product built on it fails',
  source: { url: 'https://blog.cloudflare.com/cloudflare-service-outage-june-12-2025/', publisher: 'Cloudflare', date: '2025-06-12' },
  follows:
    'A failure of the storage infrastructure behind Workers KV, part of which is backed by a third-party cloud provider that had an outage ' +
    'that day, made about 90% of KV requests fail (those not served from cache); Access, WARP, Gateway and many other products that keep ' +
    'configuration and identity data in KV failed; service returned when the provider recovered.',
  changed:
    'Our names for the internal services (kv-core, access-auth, device-registry); the provider\'s storage appears as its public API host in ' +
    'client spans and its documented JSON error body; the window ends 11 minutes after the first alert.',
  traps: [
    'The first failing service in every trace is internal (kv-core, with its own server spans), and it was deployed 30 minutes earlier: blaming it is wrong.',
    'access-auth, where the alert fires, also deployed within the window.',
    'Cached reads keep succeeding, so kv-core\'s total success rate drops less than its origin calls do.',
    'The real cause is outside the company: its only trace is the client spans and error bodies from the storage API.',
  ],
  build(rng) {
    const start = utc('2025-06-12T16:00:00Z');
    const end = utc('2025-06-12T18:06:00Z');
    const onset = utc('2025-06-12T17:49:30Z');
    const alertAt = utc('2025-06-12T17:55:00Z');
    const kvDeploy = utc('2025-06-12T17:20:00Z');
    const accessDeploy = utc('2025-06-12T16:40:00Z');
    const times = grid(start, end, 30_000);
    const storageDown = (t: number) => 0.97 * ramp(t, onset, 60_000);
    const kvPods = deploymentPods(rng, 'kv-core', 4, start, end, '2025.06.11-3', [{ at: kvDeploy, version: '2025.06.12-1' }], ['node-kv-1', 'node-kv-2', 'node-kv-3']);
    const rps = (t: number) => 38_000 * diurnal(t, 15, 0.2);
    const cacheHit = 0.62;

    const metrics: MetricSeries[] = [];
    for (const result of ['cache_hit', 'origin_ok', 'origin_error']) {
      metrics.push(counter('kv_requests_total', { result, job: 'kv-core' }, times, (t) => {
        const miss = 1 - cacheHit;
        const share = result === 'cache_hit' ? cacheHit : result === 'origin_ok' ? miss * (1 - storageDown(t)) : miss * storageDown(t) + 1e-5;
        return rps(t) * share * wobble(rng, 0.02);
      }, rng, { service: 'kv-core' }));
    }
    for (const code of ['200', '404', '503']) {
      metrics.push(counter('kv_origin_requests_total', { backend: 'gcs', code, job: 'kv-core' }, times, (t) => {
        const base = rps(t) * (1 - cacheHit);
        const share = code === '200' ? 0.93 * (1 - storageDown(t)) : code === '404' ? 0.07 * (1 - storageDown(t)) : storageDown(t) + 1e-5;
        return base * share * wobble(rng, 0.03);
      }, rng, { service: 'kv-core' }));
    }
    metrics.push(...histogram('kv_origin_request_duration_seconds', { backend: 'gcs', job: 'kv-core' }, times, OTEL_HTTP_SECONDS_BUCKETS, (t) => rps(t) * (1 - cacheHit) / 50,
      (t) => (storageDown(t) > 0.5 ? { median: 0.9, sigma: 0.8 } : { median: 0.045, sigma: 0.5 }), rng, { service: 'kv-core', unit: 's' }));
    for (const result of ['success', 'failure']) metrics.push(counter('access_logins_total', { result, job: 'access-auth' }, times, (t) => 900 * (result === 'success' ? 0.97 * (1 - storageDown(t)) : 0.03 + 0.97 * storageDown(t)) * wobble(rng, 0.04), rng, { service: 'access-auth' }));
    for (const result of ['registered', 'failed']) metrics.push(counter('warp_device_registrations_total', { result, job: 'device-registry' }, times, (t) => 140 * (result === 'registered' ? 1 - storageDown(t) : storageDown(t) + 0.002) * wobble(rng, 0.05), rng, { service: 'device-registry' }));
    metrics.push(gauge('kube_deployment_status_replicas_available', { deployment: 'kv-core', namespace: 'kv', job: 'kube-state-metrics' }, times, (t) => liveAt(kvPods, t).length));

    const logs: LogRecord[] = [];
    logs.push(...atRate(rng, start, end, () => 3, (t) => { const p = rng.pick(liveAt(kvPods, t)); return logRecord(t, 'info', 'kv-core', logfmt({ msg: 'namespace sync', ns: rng.pick(['access-policies', 'warp-devices', 'pages-assets', 'gateway-rules']), keys: rng.int(10, 4000) }), { 'k8s.pod.name': p.name, 'service.version': p.version }); }));
    for (const p of kvPods.filter((x) => x.version === '2025.06.12-1')) logs.push(logRecord(p.from + 6000, 'info', 'kv-core', 'kv-core 2025.06.12-1 ready (origin latency exported per backend)', { 'k8s.pod.name': p.name }));
    logs.push(...atRate(rng, onset, end, (t) => 30 * storageDown(t), (t) => {
      const p = rng.pick(liveAt(kvPods, t));
      return logRecord(t, 'error', 'kv-core', `origin read failed: GET https://${STORAGE}/storage/v1/b/kv-origin-prod/o/${rng.pick(['access-policies', 'warp-devices', 'gateway-rules'])}%2F${rng.hex(12)}?alt=media: 503 ${GCS_503}`, { 'k8s.pod.name': p.name, 'service.version': p.version });
    }));
    logs.push(...atRate(rng, onset + 20_000, end, (t) => 14 * storageDown(t), (t) => logRecord(t, 'error', 'access-auth', 'login failed: identity policy lookup: kv-core: 503 Service Unavailable (namespace access-policies)', { 'service.version': t >= accessDeploy ? 'v3.41.0' : 'v3.40.2' })));
    logs.push(...atRate(rng, onset + 20_000, end, (t) => 8 * storageDown(t), (t) => logRecord(t, 'error', 'device-registry', 'registration failed: write device record: kv-core PUT returned 503', {})));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < onset ? 2.5 : 8))) {
      const p = rng.pick(liveAt(kvPods, t));
      const cached = rng.chance(cacheHit);
      const bad = !cached && rng.chance(storageDown(t));
      const originCall: SpanNode[] = cached ? [] : [call({ service: 'kv-core', name: 'GET', networkMs: bad ? jitter(rng, 900, 0.6) : jitter(rng, 45, 0.5), attributes: { 'http.request.method': 'GET', 'server.address': STORAGE, 'url.full': `https://${STORAGE}/storage/v1/b/kv-origin-prod/o/access-policies%2F${rng.hex(12)}?alt=media`, 'http.response.status_code': bad ? 503 : 200 }, ...(bad ? { status: 'error' as const, statusMessage: '503 backendError' } : {}) }, undefined)];
      const kv = call({ service: 'access-auth', name: 'GET', networkMs: jitter(rng, 1.5), attributes: { 'http.request.method': 'GET', 'server.address': 'kv-core.kv.svc', 'http.response.status_code': bad ? 503 : 200 }, ...(bad ? { status: 'error' as const } : {}) },
        { service: 'kv-core', name: 'GET /kv/v1/namespaces/{ns}/values/{key}', selfMs: jitter(rng, 0.8), attributes: { 'http.route': '/kv/v1/namespaces/{ns}/values/{key}', 'http.response.status_code': bad ? 503 : 200, 'kv.cache': cached ? 'hit' : 'miss', 'k8s.pod.name': p.name, 'service.version': p.version }, ...(bad ? { status: 'error' as const, statusMessage: 'origin unavailable' } : {}), children: originCall });
      spans.push(...emitTrace(rng, t, { service: 'access-auth', kind: 'server', name: 'POST /cdn-cgi/access/login', selfMs: jitter(rng, 4), attributes: { 'http.request.method': 'POST', 'http.route': '/cdn-cgi/access/login', 'http.response.status_code': bad ? 500 : 200, 'service.version': t >= accessDeploy ? 'v3.41.0' : 'v3.40.2' }, ...(bad ? { status: 'error' as const } : {}), children: [kv] }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Aoife Brennan', email: 'aoife.brennan@edgeco.example', time: utc('2025-06-12T16:55:00Z'), message: 'kv-core: export origin latency per storage backend', files: [{ path: 'kv-core/src/origin/metrics.rs', hunks: [{ newStart: 14, newLines: 31 }] }], deploy: { ref: 'kv-core/2025.06.12-1', time: kvDeploy, environment: 'production' } }),
      commit(rng, { author: 'Mateo Silva', email: 'mateo.silva@edgeco.example', time: utc('2025-06-12T15:58:00Z'), message: 'access: render the IdP picker server-side', files: [{ path: 'access-auth/internal/login/picker.go', hunks: [{ newStart: 33, newLines: 27 }] }], deploy: { ref: 'access-auth/v3.41.0', time: accessDeploy, environment: 'production' } }),
    ]);
    const main = alert({ name: 'AccessLoginFailures', severity: 'critical', labels: { service: 'access-auth', env: 'production' }, annotations: { summary: 'Access logins failing above 20%' }, startsAt: alertAt, value: '0.94', service: 'access-auth', environment: 'production' });
    const alerts = [alert({ name: 'KVOriginErrorRate', severity: 'critical', labels: { service: 'kv-core', backend: 'gcs' }, annotations: { summary: 'KV origin errors above 10%' }, startsAt: utc('2025-06-12T17:52:00Z'), service: 'kv-core' }), main, alert({ name: 'WARPRegistrationFailures', severity: 'warning', labels: { service: 'device-registry' }, annotations: { summary: 'new device registrations failing' }, startsAt: utc('2025-06-12T17:56:00Z'), service: 'device-registry' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'access-auth', to: 'kv-core' }, { from: 'device-registry', to: 'kv-core' }, { from: 'kv-core', to: STORAGE }] };
  },
};
