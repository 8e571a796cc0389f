// Facebook, 23 September 2010: a change to the persistent copy of a configuration value was read as
// invalid by every client; each one deleted its cache key and queried the database cluster, whose
// failures were read as invalid values in turn: a feedback loop that kept the cluster down.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, ramp, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts, type SpanNode } from './lib/traces';

const KEY = 'render.inline_units.max';

function phpFatal(): string {
  return [
    "PHP Fatal error:  Uncaught exception 'ConfigFetchException' with message 'site-config query failed: SQLSTATE[HY000] [2002] Connection timed out' in /var/www/lib/config/ConfigVerifier.php:214",
    'Stack trace:',
    "#0 /var/www/lib/config/ConfigCache.php(88): ConfigVerifier->refetch('render.inline_u...')",
    "#1 /var/www/lib/feed/FeedRenderer.php(143): ConfigCache->get('render.inline_u...')",
    '#2 /var/www/html/home.php(31): FeedRenderer->render(Object(Viewer))',
    '#3 {main}',
    '  thrown in /var/www/lib/config/ConfigVerifier.php on line 214',
  ].join('\n');
}

export const facebook2010ConfigFeedback: PostmortemCase = {
  slug: 'facebook-2010-config-feedback',
  title: 'A configuration value read as invalid turns every client into a database stampede',
  source: { url: 'https://www.facebook.com/notes/facebook-engineering/more-details-on-todays-outage/431441338919', publisher: 'Facebook Engineering', date: '2010-09-23' },
  follows:
    'An automated system that replaces configuration values it finds invalid in the cache with values from the persistent store met a ' +
    'change to the persistent copy that it interpreted as invalid; every client deleted the key and queried the database cluster, which was ' +
    'overwhelmed; query errors were read as invalid values too, so the loop continued even after the value was fixed.',
  changed:
    'Our names (feed-web, memcache, site-config for the configuration database cluster, configtool); the value and the way it was invalid ' +
    'are invented; the window ends before the site was turned off to break the loop.',
  traps: [
    'The cache miss ratio jumps, which reads like a cache failure.',
    'The database is saturated, which reads like a capacity problem of the database.',
    'The web tier got a code push 42 minutes earlier (a deploy of the service where the errors show).',
    'The trigger is a single audit line of a configuration tool, not a commit or a deploy.',
  ],
  kindNote: 'A changed configuration value in the persistent store: config-change in the configuration store, no commit.',
  build(rng) {
    const start = utc('2010-09-23T16:35:00Z');
    const end = utc('2010-09-23T18:45:00Z');
    const change = utc('2010-09-23T18:27:05Z');
    const alertAt = utc('2010-09-23T18:33:00Z');
    const webPush = utc('2010-09-23T17:45:00Z');
    const times = grid(start, end, 30_000);
    const storm = (t: number) => ramp(t, change + 5000, 150_000);
    const rps = (t: number) => 52_000 * diurnal(t, 19, 0.2);
    const webHosts = Array.from({ length: 6 }, (_, i) => `web${String(1040 + i * 17)}.prn1`);

    const metrics: MetricSeries[] = [];
    for (const mc of ['mc-site-01', 'mc-site-02']) {
      metrics.push(counter('memcached_commands_total', { command: 'get', status: 'hit', instance: `${mc}:9150`, job: 'memcache' }, times, (t) => (rps(t) * 3.1 / 2) * (1 - 0.3 * storm(t)) * wobble(rng, 0.02), rng, { service: 'memcache' }));
      metrics.push(counter('memcached_commands_total', { command: 'get', status: 'miss', instance: `${mc}:9150`, job: 'memcache' }, times, (t) => (rps(t) * 3.1 / 2) * (0.018 + 0.3 * storm(t)) * wobble(rng, 0.03), rng, { service: 'memcache' }));
      metrics.push(counter('memcached_commands_total', { command: 'delete', status: 'hit', instance: `${mc}:9150`, job: 'memcache' }, times, (t) => 40 + (rps(t) / 2) * 0.9 * storm(t), rng, { service: 'memcache' }));
    }
    metrics.push(counter('mysql_global_status_questions', { instance: 'cfgdb-master.prod:9104', job: 'mysql', cluster: 'site-config' }, times, (t) => 2200 * wobble(rng, 0.05) + 41_000 * storm(t) * wobble(rng, 0.1), rng, { service: 'site-config' }));
    metrics.push(gauge('mysql_global_status_threads_running', { instance: 'cfgdb-master.prod:9104', job: 'mysql', cluster: 'site-config' }, times, (t) => Math.round(6 + rng.int(0, 4) + 1180 * storm(t) * wobble(rng, 0.05)), { service: 'site-config' }));
    metrics.push(gauge('mysql_global_status_threads_connected', { instance: 'cfgdb-master.prod:9104', job: 'mysql', cluster: 'site-config' }, times, (t) => Math.min(2000, Math.round(340 + rng.int(0, 20) + 1700 * storm(t))), { service: 'site-config' }));
    metrics.push(gauge('mysql_global_variables_max_connections', { instance: 'cfgdb-master.prod:9104', job: 'mysql', cluster: 'site-config' }, times, () => 2000, { service: 'site-config' }));
    metrics.push(counter('configtool_writes_total', { namespace: 'site_config', job: 'configtool' }, times, (t) => 0.8 / 60 + (Math.abs(t - change) < 15_000 ? 1 / 30 : 0), rng, { service: 'configtool', initial: 18_412 }));
    for (const code of ['200', '500']) {
      metrics.push(counter('http_requests_total', { code, job: 'feed-web' }, times, (t) => rps(t) * (code === '200' ? 1 - 0.0006 - 0.8 * ramp(t, change + 60_000, 240_000) : 0.0006 + 0.8 * ramp(t, change + 60_000, 240_000)) * wobble(rng, 0.02), rng, { service: 'feed-web' }));
    }
    metrics.push(gauge('node_load1', { instance: 'cfgdb-master.prod:9100', job: 'node' }, times, (t) => 3.2 + rng.between(-0.5, 0.8) + 170 * storm(t)));

    const logs: LogRecord[] = [];
    logs.push(logRecord(change, 'info', 'configtool', `set site_config/${KEY} = "12u" (previous "12") by rjohnson-ops, change CFG-20100923-114, reason "align inline units with new ad sizes"`, { 'config.namespace': 'site_config', 'config.key': KEY }));
    logs.push(...atRate(rng, start, end, () => 0.8, (t) => logRecord(t, 'info', 'configtool', `set site_config/${rng.pick(['search.typeahead.k', 'photos.upload.max_mb', 'chat.presence.ttl'])} by ${rng.pick(['mlee', 'aokafor', 'tvance'])}, change CFG-20100923-${rng.int(20, 110)}`, { 'config.namespace': 'site_config' })));
    for (const h of webHosts) logs.push(logRecord(webPush + rng.int(0, 240_000), 'info', 'feed-web', `push r284511 active on ${h} (Move like-button render into a lazily loaded module)`, { 'host.name': h }));
    logs.push(
      ...atRate(rng, change + 5000, end, () => 40, (t) => logRecord(t, 'warn', 'feed-web', `ConfigVerifier: invalid cached value for ${KEY} ("12u"), deleting key and refetching from site-config`, { 'host.name': rng.pick(webHosts) })),
    );
    logs.push(
      ...atRate(rng, change + 60_000, end, () => 30, (t) => rng.chance(0.5)
        ? logRecord(t, 'error', 'feed-web', `ConfigVerifier: site-config query failed (SQLSTATE[HY000] [2002] Connection timed out), treating ${KEY} as invalid and deleting key`, { 'host.name': rng.pick(webHosts) })
        : logRecord(t, 'fatal', 'feed-web', phpFatal(), { 'host.name': rng.pick(webHosts) })),
    );
    logs.push(...atRate(rng, change + 40_000, end, () => 10, (t) => logRecord(t, 'warn', 'site-config', rng.chance(0.6) ? `[Warning] Aborted connection ${rng.int(1e6, 9e6)} to db: 'site_config' user: 'web' host: '10.${rng.int(1, 40)}.${rng.int(1, 250)}.${rng.int(1, 250)}' (Got timeout reading communication packets)` : "[ERROR] Too many connections", { 'host.name': 'cfgdb-master.prod' })));
    logs.push(...atRate(rng, start, end, () => 1, (t) => logRecord(t, 'info', 'feed-web', `slow render /home.php ${rng.int(800, 1500)}ms viewer=${rng.int(1e6, 9e8)}`, { 'host.name': rng.pick(webHosts) })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < change ? 2.5 : 8))) {
      const s = storm(t);
      const invalid = rng.chance(0.05 + 0.9 * s);
      const dbFails = invalid && rng.chance(Math.min(0.9, s * 1.1));
      const host = rng.pick(webHosts);
      const children: SpanNode[] = [
        call({ service: 'feed-web', name: 'memcache get', networkMs: jitter(rng, 0.35), attributes: { 'peer.service': 'memcache', 'server.address': rng.pick(['mc-site-01', 'mc-site-02']), 'db.system': 'memcached', 'db.operation.name': 'get', 'cache.hit': !invalid || rng.chance(0.5) } }, undefined),
      ];
      if (invalid) {
        children.push(call({ service: 'feed-web', name: 'memcache delete', networkMs: jitter(rng, 0.3), attributes: { 'peer.service': 'memcache', 'db.system': 'memcached', 'db.operation.name': 'delete' } }, undefined));
        children.push(call({ service: 'feed-web', name: 'SELECT site_config', networkMs: dbFails ? jitter(rng, 3000, 0.1) : jitter(rng, 4 + 400 * s, 0.5), attributes: { 'peer.service': 'site-config', 'server.address': 'cfgdb-master.prod', 'db.system': 'mysql', 'db.namespace': 'site_config', 'db.operation.name': 'SELECT' }, ...(dbFails ? { status: 'error' as const, statusMessage: 'SQLSTATE[HY000] [2002] Connection timed out' } : {}) }, undefined));
      }
      children.push({ service: 'feed-web', name: 'FeedRenderer.render', selfMs: dbFails ? 0.5 : jitter(rng, 60, 0.5) });
      spans.push(...emitTrace(rng, t, { service: 'feed-web', kind: 'server', name: 'GET /home.php', selfMs: jitter(rng, 4), attributes: { 'http.request.method': 'GET', 'http.route': '/home.php', 'http.response.status_code': dbFails ? 500 : 200, 'host.name': host, 'service.version': t >= webPush + 120_000 ? 'r284511' : 'r284377' }, ...(dbFails ? { status: 'error' as const, statusMessage: 'Uncaught ConfigFetchException' } : {}), children }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Diego Alvarez', email: 'dalvarez@socialnet.example', time: utc('2010-09-23T16:58:00Z'), message: 'feed: move like-button render into a lazily loaded module', files: [{ path: 'www/lib/feed/LikeButton.php', hunks: [{ newStart: 12, newLines: 44 }] }, { path: 'www/lib/feed/FeedRenderer.php', hunks: [{ newStart: 150, newLines: 6 }] }], deploy: { ref: 'push/r284511', time: webPush, environment: 'production' } }),
      commit(rng, { author: 'Grace Liu', email: 'gliu@socialnet.example', time: utc('2010-09-22T21:40:00Z'), message: 'config: cap refetch batch size at 50 keys', files: [{ path: 'www/lib/config/ConfigVerifier.php', hunks: [{ newStart: 180, newLines: 5 }] }], deploy: { ref: 'push/r284377', time: utc('2010-09-22T23:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'WebFatalRateHigh', severity: 'critical', labels: { service: 'feed-web', env: 'production' }, annotations: { summary: 'PHP fatals above 1% of requests on the web tier' }, startsAt: alertAt, value: '0.41', service: 'feed-web', environment: 'production' });
    const alerts = [
      alert({ name: 'MySQLThreadsRunningHigh', severity: 'warning', labels: { instance: 'cfgdb-master.prod:9104', cluster: 'site-config' }, annotations: { summary: 'threads running above 200 on cfgdb-master' }, startsAt: utc('2010-09-23T18:29:30Z') }),
      alert({ name: 'MemcacheMissRatioHigh', severity: 'warning', labels: { job: 'memcache' }, annotations: { summary: 'memcache miss ratio above 10%' }, startsAt: utc('2010-09-23T18:30:30Z') }),
      main,
    ];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, serviceGraph: [{ from: 'feed-web', to: 'memcache' }, { from: 'feed-web', to: 'site-config' }] };
  },
};
