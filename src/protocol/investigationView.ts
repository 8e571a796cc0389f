// The investigation panel's view model: a pure mapper from an investigation run (its progress, and the
// finished Investigation with its findings) to the protocol's bounded DTOs. It calls no analysis: every
// number it shows was computed once, in the findings.
import type { Alert, Hypothesis, MetricSeries } from '../core/model';
import type { Investigation, InvestigationStep, StepState, TraceWaterfall } from '../core/investigation';
import type { ActionView, ChartView, InvestigationView, LogPatternView, MarkerView, StepView, TraceView } from './investigation';

const maxCharts = 8;
const maxPoints = 600;
const maxPatterns = 25;

export const stepLabels: Record<InvestigationStep, string> = {
  metrics: 'Metrics around the alert',
  logs: 'Logs and patterns',
  traces: 'Traces',
  changes: 'Workspace changes and deploys',
  kubernetes: 'Kubernetes state',
  findings: 'Analysis',
  hypothesis: 'Hypothesis',
};

/** What the mapper needs of a run (the agent's InvestigationRun has this shape). */
export interface RunSnapshot {
  alert: Alert;
  phase: 'gathering' | 'ready' | 'error' | 'cancelled';
  steps: { step: InvestigationStep; state: StepState; detail?: string }[];
  investigation?: Investigation;
  error?: string;
  startedAt: number;
}

export interface ActionGate {
  enabled: boolean;
  reason?: string;
}

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

/** Charts: series the hypothesis cites first, then those of its service, then moved ones, then the rest. */
export function chartsFor(inv: Investigation): ChartView[] {
  const h = inv.hypothesis;
  const cited = new Set(h.evidence.filter((e) => e.kind === 'metric').map((e) => e.ref));
  const service = h.service ?? inv.alert.service;
  const byId = new Map(inv.findings.series.map((f) => [f.id, f]));
  const rank = (s: MetricSeries): number => (cited.has(s.id) ? 0 : s.service && s.service === service ? 1 : byId.get(s.id)?.excursion ? 2 : 3);
  const chosen = inv.bundle.metrics.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).slice(0, maxCharts).map((x) => x.s);
  return chosen.map((s) => {
    const { timestamps, values } = downsample(s);
    // Series of one name differ by their labels: show them, except the service (the chart says it).
    const labels = Object.entries(s.labels ?? {}).filter(([k]) => k !== 'service' && k !== '__name__').map(([k, v]) => `${k}=${v}`).join(', ');
    const title = labels ? `${s.name} {${labels.length > 80 ? labels.slice(0, 79) + '…' : labels}}` : s.name;
    return { id: s.id, title, service: s.service, unit: s.unit, timestamps, values, anomalies: byId.get(s.id)?.regions ?? [], evidenceIds: evidenceIdsFor(h, s.id) };
  });
}

export function markersFor(inv: Investigation): MarkerView[] {
  const { bundle, hypothesis: h } = inv;
  const markers: MarkerView[] = [{ time: bundle.alert.startsAt, label: `alert: ${bundle.alert.name}`, kind: 'alert' }];
  if (h.onset !== undefined) markers.push({ time: h.onset, label: 'onset', kind: 'onset' });
  for (const c of bundle.changes) if (c.deploy) markers.push({ time: c.deploy.time, label: `deploy ${c.deploy.ref} (${c.sha.slice(0, 7)})`, kind: 'deploy' });
  return markers.filter((m) => m.time >= bundle.window.start && m.time <= bundle.window.end);
}

export function logPatternsFor(inv: Investigation): LogPatternView[] {
  return inv.findings.logPatterns.slice(0, maxPatterns).map((p) => ({
    id: p.id,
    template: p.template,
    level: p.level,
    service: p.service,
    countBefore: p.countBefore,
    countAfter: p.countAfter,
    isNew: p.isNew,
    rateChange: p.rateChange,
    samples: p.samples.slice(0, 3),
    evidenceIds: evidenceIdsFor(inv.hypothesis, p.id),
  }));
}

function toTraceView(w: TraceWaterfall): TraceView {
  return { traceId: w.traceId, totalMs: w.totalMs, rows: w.rows };
}

/** The waterfall of one trace the findings kept (the listed and cited traces); undefined otherwise. */
export function traceViewFor(inv: Investigation, traceId: string): TraceView | undefined {
  const w = inv.findings.traces.waterfalls.find((x) => x.traceId === traceId);
  return w ? toTraceView(w) : undefined;
}

/** The trace the panel opens on: the one the hypothesis cites, else the first failing, else the slowest. */
export function defaultTraceId(inv: Investigation): string | undefined {
  const cited = inv.hypothesis.evidence.find((e) => e.kind === 'span' || e.kind === 'trace');
  if (cited) return cited.ref.split('/')[0];
  return inv.findings.traces.failing[0]?.traceId ?? inv.findings.traces.slowest[0]?.traceId;
}

export function actionsFor(h: Hypothesis | undefined, gate: ActionGate): ActionView[] {
  return (h?.proposedActions ?? []).map((a, index) => ({
    index,
    actionId: a.actionId,
    title: a.title,
    why: a.why,
    enabled: gate.enabled,
    disabledReason: gate.enabled ? undefined : gate.reason,
  }));
}

export function stepViews(run: RunSnapshot): StepView[] {
  return run.steps.map((s) => ({ step: s.step, label: stepLabels[s.step], state: s.state === 'skipped' ? 'done' : s.state, ...(s.detail ? { detail: s.detail } : {}) }));
}

function emptyView(run: RunSnapshot, phase: InvestigationView['phase']): InvestigationView {
  return { alert: run.alert, phase, steps: stepViews(run), charts: [], markers: [], logPatterns: [], slowTraces: [], failingTraces: [], actions: [], sourceErrors: [], startedAt: run.startedAt };
}

export function investigationView(run: RunSnapshot, gate: ActionGate): InvestigationView {
  if (run.phase === 'gathering') return emptyView(run, 'gathering');
  const inv = run.investigation;
  if (run.phase !== 'ready' || !inv) return { ...emptyView(run, 'error'), error: run.error ?? 'the investigation did not finish' };
  const traceId = defaultTraceId(inv);
  const trace = traceId ? traceViewFor(inv, traceId) : undefined;
  return {
    alert: run.alert,
    phase: 'ready',
    steps: stepViews(run),
    hypothesis: inv.hypothesis,
    charts: chartsFor(inv),
    markers: markersFor(inv),
    logPatterns: logPatternsFor(inv),
    slowTraces: inv.findings.traces.slowest,
    failingTraces: inv.findings.traces.failing,
    ...(trace ? { trace } : {}),
    actions: actionsFor(inv.hypothesis, gate),
    ...(gate.enabled ? {} : { actionsNote: gate.reason }),
    sourceErrors: inv.errors.map((e) => ({ source: e.source, message: e.message })),
    startedAt: run.startedAt,
    readyAt: inv.finishedAt,
  };
}
