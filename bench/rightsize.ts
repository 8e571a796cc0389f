// Time to recommend for 1,000 workloads over 14 days of history on the real Prometheus (Debian binary).
// The history (cAdvisor CPU counters and working sets every 30 s, kube-state-metrics owners, requests,
// HPAs and OOM kills) is generated with a fixed seed, written day by day as OpenMetrics and turned into
// blocks by `promtool tsdb create-blocks-from openmetrics`; the TSDB is kept in ~/.cache/incident-lens/
// so later runs skip the backfill. Then `rightsize()` runs its pushed-down queries against Prometheus,
// timed from the first query to the last result; each recommendation carries KRR's figure and ours.
// Usage: npm run bench -- rightsize [--workloads 1000] [--days 14] [--runs 1] [--rebuild]

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rightsize } from '../src/analysis/kubernetes/rightsizing';
import { PrometheusSource } from '../src/sources/prometheus';
import { parseBenchArgs, peakRssMB, printResult, round } from './common';
import { backfill, promtoolAvailable, startPrometheusOnData } from '../test/support/backfill';
import { mulberry32 as rng } from '../src/eval/random';

const args = parseBenchArgs();
const workloads = Number(args.flags.workloads ?? 1000);
const days = Number(args.flags.days ?? 14);
const runs = Number(args.flags.runs ?? 1);
const scrapeMs = 30_000;
const DAY = 86_400_000;
const MiB = 2 ** 20;
const generatorVersion = 4;

interface Workload {
  ns: string;
  name: string;
  pod: string;
  rs: string;
  base: number;
  /** Extra CPU in one 30-minute block a day (a nightly batch), or 0. */
  dailyPeak: number;
  peakBlock: number;
  memBase: number;
  memPeak: number;
  cpuRequest: number;
  memRequest: number;
  hpa: boolean;
  oom: boolean;
}

function fleet(n: number): Workload[] {
  const r = rng(20260302);
  return Array.from({ length: n }, (_, i) => {
    const base = 0.02 + r() * 0.6;
    const memBase = (64 + r() * 900) * MiB;
    return {
      ns: `n${String(i % 20).padStart(2, '0')}`,
      name: `w${String(i).padStart(4, '0')}`,
      pod: `w${String(i).padStart(4, '0')}-5d8f-0`,
      rs: `w${String(i).padStart(4, '0')}-5d8f`,
      base,
      dailyPeak: r() < 0.3 ? base * (2 + r() * 4) : 0,
      peakBlock: Math.floor(r() * 48),
      memBase,
      memPeak: memBase * (1.1 + r() * 0.6),
      cpuRequest: Math.ceil((base * (1.5 + r() * 4)) * 10) / 10,
      memRequest: Math.ceil(((memBase * (1.3 + r() * 2)) / MiB) / 64) * 64 * MiB,
      hpa: r() < 0.1,
      oom: r() < 0.02,
    };
  });
}

function cacheDir(): string {
  const key = crypto.createHash('sha256').update(JSON.stringify({ generatorVersion, workloads, days, scrapeMs })).digest('hex').slice(0, 12);
  return path.join(os.homedir(), '.cache', 'incident-lens', `rightsize-bench-${key}`);
}

