// Seeded generator of realistic incident bundles with ground truth, for tests, calibration and benchmarks
// (evaluation code: never part of the extension). Each scenario kind injects one cause into a small shop
// (five services, three external dependencies, three hosts) and surrounds it with noise: unrelated commits
// and deploys, log churn and metric wobble. The same (kind, seed) always gives the same bundle.
// This file injects the causes; signals.ts turns a fault into metrics, traces, logs and alerts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Change, ChangedFile } from '../../core/model';
import type { LabelledBundle } from '../truth';
import { AUTHORS, CAUSE_MESSAGES, EXTERNALS, HOSTS, NOISE_MESSAGES, NOISE_MESSAGES_BY_KIND, Rng, SERVICES, serviceDef, type CodeFile, type Lang, type ServiceDef } from './world';
import { HOUR, MIN, SCENARIO_KINDS, STEP_MS, type Ctx, type Frame, type ScenarioKind } from './types';
import { buildAlerts, buildLogs, buildMetrics, buildTraces, propagate } from './signals';

export { SCENARIO_KINDS, type ScenarioKind } from './types';

export function generateScenario(kind: ScenarioKind, seed: number): LabelledBundle {
  if (!SCENARIO_KINDS.includes(kind)) throw new Error(`unknown scenario kind ${JSON.stringify(kind)}; kinds: ${SCENARIO_KINDS.join(', ')}`);
  const rng = new Rng(seed * 7919 + SCENARIO_KINDS.indexOf(kind) * 104_729 + 17);
  const alertTime = Math.floor((Date.UTC(2026, 2, 1) + rng.int(0, 60) * 86_400_000 + rng.int(0, 86_399) * 1000) / STEP_MS) * STEP_MS;
  const ctx: Ctx = {
    rng,
    kind,
    alertTime,
    start: alertTime - 60 * MIN,
    end: alertTime + 5 * MIN,
    fault: { onset: alertTime - Math.round(rng.range(3, 12) * MIN) },
    changes: [],
    truth: { causeKind: 'unknown', scenario: kind },
    hard: { noStacks: rng.chance(0.15), coDeploy: rng.chance(0.25), sameFile: rng.chance(0.15), weak: rng.chance(0.2) },
  };
  noiseCommits(ctx);
  switch (kind) {
    case 'deploy-exception':
    case 'alert-storm':
      injectException(ctx);
      break;
    case 'latency-regression':
      injectLatency(ctx);
      break;
    case 'bad-config':
      injectConfig(ctx);
      break;
    case 'dependency-outage':
      injectOutage(ctx);
      break;
    case 'memory-leak':
      injectLeak(ctx);
      break;
    case 'traffic-spike':
      injectTraffic(ctx);
      break;
    case 'node-fault':
      injectNodeFault(ctx);
      break;
  }
  if (ctx.hard.coDeploy) coDeploy(ctx);
  if (ctx.hard.weak) {
    if (ctx.fault.errorAt) ctx.fault.errorAt.ratio = Math.min(ctx.fault.errorAt.ratio, rng.range(0.02, 0.05));
    if (ctx.fault.slowAt) ctx.fault.slowAt.factor = Math.min(ctx.fault.slowAt.factor, rng.range(1.8, 2.5));
  }
  if (ctx.hard.noStacks && ctx.fault.exception) {
    ctx.fault.exception.frames = [];
    ctx.fault.code = undefined;
  }
  const impacts = propagate(ctx.fault);
  const metrics = buildMetrics(ctx, impacts);
  const { spans, logs: traceLogs } = buildTraces(ctx, impacts);
  const logs = buildLogs(ctx).concat(traceLogs).sort((a, b) => a.time - b.time);
  const alerts = buildAlerts(ctx, impacts);
  ctx.changes.sort((a, b) => b.time - a.time);
  return {
    version: 1,
    alert: alerts[0],
    ...(alerts.length > 1 ? { alerts } : {}),
    window: { start: ctx.start, end: ctx.end },
    metrics,
    logs,
    spans,
    changes: ctx.changes,
    truth: ctx.truth,
  };
}

