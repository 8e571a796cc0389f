// Honeycomb, 6 November 2019: a release introduced a slow memory leak that grew at the same rate on every
// ingest backend; hours later they all ran out of memory within minutes of each other, in-flight requests
// failed and the load balancer found no healthy target; the team first suspected the load balancer.

import type { Change, LogRecord, MetricSeries, Span } from '../../../../src/core/model';
import { alert } from './lib/alerts';
import type { PostmortemCase } from './lib/bundle';
import { commit, history } from './lib/changes';
import { logRecord, logfmt } from './lib/logs';
import { counter, gauge, histogram } from './lib/metrics';
import { atRate, wobble } from './lib/signals';
import { diurnal, grid, utc } from './lib/time';
import { call, completeTraces, emitTrace, jitter, traceStarts } from './lib/traces';

const CACHE = 'ingest/batcher/dataset_cache.go';
// Lines 44-49 keep one versioned entry per resolved schema, and expire() (line 58) never drops them.
const CACHE_FILE = `package batcher

import (
	"strings"
	"sync"
	"time"

	"github.com/hive-ingest/ingest/schema"
)
// datasetCache remembers resolved dataset schemas so a batch does not look them up per event.
type datasetCache struct {
	mu      sync.RWMutex
	byKey   map[cacheKey]*entry
	ttl     time.Duration
	lookups schema.Lookup
}

type cacheKey struct {
	team, dataset string
}

type entry struct {
	schema  *schema.Schema
	fetched time.Time
}

func newDatasetCache(l schema.Lookup, ttl time.Duration) *datasetCache {
	return &datasetCache{byKey: map[cacheKey]*entry{}, ttl: ttl, lookups: l}
}

// get returns the schema for (team, dataset), looking it up at most once per ttl.
func (c *datasetCache) get(team, dataset string, fields []string) (*schema.Schema, error) {
	key := cacheKey{team: team, dataset: dataset}
	c.mu.RLock()
	e, ok := c.byKey[key]
	c.mu.RUnlock()
	if ok && time.Since(e.fetched) < c.ttl && e.schema.Covers(fields) {
		return e.schema, nil
	}
	s, err := c.lookups.Resolve(team, dataset, fields)
	if err != nil {
		return nil, err
	}
	// Keep every schema version we resolved: batches still in flight may refer to older ones.
	c.mu.Lock()
	c.byKey[cacheKey{team: team, dataset: dataset + "#" + s.Version()}] = &entry{schema: s, fetched: time.Now()}
	c.byKey[key] = &entry{schema: s, fetched: time.Now()}
	c.mu.Unlock()
	return s, nil
}

// expire drops entries older than the ttl; it runs once a minute. Versioned entries are kept
// for batches in flight.
func (c *datasetCache) expire(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.byKey {
		if now.Sub(e.fetched) > c.ttl && !strings.Contains(k.dataset, "#") {
			delete(c.byKey, k)
		}
	}
}
`;