async function build(dir: string, w: Workload[]): Promise<{ end: number; samples: number; ms: number; bytes: number }> {
  const started = performance.now();
  fs.rmSync(dir, { recursive: true, force: true });
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  // Whole days ending at the last midnight UTC: the blocks stay aligned and the history is fixed.
  const end = Math.floor(Date.now() / DAY) * DAY - scrapeMs;
  const start = end + scrapeMs - days * DAY;
  const BLOCK = 2 * 3600_000;
  const cpuTotal = new Float64Array(w.length).fill(1000);
  const cpuPrefix = w.map((x) => `container_cpu_usage_seconds_total{container="app",job="kubelet",namespace="${x.ns}",pod="${x.pod}"} `);
  const memPrefix = w.map((x) => `container_memory_working_set_bytes{container="app",job="kubelet",namespace="${x.ns}",pod="${x.pod}"} `);
  let samples = 0;
  let bytes = 0;
  // One file per 2-hour block: promtool reads its whole input once per block it writes.
  const chunks = Math.round((days * DAY) / BLOCK);
  for (let d = 0; d < chunks; d++) {
    const dayStart = start + d * BLOCK;
    const dayEnd = dayStart + BLOCK - scrapeMs;
    const r = rng(1000 + d);
    const res = await backfill(data, (out) => {
      for (let t = dayStart; t <= dayEnd; t += scrapeMs) {
        const sec = Math.floor(t / 1000);
        const block = Math.floor(((t % DAY) + DAY) % DAY / (30 * 60_000));
        const lines: string[] = [];
        for (let i = 0; i < w.length; i++) {
          const x = w[i];
          const noise = 0.85 + r() * 0.3;
          const rate = (x.base + (block === x.peakBlock ? x.dailyPeak : 0)) * noise;
          cpuTotal[i] += (rate * scrapeMs) / 1000;
          const mem = block % 16 === i % 16 ? x.memPeak : x.memBase * (0.95 + r() * 0.05);
          lines.push(`${cpuPrefix[i]}${cpuTotal[i].toFixed(4)} ${sec}\n`, `${memPrefix[i]}${Math.round(mem)} ${sec}\n`);
          samples += 2;
        }
        // kube-state-metrics: owners every 30 minutes; requests, phase, HPAs and OOM kills in the last hour.
        if (t % (30 * 60_000) === 0 || t > end - 3600_000) {
          for (const x of w) {
            if (t % (30 * 60_000) === 0) {
              lines.push(`kube_pod_owner{namespace="${x.ns}",owner_is_controller="true",owner_kind="ReplicaSet",owner_name="${x.rs}",pod="${x.pod}"} 1 ${sec}\n`);
              lines.push(`kube_replicaset_owner{namespace="${x.ns}",owner_is_controller="true",owner_kind="Deployment",owner_name="${x.name}",replicaset="${x.rs}"} 1 ${sec}\n`);
              samples += 2;
            }
            if (t > end - 3600_000 && t % 60_000 === 0) {
              lines.push(`kube_pod_status_phase{namespace="${x.ns}",phase="Running",pod="${x.pod}"} 1 ${sec}\n`);
              lines.push(`kube_pod_container_resource_requests{container="app",namespace="${x.ns}",pod="${x.pod}",resource="cpu",unit="core"} ${x.cpuRequest} ${sec}\n`);
              lines.push(`kube_pod_container_resource_requests{container="app",namespace="${x.ns}",pod="${x.pod}",resource="memory",unit="byte"} ${x.memRequest} ${sec}\n`);
              lines.push(`kube_pod_container_resource_limits{container="app",namespace="${x.ns}",pod="${x.pod}",resource="memory",unit="byte"} ${x.memRequest} ${sec}\n`);
              samples += 4;
              if (x.hpa) {
                lines.push(`kube_horizontalpodautoscaler_info{horizontalpodautoscaler="${x.name}",namespace="${x.ns}",scaletargetref_kind="Deployment",scaletargetref_name="${x.name}"} 1 ${sec}\n`);
                lines.push(`kube_horizontalpodautoscaler_spec_target_metric{horizontalpodautoscaler="${x.name}",metric_name="cpu",metric_target_type="utilization",namespace="${x.ns}"} 70 ${sec}\n`);
                samples += 2;
              }
              if (x.oom) {
                lines.push(`kube_pod_container_status_last_terminated_reason{container="app",namespace="${x.ns}",pod="${x.pod}",reason="OOMKilled"} 1 ${sec}\n`);
                samples++;
              }
            }
          }
        }
        out(lines.join(''));
      }
    }, dir);
    bytes += res.bytes;
    if ((d + 1) % 12 === 0 || d === chunks - 1) process.stdout.write(`  backfilled ${((d + 1) / 12).toFixed(1)} of ${days} days: ${fs.readdirSync(data).length} blocks, ${(bytes / 1e9).toFixed(2)} GB of OpenMetrics so far\n`);
  }
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ end, samples, bytes, workloads, days }));
  return { end, samples, ms: performance.now() - started, bytes };
}