/** perKind bundles of every kind; bundle i of a kind uses seed `seed * 1000 + i`. */
export function generateSuite(seed: number, perKind: number): LabelledBundle[] {
  const out: LabelledBundle[] = [];
  for (const kind of SCENARIO_KINDS) for (let i = 0; i < perKind; i++) out.push(generateScenario(kind, seed * 1000 + i));
  return out;
}

/** Writes bundles as `<scenario>-<n>.json` files into dir (created if missing); returns the paths. */
export function writeBundles(bundles: LabelledBundle[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const counts = new Map<string, number>();
  return bundles.map((b) => {
    const name = b.truth?.scenario ?? 'bundle';
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const file = path.join(dir, `${name}-${String(n).padStart(3, '0')}.json`);
    fs.writeFileSync(file, JSON.stringify(b));
    return file;
  });
}

// ---------- changes ----------

function sha(rng: Rng): string {
  return rng.hex(40);
}

function hunkAround(rng: Rng, line: number, maxLines: number): NonNullable<ChangedFile['hunks']>[number] {
  const newLines = rng.int(2, 8);
  const newStart = Math.max(1, Math.min(maxLines - newLines, line - rng.int(0, newLines - 1)));
  return { newStart, newLines, oldStart: newStart, oldLines: rng.int(0, newLines) };
}

function randomHunks(rng: Rng, lines: number, avoid?: { from: number; to: number }): NonNullable<ChangedFile['hunks']> {
  const hunks: NonNullable<ChangedFile['hunks']> = [];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    let at = rng.int(1, Math.max(1, lines - 10));
    // Keep noise away from the fault's lines, or the answer would be ambiguous by construction.
    if (avoid && at + 10 >= avoid.from - 40 && at <= avoid.to + 40) at = avoid.to + 45 <= lines ? avoid.to + 45 : Math.max(1, avoid.from - 55);
    hunks.push({ newStart: at, newLines: rng.int(1, 10), oldStart: at, oldLines: rng.int(0, 8) });
  }
  return hunks.sort((a, b) => a.newStart - b.newStart);
}

function fileChange(rng: Rng, p: string, lines: number, status: ChangedFile['status'] = 'M', avoid?: { from: number; to: number }): ChangedFile {
  const hunks = status === 'A' ? [{ newStart: 1, newLines: lines, oldStart: 0, oldLines: 0 }] : randomHunks(rng, lines, avoid);
  const additions = hunks.reduce((a, h) => a + h.newLines, 0);
  const deletions = hunks.reduce((a, h) => a + h.oldLines, 0);
  return { path: p, status, additions, deletions, hunks };
}

function author(rng: Rng): { author: string; email: string } {
  const [a, e] = rng.pick(AUTHORS);
  return { author: a, email: e };
}

function deployRef(rng: Rng, service: string): string {
  return `deploy/${service}-${rng.int(100, 999)}`;
}

function testPathFor(svc: ServiceDef, f: CodeFile): string {
  const base = f.path.split('/').pop()!;
  const root = f.path.split('/').slice(0, 2).join('/');
  switch (svc.lang) {
    case 'python':
      return `${root}/tests/test_${base}`;
    case 'go':
      return f.path.replace(/\.go$/, '_test.go');
    case 'java':
      return f.path.replace('/main/', '/test/').replace(/\.java$/, 'Test.java');
    default:
      return `${root}/test/${base.replace(/\.ts$/, '.test.ts')}`;
  }
}

