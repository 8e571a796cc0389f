// Cloudflare, 2 July 2019: a managed WAF rule whose regular expression backtracks catastrophically is
// pushed to every edge server at once and pins their CPUs; the edge answers 502.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const RULES_PATH = 'waf/managed-rules/xss/inline-js.yaml';

// The rule file after the guilty commit; lines 12-23 are the new rule, 17-20 its match and action.
const RULES_FILE = [
  '# Managed ruleset: cross-site scripting, inline JavaScript family.',
  '# Rules are compiled by waf-compile and distributed through the config store.',
  'ruleset: managed-xss',
  'version: 2019-07-02.3',
  'rules:',
  '  - id: "100034"',
  '    description: "XSS: javascript: URI in attribute"',
  '    phase: access',
  '    match:',
  "      regex: '(?i)\\bjavascript\\s*:'",
  '    action: block',
  '  - id: "100035"',
  '    description: "XSS: inline JS after a string terminator"',
  '    phase: access',
  '    mode: simulate',
  '    match:',
  '      # variants seen in the wild: "; alert(1)", \'-alert(1)-\', `+eval()`',
  '      target: [args, body, headers.referer]',
  "      regex: '(?:(?:\\\"|''|\\]|\\}|\\\\|\\d|(?:nan|infinity|true|false|null|undefined|symbol|math)|\\`|\\-|\\+)+[)]*;?((?:\\s|-|~|!|{}|\\|\\||\\+)*.*(?:.*=.*)))'",
  '    action: log',
  '    tags: [xss, inline-js]',
  '    references:',
  '      - "internal:waf-2019-0611"',
  '  # end of inline-js family',
  '',
].join('\n');

const COLOS = [
  { colo: 'ams', peakUtc: 13, rps: 9000, hosts: ['edge-ams01-04', 'edge-ams01-11'] },
  { colo: 'sjc', peakUtc: 21, rps: 4200, hosts: ['edge-sjc02-07', 'edge-sjc02-19'] },
  { colo: 'sin', peakUtc: 6, rps: 6100, hosts: ['edge-sin01-02', 'edge-sin01-08'] },
];

