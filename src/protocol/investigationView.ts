// The investigation panel's view model: a pure mapper from an investigation run (its progress, and the
// finished Investigation with its findings) to the protocol's bounded DTOs. It calls no analysis: every
// number it shows was computed once, in the findings. What the host adds (links out, the alert's
// history, the incident's other alerts) comes in as data.
import type { Alert, Hypothesis } from '../core/model';
import type { Investigation, InvestigationStep, StepState, TraceWaterfall } from '../core/investigation';
import { formatTime } from '../core/time';
import type {
  ActionView, ChartView, EvidenceTarget, IncidentView, InvestigationView, LinkView, LogPatternView, MarkerView, RangePreset, RangeView, StepView, TraceView,
} from './investigation';
import { chartsFor } from './chartView';

export { chartsFor } from './chartView';

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

/** What was done about an action from the panel (the agent's ActionRecord has this shape). */
export interface ActionSnapshot {
  actionId: string;
  state: 'running' | 'finished';
  status?: string;
  message?: string;
  verification?: { ok: boolean; reason: string };
  time: number;
}

/** What the mapper needs of a run (the agent's InvestigationRun has this shape). */
export interface RunSnapshot {
  alert: Alert;
  phase: 'gathering' | 'ready' | 'error' | 'cancelled';
  steps: { step: InvestigationStep; state: StepState; detail?: string }[];
  investigation?: Investigation;
  error?: string;
  startedAt: number;
  range?: { preset: RangePreset; window: { start: number; end: number } };
  relatedAlerts?: Alert[];
  actions?: ActionSnapshot[];
}

export interface ActionGate {
  enabled: boolean;
  reason?: string;
}

/** What the host knows beside the run: links out, the alert's history, the incident title. */
export interface ViewExtras {
  links?: LinkView[];
  history?: string;
  incidentTitle?: string;
  /** Formats times in the markers' labels; default the runtime's zone. */
  timeZone?: string;
}

/** Outcomes after which an action is not offered again (agent/investigationService.ts actionWasPerformed). */
const performedStatuses = new Set(['executed', 'recovered', 'not-recovered', 'rolled-back', 'rollback-failed']);

function evidenceIdsFor(h: Hypothesis | undefined, ref: string): string[] {
  return h ? h.evidence.filter((e) => e.ref === ref).map((e) => e.id) : [];
}

/** Markers on every chart: the alert, the onset, each deploy, and (live) its resolution and the actions taken. */
export function markersFor(inv: Investigation, run?: Pick<RunSnapshot, 'alert' | 'actions'>, timeZone?: string): MarkerView[] {
  const { bundle, hypothesis: h } = inv;
  const at = (t: number) => formatTime(t, { timeZone });
  const markers: MarkerView[] = [{ time: bundle.alert.startsAt, label: `alert ${bundle.alert.name} started ${at(bundle.alert.startsAt)}`, kind: 'alert' }];
  if (h.onset !== undefined) markers.push({ time: h.onset, label: `onset ${at(h.onset)}`, kind: 'onset' });
  // One marker per deploy: a tag that shipped four commits is one moment, not four lines.
  const deploys = new Map<string, { ref: string; time: number; shas: string[] }>();
  for (const c of bundle.changes) {
    if (!c.deploy) continue;
    const key = `${c.deploy.ref}@${c.deploy.time}`;
    const d = deploys.get(key) ?? { ref: c.deploy.ref, time: c.deploy.time, shas: [] };
    d.shas.push(c.sha.slice(0, 7));
    deploys.set(key, d);
  }
  for (const d of deploys.values()) markers.push({ time: d.time, label: `deploy ${d.ref} (${d.shas.length === 1 ? d.shas[0] : `${d.shas.length} commits`}) ${at(d.time)}`, kind: 'deploy' });
  const live = run?.alert ?? inv.alert;
  if (live.state === 'resolved' && live.endsAt !== undefined) markers.push({ time: live.endsAt, label: `resolved ${at(live.endsAt)}`, kind: 'resolved' });
  for (const a of run?.actions ?? []) if (a.state === 'finished' && performedStatuses.has(a.status ?? '')) markers.push({ time: a.time, label: `${a.actionId} ran ${at(a.time)}`, kind: 'action' });
  return markers.filter((m) => m.time >= bundle.window.start && m.time <= bundle.window.end).sort((x, y) => x.time - y.time);
}

