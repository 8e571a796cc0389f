// Turns a scenario's injected fault into telemetry: how it spreads to callers, and the metrics, traces,
// logs and alerts that a real system would show (evaluation code).

import type { Alert, LogLevel, LogRecord, MetricSeries, Span, SpanEvent } from '../../core/model';
import { EXTERNALS, HOSTS, INFO_LOGS, NOISE_WARNINGS, SERVICES, callersOf, serviceDef, type Rng, type ServiceDef } from './world';
import { MIN, STEP_MS, type Ctx, type Fault, type Frame } from './types';

// ---------- impacts ----------

interface Impact {
  err: number;
  lat: number;
  /** Only instances on this host are affected. */
  host?: string;
}

/** The fault's effect on each service, spread to callers (errors and latency travel upstream). */
export function propagate(fault: Fault): Map<string, Impact> {
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

export function buildMetrics(ctx: Ctx, impacts: Map<string, Impact>): MetricSeries[] {
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

export function buildTraces(ctx: Ctx, _impacts: Map<string, Impact>): { spans: Span[]; logs: LogRecord[] } {
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

export function buildLogs(ctx: Ctx): LogRecord[] {
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

export function buildAlerts(ctx: Ctx, impacts: Map<string, Impact>): Alert[] {
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