export const cloudflare2019WafRegex: PostmortemCase = {
  slug: 'cloudflare-2019-waf-regex',
  title: 'Managed WAF rule with a backtracking regex pins every edge CPU',
  source: {
    url: 'https://blog.cloudflare.com/details-of-the-cloudflare-outage-on-july-2-2019/',
    publisher: 'Cloudflare',
    date: '2019-07-02',
  },
  follows:
    'A new managed WAF rule, deployed in simulate mode, contained a regular expression that backtracked catastrophically; the WAF ' +
    'rule pipeline pushed it to every edge server within seconds, CPU on every machine serving HTTP went to ~100% and the edge returned 502s.',
  changed:
    'One ruleset file in a rules repository stands for the managed rules; three PoPs with two hosts each stand for the fleet; ' +
    'the bundle ends at alert + 11 minutes, before the global WAF kill (14:02 UTC) that ended the outage.',
  traps: [
    'The edge proxy itself got an unrelated code deploy 22 minutes before the onset (the implicated service was deployed).',
    'The guilty change is not the latest commit: a docs commit lands after it.',
    'Every host saturates at once, so it looks like capacity or a bad fleet, not one bad node.',
    'The same upstream-timeout error signature exists before the onset at a low rate.',
    'The rule is a config file change distributed by the config store (a runtime revision bump at the onset), not a code deploy of a service binary.',
  ],
  kindNote: 'A rule file reviewed as a commit and pushed by the config pipeline: config-change, with the commit named.',
  build(rng) {
    const alertAt = utc('2019-07-02T13:45:00Z');
    const onset = utc('2019-07-02T13:42:00Z');
    const start = utc('2019-07-02T11:45:00Z');
    const end = utc('2019-07-02T13:56:00Z');
    const times = grid(start, end, 30_000);
    const hostsOnset = new Map<string, number>();
    for (const c of COLOS) for (const h of c.hosts) hostsOnset.set(h, onset + rng.int(1500, 9000));
    const broken = (t: number, host: string) => ramp(t, hostsOnset.get(host)!, 40_000);
    const coloBroken = (t: number, colo: (typeof COLOS)[number]) => Math.max(...colo.hosts.map((h) => broken(t, h)));
    const proxyDeployAt = utc('2019-07-02T13:20:00Z');

    const metrics: MetricSeries[] = [];
    for (const c of COLOS) {
      const rps = (t: number) => c.rps * diurnal(t, c.peakUtc, 0.35);
      for (const host of c.hosts) {
        const base = 0.36 + rng.between(-0.04, 0.05);
        metrics.push(
          gauge('instance:node_cpu_utilisation:rate5m', { instance: `${host}:9100`, job: 'node', colo: c.colo }, times, (t) => {
            const normal = base * diurnal(t, c.peakUtc, 0.3) * wobble(rng, 0.03);
            return Math.min(1, normal + (0.995 - normal) * broken(t, host));
          }),
        );
      }
      for (const cls of ['2xx', '5xx'] as const) {
        metrics.push(
          counter('edge_http_responses_total', { colo: c.colo, code_class: cls, job: 'edge-proxy' }, times, (t) => {
            const bad = 0.0009 + 0.78 * coloBroken(t, c);
            return rps(t) * (cls === '5xx' ? bad : 1 - bad) * wobble(rng, 0.02);
          }, rng, { service: 'edge-proxy' }),
        );
      }
      for (const phase of ['access', 'content', 'log'] as const) {
        const share = phase === 'access' ? 0.22 : phase === 'content' ? 0.68 : 0.1;
        metrics.push(
          counter('edge_worker_cpu_seconds_total', { colo: c.colo, phase, job: 'edge-proxy' }, times, (t) => {
            const normal = (rps(t) / 1000) * 5.5 * share;
            const b = coloBroken(t, c);
            const saturated = phase === 'access' ? 182 : phase === 'content' ? 7 : 1.5;
            return (normal * (1 - b) + saturated * b) * wobble(rng, 0.03);
          }, rng, { service: 'edge-proxy', unit: 's' }),
        );
      }
      metrics.push(
        counter('edge_origin_requests_total', { colo: c.colo, job: 'edge-proxy' }, times, (t) => rps(t) * 0.31 * (1 - 0.8 * coloBroken(t, c)), rng, {
          service: 'edge-proxy',
        }),
      );
      for (const host of c.hosts) {
        const applied = hostsOnset.get(host)!;
        const earlierPush = utc('2019-07-02T12:20:00Z') + rng.int(1000, 7000);
        metrics.push(
          gauge('config_distribution_applied_revision', { instance: `${host}:9301`, namespace: 'waf', job: 'config-agent' }, times, (t) =>
            t >= applied ? 8841203 : t >= earlierPush ? 8841202 : 8841201,
          ),
        );
      }
    }
    const totalRps = (t: number) => COLOS.reduce((s, c) => s + c.rps * diurnal(t, c.peakUtc, 0.35), 0);
    metrics.push(gauge('job:edge_http_requests:rate5m', { job: 'edge-proxy' }, times, (t) => totalRps(t) * wobble(rng, 0.01), { service: 'edge-proxy' }));
    metrics.push(
      ...histogram(
        'edge_request_duration_seconds',
        { job: 'edge-proxy' },
        times,
        [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        (t) => totalRps(t) / 50,
        (t) => {
          const b = Math.max(...COLOS.map((c) => coloBroken(t, c)));
          return b > 0.5 ? { median: 3.1, sigma: 0.55, slowFraction: 0.2, slowMedian: 0.06, slowSigma: 0.6 } : { median: 0.048, sigma: 0.7 };
        },
        rng,
        { service: 'edge-proxy', unit: 's' },
      ),
    );

    const logs: LogRecord[] = [];
    const allHosts = COLOS.flatMap((c) => c.hosts.map((h) => ({ host: h, colo: c.colo })));
    const sites = ['www.shopfront-example.com', 'api.ridewise.example', 'news.daily-example.org', 'cdn.gamehub.example'];
    logs.push(
      ...atRate(rng, start, end, () => 0.6, (t) => {
        const h = rng.pick(allHosts);
        const site = rng.pick(sites);
        return logRecord(t, 'error', 'edge-proxy',
          `upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.${rng.int(2, 250)}, server: ${site}, request: "GET /${rng.pick(['search', 'basket', 'feed', 'v2/items'])} HTTP/1.1", upstream: "https://198.51.100.${rng.int(2, 250)}:443/"`,
          { 'host.name': h.host, colo: h.colo, 'log.file.name': 'error.log' });
      }),
    );
    for (const h of allHosts) {
      const at = proxyDeployAt + rng.int(0, 180_000);
      logs.push(logRecord(at, 'info', 'edge-proxy', `binary upgrade to edge-proxy 2019.7.1: new master process ${rng.int(30000, 60000)} started, old workers shutting down gracefully`, { 'host.name': h.host, colo: h.colo }));
      logs.push(logRecord(utc('2019-07-02T12:20:03Z') + rng.int(0, 6000), 'info', 'config-agent', 'applied waf/managed-rules revision 8841202 (ruleset managed-xss 2019-07-02.2, 1 rule changed)', { 'host.name': h.host, colo: h.colo }));
      logs.push(logRecord(hostsOnset.get(h.host)! - rng.int(200, 900), 'info', 'config-agent', 'applied waf/managed-rules revision 8841203 (ruleset managed-xss 2019-07-02.3, 1 rule added, mode=simulate)', { 'host.name': h.host, colo: h.colo }));
    }
    logs.push(
      ...atRate(rng, onset, end, (t) => (t > onset + 20_000 ? 45 : 0.01), (t) => {
        const h = rng.pick(allHosts);
        if (t < hostsOnset.get(h.host)!) return undefined;
        return logRecord(t, 'warn', 'edge-proxy',
          `*${rng.int(1e6, 9e6)} lua access phase exceeded cpu budget: ${(rng.between(1.2, 4.8)).toFixed(2)}s (waf managed), client: 198.51.100.${rng.int(2, 250)}, server: ${rng.pick(sites)}, request: "POST /${rng.pick(['login', 'api/v1/basket', 'comment', 'graphql'])} HTTP/1.1"`,
          { 'host.name': h.host, colo: h.colo, 'log.file.name': 'error.log' });
      }),
    );
    logs.push(
      ...atRate(rng, onset + 90_000, end, () => 1.2, (t) => {
        const h = rng.pick(allHosts);
        return logRecord(t, 'error', 'edge-proxy', `worker process ${rng.int(30000, 60000)} exited on signal 9 (watchdog: unresponsive for 10s)`, { 'host.name': h.host, colo: h.colo });
      }),
    );

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < onset ? 2 : 8))) {
      const h = rng.pick(allHosts);
      const isBroken = broken(t, h.host) > 0.5;
      const site = rng.pick(sites);
      const method = rng.chance(0.7) ? 'GET' : 'POST';
      const baseAttrs = { 'http.request.method': method, 'server.address': site, 'host.name': h.host, 'edge.colo': h.colo, 'service.version': t >= proxyDeployAt + 200_000 ? '2019.7.1' : '2019.6.4' };
      const waf: SpanNode = {
        service: 'edge-proxy',
        name: 'waf.evaluate',
        selfMs: isBroken ? jitter(rng, 1900, 0.4) : jitter(rng, 0.35, 0.5),
        attributes: {
          'waf.ruleset': 'managed-xss',
          'waf.ruleset.version': t >= hostsOnset.get(h.host)! ? '2019-07-02.3' : t >= utc('2019-07-02T12:20:05Z') ? '2019-07-02.2' : '2019-07-02.1',
          'waf.rules.evaluated': t >= hostsOnset.get(h.host)! ? 32 : 31,
        },
        ...(isBroken ? { status: 'error' as const, statusMessage: 'cpu budget exceeded in access phase' } : {}),
      };
      const children: SpanNode[] = [waf];
      if (!isBroken || rng.chance(0.15)) {
        children.push({ service: 'edge-proxy', name: 'cache.lookup', selfMs: jitter(rng, 0.4), attributes: { 'cache.status': rng.chance(0.65) ? 'HIT' : 'MISS' } });
        children.push(call({ service: 'edge-proxy', name: `${method} origin`, networkMs: jitter(rng, 38, 0.5), attributes: { 'server.address': `origin.${site}`, 'http.request.method': method, 'http.response.status_code': 200 } }, undefined));
      }
      const status = isBroken && children.length === 1 ? 502 : 200;
      const root: SpanNode = {
        service: 'edge-proxy',
        kind: 'server',
        name: `${method} /*`,
        selfMs: jitter(rng, 0.8),
        attributes: { ...baseAttrs, 'http.response.status_code': status },
        ...(status >= 500 ? { status: 'error' as const, statusMessage: '502 Bad Gateway' } : {}),
        children,
      };
      spans.push(...emitTrace(rng, t, root));
    }

    const dev = (name: string) => ({ author: name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@edge-team.example` });
    const changes: Change[] = history([
      commit(rng, { ...dev('Rui Carvalho'), time: utc('2019-07-02T12:07:00Z'), message: 'dashboards: add per-colo origin error panel', files: [{ path: 'ops/dashboards/edge-overview.json', hunks: [{ newStart: 210, newLines: 38 }] }] }),
      commit(rng, {
        ...dev('Anika Sørensen'),
        time: utc('2019-07-02T12:51:00Z'),
        message: 'upstream: keep idle origin connections 30s longer to cut TLS handshakes',
        files: [{ path: 'edge-proxy/src/upstream/keepalive.lua', hunks: [{ newStart: 44, newLines: 6 }] }, { path: 'edge-proxy/spec/upstream/keepalive_spec.lua', hunks: [{ newStart: 80, newLines: 22 }] }],
        deploy: { ref: 'edge-proxy/2019.7.1', time: proxyDeployAt, environment: 'production' },
      }),
      commit(rng, {
        sha: 'ceba25d650639db9f60df39e3fdb15328b4db274',
        ...dev('Tomasz Wieczorek'),
        time: utc('2019-07-02T13:31:00Z'),
        message: 'managed-xss: add rule 100035 for inline JS after string terminators (simulate)',
        files: [{ path: RULES_PATH, hunks: [{ newStart: 12, newLines: 12, oldStart: 12, oldLines: 0 }] }, { path: 'waf/tests/xss/inline_js_cases.txt', status: 'M', hunks: [{ newStart: 1, newLines: 14 }] }],
        deploy: { ref: 'waf-rules/2019-07-02.3', time: onset, environment: 'production' },
      }),
      commit(rng, { ...dev('Tomasz Wieczorek'), time: utc('2019-07-02T13:38:00Z'), message: 'docs: list rule 100035 in the managed rules changelog', files: [{ path: 'docs/waf/managed-changelog.md', hunks: [{ newStart: 3, newLines: 4 }] }] }),
    ]);

    const main = alert({
      name: 'EdgeHTTP5xxRatioHigh',
      severity: 'critical',
      labels: { service: 'edge-proxy', job: 'edge-proxy', env: 'production' },
      annotations: { summary: 'Edge 5xx ratio above 5% in every colo', runbook_url: 'https://runbooks.edge-team.example/edge-5xx' },
      startsAt: alertAt,
      value: '0.79',
      service: 'edge-proxy',
      environment: 'production',
    });
    const storm = allHosts.slice(0, 4).map((h) =>
      alert({ name: 'NodeCPUUtilisationHigh', severity: 'warning', labels: { instance: `${h.host}:9100`, job: 'node', colo: h.colo }, annotations: { summary: `CPU above 95% on ${h.host}` }, startsAt: alertAt - 60_000 + rng.int(0, 20_000), value: '0.99' }),
    );
    return {
      alert: main,
      alerts: [main, ...storm],
      window: { start, end },
      metrics,
      logs,
      spans: completeTraces(spans, end),
      changes,
      files: { [RULES_PATH]: RULES_FILE },
    };
  },
};