/** Where each evidence link goes: its chart, pattern, span or commit. */
export function evidenceTargets(inv: Investigation, charts: ChartView[]): Record<string, EvidenceTarget> {
  const out: Record<string, EvidenceTarget> = {};
  const chartOf = new Map<string, string>();
  for (const c of charts) for (const s of c.series) chartOf.set(s.id, c.id);
  const patterns = new Set(inv.findings.logPatterns.slice(0, maxPatterns).map((p) => p.id));
  const commits = new Set(inv.hypothesis.suspectCommits.map((c) => c.sha));
  for (const e of inv.hypothesis.evidence) {
    if (e.kind === 'metric' && chartOf.has(e.ref)) out[e.id] = { kind: 'chart', chartId: chartOf.get(e.ref)!, seriesId: e.ref };
    else if (e.kind === 'log-pattern' && patterns.has(e.ref)) out[e.id] = { kind: 'pattern', patternId: e.ref };
    else if (e.kind === 'span' || e.kind === 'trace') {
      const [traceId, spanId] = e.ref.split('/');
      out[e.id] = { kind: 'span', traceId, ...(spanId ? { spanId } : {}) };
    } else if ((e.kind === 'commit' || e.kind === 'deploy' || e.kind === 'config') && [...commits].some((sha) => sha.startsWith(e.ref) || e.ref.startsWith(sha))) {
      out[e.id] = { kind: 'commit', sha: [...commits].find((sha) => sha.startsWith(e.ref) || e.ref.startsWith(sha))! };
    } else if (e.kind === 'alert') {
      // The alert's evidence shows the alert's own expression, when it is charted.
      const own = charts.find((c) => c.role === 'alert');
      out[e.id] = own ? { kind: 'chart', chartId: own.id, seriesId: own.series[0].id } : { kind: 'alert' };
    }
  }
  return out;
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

function outcomeText(r: ActionSnapshot): string | undefined {
  if (r.state === 'running') return 'Running in the remediation terminal…';
  // The flow's message already carries the verification's reason ("Recovered: …").
  return r.message ?? (r.verification ? `${r.status}: ${r.verification.reason}` : r.status);
}

/**
 * The proposed actions with what happened to them: one that ran is not offered again (its outcome and
 * verification show in its place); one that is running shows that; one that was refused can be tried again.
 */
export function actionsFor(h: Hypothesis | undefined, gate: ActionGate, records: ActionSnapshot[] = [], alert?: Alert): ActionView[] {
  const resolved = alert?.state === 'resolved';
  return (h?.proposedActions ?? []).map((a, index) => {
    const r = records.find((x) => x.actionId === a.actionId);
    const done = !!r && r.state === 'finished' && performedStatuses.has(r.status ?? '');
    const running = r?.state === 'running';
    const state: ActionView['state'] = running ? 'running' : done ? 'done' : r ? 'tried' : undefined;
    const enabled = gate.enabled && !done && !running && !resolved;
    const disabledReason = !gate.enabled ? gate.reason : running ? 'It is running now.' : done ? 'It ran already.' : resolved ? 'The alert has resolved.' : undefined;
    return {
      index,
      actionId: a.actionId,
      title: a.title,
      why: a.why,
      enabled,
      ...(disabledReason ? { disabledReason } : {}),
      ...(state ? { state } : {}),
      ...(r ? { outcome: outcomeText(r) } : {}),
      ...(r && r.state === 'finished' ? { outcomeOk: r.status === 'recovered' || r.status === 'executed' || r.status === 'rolled-back' } : {}),
    };
  });
}

/**
 * The stretch the charts show: where their data and markers are, inside the range read. A service that
 * began reporting two minutes ago is not drawn as a sliver at the right of an empty hour.
 */
export function chartExtent(charts: ChartView[], markers: MarkerView[], range: { start: number; end: number }): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const c of charts) {
    if (!c.timestamps.length) continue;
    start = Math.min(start, c.timestamps[0]);
    end = Math.max(end, c.timestamps[c.timestamps.length - 1]);
  }
  for (const m of markers) {
    start = Math.min(start, m.time);
    end = Math.max(end, m.time);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { start: range.start, end: range.end };
  const pad = Math.max(5_000, (end - start) * 0.03);
  return { start: Math.max(range.start, start - pad), end: Math.min(range.end, end + pad) };
}

