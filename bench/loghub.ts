// LogHub-2k template mining benchmark: grouping accuracy (GA) of LogTemplateMiner on the ten
// systems with ONE configuration, beside Drain's published per-dataset-tuned figures, and the
// miner's throughput on one core.
//
// Input: the `Content` column of each `<Sys>_2k.log_structured.csv`, which is the standard LogHub
// evaluation (the header is split off by the benchmark's per-dataset log-format regexes, as in
// Drain's published numbers). As an extra, honest figure we also parse the raw `<Sys>_2k.log`
// lines through our generic header stripper, with no per-dataset format.
//
// npm run bench -- loghub [--data DIR] [--system NAME] [--explain [N]]
//   --system NAME  only that system; --explain N  print the N largest wrongly grouped events.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBenchArgs, printResult, resolveDataDir, round, peakRssMB } from './common';
import { LogTemplateMiner } from '../src/analysis/logPatterns';
import { stripLogHeader } from '../src/analysis/logs/header';

const drainPublished: Record<string, number> = {
  HDFS: 0.9975, Hadoop: 0.9475, Spark: 0.92, Zookeeper: 0.9665, BGL: 0.9625,
  HPC: 0.887, Thunderbird: 0.955, Windows: 0.997, Linux: 0.69, Android: 0.911,
};
const systemOrder = Object.keys(drainPublished);