function noiseCommits(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const n = rng.int(6, 14);
  for (let i = 0; i < n; i++) {
    const svc = rng.pick(SERVICES);
    const time = fault.onset - Math.round(rng.range(0.4, 30) * HOUR);
    const files: ChangedFile[] = [];
    const roll = rng.next();
    const code = rng.pick([svc.handler, ...svc.code, ...Object.values(svc.clients)]);
    const what = roll < 0.2 ? 'docs' : roll < 0.35 ? 'test' : roll < 0.45 ? 'config' : 'code';
    if (what === 'docs') files.push(fileChange(rng, `docs/${svc.name}.md`, 60));
    else if (what === 'test') files.push(fileChange(rng, testPathFor(svc, code), 120));
    else if (what === 'config') files.push(fileChange(rng, svc.config, 40));
    else {
      files.push(fileChange(rng, code.path, code.lines));
      if (rng.chance(0.5)) files.push(fileChange(rng, testPathFor(svc, code), 120, rng.chance(0.3) ? 'A' : 'M'));
    }
    const deployed = rng.chance(0.4);
    ctx.changes.push({
      sha: sha(rng),
    parents: [sha(rng)],
      ...author(rng),
      time,
      message: rng.pick(NOISE_MESSAGES_BY_KIND[what]).replace('{svc}', svc.name),
      files,
      ...(deployed ? { deploy: { ref: deployRef(rng, svc.name), time: Math.min(fault.onset - Math.round(rng.range(25, 240) * MIN), time + Math.round(rng.range(5, 120) * MIN)) } } : {}),
    });
  }
  // Work that landed after the incident began cannot have caused it.
  for (let i = rng.int(0, 2); i > 0; i--) {
    const svc = rng.pick(SERVICES);
    const code = rng.pick(svc.code);
    ctx.changes.push({ sha: sha(rng),
    parents: [sha(rng)], ...author(rng), time: ctx.alertTime + rng.int(1, 4) * MIN, message: `Add runbook link for ${svc.name} alerts`, files: [fileChange(rng, code.path, code.lines)] });
  }
}

/** A deployed commit in the same service shortly before: the hardest kind of innocent bystander. */
function bystander(ctx: Ctx, svc: ServiceDef, avoid: string, avoidLines?: { from: number; to: number }): void {
  const { rng } = ctx;
  if (ctx.hard.sameFile && avoidLines) {
    const target = [svc.handler, ...svc.code, ...Object.values(svc.clients)].find((f) => f.path === avoid);
    if (target) {
      const deployTime = ctx.fault.onset - Math.round(rng.range(30, 120) * MIN);
      ctx.changes.push({ sha: sha(rng), parents: [sha(rng)], ...author(rng), time: deployTime - Math.round(rng.range(10, 300) * MIN), message: rng.pick(NOISE_MESSAGES).replace('{svc}', svc.name), files: [fileChange(rng, target.path, target.lines, 'M', avoidLines)], deploy: { ref: deployRef(rng, svc.name), time: deployTime } });
    }
  }
  if (!rng.chance(0.6)) return;
  const files = [svc.handler, ...svc.code, ...Object.values(svc.clients)].filter((f) => f.path !== avoid);
  const f = rng.pick(files);
  const deployTime = ctx.fault.onset - Math.round(rng.range(25, 180) * MIN);
  ctx.changes.push({
    sha: sha(rng),
    parents: [sha(rng)],
    ...author(rng),
    time: deployTime - Math.round(rng.range(10, 300) * MIN),
    message: rng.pick(NOISE_MESSAGES).replace('{svc}', svc.name),
    files: [fileChange(rng, f.path, f.lines)],
    deploy: { ref: deployRef(rng, svc.name), time: deployTime },
  });
}

function causeCommit(ctx: Ctx, svc: ServiceDef, files: ChangedFile[], message: string, deployBefore: [number, number]): Change {
  const { rng } = ctx;
  const deployTime = ctx.fault.onset - Math.round(rng.range(deployBefore[0], deployBefore[1]) * MIN);
  const c: Change = {
    sha: sha(rng),
    parents: [sha(rng)],
    ...author(rng),
    time: deployTime - Math.round(rng.range(10, 360) * MIN),
    message,
    files,
    deploy: { ref: deployRef(rng, svc.name), time: deployTime },
  };
  ctx.changes.push(c);
  return c;
}

