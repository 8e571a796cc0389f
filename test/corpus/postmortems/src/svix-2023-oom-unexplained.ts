// Svix, 11 March 2023: API containers in one region were killed for running out of memory, again and
// again, although their reported memory never passed 40%; there was no deploy that day and no unusual
// traffic; the cause was not established (a serialization library's edge case was suspected).

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

interface Task {
  id: string;
  region: string;
  from: number;
  to: number;
}

export const svix2023OomUnexplained: PostmortemCase = {
  slug: 'svix-2023-oom-unexplained',
  title: 'Containers are killed for memory in one region with no deploy, no traffic change and no known cause',
  source: { url: 'https://www.svix.com/blog/we-had-a-partial-outage/', publisher: 'Svix', date: '2023-03-11' },
  follows:
    'On a Saturday, most API calls in the US region returned 5xx because containers kept being killed for out-of-memory although their ' +
    'maximum memory utilisation never went above 40% (normally 10-15%); no code had been deployed that day, traffic was ordinary, no ' +
    'auto-scaling happened; neither the company nor its cloud provider could explain it; a serialization-library edge case was suspected later.',
  changed:
    'Our names (hook-api, hook-worker); four US tasks and two EU tasks; the time of day is ours (the report gives none); memory is ' +
    'sampled once a minute, so the short spikes that killed the tasks are not fully visible, as in the report.',
  traps: [
    'A dependency bump of the serialization library is in the history (merged the day before, never deployed): tempting, but not running.',
    'The last deploy was 44 hours earlier.',
    'The memory series peak below 40% of the limit, so a memory rule keyed on "near the limit" does not see it.',
    'The EU region runs the same version and is fine.',
  ],
  kindNote: 'The public report could not establish the cause: unknown, and no change is to blame.',
  build(rng) {
    const start = utc('2023-03-11T12:20:00Z');
    const end = utc('2023-03-11T14:35:00Z');
    const onset = utc('2023-03-11T14:18:00Z');
    const alertAt = utc('2023-03-11T14:24:00Z');
    const times = grid(start, end, 60_000);
    const limit = 4 * 1024 ** 3;
    const tasks: Task[] = [];
    for (let i = 0; i < 4; i++) {
      let from = start - rng.int(20, 40) * 3_600_000;
      let t = onset + rng.int(0, 180_000);
      while (t < end) {
        tasks.push({ id: rng.hex(32), region: 'us-east-1', from, to: t });
        from = t + rng.int(40_000, 70_000);
        t = from + rng.int(150_000, 330_000);
      }
      tasks.push({ id: rng.hex(32), region: 'us-east-1', from, to: end + 1 });
    }
    for (let i = 0; i < 2; i++) tasks.push({ id: rng.hex(32), region: 'eu-west-1', from: start - 30 * 3_600_000, to: end + 1 });
    const usKilled = (t: number) => tasks.filter((k) => k.region === 'us-east-1' && k.to <= t && k.to > t - 120_000).length;

    const metrics: MetricSeries[] = [];
    for (const task of tasks) {
      const labels = { container: 'hook-api', task_id: task.id, region: task.region, job: 'ecs-cadvisor' };
      const base = rng.between(0.1, 0.14);
      metrics.push(gauge('container_memory_working_set_bytes', labels, times, (t) => {
        if (t < task.from || t >= task.to) return NaN;
        const spiking = task.region === 'us-east-1' && t >= onset - 120_000 && task.to - t < 150_000;
        return limit * (spiking ? rng.between(0.26, 0.4) : base * wobble(rng, 0.03));
      }, { service: 'hook-api', unit: 'By' }));
    }
    metrics.push(gauge('container_spec_memory_limit_bytes', { container: 'hook-api', region: 'us-east-1', job: 'ecs-cadvisor' }, times, () => limit, { service: 'hook-api', unit: 'By' }));
    metrics.push(gauge('aws_applicationelb_httpcode_elb_5_xx_count_sum', { dimension_LoadBalancer: 'app/hook-api-us/7c1e0f3a9b2d4e51', region: 'us-east-1' }, times, (t) => (t >= onset ? Math.round(2400 + 2600 * Math.min(2, usKilled(t)) * wobble(rng, 0.2)) : rng.int(0, 3))));
    metrics.push(gauge('aws_applicationelb_healthy_host_count_average', { dimension_LoadBalancer: 'app/hook-api-us/7c1e0f3a9b2d4e51', region: 'us-east-1' }, times, (t) => tasks.filter((k) => k.region === 'us-east-1' && k.from + 30_000 <= t && t < k.to).length));
    metrics.push(gauge('aws_applicationelb_request_count_sum', { dimension_LoadBalancer: 'app/hook-api-us/7c1e0f3a9b2d4e51', region: 'us-east-1' }, times, () => Math.round(61_000 * wobble(rng, 0.03))));
    metrics.push(gauge('aws_applicationelb_httpcode_elb_5_xx_count_sum', { dimension_LoadBalancer: 'app/hook-api-eu/0b4d2e7f11a3c960', region: 'eu-west-1' }, times, () => rng.int(0, 2)));
    metrics.push(counter('svix_messages_dispatched_total', { region: 'us-east-1', job: 'hook-worker' }, times, (t) => 900 * (t >= onset ? 0.35 : 1) * wobble(rng, 0.03), rng, { service: 'hook-worker' }));

    const logs: LogRecord[] = [];
    for (const task of tasks.filter((k) => k.to <= end)) {
      logs.push(logRecord(task.to, 'error', 'ecs', `(service hook-api-us) task ${task.id} stopped: OutOfMemoryError: Container killed due to memory usage (exit code 137)`, { 'aws.ecs.task.arn': `arn:aws:ecs:us-east-1:381492025115:task/hook-prod/${task.id}`, 'cloud.region': 'us-east-1' }));
      logs.push(logRecord(task.to + 35_000, 'info', 'ecs', '(service hook-api-us) has started 1 tasks: (task replacement)', { 'cloud.region': 'us-east-1' }));
    }
    logs.push(...atRate(rng, start, end, () => 6, (t) => {
      const live = tasks.filter((k) => k.from <= t && t < k.to);
      const task = rng.pick(live);
      if (!task) return undefined;
      return logRecord(t, 'info', 'hook-api', logfmt({ level: 'INFO', msg: 'request completed', method: 'POST', path: '/api/v1/app/{app_id}/msg/', status: 202, latency_ms: rng.int(4, 40) }), { 'cloud.region': task.region, 'aws.ecs.task.id': task.id, 'service.version': '1.12.3' });
    }));
    logs.push(...atRate(rng, onset, end, () => 8, (t) => logRecord(t, 'warn', 'hook-worker', logfmt({ level: 'WARN', msg: 'api call failed, will retry', status: 502, endpoint: 'internal-hook-api-us' }), { 'cloud.region': 'us-east-1' })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, () => 3)) {
      const live = tasks.filter((k) => k.from <= t && t < k.to);
      const task = rng.pick(live);
      if (!task) continue;
      spans.push(...emitTrace(rng, t, {
        service: 'hook-api', kind: 'server', name: 'POST /api/v1/app/{app_id}/msg/', selfMs: jitter(rng, 2.5),
        attributes: { 'http.request.method': 'POST', 'http.route': '/api/v1/app/{app_id}/msg/', 'http.response.status_code': 202, 'cloud.region': task.region, 'aws.ecs.task.id': task.id, 'service.version': '1.12.3' },
        children: [
          call({ service: 'hook-api', name: 'INSERT message', networkMs: jitter(rng, 3), attributes: { 'db.system': 'postgresql', 'server.address': 'hook-db.cluster-us.internal', 'db.operation.name': 'INSERT' } }, undefined),
          call({ service: 'hook-api', name: 'XADD', networkMs: jitter(rng, 0.8), attributes: { 'db.system': 'redis', 'server.address': 'hook-queue.us.cache.internal', 'db.operation.name': 'XADD' } }, undefined),
        ],
      }));
    }

    const changes: Change[] = history([
      commit(rng, { author: 'Dana Weiss', email: 'dana.weiss@hookrelay.example', time: utc('2023-03-09T17:55:00Z'), message: 'server: upgrade tower-http to 0.4 and enable compression for list endpoints', files: [{ path: 'server/Cargo.toml', hunks: [{ newStart: 41, newLines: 2 }] }, { path: 'server/src/core/middleware.rs', hunks: [{ newStart: 18, newLines: 22 }] }], deploy: { ref: 'hook-api/1.12.3', time: utc('2023-03-09T18:40:00Z'), environment: 'production' } }),
      commit(rng, { author: 'dependabot[bot]', email: 'dependabot@deps.example', time: utc('2023-03-10T09:12:00Z'), message: 'Bump serde_json from 1.0.93 to 1.0.94 in /server', files: [{ path: 'server/Cargo.lock', hunks: [{ newStart: 2701, newLines: 4 }] }] }),
      commit(rng, { author: 'Ofer Levi', email: 'ofer.levi@hookrelay.example', time: utc('2023-03-10T15:30:00Z'), message: 'docs: describe the endpoint-level rate limits', files: [{ path: 'docs/rate-limits.md', hunks: [{ newStart: 1, newLines: 30 }] }] }),
    ]);
    const main = alert({ name: 'HookAPI5xxHigh', severity: 'critical', labels: { service: 'hook-api', region: 'us-east-1', env: 'prod' }, annotations: { summary: 'ALB 5xx above 10% for hook-api-us' }, startsAt: alertAt, value: '0.46', service: 'hook-api', environment: 'prod' });
    return { alert: main, alerts: [main], window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes };
  },
};
