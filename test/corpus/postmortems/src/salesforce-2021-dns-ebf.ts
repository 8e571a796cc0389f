// Salesforce, 11 May 2021: an engineer pushed a DNS configuration change to every data center at once
// through the emergency break-fix process instead of the staggered one; the four-year-old script that
// restarted the name servers had a timing bug, BIND did not come back, and names stopped resolving.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { javaStack, logRecord, logfmt, nodeStack } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const SITES = ['ia2', 'ph2', 'fra4', 'syd3'];

export const salesforce2021DnsEbf: PostmortemCase = {
  slug: 'salesforce-2021-dns-ebf',
  title: 'A DNS change pushed everywhere at once through the emergency process leaves the name servers down',
  source: { url: 'https://www.theregister.com/2021/05/19/salesforce_root_cause/', publisher: 'The Register, reporting Salesforce\'s root-cause briefing', date: '2021-05-11' },
  follows:
    'Around 21:00 UTC a configuration change was applied to the DNS servers to connect a new environment in Australia; the engineer used the ' +
    'Emergency Break-Fix process, so the change went to all sites at once instead of being staggered; the script that applied it had a ' +
    'timing issue, the DNS servers did not restart properly, and for about five hours customers could not reliably log in.',
  changed:
    'Our names (authdns name servers in four sites, login-api, app-core, report-worker); the change is a commit to a zone repository pushed by ' +
    'an operator\'s EBF run recorded in an audit log; the window ends 10 minutes after the alert.',
  traps: [
    'A commit to the DNS zone repository (the Australia delegation) is what the operator pushed: it is correct, and reverting it would not start the name servers.',
    'login-api deployed 20 minutes before the onset, and the page is about logins.',
    'Every service fails at once, each with its own runtime\'s resolver error (Java UnknownHostException, Node EAI_AGAIN, Go lookup timeout).',
    'Client spans stall for the resolver timeout before failing (DNS stalls seen at the client), which looks like slow dependencies.',
  ],
  kindNote: 'An operator\'s emergency run of a configuration push that left the servers down: config-change in authdns; the pushed commit is not the cause.',
  build(rng) {
    const start = utc('2021-05-11T19:00:00Z');
    const end = utc('2021-05-11T21:12:00Z');
    const ebf = utc('2021-05-11T20:57:40Z');
    const alertAt = utc('2021-05-11T21:02:00Z');
    const loginDeploy = utc('2021-05-11T20:37:00Z');
    const times = grid(start, end, 30_000);
    const servers = SITES.flatMap((s) => [`ns1-${s}`, `ns2-${s}`]);
    const stopAt = new Map<string, number>(servers.map((n, i) => [n, ebf + 8000 + i * 4000 + rng.int(0, 3000)]));
    const dnsDown = (t: number) => servers.filter((n) => t >= stopAt.get(n)!).length / servers.length;
    // Resolver caches hide the outage until records' TTLs run out.
    const failing = (t: number) => Math.min(0.97, dnsDown(t) * ramp(t, ebf + 30_000, 180_000));

    const metrics: MetricSeries[] = [];
    for (const n of servers) {
      metrics.push(gauge('bind_up', { instance: `${n}:9119`, job: 'bind' }, times, (t) => (t >= stopAt.get(n)! ? 0 : 1), { service: 'authdns' }));
      metrics.push(counter('bind_incoming_queries_total', { instance: `${n}:9119`, job: 'bind', type: 'A' }, times, () => 4200 * wobble(rng, 0.03), rng, { service: 'authdns', alive: { from: start, to: stopAt.get(n)! } }));
    }
    metrics.push(gauge('probe_success', { instance: 'login.cloudcrm.example', job: 'blackbox-dns', module: 'dns_a' }, times, (t) => (failing(t) > 0.5 ? 0 : 1)));
    metrics.push(gauge('probe_dns_lookup_time_seconds', { instance: 'login.cloudcrm.example', job: 'blackbox-dns', module: 'dns_a' }, times, (t) => (failing(t) > 0.5 ? 5 : rng.between(0.002, 0.02)), { unit: 's' }));
    for (const svc of ['login-api', 'app-core']) {
      for (const code of ['200', '500', '503']) metrics.push(counter('http_server_requests_seconds_count', { application: svc, status: code, outcome: code === '200' ? 'SUCCESS' : 'SERVER_ERROR' }, times, (t) => (svc === 'login-api' ? 2100 : 9800) * (code === '200' ? 1 - failing(t) - 0.001 : code === '500' ? 0.0007 + failing(t) * 0.3 : 0.0003 + failing(t) * 0.7) * wobble(rng, 0.02), rng, { service: svc }));
    }
    metrics.push(counter('report_worker_jobs_failed_total', { job: 'report-worker' }, times, (t) => 0.02 + 40 * failing(t), rng, { service: 'report-worker' }));

    const logs: LogRecord[] = [];
    logs.push(logRecord(utc('2021-05-11T20:55:02Z'), 'info', 'ops-audit', logfmt({ user: 'dns-oncall-jsaito', action: 'ebf.approve', ebf: 'EBF-2021-0511-17', change: 'CHG-448120', summary: 'Hyperforce AU zone delegation' })));
    logs.push(logRecord(ebf, 'info', 'ops-audit', logfmt({ user: 'dns-oncall-jsaito', action: 'ebf.run', ebf: 'EBF-2021-0511-17', command: 'dns-config-push.sh --all-sites --ref zones@4c2d9e1', targets: servers.length })));
    for (const n of servers) {
      const at = stopAt.get(n)!;
      logs.push(logRecord(at - 1500, 'info', 'dns-config-push', `${n}: config synced, restarting named`, { 'host.name': n }));
      logs.push(logRecord(at, 'error', 'authdns', 'named[2211]: loading configuration: file not found: /etc/named/zones/au.hyperforce.conf (config sync still in progress)', { 'host.name': n }));
      logs.push(logRecord(at + 300, 'fatal', 'authdns', 'named[2211]: exiting (due to fatal error)', { 'host.name': n }));
      logs.push(logRecord(at + 2000, 'warn', 'dns-config-push', `${n}: rndc status: connect failed: 127.0.0.1#953: connection refused (continuing: EBF mode skips health gate)`, { 'host.name': n }));
    }
    logs.push(...atRate(rng, start, end, () => 2, (t) => logRecord(t, 'info', 'login-api', `login ok org=00D${rng.hex(9).toUpperCase()} method=${rng.pick(['password', 'saml', 'oauth'])}`, { 'service.version': t >= loginDeploy ? '232.14.2' : '232.14.1' })));
    logs.push(...atRate(rng, ebf, end, (t) => 30 * failing(t), (t) => {
      const kind = rng.int(0, 2);
      if (kind === 0) return logRecord(t, 'error', 'login-api', 'session store unavailable\n' + javaStack('java.net.UnknownHostException', 'sessiondb-proxy.ia2.cloudcrm.internal: Temporary failure in name resolution', ['java.base/java.net.Inet6AddressImpl.lookupAllHostAddr(Native Method)', 'java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1529)', 'com.cloudcrm.login.session.SessionStore.connect(SessionStore.java:88)']), { 'service.version': '232.14.2' });
      if (kind === 1) return logRecord(t, 'error', 'report-worker', nodeStack('Error', 'getaddrinfo EAI_AGAIN blobstore.fra4.cloudcrm.internal', [{ fn: 'GetAddrInfoReqWrap.onlookup', file: 'node:dns', line: 107, col: 26 }]));
      return logRecord(t, 'error', 'app-core', `ERROR dial tcp: lookup search-${rng.pick(SITES)}.cloudcrm.internal on 10.0.0.53:53: read udp 10.4.${rng.int(1, 250)}.${rng.int(1, 250)}:${rng.int(30000, 60000)}->10.0.0.53:53: i/o timeout`);
    }));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < ebf ? 2.5 : 8))) {
      const bad = rng.chance(failing(t));
      const session = call({ service: 'login-api', name: 'GET sessiondb', networkMs: bad ? 10_000 + jitter(rng, 40) : jitter(rng, 3), attributes: { 'server.address': 'sessiondb-proxy.ia2.cloudcrm.internal', 'db.system': 'other_sql', 'db.operation.name': 'GET', ...(bad ? { 'error.type': 'java.net.UnknownHostException' } : {}) }, ...(bad ? { status: 'error' as const, statusMessage: 'UnknownHostException: Temporary failure in name resolution' } : {}) }, undefined);
      const children = [session];
      if (!bad) children.push(call({ service: 'login-api', name: 'POST /internal/org/context', networkMs: jitter(rng, 2), attributes: { 'server.address': 'app-core.ia2.cloudcrm.internal', 'http.request.method': 'POST' } }, { service: 'app-core', name: 'POST /internal/org/context', selfMs: jitter(rng, 12), attributes: { 'http.route': '/internal/org/context' } }));
      if (bad && t > end - 11_000) continue;
      spans.push(...emitTrace(rng, t, { service: 'login-api', kind: 'server', name: 'POST /login', selfMs: jitter(rng, 8), attributes: { 'http.request.method': 'POST', 'http.route': '/login', 'http.response.status_code': bad ? 503 : 200, 'service.version': t >= loginDeploy ? '232.14.2' : '232.14.1' }, ...(bad ? { status: 'error' as const } : {}), children }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Kenji Mori', email: 'kenji.mori@cloudcrm.example', time: utc('2021-05-11T18:30:00Z'), message: 'zones: delegate au.hyperforce to the new Sydney name servers', files: [{ path: 'zones/hyperforce/au.hyperforce.conf', status: 'A', hunks: [{ newStart: 1, newLines: 18 }] }, { path: 'zones/named.conf.local', hunks: [{ newStart: 44, newLines: 3 }] }], deploy: { ref: 'EBF-2021-0511-17', time: ebf, environment: 'production' } }),
      commit(rng, { author: 'Maya Fernandes', email: 'maya.fernandes@cloudcrm.example', time: utc('2021-05-11T19:50:00Z'), message: 'login: shorten the MFA challenge cookie lifetime to 10 minutes', files: [{ path: 'login-api/src/main/java/com/cloudcrm/login/mfa/ChallengeCookie.java', hunks: [{ newStart: 27, newLines: 3 }] }], deploy: { ref: 'login-api/232.14.2', time: loginDeploy, environment: 'production' } }),
    ]);
    const main = alert({ name: 'LoginAvailabilityLow', severity: 'critical', labels: { service: 'login-api', env: 'production' }, annotations: { summary: 'login success ratio below 90%' }, startsAt: alertAt, value: '0.22', service: 'login-api', environment: 'production' });
    const alerts = [alert({ name: 'BindDown', severity: 'critical', labels: { instance: 'ns1-ia2:9119', service: 'authdns' }, annotations: { summary: 'named not running on ns1-ia2' }, startsAt: utc('2021-05-11T20:59:30Z'), service: 'authdns' }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