interface SystemData {
  name: string;
  contents: string[];
  eventIds: string[];
  rawLines: string[];
  templates: string[];
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

function loadSystem(dir: string, name: string): SystemData {
  const rows = parseCsv(fs.readFileSync(path.join(dir, `${name}_2k.log_structured.csv`), 'utf8'));
  const header = rows[0];
  const contentCol = header.indexOf('Content');
  const eventCol = header.indexOf('EventId');
  const templateCol = header.indexOf('EventTemplate');
  if (contentCol < 0 || eventCol < 0) throw new Error(`${name}: structured CSV lacks Content/EventId columns`);
  const body = rows.slice(1).filter((r) => r.length > eventCol);
  const rawPath = path.join(dir, `${name}_2k.log`);
  const rawLines = fs.existsSync(rawPath) ? fs.readFileSync(rawPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0) : [];
  return {
    name,
    contents: body.map((r) => r[contentCol]),
    eventIds: body.map((r) => r[eventCol]),
    templates: body.map((r) => r[templateCol] ?? ''),
    rawLines: rawLines.length === body.length ? rawLines : [],
  };
}

/**
 * Grouping accuracy as in the LogHub/Drain evaluator: a predicted cluster's lines count as correct
 * only when they all share one ground-truth event and that event has no other lines.
 */
export function groupingAccuracy(predicted: string[], truth: string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const clusters = new Map<string, number[]>();
  for (let i = 0; i < predicted.length; i++) {
    const members = clusters.get(predicted[i]);
    if (members) members.push(i); else clusters.set(predicted[i], [i]);
  }
  let correct = 0;
  for (const members of clusters.values()) {
    const event = truth[members[0]];
    if (members.every((i) => truth[i] === event) && truthSize.get(event) === members.length) correct += members.length;
  }
  return truth.length === 0 ? 0 : correct / truth.length;
}

function parseAll(lines: string[]): string[] {
  const miner = new LogTemplateMiner();
  const ids = lines.map((l) => miner.add(l).templateId);
  return ids.map((id) => miner.resolveId(id));
}

/** Prints the ground-truth events the miner got wrong, to guide work on the algorithm. */
function explainErrors(sys: SystemData, predicted: string[], limit: number): void {
  const byTruth = new Map<string, Set<string>>();
  const byPred = new Map<string, Set<string>>();
  for (let i = 0; i < predicted.length; i++) {
    (byTruth.get(sys.eventIds[i]) ?? byTruth.set(sys.eventIds[i], new Set()).get(sys.eventIds[i])!).add(predicted[i]);
    (byPred.get(predicted[i]) ?? byPred.set(predicted[i], new Set()).get(predicted[i])!).add(sys.eventIds[i]);
  }
  let shown = 0;
  const lineCount = new Map<string, number>();
  for (const e of sys.eventIds) lineCount.set(e, (lineCount.get(e) ?? 0) + 1);
  const worstFirst = [...byTruth].sort((a, b) => lineCount.get(b[0])! - lineCount.get(a[0])!);
  for (const [event, preds] of worstFirst) {
    const merged = [...preds].some((p) => byPred.get(p)!.size > 1);
    if (preds.size === 1 && !merged) continue;
    if (shown++ >= limit) break;
    const idx = sys.eventIds.indexOf(event);
    console.log(`  ${event} lines=${lineCount.get(event)} split=${preds.size} merged=${merged} truth: ${sys.templates[idx]}`);
    const seen = new Set<string>();
    for (let i = 0; i < predicted.length && seen.size < 4; i++) {
      if (sys.eventIds[i] !== event || seen.has(predicted[i])) continue;
      seen.add(predicted[i]);
      const others = [...byPred.get(predicted[i])!].filter((e) => e !== event);
      console.log(`     [${predicted[i]}${others.length ? ' +' + others.slice(0, 3).join(',') : ''}] ${sys.contents[i].slice(0, 160)}`);
    }
  }
}

function main(): void {
  const args = parseBenchArgs();
  const dataDir = resolveDataDir(args, 'loghub-2k');
  const only = typeof args.flags.system === 'string' ? args.flags.system : undefined;
  const explain = args.flags.explain !== undefined;
  const present = fs.readdirSync(dataDir).filter((d) => fs.existsSync(path.join(dataDir, d, `${d}_2k.log_structured.csv`)));
  const names = [...systemOrder.filter((s) => present.includes(s)), ...present.filter((s) => !systemOrder.includes(s)).sort()]
    .filter((s) => !only || s === only);
  if (names.length === 0) throw new Error(`no <Sys>/<Sys>_2k.log_structured.csv under ${dataDir}`);
  const systems = names.map((n) => loadSystem(path.join(dataDir, n), n));

  console.log(`LogHub-2k template mining, data ${dataDir}`);
  console.log('Input: the Content column of <Sys>_2k.log_structured.csv (header split by LogHub\'s per-dataset');
  console.log('format regexes, the standard evaluation behind Drain\'s figures); ONE miner configuration for all systems.');
  console.log('"raw GA" parses the raw <Sys>_2k.log lines through our generic header stripper instead (no per-dataset format).\n');
  console.log(`${'system'.padEnd(12)} ${'GA'.padStart(7)} ${'Drain'.padStart(7)} ${'raw GA'.padStart(7)} ${'groups'.padStart(7)} ${'truth'.padStart(6)}`);
  const ga: Record<string, number> = {};
  const rawGa: Record<string, number> = {};
  for (const sys of systems) {
    const predicted = parseAll(sys.contents);
    ga[sys.name] = round(groupingAccuracy(predicted, sys.eventIds), 4);
    if (sys.rawLines.length) rawGa[sys.name] = round(groupingAccuracy(parseAll(sys.rawLines.map(stripLogHeader)), sys.eventIds), 4);
    const published = drainPublished[sys.name];
    console.log(`${sys.name.padEnd(12)} ${ga[sys.name].toFixed(4).padStart(7)} ${(published !== undefined ? published.toFixed(4) : '-').padStart(7)} ${(rawGa[sys.name] !== undefined ? rawGa[sys.name].toFixed(4) : '-').padStart(7)} ${String(new Set(predicted).size).padStart(7)} ${String(new Set(sys.eventIds).size).padStart(6)}`);
    if (explain) explainErrors(sys, predicted, Number(args.flags.explain) || 12);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const gaMean = round(mean(Object.values(ga)), 4);
  const rawMean = round(mean(Object.values(rawGa)), 4);
  const drainMean = mean(names.filter((n) => drainPublished[n] !== undefined).map((n) => drainPublished[n]));
  console.log(`${'mean'.padEnd(12)} ${gaMean.toFixed(4).padStart(7)} ${drainMean.toFixed(4).padStart(7)} ${rawMean.toFixed(4).padStart(7)}`);
  console.log('(Drain published: per-dataset settings, 10-system mean .923; Drain3 with one config .865)\n');

  // Throughput: the miner alone on one core, a fresh miner per system per pass (so template
  // discovery is paid every pass), after one untimed warm-up pass for the JIT; >= 1 s timed.
  // Lines/s divide by this process's CPU time (one thread does the work), which on a shared
  // machine is fairer than wall time; both are printed.
  const all = systems.map((s) => s.contents);
  const lineCount = all.reduce((a, l) => a + l.length, 0);
  const pass = (): number => {
    let fresh = 0;
    for (const contents of all) {
      const miner = new LogTemplateMiner();
      for (const c of contents) if (miner.add(c).isNew) fresh++;
    }
    return fresh;
  };
  pass();
  let lines = 0;
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let wallMs = 0;
  let cpuMs = 0;
  let bestPassMs = Infinity;
  while (cpuMs < 1000 || lines < 5 * lineCount) {
    const passStart = process.cpuUsage();
    pass();
    const passCpu = process.cpuUsage(passStart);
    bestPassMs = Math.min(bestPassMs, (passCpu.user + passCpu.system) / 1000);
    lines += lineCount;
    wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    cpuMs = (cpu.user + cpu.system) / 1000;
  }
  const linesPerSec = Math.round(lines / (cpuMs / 1000));
  const wallLinesPerSec = Math.round(lines / (wallMs / 1000));
  const bestPassLinesPerSec = Math.round(lineCount / (bestPassMs / 1000));
  console.log(`throughput: ${lines} content lines, ${cpuMs.toFixed(0)} ms CPU / ${wallMs.toFixed(0)} ms wall = ${linesPerSec.toLocaleString('en-US')} lines/s per CPU-second (${wallLinesPerSec.toLocaleString('en-US')} by wall clock; fastest pass ${bestPassLinesPerSec.toLocaleString('en-US')}); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; peak RSS ${peakRssMB()} MB`);
  printResult({ bench: 'loghub', ga, gaMean, linesPerSec, input: 'structured-csv Content column', rawGa, rawGaMean: rawMean, wallLinesPerSec, bestPassLinesPerSec, loadAverage: round(os.loadavg()[0], 1) });
}

main();
