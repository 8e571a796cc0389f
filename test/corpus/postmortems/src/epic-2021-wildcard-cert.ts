// Epic Games, 6 April 2021: a wildcard TLS certificate used by many internal services expired; every
// service-to-service call to the identity service failed its TLS handshake, and launcher retries
// multiplied the traffic.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { deploymentPods, liveAt } from './lib/fleet';
import { javaStack, logRecord, nodeStack } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const IDENTITY_HOST = 'identity.int.gamesnet.example';

export const epic2021WildcardCert: PostmortemCase = {
  slug: 'epic-2021-wildcard-cert',
  title: 'An expired internal wildcard certificate breaks every call to the identity service',
  source: { url: 'https://www.epicgames.com/site/en-US/expiration-date-4-6-2021', publisher: 'Epic Games', date: '2021-04-06' },
  follows:
    'A wildcard TLS certificate used across many internal services expired; certificate monitoring did not cover every place it was ' +
    'used; back-end service-to-service calls failed, logins failed, and launcher clients retrying drove a large increase in traffic.',
  changed:
    'One identity service stands for the internal services on the certificate; three callers in Go, Node and Java; a blackbox probe ' +
    'of the internal endpoint exists but no alert rule watched its expiry; the window ends before the renewal.',
  traps: [
    'identity-api, whose certificate expired, was deployed 38 minutes before the expiry (a deploy of the implicated service).',
    'identity-api\'s own error rate does not rise: failed handshakes never reach it, its request rate drops instead.',
    'Launcher retries triple the launcher\'s request rate, which looks like a traffic spike (capacity).',
    'Three stack-trace formats (Go x509, Node CERT_HAS_EXPIRED, Java PKIX) say the same thing.',
  ],
  kindNote: 'An expired certificate is deployed configuration whose validity lapsed: config-change, in the service presenting it; no commit.',
  build(rng) {
    const start = utc('2021-04-06T10:05:00Z');
    const end = utc('2021-04-06T12:14:00Z');
    const expiry = utc('2021-04-06T12:00:00Z');
    const alertAt = utc('2021-04-06T12:02:30Z');
    const idDeploy = utc('2021-04-06T11:22:00Z');
    const times = grid(start, end, 30_000);
    const expired = (t: number) => (t >= expiry ? 1 : 0);
    // Long-lived connections keep working until they are re-established, so failures ramp over a minute.
    const failing = (t: number) => 0.96 * ramp(t, expiry, 70_000);
    const retry = (t: number) => 1 + 2.1 * ramp(t, expiry + 30_000, 240_000);
    const base = (t: number) => diurnal(t, 19, 0.3);
    const idPods = deploymentPods(rng, 'identity-api', 6, start, end, '2021.04.05-2', [{ at: idDeploy, version: '2021.04.06-1' }], ['ip-10-40-1-12', 'ip-10-40-2-31', 'ip-10-40-3-7']);

    const metrics: MetricSeries[] = [];
    metrics.push(gauge('probe_ssl_earliest_cert_expiry', { instance: `https://${IDENTITY_HOST}/healthz`, job: 'blackbox-internal' }, times, (t) => (expired(t) ? NaN : 1617710400)));
    metrics.push(gauge('probe_success', { instance: `https://${IDENTITY_HOST}/healthz`, job: 'blackbox-internal' }, times, (t) => 1 - expired(t)));
    metrics.push(gauge('probe_ssl_earliest_cert_expiry', { instance: 'https://www.gamesnet.example/', job: 'blackbox-public' }, times, () => 1625097599));
    metrics.push(gauge('probe_success', { instance: 'https://www.gamesnet.example/', job: 'blackbox-public' }, times, () => 1));
    for (const pod of idPods) {
      for (const status of ['200', '401', '500']) {
        metrics.push(
          counter('http_server_requests_seconds_count', { application: 'identity-api', uri: '/v2/token/verify', method: 'POST', status, outcome: status === '200' ? 'SUCCESS' : status === '500' ? 'SERVER_ERROR' : 'CLIENT_ERROR', pod: pod.name, namespace: 'identity' }, times, (t) => {
            const share = status === '200' ? 0.985 : status === '401' ? 0.014 : 0.001;
            return (2600 * base(t) / 6) * share * (1 - failing(t)) * wobble(rng, 0.03);
          }, rng, { service: 'identity-api', alive: { from: pod.from, to: pod.to } }),
        );
      }
    }
    metrics.push(
      ...histogram('http_server_requests_seconds', { application: 'identity-api', uri: '/v2/token/verify' }, times, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], (t) => (2600 * base(t) * (1 - failing(t))) / 20, () => ({ median: 0.011, sigma: 0.5 }), rng, { service: 'identity-api', unit: 's' }),
    );
    for (const code of ['200', '502', '503']) {
      metrics.push(
        counter('launcher_http_requests_total', { code, route: '/launcher/api/v1/login', job: 'launcher-api' }, times, (t) => {
          const f = failing(t);
          const share = code === '200' ? 1 - f : code === '502' ? f * 0.8 : f * 0.2 + 0.0005;
          return 3100 * base(t) * retry(t) * share * wobble(rng, 0.02);
        }, rng, { service: 'launcher-api' }),
      );
    }
    metrics.push(gauge('go_goroutines', { job: 'launcher-api', instance: 'launcher-api-0' }, times, (t) => Math.round(820 * retry(t) * wobble(rng, 0.05)), { service: 'launcher-api' }));
    metrics.push(counter('store_web_errors_total', { kind: 'identity', job: 'store-web' }, times, (t) => 0.05 + 420 * failing(t) * base(t), rng, { service: 'store-web' }));
    metrics.push(counter('matchmaking_session_auth_failures_total', { job: 'matchmaking' }, times, (t) => 0.02 + 160 * failing(t), rng, { service: 'matchmaking' }));

    const logs: LogRecord[] = [];
    const verify = `https://${IDENTITY_HOST}/v2/token/verify`;
    logs.push(...atRate(rng, start, end, () => 3, (t) => logRecord(t, 'info', 'identity-api', `token verified client=${rng.pick(['launcher', 'store-web', 'matchmaking'])} kid=2021-03 ttl=${rng.int(60, 3600)}s`, { 'k8s.pod.name': rng.pick(liveAt(idPods, t)).name })));
    for (let i = 0; i < 6; i++) logs.push(logRecord(idDeploy + i * 45_000 + rng.int(0, 9000), 'info', 'identity-api', 'Started IdentityApplication in 11.84 seconds (JVM running for 13.02)', { 'service.version': '2021.04.06-1' }));
    logs.push(
      ...atRate(rng, expiry, end, (t) => 30 * failing(t), (t) => {
        const now = new Date(t).toISOString().slice(0, 19) + 'Z';
        return logRecord(t, 'error', 'launcher-api', `login: verify token: Post "${verify}": x509: certificate has expired or is not yet valid: current time ${now} is after 2021-04-06T12:00:00Z`, { 'host.name': `launcher-api-${rng.int(0, 11)}` });
      }),
    );
    logs.push(
      ...atRate(rng, expiry, end, (t) => 12 * failing(t), (t) =>
        logRecord(t, 'error', 'store-web', nodeStack('Error', 'certificate has expired', [
          { fn: 'TLSSocket.onConnectSecure', file: 'node:_tls_wrap', line: 1539, col: 34 },
          { fn: 'TLSSocket.emit', file: 'node:events', line: 390, col: 28 },
          { fn: 'TLSSocket._finishInit', file: 'node:_tls_wrap', line: 953, col: 8 },
        ]) + "\n  code: 'CERT_HAS_EXPIRED'", { 'host.name': `store-web-${rng.int(0, 7)}` })),
    );
    logs.push(
      ...atRate(rng, expiry, end, (t) => 6 * failing(t), (t) =>
        logRecord(t, 'error', 'matchmaking', 'Session auth call failed\n' + javaStack('javax.net.ssl.SSLHandshakeException', 'PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed', [
          'sun.security.ssl.Alert.createSSLException(Alert.java:131)',
          'sun.security.ssl.TransportContext.fatal(TransportContext.java:349)',
          'sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts(CertificateMessage.java:1339)',
          'net.gamesnet.matchmaking.auth.IdentityClient.verify(IdentityClient.java:77)',
        ], { type: 'java.security.cert.CertificateExpiredException', message: 'NotAfter: Tue Apr 06 12:00:00 UTC 2021', frames: ['sun.security.x509.CertificateValidity.valid(CertificateValidity.java:277)'] }), { 'host.name': `matchmaking-${rng.int(0, 5)}` })),
    );
    logs.push(...atRate(rng, start, end, () => 0.3, (t) => logRecord(t, 'warn', 'launcher-api', `login: verify token: context deadline exceeded (Client.Timeout exceeded while awaiting headers) after 2.0s`, { 'host.name': `launcher-api-${rng.int(0, 11)}` })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < expiry ? 2.5 : 10))) {
      const bad = rng.chance(failing(t));
      const caller = rng.pick(['launcher-api', 'launcher-api', 'store-web', 'matchmaking'] as const);
      const pod = rng.pick(liveAt(idPods, t));
      const server: SpanNode | undefined = bad ? undefined : { service: 'identity-api', name: 'POST /v2/token/verify', selfMs: jitter(rng, 9), attributes: { 'http.request.method': 'POST', 'http.route': '/v2/token/verify', 'http.response.status_code': 200, 'k8s.pod.name': pod.name, 'service.version': pod.version } };
      const client = call({ service: caller, name: 'POST', networkMs: bad ? jitter(rng, 4) : jitter(rng, 1.5), attributes: { 'http.request.method': 'POST', 'server.address': IDENTITY_HOST, 'server.port': 443, 'url.full': verify, ...(bad ? { 'error.type': caller === 'launcher-api' ? 'x509.CertificateInvalidError' : caller === 'store-web' ? 'CERT_HAS_EXPIRED' : 'javax.net.ssl.SSLHandshakeException' } : { 'http.response.status_code': 200 }) }, ...(bad ? { status: 'error' as const, statusMessage: 'x509: certificate has expired or is not yet valid' } : {}) }, server);
      const route = caller === 'launcher-api' ? '/launcher/api/v1/login' : caller === 'store-web' ? '/store/purchase' : '/mm/v1/session';
      spans.push(...emitTrace(rng, t, { service: caller, kind: 'server', name: `POST ${route}`, selfMs: jitter(rng, 3), attributes: { 'http.request.method': 'POST', 'http.route': route, 'http.response.status_code': bad ? 502 : 200 }, ...(bad ? { status: 'error' as const } : {}), children: [client] }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Noor Haddad', email: 'noor.haddad@gamesnet.example', time: utc('2021-04-06T10:48:00Z'), message: 'identity: cache JWKS for 10 minutes instead of 1', files: [{ path: 'identity-api/src/main/java/net/gamesnet/identity/keys/JwksCache.java', hunks: [{ newStart: 29, newLines: 5 }] }, { path: 'identity-api/src/main/resources/application.yaml', hunks: [{ newStart: 61, newLines: 2 }] }], deploy: { ref: 'identity-api/2021.04.06-1', time: idDeploy, environment: 'prod' } }),
      commit(rng, { author: 'Wes Okonkwo', email: 'wes.okonkwo@gamesnet.example', time: utc('2021-04-06T09:15:00Z'), message: 'launcher-api: raise login retry budget to 3 attempts with jitter', files: [{ path: 'launcher-api/internal/login/retry.go', hunks: [{ newStart: 18, newLines: 12 }] }], deploy: { ref: 'launcher-api/v4.18.0', time: utc('2021-04-06T09:40:00Z'), environment: 'prod' } }),
    ]);
    const main = alert({ name: 'LauncherLoginErrorRate', severity: 'critical', labels: { service: 'launcher-api', env: 'prod' }, annotations: { summary: 'launcher login errors above 5%' }, startsAt: alertAt, value: '0.93', service: 'launcher-api', environment: 'prod' });
    const alerts = [
      alert({ name: 'BlackboxProbeFailed', severity: 'warning', labels: { instance: `https://${IDENTITY_HOST}/healthz`, job: 'blackbox-internal' }, annotations: { summary: 'internal identity health probe failing' }, startsAt: expiry + 90_000 }),
      main,
      alert({ name: 'StorePurchaseErrors', severity: 'critical', labels: { service: 'store-web', env: 'prod' }, annotations: { summary: 'store purchases failing' }, startsAt: alertAt + 50_000, service: 'store-web' }),
    ];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'launcher-api', to: 'identity-api' }, { from: 'store-web', to: 'identity-api' }, { from: 'matchmaking', to: 'identity-api' }] };
  },
};
