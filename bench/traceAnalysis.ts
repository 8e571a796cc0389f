// Speed of trace analysis on synthetic spans (no public trace corpus is bundled): 20,000 spans as
// 1,000 traces of 20 spans over 6 services, one 20,000-span trace, and a 20,000-deep chain whose
// top links back to its bottom (a cycle). Target: 20,000 spans analysed well under 200 ms.
//
//   npm run bench -- traceAnalysis [--runs N]
import * as os from 'node:os';
import type { Span } from '../src/core/model';
import { analyzeTraces, buildWaterfall, criticalPath } from '../src/analysis/traces';
import { parseBenchArgs, peakRssMB, printResult, round } from './common';

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const SERVICES = ['frontend', 'checkout', 'cart', 'payments', 'catalog', 'db'];

/** A trace as a random tree: each span's children run in sequence inside it. */
function syntheticTrace(traceId: string, spanCount: number, t0: number, rnd: () => number): Span[] {
  const spans: Span[] = [];
  const kids: number[][] = [];
  for (let i = 0; i < spanCount; i++) {
    const parent = i === 0 ? -1 : Math.floor(rnd() * i);
    kids.push([]);
    if (parent >= 0) kids[parent].push(i);
    spans.push({
      traceId,
      spanId: `${traceId}-${i}`,
      ...(parent >= 0 ? { parentSpanId: `${traceId}-${parent}` } : {}),
      name: `op${Math.floor(rnd() * 8)}`,
      service: SERVICES[i === 0 ? 0 : 1 + Math.floor(rnd() * (SERVICES.length - 1))],
      startTime: 0,
      endTime: 0,
      status: rnd() < 0.02 ? 'error' : 'ok',
      attributes: { 'http.route': `/api/r${Math.floor(rnd() * 12)}` },
    });
  }
  // Lay out times top-down: children share the parent's interval in sequence.
  const stack: [number, number, number][] = [[0, t0, t0 + 50 + rnd() * 500]];
  while (stack.length > 0) {
    const [i, start, end] = stack.pop()!;
    spans[i].startTime = start;
    spans[i].endTime = end;
    const c = kids[i];
    if (c.length === 0) continue;
    const slot = (end - start) / (c.length + 1);
    c.forEach((k, n) => stack.push([k, start + slot * (n + 0.5), start + slot * (n + 0.5) + slot * (0.3 + 0.7 * rnd())]));
  }
  return spans;
}

/** Wall and CPU milliseconds: on a shared, loaded machine CPU time is the fairer figure. */
function time(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

function median(xs: number[]): number {
  const a = xs.slice().sort((x, y) => x - y);
  return a[Math.floor((a.length - 1) / 2)];
}

function main(): void {
  const args = parseBenchArgs();
  const runs = Math.max(1, Number(args.flags.runs ?? 7));
  const rnd = seeded(42);
  const many: Span[] = [];
  for (let t = 0; t < 1000; t++) many.push(...syntheticTrace(`t${t}`, 20, 1_700_000_000_000 + t * 1000, rnd));
  const big = syntheticTrace('big', 20_000, 1_700_000_000_000, rnd);
  const chain: Span[] = [];
  for (let i = 0; i < 20_000; i++) {
    chain.push({ traceId: 'chain', spanId: `c${i}`, parentSpanId: `c${(i + 19_999) % 20_000}`, name: 'hop', service: SERVICES[i % 6], startTime: i, endTime: 40_000 - i, status: 'unset', attributes: {} });
  }

  const cold = time(() => analyzeTraces(many));
  const results: Record<string, number> = { coldWallMs: round(cold.wall, 1), coldCpuMs: round(cold.cpu, 1) };
  const cases: [string, () => void][] = [
    ['analyze1000x20', () => analyzeTraces(many)],
    ['analyzeOneTrace20k', () => analyzeTraces(big)],
    ['analyzeCyclicChain20k', () => analyzeTraces(chain)],
    ['waterfall20k', () => buildWaterfall(big)],
    ['criticalPath20k', () => criticalPath(big)],
  ];
  console.log(`trace analysis on synthetic spans, median of ${runs} runs; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log(`  first (cold) run of 1000x20: wall ${cold.wall.toFixed(1)} ms, cpu ${cold.cpu.toFixed(1)} ms`);
  console.log(`  ${'case'.padEnd(24)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)}`);
  for (const [name, fn] of cases) {
    const samples = Array.from({ length: runs }, () => time(fn));
    const wall = median(samples.map((x) => x.wall));
    const cpu = median(samples.map((x) => x.cpu));
    results[`${name}WallMs`] = round(wall, 1);
    results[`${name}CpuMs`] = round(cpu, 1);
    console.log(`  ${name.padEnd(24)} ${wall.toFixed(1).padStart(8)} ${cpu.toFixed(1).padStart(8)}`);
  }
  const a = analyzeTraces(many);
  console.log(`  1000x20: ${a.routes.length} routes, ${a.errorOrigins.length} error origins, ${a.callGraph.length} call edges, ${a.failing.length} failing traces listed`);
  console.log(`  peak RSS ${peakRssMB()} MB; target: 20,000 spans well under 200 ms`);
  printResult({ bench: 'traceAnalysis', spans: many.length, ...results, peakRssMB: peakRssMB() });
}

main();