export function rangeView(run: RunSnapshot, inv?: Investigation): RangeView {
  const w = run.range?.window ?? inv?.bundle.window ?? { start: run.startedAt - 3600_000, end: run.startedAt };
  return { preset: run.range?.preset ?? 'alert', start: w.start, end: w.end };
}

export function incidentView(run: RunSnapshot, title?: string): IncidentView | undefined {
  const related = run.relatedAlerts ?? [];
  if (!related.length) return undefined;
  const key = (a: Alert) => `${a.sourceName}/${a.id}`;
  const own = key(run.alert);
  return {
    title: title ?? `${related.length + 1} alerts share a cause`,
    alerts: [run.alert, ...related].map((a) => ({ key: key(a), name: a.name, ...(a.service ? { service: a.service } : {}), state: a.state, severity: a.severity, startsAt: a.startsAt, current: key(a) === own })),
  };
}

export function stepViews(run: RunSnapshot): StepView[] {
  return run.steps.map((s) => ({ step: s.step, label: stepLabels[s.step], state: s.state === 'skipped' ? 'done' : s.state, ...(s.detail ? { detail: s.detail } : {}) }));
}

function emptyView(run: RunSnapshot, phase: InvestigationView['phase'], extras: ViewExtras): InvestigationView {
  const incident = incidentView(run, extras.incidentTitle);
  return {
    alert: run.alert,
    phase,
    steps: stepViews(run),
    charts: [],
    markers: [],
    logPatterns: [],
    slowTraces: [],
    failingTraces: [],
    actions: [],
    sourceErrors: [],
    startedAt: run.startedAt,
    range: rangeView(run),
    extent: { start: rangeView(run).start, end: rangeView(run).end },
    links: extras.links ?? [],
    ...(incident ? { incident } : {}),
    ...(extras.history ? { history: extras.history } : {}),
    evidenceTargets: {},
  };
}

export function investigationView(run: RunSnapshot, gate: ActionGate, extras: ViewExtras = {}): InvestigationView {
  if (run.phase === 'gathering') return emptyView(run, 'gathering', extras);
  const inv = run.investigation;
  if (run.phase !== 'ready' || !inv) return { ...emptyView(run, 'error', extras), error: run.error ?? 'the investigation did not finish' };
  const traceId = defaultTraceId(inv);
  const trace = traceId ? traceViewFor(inv, traceId) : undefined;
  const charts = chartsFor(inv);
  const markers = markersFor(inv, run, extras.timeZone);
  return {
    ...emptyView(run, 'ready', extras),
    hypothesis: inv.hypothesis,
    charts,
    markers,
    extent: chartExtent(charts, markers, rangeView(run, inv)),
    logPatterns: logPatternsFor(inv),
    slowTraces: inv.findings.traces.slowest,
    failingTraces: inv.findings.traces.failing,
    ...(trace ? { trace } : {}),
    actions: actionsFor(inv.hypothesis, gate, run.actions, run.alert),
    ...(gate.enabled ? {} : { actionsNote: gate.reason }),
    sourceErrors: inv.errors.map((e) => ({ source: e.source, message: e.message })),
    readyAt: inv.finishedAt,
    range: rangeView(run, inv),
    evidenceTargets: evidenceTargets(inv, charts),
  };
}
