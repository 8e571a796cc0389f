// Fastly, 8 June 2021, seen from a customer: a valid customer configuration triggered a latent bug and
// 85% of Fastly's network returned errors; a news site behind it went dark while its own origin was fine.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt } from './lib/fleet';
import { logRecord, nodeStack } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const CDN_HOST = 'heraldnews.global.ssl.fastly.net';

export const fastly2021CdnOutage: PostmortemCase = {
  slug: 'fastly-2021-cdn-outage',
  title: 'The CDN in front of a news site fails globally; the site\'s own services are healthy',
  source: { url: 'https://www.fastly.com/blog/summary-of-june-8-outage', publisher: 'Fastly', date: '2021-06-08' },
  follows:
    'A software deployment on 12 May introduced a bug that a specific customer configuration could trigger; on 8 June a customer pushed a ' +
    'valid configuration with those circumstances and 85% of Fastly\'s network returned errors from 09:47 UTC; most services recovered within 49 minutes.',
  changed:
    'The bundle is a Fastly customer\'s (a news site with Node services on Kubernetes): synthetic probes, origin traffic, calls to Fastly\'s ' +
    'API and to the CDN hostname; the Fastly-side bug and configuration are not visible to the customer, as in reality.',
  traps: [
    'article-web deployed 8 minutes before the onset, and the alert is on its public URL.',
    'Origin traffic drops (less load reaches the origin), which can read as an upstream load-balancer problem or benign.',
    'Our own services report no more errors of their own; the errors are in client spans to a third party that has no server spans.',
  ],
  build(rng) {
    const start = utc('2021-06-08T07:45:00Z');
    const end = utc('2021-06-08T09:58:00Z');
    const onset = utc('2021-06-08T09:47:00Z');
    const alertAt = utc('2021-06-08T09:49:00Z');
    const deploy = utc('2021-06-08T09:39:00Z');
    const times = grid(start, end, 30_000);
    const down = (t: number) => 0.85 * ramp(t, onset, 40_000);
    const visits = (t: number) => 2300 * diurnal(t, 8, 0.4);
    const pods = deploymentPods(rng, 'article-web', 4, start, end, '2021.06.07-3', [{ at: deploy, version: '2021.06.08-1', podIntervalSec: 30 }], ['ip-10-8-1-20', 'ip-10-8-2-41']);

    const metrics: MetricSeries[] = [];
    for (const target of ['https://www.heraldnews.example/', 'https://www.heraldnews.example/politics/']) {
      metrics.push(gauge('probe_success', { instance: target, job: 'blackbox-external', probe_region: 'eu-west' }, times, (t) => (t >= onset + 20_000 && rng.chance(0.92) ? 0 : 1)));
      metrics.push(gauge('probe_http_status_code', { instance: target, job: 'blackbox-external', probe_region: 'eu-west' }, times, (t) => (t >= onset + 20_000 && rng.chance(0.92) ? 503 : 200)));
    }
    metrics.push(gauge('probe_success', { instance: 'https://origin.heraldnews.example/healthz', job: 'blackbox-external', probe_region: 'eu-west' }, times, () => 1));
    for (const pod of pods) {
      for (const code of ['200', '304', '500']) {
        metrics.push(counter('http_requests_total', { code, route: '/:section/:slug', job: 'article-web', pod: pod.name, namespace: 'web' }, times, (t) => {
          const share = code === '200' ? 0.82 : code === '304' ? 0.177 : 0.003;
          return (visits(t) * 0.12 / 4) * (1 - 0.9 * down(t)) * share * wobble(rng, 0.04);
        }, rng, { service: 'article-web', alive: { from: pod.from, to: pod.to } }));
      }
    }
    metrics.push(...histogram('http_request_duration_seconds', { route: '/:section/:slug', job: 'article-web' }, times, [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], (t) => visits(t) * 0.12 * (1 - 0.9 * down(t)), () => ({ median: 0.085, sigma: 0.5 }), rng, { service: 'article-web', unit: 's' }));
    metrics.push(counter('cdn_purge_requests_total', { result: 'ok', job: 'article-web' }, times, (t) => 0.6 * (1 - down(t) / 0.85), rng, { service: 'article-web' }));
    metrics.push(counter('cdn_purge_requests_total', { result: 'error', job: 'article-web' }, times, (t) => 0.002 + 0.55 * down(t) / 0.85, rng, { service: 'article-web' }));
    metrics.push(gauge('cdn_purge_queue_length', { job: 'article-web' }, times, (t) => Math.round(rng.int(0, 3) + 0.6 * Math.max(0, t - onset) / 1000), { service: 'article-web' }));
    metrics.push(gauge('nodejs_eventloop_lag_seconds', { job: 'article-web', pod: pods[0].name }, times, () => rng.between(0.002, 0.009), { service: 'article-web', unit: 's' }));

    const logs: LogRecord[] = [];
    logs.push(...atRate(rng, start, end, () => 3, (t) => { const p = rng.pick(liveAt(pods, t)); return logRecord(t, 'info', 'article-web', `rendered /${rng.pick(['politics', 'sport', 'business', 'world'])}/${rng.hex(6)} in ${rng.int(40, 260)}ms`, { 'k8s.pod.name': p.name, 'service.version': p.version }); }));
    for (const p of pods.filter((x) => x.from >= deploy - 30_000)) logs.push(logRecord(p.from + 8000, 'info', 'article-web', 'server listening on :3000 (article-web 2021.06.08-1, election-results widget enabled)', { 'k8s.pod.name': p.name }));
    logs.push(...atRate(rng, onset, end, (t) => 14 * down(t), (t) => {
      const p = rng.pick(liveAt(pods, t));
      return rng.chance(0.5)
        ? logRecord(t, 'error', 'article-web', `purge failed for surrogate key article-${rng.hex(6)}: 503 Service Unavailable from https://api.fastly.com/service/4kD2n8Qx/purge\n` + nodeStack('HTTPError', 'Response code 503 (Service Unavailable)', [{ fn: 'Request.<anonymous>', file: '/app/node_modules/got/dist/source/as-promise/index.js', line: 118, col: 42 }, { fn: 'purgeKeys', file: '/app/src/cdn/purge.js', line: 27, col: 11 }]), { 'k8s.pod.name': p.name })
        : logRecord(t, 'warn', 'article-web', `image prefetch failed: GET https://${CDN_HOST}/img/${rng.hex(8)}.jpg -> 503 (Error 503 Service Unavailable, Varnish cache server)`, { 'k8s.pod.name': p.name });
    }));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < onset ? 2.5 : 7))) {
      const p = rng.pick(liveAt(pods, t));
      const bad = rng.chance(down(t));
      const children: SpanNode[] = [
        call({ service: 'article-web', name: 'GET', networkMs: jitter(rng, 9), attributes: { 'http.request.method': 'GET', 'server.address': 'content-api.web.svc', 'http.response.status_code': 200 } }, { service: 'content-api', name: 'GET /v1/articles/:id', selfMs: jitter(rng, 14), attributes: { 'http.route': '/v1/articles/:id', 'http.response.status_code': 200 } }),
        call({ service: 'article-web', name: 'GET', networkMs: bad ? jitter(rng, 25) : jitter(rng, 18), attributes: { 'http.request.method': 'GET', 'server.address': CDN_HOST, 'peer.service': 'fastly', 'url.full': `https://${CDN_HOST}/img/${rng.hex(8)}.jpg`, 'http.response.status_code': bad ? 503 : 200 }, ...(bad ? { status: 'error' as const, statusMessage: '503 Service Unavailable' } : {}) }, undefined),
      ];
      if (rng.chance(0.15)) children.push(call({ service: 'article-web', name: 'POST', networkMs: jitter(rng, 30), attributes: { 'http.request.method': 'POST', 'server.address': 'api.fastly.com', 'peer.service': 'fastly', 'http.response.status_code': bad ? 503 : 200 }, ...(bad ? { status: 'error' as const, statusMessage: '503 Service Unavailable' } : {}) }, undefined));
      spans.push(...emitTrace(rng, t, { service: 'article-web', kind: 'server', name: 'GET /:section/:slug', selfMs: jitter(rng, 40), attributes: { 'http.request.method': 'GET', 'http.route': '/:section/:slug', 'http.response.status_code': 200, 'k8s.pod.name': p.name, 'service.version': p.version }, children }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Chloe Barnes', email: 'chloe.barnes@heraldnews.example', time: utc('2021-06-08T09:02:00Z'), message: 'homepage: add the live election-results widget', files: [{ path: 'article-web/src/widgets/election-results.js', status: 'A', hunks: [{ newStart: 1, newLines: 96 }] }, { path: 'article-web/src/pages/home.js', hunks: [{ newStart: 58, newLines: 7 }] }], deploy: { ref: 'article-web/2021.06.08-1', time: deploy, environment: 'production' } }),
      commit(rng, { author: 'Raj Patel', email: 'raj.patel@heraldnews.example', time: utc('2021-06-07T16:44:00Z'), message: 'cdn: set surrogate keys on section pages', files: [{ path: 'article-web/src/cdn/headers.js', hunks: [{ newStart: 12, newLines: 8 }] }], deploy: { ref: 'article-web/2021.06.07-3', time: utc('2021-06-07T17:10:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'SyntheticHomepageDown', severity: 'critical', labels: { service: 'article-web', instance: 'https://www.heraldnews.example/', job: 'blackbox-external' }, annotations: { summary: 'homepage probe failing from eu-west' }, startsAt: alertAt, value: '0', service: 'article-web' });
    const alerts = [main, alert({ name: 'OriginTrafficDrop', severity: 'warning', labels: { service: 'article-web' }, annotations: { summary: 'origin request rate 70% below last week' }, startsAt: alertAt + 60_000, service: 'article-web' }), alert({ name: 'CDNPurgeBacklog', severity: 'warning', labels: { service: 'article-web' }, annotations: { summary: 'purge queue above 200' }, startsAt: alertAt + 180_000, service: 'article-web' })];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