export const honeycomb2019IngestLeak: PostmortemCase = {
  slug: 'honeycomb-2019-ingest-leak',
  title: 'A slow leak from a morning release makes every ingest backend run out of memory at once',
  source: { url: 'https://www.honeycomb.io/blog/incident-report-running-dry-on-memory-without-noticing', publisher: 'Honeycomb', date: '2019-11-06' },
  follows:
    'A recent release introduced a slow memory leak that manifested over hours at the same rate on each ingest backend, so all backends ' +
    'crashed within minutes of each other; 1-3% of telemetry was rejected in four 20-minute brownouts; the team anchored on the load ' +
    'balancer as the cause and waited on the provider before someone noticed process restarts and climbing memory.',
  changed:
    'The leaking code is ours (a schema cache that keeps every version); six backends; the release is at 08:10 UTC, the first brownout at ' +
    '14:05 (the report gives no times); the window covers only the first brownout.',
  traps: [
    'The guilty deploy is almost six hours before the onset, outside the window; the memory series in the window is a steady slope with no step.',
    'The load balancer\'s 5xx counts and healthy-host count move first and loudest (a third party, like the team\'s own first hypothesis).',
    'Another service deployed 70 minutes before the onset, and a later ingest commit is merged but not deployed.',
    'GC pause time rises slowly for an hour before the crash (a low-count, slow signal), and latency only degrades in the last minutes.',
  ],
  build(rng) {
    const start = utc('2019-11-06T11:40:00Z');
    const end = utc('2019-11-06T14:20:00Z');
    const release = utc('2019-11-06T08:10:00Z');
    const oom = utc('2019-11-06T14:05:00Z');
    const alertAt = utc('2019-11-06T14:08:00Z');
    const queryDeploy = utc('2019-11-06T12:55:00Z');
    const times = grid(start, end, 30_000);
    const hosts = Array.from({ length: 6 }, (_, i) => `ingest-gw-${i + 1}`);
    const crashAt = new Map<string, number>(hosts.map((h) => [h, oom + rng.int(0, 240_000)]));
    const limit = 8 * 1024 ** 3;
    const heap = (h: string, t: number) => {
      const c = crashAt.get(h)!;
      const since = t < c ? t - release : t - c - 30_000;
      return 1.15e9 + (since * (7.2e9 - 1.15e9)) / (c - release);
    };
    const restarting = (h: string, t: number) => t >= crashAt.get(h)! && t < crashAt.get(h)! + 30_000;
    const pressure = (h: string, t: number) => Math.max(0, (heap(h, t) - 5.5e9) / (7.2e9 - 5.5e9));
    const unhealthy = (t: number) => hosts.filter((h) => restarting(h, t) || (t < crashAt.get(h)! && pressure(h, t) > 0.97)).length;
    const eps = (t: number) => 260_000 * diurnal(t, 17, 0.2);

    const metrics: MetricSeries[] = [];
    for (const h of hosts) {
      const inst = { instance: `${h}:9090`, job: 'ingest-gw' };
      metrics.push(gauge('go_memstats_heap_inuse_bytes', inst, times, (t) => (restarting(h, t) ? NaN : heap(h, t) * wobble(rng, 0.01)), { service: 'ingest-gw', unit: 'By' }));
      metrics.push(gauge('process_resident_memory_bytes', inst, times, (t) => (restarting(h, t) ? NaN : Math.min(limit, heap(h, t) * 1.09)), { service: 'ingest-gw', unit: 'By' }));
      metrics.push(gauge('go_gc_duration_seconds', { ...inst, quantile: '1' }, times, (t) => (restarting(h, t) ? NaN : 0.004 + 0.09 * pressure(h, t) ** 2 + rng.between(0, 0.002)), { service: 'ingest-gw', unit: 's' }));
      metrics.push(gauge('process_start_time_seconds', inst, times, (t) => (restarting(h, t) ? NaN : Math.round((t >= crashAt.get(h)! ? crashAt.get(h)! + 30_000 : release + hosts.indexOf(h) * 20_000) / 1000)), { service: 'ingest-gw', unit: 's' }));
      for (const code of ['202', '500']) metrics.push(counter('ingest_requests_total', { ...inst, code }, times, (t) => (eps(t) / 6 / 40) * (code === '202' ? 0.9998 - 0.02 * pressure(h, t) : 0.0002 + 0.02 * pressure(h, t)), rng, { service: 'ingest-gw', present: (t) => !restarting(h, t), resetsAt: [crashAt.get(h)! + 30_000] }));
    }
    const lb = { dimension_LoadBalancer: 'app/ingest-prod/5b2e91c04d7a3f18', region: 'us-east-1' };
    metrics.push(gauge('aws_applicationelb_httpcode_elb_5_xx_count_sum', lb, times, (t) => Math.round(rng.int(0, 4) + 2800 * unhealthy(t) * wobble(rng, 0.2))));
    metrics.push(gauge('aws_applicationelb_httpcode_target_5_xx_count_sum', lb, times, (t) => Math.round(rng.int(0, 6) + 600 * unhealthy(t))));
    metrics.push(gauge('aws_applicationelb_healthy_host_count_average', lb, times, (t) => 6 - unhealthy(t)));
    metrics.push(gauge('aws_applicationelb_request_count_sum', lb, times, (t) => Math.round((eps(t) / 40) * 60 * wobble(rng, 0.02))));
    metrics.push(...histogram('ingest_request_duration_seconds', { job: 'ingest-gw' }, times, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], (t) => eps(t) / 40 / 20,
      (t) => { const p = Math.max(...hosts.map((h) => pressure(h, t))); return { median: 0.012 * (1 + 4 * p), sigma: 0.5 + 0.4 * p }; }, rng, { service: 'ingest-gw', unit: 's' }));
    metrics.push(counter('ingest_kafka_produced_total', { job: 'ingest-gw', topic: 'events' }, times, (t) => eps(t) * (1 - unhealthy(t) / 8), rng, { service: 'ingest-gw' }));

    const logs: LogRecord[] = [];
    logs.push(...atRate(rng, start, end, () => 4, (t) => logRecord(t, 'info', 'ingest-gw', logfmt({ msg: 'batch accepted', dataset: rng.pick(['api-prod', 'web-rum', 'k8s-events', 'lambda', 'billing']), events: rng.int(1, 500), ms: rng.int(2, 30) }), { 'host.name': rng.pick(hosts) })));
    for (const h of hosts) {
      const c = crashAt.get(h)!;
      logs.push(logRecord(c, 'error', undefined, `Out of memory: Killed process ${rng.int(2000, 9000)} (ingest-gw) total-vm:${rng.int(9, 11)}482112kB, anon-rss:${Math.round(limit / 1024)}kB, file-rss:0kB, shmem-rss:0kB`, { 'host.name': h, 'log.file.name': 'kern.log' }));
      logs.push(logRecord(c + 1000, 'warn', 'systemd', 'ingest-gw.service: Main process exited, code=killed, status=9/KILL', { 'host.name': h }));
      if (c + 30_000 <= end) logs.push(logRecord(c + 30_000, 'info', 'ingest-gw', logfmt({ msg: 'ingest-gw started', version: '2019.11.06-1', kafka: 'connected' }), { 'host.name': h }));
    }
    logs.push(...atRate(rng, oom - 20 * 60_000, end, (t) => 3 * Math.max(...hosts.map((h) => pressure(h, t))), (t) => logRecord(t, 'warn', 'ingest-gw', logfmt({ msg: 'slow batch', stage: 'schema', ms: rng.int(300, 2500) }), { 'host.name': rng.pick(hosts) })));

    const spans: Span[] = [];
    for (const t of traceStarts(rng, start, end, () => 3)) {
      const live = hosts.filter((h) => !restarting(h, t) && !(t < crashAt.get(h)! && t > crashAt.get(h)! - 3000));
      const h = rng.pick(live);
      if (!h) continue;
      const p = pressure(h, t);
      const bad = rng.chance(0.02 * p);
      spans.push(...emitTrace(rng, t, { service: 'ingest-gw', kind: 'server', name: 'POST /1/batch/:dataset', selfMs: jitter(rng, 2 * (1 + 4 * p)), attributes: { 'http.request.method': 'POST', 'http.route': '/1/batch/:dataset', 'http.response.status_code': bad ? 500 : 202, 'host.name': h, 'service.version': '2019.11.06-1' }, ...(bad ? { status: 'error' as const, statusMessage: 'context deadline exceeded' } : {}), children: [
        { service: 'ingest-gw', name: 'batcher.resolveSchema', selfMs: jitter(rng, 0.4 * (1 + 8 * p)) },
        call({ service: 'ingest-gw', name: 'events publish', networkMs: jitter(rng, 3), attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'events', 'server.address': 'kafka-1.ingest.internal' } }, undefined),
      ] }));
    }

    const changes: Change[] = history([
      commit(rng, { sha: 'e8438ea6efef63387cba4e1bfcebb5c6157320f8', author: 'Ines Carvalho', email: 'ines.carvalho@hive-ingest.example', time: utc('2019-11-05T22:40:00Z'), message: 'batcher: cache resolved dataset schemas and keep versions for in-flight batches', files: [{ path: CACHE, hunks: [{ newStart: 33, newLines: 27, oldStart: 33, oldLines: 14 }] }, { path: 'ingest/batcher/batcher.go', hunks: [{ newStart: 120, newLines: 6 }] }], deploy: { ref: 'ingest-gw/2019.11.06-1', time: release, environment: 'production' } }),
      commit(rng, { author: 'Ben Hartley', email: 'ben.hartley@hive-ingest.example', time: utc('2019-11-06T12:20:00Z'), message: 'query: push heatmap bucketing down to the column store', files: [{ path: 'query/engine/heatmap.go', hunks: [{ newStart: 88, newLines: 40 }] }], deploy: { ref: 'query-engine/2019.11.06-2', time: queryDeploy, environment: 'production' } }),
      commit(rng, { author: 'Ines Carvalho', email: 'ines.carvalho@hive-ingest.example', time: utc('2019-11-06T13:40:00Z'), message: 'ingest: clearer error for invalid X-Honeycomb-Samplerate values', files: [{ path: 'ingest/api/headers.go', hunks: [{ newStart: 51, newLines: 8 }] }] }),
    ]);
    const main = alert({ name: 'IngestSLOBurnRate', severity: 'critical', labels: { service: 'ingest-gw', slo: 'ingest-availability', env: 'production' }, annotations: { summary: 'ingest error budget burning 20x too fast' }, startsAt: alertAt, value: '21.7', service: 'ingest-gw', environment: 'production' });
    const alerts = [alert({ name: 'ALBTarget5xx', severity: 'warning', labels: { load_balancer: 'app/ingest-prod/5b2e91c04d7a3f18' }, annotations: { summary: 'ALB returning 5xx with unhealthy targets' }, startsAt: utc('2019-11-06T14:06:00Z') }), main];
    return { alert: main, alerts, window: { start, end }, metrics, logs, spans: completeTraces(spans, end), changes, files: { [CACHE]: CACHE_FILE } };
  },
};