/** An unrelated deploy minutes before the onset, in another service: timing alone can't tell them apart. */
function coDeploy(ctx: Ctx): void {
  const { rng } = ctx;
  const culprit = ctx.truth.service;
  // Usually another service; sometimes the culprit's own service, which only code evidence can untangle.
  const svc = culprit && rng.chance(0.3) && SERVICES.some((s) => s.name === culprit) ? serviceDef(culprit) : rng.pick(SERVICES.filter((s) => s.name !== culprit));
  const f = rng.pick([svc.handler, ...svc.code]);
  const deployTime = ctx.fault.onset - Math.round(rng.range(2, 12) * MIN);
  ctx.changes.push({ sha: sha(rng), parents: [sha(rng)], ...author(rng), time: deployTime - Math.round(rng.range(10, 240) * MIN), message: rng.pick(NOISE_MESSAGES).replace('{svc}', svc.name), files: [fileChange(rng, f.path, f.lines)], deploy: { ref: deployRef(rng, svc.name), time: deployTime } });
}

// ---------- stack traces ----------


const EXCEPTIONS: Record<Lang, [string, string][]> = {
  node: [
    ['TypeError', "Cannot read properties of undefined (reading 'amount')"],
    ['RangeError', 'Invalid array length'],
    ['TypeError', 'items.map is not a function'],
  ],
  python: [
    ['KeyError', "'currency'"],
    ['ZeroDivisionError', 'division by zero'],
    ['AttributeError', "'NoneType' object has no attribute 'id'"],
  ],
  go: [
    ['panic', 'runtime error: invalid memory address or nil pointer dereference'],
    ['panic', 'runtime error: index out of range [3] with length 3'],
  ],
  java: [
    ['java.lang.NullPointerException', 'Cannot invoke "com.acme.catalog.Price.amount()" because "price" is null'],
    ['java.lang.IllegalStateException', 'promotion window not initialised'],
  ],
};

// ---------- injections ----------

function injectException(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const candidates = ctx.kind === 'alert-storm' ? ['checkout', 'payments', 'inventory', 'catalog'] : SERVICES.map((s) => s.name);
  const svc = serviceDef(rng.pick(candidates));
  const target = rng.pick(svc.code);
  const fn = rng.pick(target.functions);
  const faultLine = fn.line + rng.int(3, 15);
  const hunk = hunkAround(rng, faultLine, target.lines);
  const hunks = [hunk];
  if (rng.chance(0.4)) hunks.push(...randomHunks(rng, target.lines, { from: hunk.newStart, to: hunk.newStart + hunk.newLines }));
  hunks.sort((a, b) => a.newStart - b.newStart);
  const files: ChangedFile[] = [{ path: target.path, status: 'M', additions: hunks.reduce((a, h) => a + h.newLines, 0), deletions: hunks.reduce((a, h) => a + h.oldLines, 0), hunks }];
  if (rng.chance(0.5)) files.push(fileChange(rng, testPathFor(svc, target), 120));
  const commit = causeCommit(ctx, svc, files, rng.pick(CAUSE_MESSAGES.exception).replace('{fn}', fn.name), [1, 10]);
  bystander(ctx, svc, target.path, { from: hunk.newStart, to: hunk.newStart + hunk.newLines });
  const handlerFn = svc.handler.functions[0];
  const frames: Frame[] = [
    { path: target.path, line: faultLine, fn: fn.name },
    { path: svc.handler.path, line: handlerFn.line + rng.int(5, 30), fn: handlerFn.name },
  ];
  const [type, message] = rng.pick(EXCEPTIONS[svc.lang]);
  fault.errorAt = { service: svc.name, ratio: rng.range(0.08, 0.45) };
  fault.via = { handler: true };
  fault.exception = { type, message, frames };
  fault.code = frames[0];
  fault.errorLog = `unhandled ${type} in ${svc.routes[0]}: ${message}`;
  ctx.truth = { causeKind: 'code-change', service: svc.name, commit: commit.sha, path: target.path, startLine: hunk.newStart, endLine: hunk.newStart + hunk.newLines - 1, scenario: ctx.kind };
}

