// Compact, model-readable shapes of our data: times as ISO strings, series as statistics plus a
// downsampled trace of points, spans without the noise. The same shapes go to every client.
import type { Alert, Change, LogRecord, MetricSeries, Span, TraceSummary } from '../../core/model';
import type { SourceInfo, TimeWindow } from '../../core/sources';
import { errorMessage } from '../../core/errors';
import { ToolInputError, type ToolContext } from './types';

export const iso = (t: number | undefined): string | undefined => (t !== undefined && Number.isFinite(t) ? new Date(t).toISOString() : undefined);

/** A time argument: ISO 8601, epoch milliseconds, or relative to now ("-30m", "-2h"). */
export function parseTime(v: unknown, fallback: number, now: number, field: string): number {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const s = String(v).trim();
  if (/^\d{10,14}$/.test(s)) return Number(s);
  const rel = /^-(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(s);
  if (rel) return now - Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new ToolInputError(`${field} ${JSON.stringify(s)} is not a time: give ISO 8601 (2024-05-01T12:00:00Z), epoch milliseconds, or "-30m"`);
  return t;
}

export function windowArgs(args: Record<string, unknown>, ctx: ToolContext, maxSpanMs = 7 * 86_400_000): TimeWindow {
  const d = ctx.defaultWindow();
  const now = ctx.now();
  const start = parseTime(args.start, d.start, now, 'start');
  const end = parseTime(args.end, d.end, now, 'end');
  if (end <= start) throw new ToolInputError(`end (${iso(end)}) must be after start (${iso(start)})`);
  if (end - start > maxSpanMs) throw new ToolInputError(`the window is longer than ${Math.round(maxSpanMs / 86_400_000)} days: narrow it`);
  return { start, end };
}

export function alertShape(a: Alert): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    state: a.state,
    severity: a.severity,
    service: a.service,
    environment: a.environment,
    startsAt: iso(a.startsAt),
    value: a.value,
    source: a.sourceName,
    labels: a.labels,
    annotations: a.annotations,
    ...(a.rule ? { rule: { expression: a.rule.expression, language: a.rule.language, threshold: a.rule.threshold, forMs: a.rule.forMs } } : {}),
  };
}

/** At most `points` evenly spaced [time, value] pairs, plus min/max/mean/last: enough to see a step or a spike. */
export function seriesShape(s: MetricSeries, points = 40): Record<string, unknown> {
  const n = s.values.length;
  const finite = s.values.filter((v) => Number.isFinite(v));
  const stride = Math.max(1, Math.ceil(n / points));
  const sampled: [string, number][] = [];
  for (let i = 0; i < n; i += stride) sampled.push([iso(s.timestamps[i]) ?? '', round(s.values[i])]);
  if (n && (n - 1) % stride !== 0) sampled.push([iso(s.timestamps[n - 1]) ?? '', round(s.values[n - 1])]);
  return {
    id: s.id,
    name: s.name,
    labels: s.labels,
    ...(s.service ? { service: s.service } : {}),
    ...(s.unit ? { unit: s.unit } : {}),
    points: n,
    ...(finite.length ? { min: round(Math.min(...finite)), max: round(Math.max(...finite)), mean: round(finite.reduce((a, b) => a + b, 0) / finite.length), last: round(s.values[n - 1]) } : {}),
    samples: sampled,
  };
}

const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);

export function logShape(r: LogRecord): Record<string, unknown> {
  return { time: iso(r.time), level: r.level, ...(r.service ? { service: r.service } : {}), body: r.body, ...(r.traceId ? { traceId: r.traceId } : {}), ...(r.attributes && Object.keys(r.attributes).length ? { attributes: r.attributes } : {}) };
}

export function traceSummaryShape(t: TraceSummary): Record<string, unknown> {
  return { traceId: t.traceId, root: `${t.rootService} ${t.rootName}`, start: iso(t.startTime), durationMs: Math.round(t.durationMs), spans: t.spanCount, errors: t.errorCount };
}

export function spanShape(s: Span, traceStart: number): Record<string, unknown> {
  return {
    spanId: s.spanId,
    ...(s.parentSpanId ? { parent: s.parentSpanId } : {}),
    service: s.service,
    name: s.name,
    ...(s.kind ? { kind: s.kind } : {}),
    offsetMs: Math.round(s.startTime - traceStart),
    durationMs: Math.round((s.endTime - s.startTime) * 10) / 10,
    status: s.status,
    ...(s.statusMessage ? { statusMessage: s.statusMessage } : {}),
    ...(Object.keys(s.attributes).length ? { attributes: s.attributes } : {}),
    ...(s.events?.length ? { events: s.events.map((e) => ({ name: e.name, time: iso(e.time), attributes: e.attributes })) } : {}),
  };
}

export function changeShape(c: Change): Record<string, unknown> {
  return {
    sha: c.sha,
    author: c.author,
    time: iso(c.time),
    message: c.message,
    files: c.files.map((f) => ({ path: f.path, status: f.status, additions: f.additions, deletions: f.deletions })),
    ...(c.deploy ? { deploy: { ref: c.deploy.ref, time: iso(c.deploy.time), environment: c.deploy.environment } } : {}),
  };
}

/** Sources of a role, or the one named; an unknown name is an error that lists the names. */
export function pick<T extends SourceInfo>(list: T[], name: unknown, role: string): T[] {
  if (!list.length) throw new ToolInputError(`no ${role} source is configured`);
  if (name === undefined || name === '') return list;
  const hit = list.filter((s) => s.name === name);
  if (!hit.length) throw new ToolInputError(`no ${role} source named ${JSON.stringify(name)}; the ${role} sources are ${list.map((s) => JSON.stringify(s.name)).join(', ')}`);
  return hit;
}

/** Runs a query on each source; a failing source becomes an error entry beside the others' answers. */
export async function fromEach<T extends SourceInfo, R>(sources: T[], run: (s: T) => Promise<R[]>): Promise<{ items: (R & { source?: string })[]; errors: { source: string; message: string }[] }> {
  const items: (R & { source?: string })[] = [];
  const errors: { source: string; message: string }[] = [];
  await Promise.all(
    sources.map(async (s) => {
      try {
        for (const r of await run(s)) items.push(sources.length > 1 && r && typeof r === 'object' ? { ...(r as R & object), source: s.name } : (r as R & { source?: string }));
      } catch (err) {
        errors.push({ source: s.name, message: errorMessage(err) });
      }
    }),
  );
  if (!items.length && errors.length === sources.length) throw new ToolInputError(errors.map((e) => e.message).join('; '));
  return { items, errors };
}