async function main(): Promise<void> {
  if (!promtoolAvailable()) throw new Error('prometheus and promtool are needed (Debian: prometheus); run scripts/install-harness.sh');
  const w = fleet(workloads);
  const dir = cacheDir();
  let meta: { end: number; samples: number; bytes: number } | undefined;
  let buildMs: number | undefined;
  if (!args.flags.rebuild && fs.existsSync(path.join(dir, 'meta.json'))) {
    meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { end: number; samples: number; bytes: number };
    console.log(`rightsize: reusing the backfilled TSDB in ${dir} (--rebuild to make it again)`);
  } else {
    console.log(`rightsize: backfilling ${workloads} workloads x ${days} days at a ${scrapeMs / 1000} s scrape into ${dir}`);
    const b = await build(dir, w);
    meta = b;
    buildMs = b.ms;
  }
  // Compaction off (max block = min block): a benchmark must not race the TSDB's own background work.
  const prom = await startPrometheusOnData(path.join(dir, 'data'), 300_000, ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h', '--query.timeout=60m']);
  try {
    const source = new PrometheusSource({ name: 'prom', url: prom.url, timeoutMs: 60 * 60_000 });
    // One run gives both: every recommendation carries KRR's figure beside the improved one.
    const timings: number[] = [];
    let last: Awaited<ReturnType<typeof rightsize>> | undefined;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      last = await rightsize(source, { historyMs: days * DAY, now: meta.end, limit: 100_000 });
      timings.push(performance.now() - t);
      console.log(`  run ${i + 1}: ${round(timings.at(-1)! / 1000, 1)} s, ${last.recommendations.length} containers, ${last.queries} queries${last.warnings.length ? `, warnings: ${last.warnings.join('; ')}` : ''}`);
    }
    const best = Math.min(...timings);
    const recs = last!.recommendations;
    const differ = recs.filter((r) => JSON.stringify(r.recommended) !== JSON.stringify({ ...(r.krr.cpuRequest !== undefined ? { cpuRequest: r.krr.cpuRequest } : {}), ...(r.krr.memoryRequest !== undefined ? { memoryRequest: r.krr.memoryRequest, memoryLimit: r.krr.memoryLimit } : {}) }));
    const why = (re: RegExp) => differ.filter((r) => r.notes.some((n) => re.test(n))).length;
    const krrCores = recs.reduce((a, r) => a + (r.krr.cpuRequest !== undefined && r.current.cpuRequest !== undefined ? (r.current.cpuRequest - r.krr.cpuRequest) * r.podsNow : 0), 0);
    const krrGib = recs.reduce((a, r) => a + (r.krr.memoryRequest !== undefined && r.current.memoryRequest !== undefined ? ((r.current.memoryRequest - r.krr.memoryRequest) * r.podsNow) / 2 ** 30 : 0), 0);
    console.log(`history: ${workloads} workloads x ${days} days, ${(meta.samples / 1e6).toFixed(1)} M samples, ${(meta.bytes / 1e9).toFixed(2)} GB of OpenMetrics${buildMs !== undefined ? `, backfilled in ${round(buildMs / 1000, 1)} s` : ''}`);
    console.log(`time to recommend (best of ${runs}): ${round(best / 1000, 1)} s for ${recs.length} containers (${last!.queries} queries, at most 4 in flight; KRR's figure and ours from the same queries)`);
    console.log(`ours differs from KRR's simple strategy on ${differ.length}: HPA-scaled ${why(/HPA/)}, daily peak ${why(/daily peak/)}, OOM-killed ${why(/OOM/)} (the generator made ${w.filter((x) => x.hpa).length} HPAs, ${w.filter((x) => x.dailyPeak > 0).length} daily peaks of 2-6x, ${w.filter((x) => x.oom).length} OOM kills)`);
    console.log(`requests freed: KRR ${round(krrCores, 1)} cores / ${round(krrGib, 1)} GiB, ours ${round(last!.total.cores, 1)} cores / ${round(last!.total.gib, 1)} GiB`);
    console.log('published: KRR publishes no timing; it queries per object (4 queries per container), we push one query per role down for all containers');
    printResult({ workloads, days, samplesM: round(meta.samples / 1e6, 1), containers: recs.length, seconds: round(best / 1000, 1), queries: last!.queries, differFromKrr: differ.length, hpa: why(/HPA/), dailyPeak: why(/daily peak/), oom: why(/OOM/), backfillSeconds: buildMs === undefined ? null : round(buildMs / 1000, 1), peakRssMB: peakRssMB() });
  } finally {
    await prom.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