function injectLatency(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const svc = serviceDef(rng.pick(['checkout', 'payments', 'inventory', 'catalog', 'frontend']));
  const dep = rng.pick(svc.downstream);
  const client = svc.clients[dep];
  const fn = rng.pick(client.functions);
  const line = fn.line + rng.int(2, 12);
  const hunk = hunkAround(rng, line, client.lines);
  const files: ChangedFile[] = [{ path: client.path, status: 'M', additions: hunk.newLines, deletions: hunk.oldLines, hunks: [hunk] }];
  if (rng.chance(0.4)) files.push(fileChange(rng, testPathFor(svc, client), 120));
  const commit = causeCommit(ctx, svc, files, rng.pick(CAUSE_MESSAGES.latency).replace('{dep}', dep), [1, 10]);
  bystander(ctx, svc, client.path, { from: hunk.newStart, to: hunk.newStart + hunk.newLines });
  fault.slowAt = { service: svc.name, factor: rng.range(4, 9) };
  fault.via = { dependency: dep };
  fault.code = { path: client.path, line, fn: fn.name };
  fault.warnLog = `slow call to ${dep} in ${fn.name} took {ms}ms`;
  ctx.truth = { causeKind: 'code-change', service: svc.name, commit: commit.sha, path: client.path, startLine: hunk.newStart, endLine: hunk.newStart + hunk.newLines - 1, scenario: ctx.kind };
}

function injectConfig(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const svc = serviceDef(rng.pick(['checkout', 'payments', 'inventory', 'catalog', 'frontend']));
  const dep = rng.pick(svc.downstream);
  const client = svc.clients[dep];
  const fn = rng.pick(client.functions);
  const hunk = { newStart: rng.int(3, 20), newLines: rng.int(1, 3), oldStart: 0, oldLines: 0 };
  hunk.oldStart = hunk.newStart;
  hunk.oldLines = hunk.newLines;
  const commit = causeCommit(ctx, svc, [{ path: svc.config, status: 'M', additions: hunk.newLines, deletions: hunk.oldLines, hunks: [hunk] }], rng.pick(CAUSE_MESSAGES.config).replace('{svc}', svc.name), [1, 10]);
  bystander(ctx, svc, svc.config);
  const timeoutMs = rng.pick([25, 50, 80]);
  const frames: Frame[] = [
    { path: client.path, line: fn.line + rng.int(2, 10), fn: fn.name },
    { path: svc.handler.path, line: svc.handler.functions[0].line + rng.int(5, 30), fn: svc.handler.functions[0].name },
  ];
  fault.errorAt = { service: svc.name, ratio: rng.range(0.1, 0.4) };
  fault.via = { dependency: dep };
  const type = svc.lang === 'python' ? 'TimeoutError' : svc.lang === 'java' ? 'java.net.SocketTimeoutException' : svc.lang === 'go' ? 'panic' : 'TimeoutError';
  fault.exception = { type, message: `${dep} call timed out after ${timeoutMs}ms (pool size 2, 2 in use)`, frames };
  fault.code = frames[0];
  fault.errorLog = `call to ${dep} failed: timed out after ${timeoutMs}ms`;
  ctx.truth = { causeKind: 'config-change', service: svc.name, commit: commit.sha, path: svc.config, startLine: hunk.newStart, endLine: hunk.newStart + hunk.newLines - 1, scenario: ctx.kind };
}

