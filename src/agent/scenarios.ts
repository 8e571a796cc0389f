// Seeded generator of realistic incident bundles with ground truth, for tests, calibration and benchmarks.
// Each scenario kind injects one cause into a small shop (five services, three external dependencies,
// three hosts) and surrounds it with noise: unrelated commits and deploys, log churn and metric wobble.
// The same (kind, seed) always gives the same bundle.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Alert, Change, ChangedFile, LogLevel, LogRecord, MetricSeries, Span, SpanEvent } from '../core/model';
import type { IncidentBundle, IncidentTruth } from '../core/bundle';
import { AUTHORS, CAUSE_MESSAGES, EXTERNALS, HOSTS, INFO_LOGS, NOISE_MESSAGES, NOISE_MESSAGES_BY_KIND, NOISE_WARNINGS, Rng, SERVICES, callersOf, serviceDef, type CodeFile, type Lang, type ServiceDef } from './scenarios/world';

export const SCENARIO_KINDS = [
  'deploy-exception',
  'latency-regression',
  'bad-config',
  'dependency-outage',
  'memory-leak',
  'traffic-spike',
  'node-fault',
  'alert-storm',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

const STEP_MS = 15_000;
const MIN = 60_000;
const HOUR = 3600_000;

interface Frame {
  path: string;
  line: number;
  fn: string;
}

/** What the injected cause does to the signals. */
interface Fault {
  onset: number;
  /** Added error ratio where the fault originates. */
  errorAt?: { service: string; ratio: number; host?: string };
  /** Latency multiplier where the fault originates. */
  slowAt?: { service: string; factor: number; host?: string };
  /** The span that fails or slows: a client call to a dependency, or the service's own handler. */
  via?: { dependency: string } | { handler: true };
  exception?: { type: string; message: string; frames: Frame[] };
  /** Extra attributes on the failing/slow span: code.* of where it happens. */
  code?: Frame;
  errorLog?: string;
  warnLog?: string;
  leak?: { service: string; mbPerMin: number; start: number };
  traffic?: { factor: number; services: string[]; saturated: string };
  host?: string;
}

interface Ctx {
  rng: Rng;
  kind: ScenarioKind;
  alertTime: number;
  start: number;
  end: number;
  fault: Fault;
  changes: Change[];
  truth: IncidentTruth;
  /** Ways real incidents are harder than the textbook: drawn per bundle. */
  hard: Hardness;
}

interface Hardness {
  /** The services log and trace exceptions without stack traces or code attributes. */
  noStacks: boolean;
  /** Another service deployed minutes before the onset too. */
  coDeploy: boolean;
  /** An earlier deploy touched the same file as the cause (other lines). */
  sameFile: boolean;
  /** The symptom is faint: few errors, little extra latency. */
  weak: boolean;
}

export function generateScenario(kind: ScenarioKind, seed: number): IncidentBundle {
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
export function generateSuite(seed: number, perKind: number): IncidentBundle[] {
  const out: IncidentBundle[] = [];
  for (const kind of SCENARIO_KINDS) for (let i = 0; i < perKind; i++) out.push(generateScenario(kind, seed * 1000 + i));
  return out;
}

/** Writes bundles as `<scenario>-<n>.json` files into dir (created if missing); returns the paths. */
export function writeBundles(bundles: IncidentBundle[], dir: string): string[] {
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

function printedPath(svc: ServiceDef, p: string): string {
  const rel = p.split('/').slice(2).join('/');
  switch (svc.lang) {
    case 'node':
      return `/app/${rel}`; // the service folder is the container's /app
    case 'python':
      return `/srv/${svc.name}/${rel}`;
    case 'go':
      return `/build/${p}`;
    default:
      return p;
  }
}

export function formatStack(svc: ServiceDef, type: string, message: string, frames: Frame[]): string {
  switch (svc.lang) {
    case 'node':
      return [
        `${type}: ${message}`,
        ...frames.map((f) => `    at ${f.fn} (${printedPath(svc, f.path)}:${f.line}:${(f.line * 7) % 40 + 5})`),
        '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
        '    at next (/app/node_modules/express/lib/router/route.js:149:13)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ].join('\n');
    case 'python':
      return [
        'Traceback (most recent call last):',
        '  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request',
        '    rv = self.dispatch_request()',
        ...[...frames].reverse().flatMap((f) => [`  File "${printedPath(svc, f.path)}", line ${f.line}, in ${f.fn}`, '    result = compute(payload)']),
        `${type}: ${message}`,
      ].join('\n');
    case 'go':
      return [
        `panic: ${message}`,
        '',
        'goroutine 481 [running]:',
        ...frames.flatMap((f) => [`github.com/acme/shop/${f.path.split('/').slice(0, -1).join('/')}.${f.fn}(0xc0001a2000, 0x3)`, `\t${printedPath(svc, f.path)}:${f.line} +0x1d4`]),
        'net/http.HandlerFunc.ServeHTTP(0xc000124a80, {0x9e8f40, 0xc0002b6000}, 0xc000310000)',
        '\t/usr/local/go/src/net/http/server.go:2136 +0x29',
      ].join('\n');
    default: {
      return [
        `${type}: ${message}`,
        ...frames.map((f) => {
          const file = f.path.split('/').pop()!;
          return `\tat com.acme.${svc.name}.${file.replace(/\.java$/, '')}.${f.fn}(${file}:${f.line})`;
        }),
        '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)',
        '\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)',
      ].join('\n');
    }
  }
}

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

// ---------- impacts ----------

interface Impact {
  err: number;
  lat: number;
  /** Only instances on this host are affected. */
  host?: string;
}

/** The fault's effect on each service, spread to callers (errors and latency travel upstream). */
function propagate(fault: Fault): Map<string, Impact> {
  const impacts = new Map<string, Impact>();
  const add = (svc: string, err: number, lat: number, host: string | undefined, depth: number): void => {
    if (depth > 4) return;
    const cur = impacts.get(svc) ?? { err: 0, lat: 1, host };
    cur.err = Math.max(cur.err, err);
    cur.lat = Math.max(cur.lat, lat);
    if (host === undefined) cur.host = undefined;
    impacts.set(svc, cur);
    for (const caller of callersOf(svc)) add(caller, err * 0.75, 1 + (lat - 1) * 0.7, undefined, depth + 1);
  };
  const origin = fault.errorAt?.service ?? fault.slowAt?.service;
  if (origin) add(origin, fault.errorAt?.ratio ?? 0, fault.slowAt?.factor ?? 1, fault.errorAt?.host ?? fault.slowAt?.host, 0);
  return impacts;
}

function ramp(t: number, from: number, width = MIN): number {
  if (t <= from) return 0;
  if (t >= from + width) return 1;
  const x = (t - from) / width;
  return x * x * (3 - 2 * x);
}

// ---------- metrics ----------

function buildMetrics(ctx: Ctx, impacts: Map<string, Impact>): MetricSeries[] {
  const { rng, fault } = ctx;
  const times: number[] = [];
  for (let t = ctx.start; t <= ctx.end; t += STEP_MS) times.push(t);
  const series: MetricSeries[] = [];
  // One unrelated wobble: a short spike somewhere that has nothing to do with the cause.
  const wobbleSvc = rng.pick(SERVICES).name;
  const wobbleAt = ctx.start + Math.round(rng.range(5, 60) * MIN);
  const wobbleMetric = rng.pick(['process_cpu_ratio', 'http_server_latency_p99_ms']);
  const trafficOnset = fault.onset;
  const saturationOnset = fault.onset + 90_000;
  for (const svc of SERVICES) {
    const impact = impacts.get(svc.name);
    for (const host of svc.hosts) {
      const labels = { service: svc.name, host, instance: `${svc.name}-${host}` };
      const hit = impact && (impact.host === undefined || impact.host === host);
      const mk = (name: string, unit: string, f: (t: number, i: number) => number): void => {
        series.push({ id: `${name}{instance="${labels.instance}",service="${svc.name}"}`, name, labels: { ...labels }, service: svc.name, unit, timestamps: times, values: times.map((t, i) => Math.max(0, f(t, i))) });
      };
      const trafficFactor = (t: number): number => (fault.traffic?.services.includes(svc.name) ? 1 + (fault.traffic.factor - 1) * ramp(t, trafficOnset, 2 * MIN) : 1);
      const effectOnset = fault.traffic ? saturationOnset : fault.onset;
      const wob = (t: number, name: string): number => (svc.name === wobbleSvc && name === wobbleMetric && t >= wobbleAt && t < wobbleAt + 2 * MIN ? 1.8 : 1);
      mk('http_server_requests_per_second', 'req/s', (t) => (svc.baseRps / svc.hosts.length) * trafficFactor(t) * (1 + 0.04 * Math.sin(t / 600_000) + 0.03 * rng.normal()));
      mk('http_server_error_ratio', 'ratio', (t) => 0.002 + 0.001 * Math.abs(rng.normal()) + (hit ? impact!.err * ramp(t, effectOnset) * (0.85 + 0.3 * rng.next()) : 0));
      mk('http_server_latency_p99_ms', 'ms', (t) => {
        let lat = svc.baseP99Ms * (1 + 0.06 * rng.normal()) * wob(t, 'http_server_latency_p99_ms');
        if (hit) lat *= 1 + (impact!.lat - 1) * (fault.leak ? ramp(t, ctx.alertTime - 6 * MIN, 5 * MIN) : ramp(t, effectOnset));
        return lat;
      });
      mk('process_cpu_ratio', 'ratio', (t) => {
        let cpu = 0.25 + 0.03 * rng.normal();
        if (fault.traffic?.saturated === svc.name) cpu = Math.min(0.99, cpu + 0.72 * ramp(t, trafficOnset, 3 * MIN));
        else cpu *= trafficFactor(t) ** 0.5;
        return cpu * wob(t, 'process_cpu_ratio');
      });
      mk('process_resident_memory_bytes', 'bytes', (t) => {
        let mb = svc.baseMemMB * (1 + 0.01 * rng.normal());
        if (fault.leak?.service === svc.name && t > fault.leak.start) mb += ((t - fault.leak.start) / MIN) * fault.leak.mbPerMin;
        return mb * 1024 * 1024;
      });
    }
  }
  for (const host of HOSTS) {
    const bad = fault.host === host;
    series.push({ id: `node_cpu_ratio{host="${host}"}`, name: 'node_cpu_ratio', labels: { host }, unit: 'ratio', timestamps: times, values: times.map((t) => Math.max(0, 0.35 + 0.04 * rng.normal() + (bad ? 0.5 * ramp(t, fault.onset) : 0))) });
    series.push({ id: `node_disk_io_wait_ratio{host="${host}"}`, name: 'node_disk_io_wait_ratio', labels: { host }, unit: 'ratio', timestamps: times, values: times.map((t) => Math.max(0, 0.02 + 0.01 * Math.abs(rng.normal()) + (bad ? 0.6 * ramp(t, fault.onset) : 0))) });
  }
  return series;
}

// ---------- traces and the logs they cause ----------

function spanId(rng: Rng): string {
  return rng.hex(16);
}

function buildTraces(ctx: Ctx, _impacts: Map<string, Impact>): { spans: Span[]; logs: LogRecord[] } {
  const { rng, fault } = ctx;
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  const origin = fault.errorAt?.service ?? fault.slowAt?.service;
  const effectOnset = fault.traffic ? fault.onset + 90_000 : fault.onset;
  const visit = (svcName: string, traceId: string, parent: string | undefined, start: number, route: string): { end: number; error: boolean; message?: string } => {
    const svc = serviceDef(svcName);
    const host = rng.pick(svc.hosts);
    const id = spanId(rng);
    const active = start >= effectOnset;
    const here = svcName === origin && active && (!fault.host || fault.host === host);
    const attrs: Record<string, string | number | boolean> = { 'host.name': host, 'http.route': route, 'http.request.method': route.split(' ')[0] };
    let t = start + rng.range(1, 4);
    let error = false;
    let message: string | undefined;
    const own = (svc.baseP99Ms / 4) * Math.exp(0.3 * rng.normal()) * (here && fault.slowAt && !('dependency' in (fault.via ?? {})) ? fault.slowAt.factor * (fault.leak ? ramp(start, ctx.alertTime - 6 * MIN, 5 * MIN) : 1) + (fault.leak ? 1 - ramp(start, ctx.alertTime - 6 * MIN, 5 * MIN) : 0) : 1);
    const failHere = here && fault.errorAt && rng.next() < fault.errorAt.ratio;
    for (const dep of svc.downstream) {
      if (svcName === 'frontend' && dep !== (route.includes('checkout') ? 'checkout' : 'catalog')) continue;
      const clientId = spanId(rng);
      const depRoute = SERVICES.find((s) => s.name === dep)?.routes[0] ?? `${dep} query`;
      const clientAttrs: Record<string, string | number | boolean> = { 'peer.service': dep, 'host.name': host };
      const clientFile = svc.clients[dep];
      if (clientFile) {
        clientAttrs['code.filepath'] = clientFile.path;
        clientAttrs['code.function'] = clientFile.functions[0].name;
        clientAttrs['code.lineno'] = clientFile.functions[0].line + 3;
      }
      if (dep === 'postgres') clientAttrs['db.system'] = 'postgresql';
      if (dep === 'redis') clientAttrs['db.system'] = 'redis';
      const cStart = t;
      let cEnd: number;
      let cError = false;
      let cMessage: string | undefined;
      const viaThis = here && fault.via && 'dependency' in fault.via && fault.via.dependency === dep;
      if (SERVICES.some((s) => s.name === dep)) {
        const r = visit(dep, traceId, clientId, cStart + 0.5, depRoute);
        cEnd = r.end + 0.5;
        cError = r.error;
        cMessage = r.error ? `${dep} returned 500` : undefined;
      } else {
        cEnd = cStart + (EXTERNALS.includes(dep as (typeof EXTERNALS)[number]) ? (dep === 'bank-api' ? 60 : 4) : 5) * Math.exp(0.3 * rng.normal());
      }
      if (viaThis && fault.slowAt) {
        cEnd = cStart + (cEnd - cStart) * fault.slowAt.factor;
        if (fault.code) {
          clientAttrs['code.filepath'] = fault.code.path;
          clientAttrs['code.function'] = fault.code.fn;
          clientAttrs['code.lineno'] = fault.code.line;
        }
      }
      const events: SpanEvent[] = [];
      if (viaThis && failHere && fault.exception) {
        cError = true;
        cMessage = fault.exception.message;
        cEnd = cStart + (fault.exception.message.includes('timed out') ? 50 : 2) + rng.range(0, 3);
        events.push({ name: 'exception', time: cEnd, attributes: { 'exception.type': fault.exception.type, 'exception.message': fault.exception.message, 'exception.stacktrace': formatStack(svc, fault.exception.type, fault.exception.message, fault.exception.frames) } });
        if (fault.code) {
          clientAttrs['code.filepath'] = fault.code.path;
          clientAttrs['code.function'] = fault.code.fn;
          clientAttrs['code.lineno'] = fault.code.line;
        }
      }
      spans.push({ traceId, spanId: clientId, parentSpanId: id, name: `${dep === 'postgres' ? 'SELECT stock' : dep === 'redis' ? 'GET' : 'POST'} ${dep}`, service: svcName, kind: 'client', startTime: cStart, endTime: cEnd, status: cError ? 'error' : 'ok', ...(cMessage ? { statusMessage: cMessage } : {}), attributes: clientAttrs, ...(events.length ? { events } : {}) });
      if (cError) {
        error = true;
        message = cMessage;
        if (viaThis) logs.push(errorLog(ctx, svc, host, cEnd, traceId, clientId));
        break; // a failed call aborts the request
      }
      t = cEnd + rng.range(0.5, 3);
    }
    let end = t + own;
    const events: SpanEvent[] = [];
    if (!error && failHere && fault.via && 'handler' in fault.via) {
      error = true;
      message = fault.exception?.message ?? 'internal error';
      if (fault.exception) {
        const top = fault.exception.frames[0];
        if (top) {
          attrs['code.filepath'] = top.path;
          attrs['code.function'] = top.fn;
          attrs['code.lineno'] = top.line;
        }
        events.push({ name: 'exception', time: end, attributes: { 'exception.type': fault.exception.type, 'exception.message': fault.exception.message, 'exception.stacktrace': formatStack(svc, fault.exception.type, fault.exception.message, fault.exception.frames) } });
      }
      logs.push(errorLog(ctx, svc, host, end, traceId, id));
    }
    if (here && fault.warnLog && fault.slowAt && rng.chance(0.3)) {
      logs.push({ time: end, level: 'warn', service: svcName, body: fault.warnLog.replace('{ms}', String(Math.round((end - start) * 10))).replace('{pct}', String(rng.int(86, 99))), attributes: { 'host.name': host }, traceId, spanId: id });
    }
    end = Math.max(end, t);
    spans.push({ traceId, spanId: id, ...(parent ? { parentSpanId: parent } : {}), name: route, service: svcName, kind: 'server', startTime: start, endTime: end, status: error ? 'error' : 'ok', ...(error ? { statusMessage: message ?? 'error' } : {}), attributes: { ...attrs, 'http.response.status_code': error ? (fault.traffic ? 503 : 500) : 200 }, ...(events.length ? { events } : {}) });
    return { end, error, message };
  };
  for (let t = ctx.start + rng.int(0, 5000); t < ctx.end; t += rng.int(5000, 9000)) {
    const route = rng.pick(serviceDef('frontend').routes);
    visit('frontend', rng.hex(32), undefined, t, route);
  }
  return { spans, logs };
}

function errorLog(ctx: Ctx, svc: ServiceDef, host: string, time: number, traceId: string, spanIdValue: string): LogRecord {
  const { fault, rng } = ctx;
  const body = (fault.errorLog ?? 'request failed').replace('{n}', String(rng.int(200, 900)));
  const attributes: Record<string, string | number | boolean> = { 'host.name': host };
  let text = body;
  if (fault.exception) {
    const stack = formatStack(svc, fault.exception.type, fault.exception.message, fault.exception.frames);
    // Half the services log the stack inline, half as an attribute, as real loggers do.
    if (svc.lang === 'python' || svc.lang === 'java') text = `${body}\n${stack}`;
    else attributes['exception.stacktrace'] = stack;
  }
  return { time, level: 'error', service: svc.name, body: text, attributes, traceId, spanId: spanIdValue };
}

// ---------- background logs ----------

function fill(rng: Rng, template: string, route: string): string {
  return template
    .replace('{route}', route)
    .replace('{ms}', String(rng.int(3, 400)))
    .replace('{id}', String(rng.int(1000, 99999)))
    .replace('{pct}', String(rng.int(40, 80)));
}

function buildLogs(ctx: Ctx): LogRecord[] {
  const { rng, fault } = ctx;
  const logs: LogRecord[] = [];
  for (const svc of SERVICES) {
    for (let t = ctx.start + rng.int(0, 3000); t < ctx.end; t += rng.int(3000, 7000)) {
      const host = rng.pick(svc.hosts);
      const level: LogLevel = 'info';
      logs.push({ time: t, level, service: svc.name, body: fill(rng, rng.pick(INFO_LOGS[svc.lang]), rng.pick(svc.routes)), attributes: { 'host.name': host } });
    }
  }
  // Unrelated churn: a new warning that starts at a random time (possibly right at the onset).
  const churnSvc = rng.pick(SERVICES);
  const churnAt = rng.chance(0.3) ? fault.onset + rng.int(-60_000, 60_000) : ctx.start + rng.int(5, 55) * MIN;
  const churn = rng.pick(NOISE_WARNINGS);
  for (let t = churnAt; t < ctx.end; t += rng.int(15_000, 40_000)) logs.push({ time: t, level: 'warn', service: churnSvc.name, body: fill(rng, churn, '/'), attributes: { 'host.name': rng.pick(churnSvc.hosts) } });
  // A chronic error that was there all along.
  const chronic = rng.pick(SERVICES);
  for (let t = ctx.start + rng.int(0, 60_000); t < ctx.end; t += rng.int(40_000, 90_000)) logs.push({ time: t, level: 'error', service: chronic.name, body: `failed to refresh feature flags: upstream returned 502 (attempt ${rng.int(1, 3)})`, attributes: { 'host.name': rng.pick(chronic.hosts) } });
  // Symptom logs of causes that have no traces of their own.
  if (fault.host) {
    for (let t = fault.onset; t < ctx.end; t += rng.int(5000, 15000)) {
      const svc = rng.pick(SERVICES.filter((s) => s.hosts.includes(fault.host!)));
      logs.push({ time: t, level: 'error', service: svc.name, body: `write /var/lib/app/tmp/${rng.hex(8)}: i/o timeout`, attributes: { 'host.name': fault.host } });
    }
  }
  if (fault.leak) {
    const svc = serviceDef(fault.leak.service);
    for (let t = fault.leak.start + 10 * MIN; t < ctx.end; t += rng.int(20_000, 60_000)) logs.push({ time: t, level: 'warn', service: svc.name, body: `gc pause ${rng.int(200, 900)}ms, heap used ${rng.int(80, 97)}%`, attributes: { 'host.name': rng.pick(svc.hosts) } });
  }
  if (fault.traffic) {
    for (let t = fault.onset; t < ctx.end; t += rng.int(2000, 6000)) logs.push({ time: t, level: 'warn', service: 'frontend', body: `request burst from client campaign-${rng.int(1, 3)}: ${rng.int(300, 600)} req/s`, attributes: { 'host.name': rng.pick(HOSTS) } });
  }
  return logs;
}

// ---------- alerts ----------

function alertFor(ctx: Ctx, name: string, service: string, summary: string, startsAt: number, extra: Record<string, string> = {}): Alert {
  const labels = { alertname: name, service, severity: 'critical', env: 'production', ...extra };
  return { id: ctx.rng.hex(16), name, state: 'firing', severity: 'critical', labels, annotations: { summary }, startsAt, value: undefined, sourceName: 'scenario', sourceKind: 'prometheus', service, environment: 'production' };
}

function buildAlerts(ctx: Ctx, impacts: Map<string, Impact>): Alert[] {
  const { rng, fault, alertTime } = ctx;
  const origin = fault.errorAt?.service ?? fault.slowAt?.service ?? fault.leak?.service ?? 'frontend';
  if (ctx.kind === 'alert-storm') {
    const alerts: Alert[] = [];
    for (const [svc, impact] of impacts) {
      for (const host of serviceDef(svc).hosts) {
        alerts.push(alertFor(ctx, 'HighErrorRate', svc, `${svc} error ratio above 5%`, alertTime + rng.int(-90, 90) * 1000, { instance: `${svc}-${host}` }));
        if (impact.lat > 1.05 || rng.chance(0.5)) alerts.push(alertFor(ctx, 'SLOBurnRateFast', svc, `${svc} is burning its error budget 14x`, alertTime + rng.int(0, 180) * 1000, { instance: `${svc}-${host}` }));
      }
    }
    rng.shuffle(alerts);
    return alerts;
  }
  // Sometimes the page comes from a caller, not from the service at fault.
  const callers = callersOf(origin);
  const alerted = ['deploy-exception', 'latency-regression', 'bad-config', 'dependency-outage'].includes(ctx.kind) && callers.length && rng.chance(0.3) ? rng.pick(callers) : origin;
  switch (ctx.kind) {
    case 'latency-regression':
      return [alertFor(ctx, 'HighLatencyP99', alerted, `${alerted} p99 latency above SLO`, alertTime)];
    case 'memory-leak':
      return [alertFor(ctx, 'ProcessMemoryHigh', origin, `${origin} resident memory above 85% of its limit`, alertTime)];
    case 'traffic-spike':
      return [alertFor(ctx, 'HighLatencyP99', origin, `${origin} p99 latency above SLO`, alertTime)];
    case 'node-fault':
      return [alertFor(ctx, 'HighLatencyP99', origin, `${origin} p99 latency above SLO`, alertTime)];
    default:
      return [alertFor(ctx, 'HighErrorRate', alerted, `${alerted} error ratio above 5%`, alertTime)];
  }
}

// `npx tsx src/agent/scenarios.ts --out DIR [--seed N] [--per-kind N]` writes a suite without the CLI.
if (require.main === module) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = flag('out');
  if (!out) {
    process.stderr.write('usage: scenarios.ts --out DIR [--seed N] [--per-kind N]\n');
    process.exitCode = 2;
  } else {
    const files = writeBundles(generateSuite(Number(flag('seed') ?? 1), Number(flag('per-kind') ?? 3)), out);
    process.stdout.write(`wrote ${files.length} bundles to ${path.resolve(out)}\n`);
  }
}
