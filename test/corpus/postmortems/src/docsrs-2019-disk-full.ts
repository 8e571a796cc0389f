// docs.rs, 21 October 2019: a directory the builder wrote documentation into was never purged; the
// server's disk filled over weeks, builds had been failing for a day, and when it hit 100% the database
// on the same host stopped and the website went down.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const HOST = 'docbuild-prod-1';

export const docsrs2019DiskFull: PostmortemCase = {
  slug: 'docsrs-2019-disk-full',
  title: 'A never-purged build directory fills the disk; builds fail for a day, then the site goes down',
  source: { url: 'https://blog.rust-lang.org/inside-rust/2019/10/24/docsrs-outage-postmortem.html', publisher: 'Rust infrastructure team', date: '2019-10-21' },
  follows:
    'docs.rs stored built documentation on the filesystem before uploading it and never cleared that directory; disk usage grew over weeks; ' +
    'crate builds had failed since 2019-10-20 00:55 UTC for lack of space, and at 01:38 UTC the next day the website went down; graphs ' +
    'recorded the growth but no alert was configured.',
  changed:
    'The database sits on the same host as the web server and builder (so the site fails through its database); the window covers the last two hours; names of crates are invented.',
  traps: [
    'The web service deployed 33 minutes before the outage.',
    'The same "No space left on device" error has been logged by the builder for the whole window, long before that deploy.',
    'The alert is on the web service, while the exhausted resource is the host\'s disk, shared by three processes.',
  ],
  kindNote: 'A full disk on one host: infrastructure on that host, in the web service that runs there; no commit.',
  build(rng) {
    const start = utc('2019-10-20T23:40:00Z');
    const end = utc('2019-10-21T01:50:00Z');
    const full = utc('2019-10-21T01:38:00Z');
    const alertAt = utc('2019-10-21T01:41:00Z');
    const webDeploy = utc('2019-10-21T01:05:00Z');
    const times = grid(start, end, 30_000);
    const isFull = (t: number) => t >= full;

    const metrics: MetricSeries[] = [];
    const fs = { instance: `${HOST}:9100`, job: 'node', device: '/dev/nvme0n1p1', fstype: 'ext4', mountpoint: '/' };
    metrics.push(gauge('node_filesystem_avail_bytes', fs, times, (t) => {
      if (isFull(t)) return rng.int(0, 4096);
      const left = 2.1e9 * (full - t) / (full - start);
      return Math.max(8192, left + Math.abs(rng.normal(0, 4e7)));
    }, { unit: 'By' }));
    metrics.push(gauge('node_filesystem_size_bytes', fs, times, () => 2.14e11, { unit: 'By' }));
    metrics.push(gauge('node_filesystem_files_free', fs, times, (t) => Math.round(9.1e6 - (t - start) / 2000), {}));
    metrics.push(counter('docsrs_failed_builds_total', { instance: `${HOST}:3000`, job: 'docsrs' }, times, () => 1 / 45, rng, { service: 'docs-builder', initial: 41_220 }));
    metrics.push(counter('docsrs_successful_builds_total', { instance: `${HOST}:3000`, job: 'docsrs' }, times, () => 0, rng, { service: 'docs-builder', initial: 1_262_004 }));
    metrics.push(gauge('docsrs_queued_crates_count', { instance: `${HOST}:3000`, job: 'docsrs' }, times, (t) => Math.round(610 + (t - start) / 50_000), { service: 'docs-builder' }));
    metrics.push(gauge('pg_up', { instance: `${HOST}:9187`, job: 'postgres' }, times, (t) => (isFull(t) ? 0 : 1), { service: 'docs-db' }));
    for (const status of ['200', '404', '500']) {
      metrics.push(counter('docsrs_http_responses_total', { status, instance: `${HOST}:3000`, job: 'docsrs' }, times, (t) => {
        const base = 95 * wobble(rng, 0.05);
        if (status === '200') return base * (isFull(t) ? 0.02 : 0.93);
        if (status === '404') return base * 0.069;
        return base * (isFull(t) ? 0.91 : 0.001);
      }, rng, { service: 'docs-web' }));
    }

    const logs: LogRecord[] = [];
    const crates = ['serde_yaml_ng', 'tokio-tungstenite', 'ring-compat', 'sqlx-core', 'wasm-bindgen-futures', 'nom_locate', 'rusoto_s3', 'tracing-subscriber'];
    logs.push(...atRate(rng, start, end, () => 1.3, (t) => logRecord(t, 'error', 'docs-builder', `ERROR docs_rs::docbuilder::rustwide_builder: failed to build crate ${rng.pick(crates)} ${rng.int(0, 3)}.${rng.int(0, 30)}.${rng.int(0, 9)}: No space left on device (os error 28)`, { 'host.name': HOST })));
    logs.push(...atRate(rng, start, end, () => 0.5, (t) => logRecord(t, 'info', 'docs-builder', `INFO docs_rs::docbuilder::queue: building next crate from queue (${rng.int(600, 700)} queued)`, { 'host.name': HOST })));
    logs.push(logRecord(webDeploy, 'info', 'docs-web', 'docs.rs 0.6.0 (fa7c1e2 2019-10-21) listening on 0.0.0.0:3000', { 'host.name': HOST, 'service.version': 'fa7c1e2' }));
    logs.push(logRecord(full, 'fatal', 'docs-db', 'PANIC:  could not write to file "pg_wal/xlogtemp.28422": No space left on device', { 'host.name': HOST }));
    logs.push(logRecord(full + 400, 'info', 'docs-db', 'LOG:  server process (PID 28422) was terminated by signal 6: Aborted', { 'host.name': HOST }));
    logs.push(logRecord(full + 900, 'info', 'docs-db', 'LOG:  terminating any other active server processes', { 'host.name': HOST }));
    logs.push(...atRate(rng, full + 1000, end, () => 30, (t) => logRecord(t, 'error', 'docs-web', rng.chance(0.7)
      ? "thread '<unnamed>' panicked at 'called `Result::unwrap()` on an `Err` value: Error(Io(Custom { kind: Other, error: \"could not connect to server: Connection refused\\n\\tIs the server running on host \\\"localhost\\\" and accepting TCP/IP connections on port 5432?\" }))', src/libcore/result.rs:1084:5"
      : "thread '<unnamed>' panicked at 'failed to write rendered page cache: Os { code: 28, kind: Other, message: \"No space left on device\" }', src/web/page/handlebars.rs:118:14", { 'host.name': HOST, 'service.version': 'fa7c1e2' })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, (x) => (x < full ? 3 : 9))) {
      const bad = isFull(t) && rng.chance(0.93);
      spans.push(...emitTrace(rng, t, {
        service: 'docs-web',
        kind: 'server',
        name: 'GET /:crate/:version/:target',
        selfMs: jitter(rng, 12, 0.5),
        attributes: { 'http.request.method': 'GET', 'http.route': '/:crate/:version/:target', 'http.response.status_code': bad ? 500 : 200, 'host.name': HOST, 'service.version': t >= webDeploy ? 'fa7c1e2' : '9b81d40' },
        ...(bad ? { status: 'error' as const, statusMessage: 'handler panicked' } : {}),
        children: [call({ service: 'docs-web', name: 'SELECT releases', networkMs: bad ? jitter(rng, 1.2) : jitter(rng, 2.5), attributes: { 'db.system': 'postgresql', 'db.namespace': 'cratesfyi', 'server.address': 'localhost', 'db.operation.name': 'SELECT' }, ...(bad ? { status: 'error' as const, statusMessage: 'could not connect to server: Connection refused' } : {}) }, undefined)],
      }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Maren Holt', email: 'maren.holt@docsrs-infra.example', time: utc('2019-10-21T00:40:00Z'), message: 'web: link the build log from the failed-build page', files: [{ path: 'src/web/builds.rs', hunks: [{ newStart: 61, newLines: 14 }] }, { path: 'templates/crate/builds.hbs', hunks: [{ newStart: 22, newLines: 6 }] }], deploy: { ref: 'deploy/fa7c1e2', time: webDeploy, environment: 'production' } }),
      commit(rng, { author: 'Tobias Kern', email: 'tobias.kern@docsrs-infra.example', time: utc('2019-10-18T10:15:00Z'), message: 'builder: purge the rustwide target directory between builds', files: [{ path: 'src/docbuilder/rustwide_builder.rs', hunks: [{ newStart: 233, newLines: 9 }] }], deploy: { ref: 'deploy/9b81d40', time: utc('2019-10-18T11:00:00Z'), environment: 'production' } }),
    ]);
    const main = alert({ name: 'DocsRsDown', severity: 'critical', labels: { service: 'docs-web', instance: 'https://docs.rs/', job: 'blackbox' }, annotations: { summary: 'docs.rs front page failing' }, startsAt: alertAt, value: '0', service: 'docs-web' });
    return { alert: main, alerts: [main], window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
