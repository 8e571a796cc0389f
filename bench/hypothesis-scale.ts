// Scale benchmark: one hypothesis over a large bundle (100,000 log lines, 500 series of 240 points,
// 20,000 spans, 1,000 commits), built by widening a generated deploy-exception scenario.
//   npm run bench -- hypothesis-scale [--runs N] [--seed S]
// RESULT ms: bundle to hypothesis, first (cold) run, as v1 measured it (v1's panel mined the logs again
// afterwards); panelMs: bundle to every finding the panel shows (the routine log lines' patterns too).
import * as os from 'node:os';
import { parseBenchArgs, peakRssMB, printResult } from './common';
import { generateScenario } from '../src/eval/scenarios/generator';
import { diagnoseInStages } from '../src/agent/diagnose';
import type { Change, LogRecord, MetricSeries, Span } from '../src/core/model';
import type { IncidentBundle } from '../src/core/bundle';

const args = parseBenchArgs();
const target = { logs: 100_000, series: 500, points: 240, spans: 20_000, commits: 1_000 };

function widen(base: IncidentBundle): IncidentBundle {
  // Logs: repeat the scenario's lines with shifted times and distinct ids until there are 100k.
  const logs: LogRecord[] = [];
  const span = base.window.end - base.window.start;
  for (let copy = 0; logs.length < target.logs; copy++) {
    for (const r of base.logs) {
      if (logs.length >= target.logs) break;
      logs.push(copy === 0 ? r : { ...r, time: base.window.start + ((r.time - base.window.start + copy * 997) % span), body: r.level === 'info' ? `${r.body} shard=${copy}` : r.body });
    }
  }
  logs.sort((a, b) => a.time - b.time);
  // Series: the scenario's 56 plus copies as other instances, each cut to 240 points.
  const metrics: MetricSeries[] = [];
  for (let copy = 0; metrics.length < target.series; copy++) {
    for (const s of base.metrics) {
      if (metrics.length >= target.series) break;
      const labels = copy === 0 ? s.labels : { ...s.labels, instance: `${s.labels.instance ?? 'node'}-r${copy}` };
      metrics.push({ ...s, id: copy === 0 ? s.id : `${s.id}#r${copy}`, labels, timestamps: s.timestamps.slice(-target.points), values: s.values.slice(-target.points) });
    }
  }
  // Spans: whole traces copied under new trace ids.
  const byTrace = new Map<string, Span[]>();
  for (const s of base.spans) (byTrace.get(s.traceId) ?? byTrace.set(s.traceId, []).get(s.traceId)!).push(s);
  const traces = [...byTrace.values()];
  const spans: Span[] = [];
  for (let copy = 0; spans.length < target.spans; copy++) {
    for (const t of traces) {
      if (spans.length >= target.spans) break;
      for (const s of t) spans.push(copy === 0 ? s : { ...s, traceId: `${s.traceId.slice(0, 28)}${copy.toString(16).padStart(4, '0')}` });
    }
  }
  // Commits: the scenario's plus older unrelated ones over the previous weeks.
  const changes: Change[] = [...base.changes];
  const template = base.changes[base.changes.length - 1];
  for (let i = 0; changes.length < target.commits; i++) {
    changes.push({ ...template, sha: i.toString(16).padStart(40, 'a'), time: base.window.start - (i + 1) * 1_800_000, deploy: undefined, message: `Routine change ${i}` });
  }
  return { ...base, logs, metrics, spans: spans.slice(0, target.spans), changes };
}

const base = generateScenario('deploy-exception', Number(args.flags.seed ?? 11));
const { truth: _truth, ...blind } = base;
const bundle = widen(blind as IncidentBundle);
console.log(`bundle: ${bundle.logs.length} log lines, ${bundle.metrics.length} series x ${bundle.metrics[0].values.length} points, ${bundle.spans.length} spans, ${bundle.changes.length} commits`);
const runs: number[] = [];
const panel: number[] = [];
const cpu: number[] = [];
const stages: Record<string, number>[] = [];
let last;
for (let i = 0; i < Number(args.flags.runs ?? 3); i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const staged = diagnoseInStages(bundle, { timings: true });
  runs.push(performance.now() - t0);
  last = staged.hypothesis;
  staged.complete();
  panel.push(performance.now() - t0);
  stages.push(staged.findings.timingsMs ?? {});
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
console.log(`to the hypothesis, wall: first ${runs[0].toFixed(0)} ms, then ${runs.slice(1).map((x) => x.toFixed(0)).join(', ')} ms`);
console.log(`to every finding the panel shows (routine log patterns too), wall: first ${panel[0].toFixed(0)} ms, then ${panel.slice(1).map((x) => x.toFixed(0)).join(', ')} ms`);
// On a shared machine wall time includes waiting for a core; CPU time and the load show how much.
console.log(`all findings + hypothesis CPU: ${cpu.map((x) => x.toFixed(0)).join(', ')} ms; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
console.log(`stages of the first run (ms): ${Object.entries(stages[0]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
console.log(`hypothesis: ${last!.causeKind} in ${last!.service ?? '?'}, commit ${last!.suspectCommit?.sha.slice(0, 8) ?? 'none'} (truth ${base.truth?.commit?.slice(0, 8)}), confidence ${last!.confidence}`);
const ms = Math.round(runs[0]);
const rss = peakRssMB();
console.log(`aims: under 1000 ms (first, cold run reported) and 400 MB peak RSS (includes building the bundle); v1 on this bundle, cold: 172-192 ms to the hypothesis, 421-442 ms with its panel's view`);
printResult({ bench: 'hypothesis-scale', ms, panelMs: Math.round(panel[0]), peakRssMB: rss });