function injectOutage(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const dep = rng.pick(EXTERNALS);
  const caller = serviceDef(rng.pick(SERVICES.filter((s) => s.downstream.includes(dep)).map((s) => s.name)));
  const client = caller.clients[dep];
  const fn = rng.pick(client.functions);
  const frames: Frame[] = [
    { path: client.path, line: fn.line + rng.int(2, 10), fn: fn.name },
    { path: caller.handler.path, line: caller.handler.functions[0].line + rng.int(5, 30), fn: caller.handler.functions[0].name },
  ];
  fault.errorAt = { service: caller.name, ratio: rng.range(0.2, 0.7) };
  fault.via = { dependency: dep };
  const msg = dep === 'bank-api' ? '503 Service Unavailable from bank-api' : `connect ECONNREFUSED ${dep}:${dep === 'postgres' ? 5432 : 6379}`;
  fault.exception = { type: caller.lang === 'python' ? 'requests.exceptions.HTTPError' : 'Error', message: msg, frames };
  fault.code = frames[0];
  fault.errorLog = `call to ${dep} failed: ${msg}`;
  // Sometimes someone touched the caller's client recently: plausible, innocent.
  if (rng.chance(0.5)) {
    const t = fault.onset - Math.round(rng.range(40, 300) * MIN);
    ctx.changes.push({ sha: sha(rng),
    parents: [sha(rng)], ...author(rng), time: t - 30 * MIN, message: `Log ${dep} request ids`, files: [fileChange(rng, client.path, client.lines, 'M', { from: frames[0].line, to: frames[0].line })], deploy: { ref: deployRef(rng, caller.name), time: t } });
  }
  ctx.truth = { causeKind: 'dependency', service: dep, noCodeCause: true, scenario: ctx.kind };
}

function injectLeak(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const svc = serviceDef(rng.pick(['frontend', 'checkout', 'catalog', 'payments']));
  const target = rng.pick(svc.code);
  const fn = rng.pick(target.functions);
  const hunk = hunkAround(rng, fn.line + rng.int(2, 10), target.lines);
  fault.onset = ctx.alertTime - Math.round(rng.range(25, 50) * MIN);
  const commit = causeCommit(ctx, svc, [{ path: target.path, status: 'M', additions: hunk.newLines, deletions: hunk.oldLines, hunks: [hunk] }], rng.pick(CAUSE_MESSAGES.leak).replace('{fn}', fn.name), [0.5, 3]);
  bystander(ctx, svc, target.path);
  fault.leak = { service: svc.name, mbPerMin: rng.range(8, 20), start: commit.deploy!.time };
  fault.slowAt = { service: svc.name, factor: 1.6 };
  fault.warnLog = 'gc pause {ms}ms, heap used {pct}%';
  ctx.truth = { causeKind: 'code-change', service: svc.name, commit: commit.sha, path: target.path, startLine: hunk.newStart, endLine: hunk.newStart + hunk.newLines - 1, scenario: ctx.kind };
}

function injectTraffic(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const saturated = rng.pick(['checkout', 'catalog']);
  fault.traffic = { factor: rng.range(3, 5), services: ['frontend', saturated, ...serviceDef(saturated).downstream.filter((d) => SERVICES.some((s) => s.name === d))], saturated };
  fault.errorAt = { service: saturated, ratio: rng.range(0.04, 0.15) };
  fault.slowAt = { service: saturated, factor: rng.range(3, 6) };
  fault.via = { handler: true };
  fault.errorLog = 'rejecting request: work queue full ({n} waiting)';
  ctx.truth = { causeKind: 'capacity', service: saturated, noCodeCause: true, scenario: ctx.kind };
}

function injectNodeFault(ctx: Ctx): void {
  const { rng, fault } = ctx;
  const host = rng.pick(HOSTS);
  fault.host = host;
  const svc = rng.pick(SERVICES.filter((s) => s.hosts.includes(host)));
  fault.slowAt = { service: svc.name, factor: rng.range(4, 8), host };
  fault.errorAt = { service: svc.name, ratio: rng.range(0.05, 0.2), host };
  fault.via = { handler: true };
  fault.errorLog = 'write /var/lib/app/tmp: i/o timeout';
  ctx.truth = { causeKind: 'infrastructure', host, noCodeCause: true, scenario: ctx.kind };
}
