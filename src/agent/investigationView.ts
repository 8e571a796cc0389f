// Turns an investigation (the gathered bundle and its hypothesis) into the panel's view model:
// bounded, plain data the webview can render without further analysis.
import type { Alert, Hypothesis, MetricSeries, Span } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import type { ActionView, ChartView, InvestigationView, LogPatternView, MarkerView, TraceView } from '../protocol/investigation';
import { detectAnomalies } from '../analysis/anomaly';
import { comparePatterns } from '../analysis/logPatterns';
import { buildWaterfall, failingTraces, slowestTraces } from '../analysis/traces';

const maxCharts = 8;
const maxPoints = 600;
const maxPatterns = 25;

function evidenceIdsFor(h: Hypothesis | undefined, ref: string): string[] {
  return h ? h.evidence.filter((e) => e.ref === ref).map((e) => e.id) : [];
}

function downsample(s: MetricSeries): { timestamps: number[]; values: (number | null)[] } {
  const n = Math.min(s.timestamps.length, s.values.length);
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const timestamps: number[] = [];
  const values: (number | null)[] = [];
  for (let i = 0; i < n; i += stride) {
    timestamps.push(s.timestamps[i]);
    const v = s.values[i];
    values.push(Number.isFinite(v) ? v : null);
  }
  return { timestamps, values };
}

/** Charts: series the hypothesis cites first, then those of the alert's service, then the rest. */
export function chartsFor(bundle: IncidentBundle, h: Hypothesis | undefined): ChartView[] {
  const cited = new Set(h?.evidence.filter((e) => e.kind === 'metric').map((e) => e.ref) ?? []);
  const service = h?.service ?? bundle.alert.service;
  const rank = (s: MetricSeries) => (cited.has(s.id) ? 0 : s.service && s.service === service ? 1 : 2);
  const chosen = [...bundle.metrics].sort((a, b) => rank(a) - rank(b)).slice(0, maxCharts);
  return chosen.map((s) => {
    const { timestamps, values } = downsample(s);
    let anomalies: { start: number; end: number }[] = [];
    try {
      anomalies = detectAnomalies(s).regions.map((r) => ({ start: s.timestamps[r.start], end: s.timestamps[Math.min(r.end, s.timestamps.length - 1)] }));
    } catch {
      anomalies = [];
    }
    // Series of one name differ by their labels: show them, except the service (the chart says it).
    const labels = Object.entries(s.labels).filter(([k]) => k !== 'service' && k !== '__name__').map(([k, v]) => `${k}=${v}`).join(', ');
    const title = labels ? `${s.name} {${labels.length > 80 ? labels.slice(0, 79) + '…' : labels}}` : s.name;
    return { id: s.id, title, service: s.service, unit: s.unit, timestamps, values, anomalies, evidenceIds: evidenceIdsFor(h, s.id) };
  });
}

export function markersFor(bundle: IncidentBundle, h: Hypothesis | undefined): MarkerView[] {
  const markers: MarkerView[] = [{ time: bundle.alert.startsAt, label: `alert: ${bundle.alert.name}`, kind: 'alert' }];
  if (h?.onset) markers.push({ time: h.onset, label: 'onset', kind: 'onset' });
  for (const c of bundle.changes) if (c.deploy) markers.push({ time: c.deploy.time, label: `deploy ${c.deploy.ref} (${c.sha.slice(0, 7)})`, kind: 'deploy' });
  return markers.filter((m) => m.time >= bundle.window.start && m.time <= bundle.window.end);
}

export function logPatternsFor(bundle: IncidentBundle, h: Hypothesis | undefined): LogPatternView[] {
  const onset = h?.onset ?? bundle.alert.startsAt;
  const report = comparePatterns(bundle.logs, onset);
  return report.patterns.slice(0, maxPatterns).map((p) => ({
    id: p.id,
    template: p.template,
    level: p.level,
    service: p.service,
    countBefore: p.countBefore,
    countAfter: p.countAfter,
    isNew: p.isNew,
    rateChange: p.rateChange,
    samples: p.samples.slice(0, 3),
    evidenceIds: evidenceIdsFor(h, p.id),
  }));
}

export function traceViewFor(spans: Span[], traceId: string): TraceView | undefined {
  const own = spans.filter((s) => s.traceId === traceId);
  if (own.length === 0) return undefined;
  const rows = buildWaterfall(own);
  const totalMs = rows.reduce((m, r) => Math.max(m, r.startOffsetMs + r.durationMs), 0);
  return { traceId, totalMs, rows: rows.map(({ traceId: _t, ...rest }) => rest) };
}

/** The trace the panel opens on: the one the hypothesis cites, else the first failing, else the slowest. */
export function defaultTraceId(bundle: IncidentBundle, h: Hypothesis | undefined): string | undefined {
  const cited = h?.evidence.find((e) => e.kind === 'span' || e.kind === 'trace');
  if (cited) return cited.ref.split('/')[0];
  return failingTraces(bundle.spans, 1)[0]?.traceId ?? slowestTraces(bundle.spans, 1)[0]?.traceId;
}

export function actionsFor(h: Hypothesis | undefined, gate: { enabled: boolean; reason?: string }): ActionView[] {
  return (h?.proposedActions ?? []).map((a, index) => ({
    index,
    actionId: a.actionId,
    title: a.title,
    why: a.why,
    enabled: gate.enabled,
    disabledReason: gate.enabled ? undefined : gate.reason,
  }));
}

export function buildInvestigationView(args: {
  alert: Alert;
  bundle: IncidentBundle;
  hypothesis: Hypothesis;
  errors: { source: string; message: string }[];
  gate: { enabled: boolean; reason?: string };
  startedAt: number;
  steps: InvestigationView['steps'];
}): InvestigationView {
  const { alert, bundle, hypothesis: h } = args;
  const traceId = defaultTraceId(bundle, h);
  return {
    alert,
    phase: 'ready',
    steps: args.steps,
    hypothesis: h,
    charts: chartsFor(bundle, h),
    markers: markersFor(bundle, h),
    logPatterns: logPatternsFor(bundle, h),
    slowTraces: slowestTraces(bundle.spans, 5),
    failingTraces: failingTraces(bundle.spans, 5),
    trace: traceId ? traceViewFor(bundle.spans, traceId) : undefined,
    actions: actionsFor(h, args.gate),
    actionsNote: args.gate.enabled ? undefined : args.gate.reason,
    sourceErrors: args.errors,
    startedAt: args.startedAt,
    readyAt: Date.now(),
  };
}
