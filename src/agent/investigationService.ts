// Owns the investigation runs, host-free: start one per alert, cancel it, run it again (over another
// time range, or with the other alerts of its incident), follow its alert as it changes, and keep the
// current investigation of each alert and what was done about it. Panels render a run; commands ask the
// service; nothing else runs the pipeline. Progress arrives as typed events and is kept per step.
import type { Alert } from '../core/model';
import type { ChangeSource, TimeWindow } from '../core/sources';
import type { Investigation, InvestigationStep, ProgressEvent, StepState } from '../core/investigation';
import { investigationSteps } from '../core/investigation';
import { Emitter, type Event } from '../core/events';
import { errorMessage } from '../core/errors';
import type { InvestigateOptions, InvestigationSources, investigate as investigateFn } from './investigate';
import { investigationWindow } from './investigate';
import type { KnownCause, ServiceEdge } from './incidents';

export type RunPhase = 'gathering' | 'ready' | 'error' | 'cancelled';

/** The time ranges a person can pick: the alert's own window (an hour before it), the last 15 min, 1 h, 6 h, or their own. */
export type RangePreset = 'alert' | '15m' | '1h' | '6h' | 'custom';
export const rangePresets: readonly RangePreset[] = ['alert', '15m', '1h', '6h', 'custom'];

export interface RangeChoice {
  preset: RangePreset;
  /** Custom ranges only. */
  start?: number;
  end?: number;
}

/** The longest range anyone can ask for: the backends' limits and the panel's points stay bounded. */
export const maxRangeMs = 7 * 24 * 3600_000;

/** What was done about an alert from its panel: an action running, or its outcome. */
export interface ActionRecord {
  actionId: string;
  state: 'running' | 'finished';
  /** The remediation outcome's status (recovered, executed, rejected, denied...). */
  status?: string;
  /** The outcome's message, with units. */
  message?: string;
  /** The verification's result, when there was one. */
  verification?: { ok: boolean; reason: string };
  time: number;
}

/** Outcomes after which an action is not offered again: it ran (whatever the verification said). */
export function actionWasPerformed(r: ActionRecord): boolean {
  return r.state === 'running' || ['executed', 'recovered', 'not-recovered', 'rolled-back', 'rollback-failed'].includes(r.status ?? '');
}

export interface RunStep {
  step: InvestigationStep;
  state: StepState;
  detail?: string;
  count?: number;
}

export interface InvestigationRun {
  /** `${sourceName}/${alertId}`: one run per alert at a time. */
  key: string;
  alert: Alert;
  phase: RunPhase;
  steps: RunStep[];
  /** Set when phase is "ready". */
  investigation?: Investigation;
  /** Set when phase is "error". */
  error?: string;
  startedAt: number;
  /** Increases with every change, so a view can ignore stale updates. */
  version: number;
  /** The range asked for, and the window it resolved to when the run started. */
  range: RangeChoice & { window: TimeWindow };
  /** The other alerts of the alert's incident, explained with it. */
  relatedAlerts: Alert[];
  /** What was done about the alert (kept across re-runs). */
  actions: ActionRecord[];
}

export interface RunOptions {
  range?: RangeChoice;
  relatedAlerts?: Alert[];
}

export interface InvestigationServiceDeps {
  /** The pipeline (./investigate.ts); the extension passes a lazy loader so activation does not pay for it. */
  investigate: typeof investigateFn;
  /** The signal sources as they are now (they change with the settings). */
  sources(): InvestigationSources;
  /** The workspace's change source, when there is a workspace. */
  changes(): Promise<ChangeSource | undefined>;
  options(): Pick<InvestigateOptions, 'confidenceThreshold' | 'serviceMap' | 'lookbackMs' | 'limits'>;
  /** Called once per finished investigation (the ledger records hypotheses). */
  onFinished?(inv: Investigation): void;
  now?(): number;
}

export function runKey(alert: Pick<Alert, 'sourceName' | 'id'>): string {
  return `${alert.sourceName}/${alert.id}`;
}

/** The window a range choice reads at `now`; a custom range is checked and says what is wrong with it. */
export function rangeWindow(choice: RangeChoice, alert: Alert, now: number, lookbackMs?: number): TimeWindow {
  switch (choice.preset) {
    case 'alert':
      return investigationWindow(alert, now, lookbackMs);
    case '15m':
      return { start: now - 15 * 60_000, end: now };
    case '1h':
      return { start: now - 3600_000, end: now };
    case '6h':
      return { start: now - 6 * 3600_000, end: now };
    case 'custom': {
      const { start, end } = choice;
      if (start === undefined || end === undefined || !Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('A custom range needs a start and an end.');
      if (end <= start) throw new RangeError('The range must end after it starts.');
      if (end - start > maxRangeMs) throw new RangeError('A range can be at most 7 days long.');
      if (start > now) throw new RangeError('The range starts in the future.');
      return { start, end: Math.min(end, now) };
    }
    default:
      throw new RangeError(`Unknown range ${JSON.stringify((choice as RangeChoice).preset)}.`);
  }
}

export class InvestigationService {
  private readonly runs = new Map<string, { run: InvestigationRun; abort: AbortController; done: Promise<InvestigationRun> }>();
  private readonly changed = new Emitter<InvestigationRun>();
  readonly onDidChange: Event<InvestigationRun> = this.changed.event;
  private lastFinished: string | undefined;

  constructor(private readonly deps: InvestigationServiceDeps) {}

  /** The run of an alert, if one was started. */
  get(key: string): InvestigationRun | undefined {
    return this.runs.get(key)?.run;
  }

  /** The finished investigation of an alert, if any. */
  current(key: string): Investigation | undefined {
    return this.runs.get(key)?.run.investigation;
  }

  /** The most recently finished investigation. */
  latest(): Investigation | undefined {
    return this.lastFinished ? this.current(this.lastFinished) : undefined;
  }

  /** Starts an investigation of the alert, or returns the one already running or finished. */
  start(alert: Alert, opts: RunOptions = {}): InvestigationRun {
    const existing = this.runs.get(runKey(alert));
    if (existing && existing.run.phase !== 'error' && existing.run.phase !== 'cancelled') return existing.run;
    return this.rerun(alert, opts);
  }

  /** Resolves when the alert's current run has finished (ready, error or cancelled). */
  whenDone(key: string): Promise<InvestigationRun | undefined> {
    return this.runs.get(key)?.done ?? Promise.resolve(undefined);
  }

  /**
   * Starts over: cancels a run in flight and investigates the alert again, over the range and with the
   * related alerts given, else those of the run before. Throws RangeError for a range that cannot be.
   */
  rerun(alert: Alert, opts: RunOptions = {}): InvestigationRun {
    const key = runKey(alert);
    const previous = this.runs.get(key)?.run;
    const now = this.deps.now?.() ?? Date.now();
    const choice = opts.range ?? (previous ? { preset: previous.range.preset, start: previous.range.start, end: previous.range.end } : { preset: 'alert' as const });
    const window = rangeWindow(choice, alert, now, this.deps.options().lookbackMs);
    this.runs.get(key)?.abort.abort();
    const abort = new AbortController();
    const run: InvestigationRun = {
      key,
      alert,
      phase: 'gathering',
      steps: investigationSteps.map((step) => ({ step, state: 'pending' })),
      startedAt: now,
      version: (previous?.version ?? 0) + 1,
      range: { ...choice, window },
      relatedAlerts: (opts.relatedAlerts ?? previous?.relatedAlerts ?? []).filter((a) => runKey(a) !== key),
      actions: previous?.actions ?? [],
    };
    const entry = { run, abort, done: Promise.resolve(run) };
    this.runs.set(key, entry);
    entry.done = this.execute(entry);
    this.changed.fire(run);
    return run;
  }

  /** Re-queries the alert's signals over another range (the panel's time-range picker). */
  setRange(key: string, range: RangeChoice): InvestigationRun | undefined {
    const entry = this.runs.get(key);
    return entry ? this.rerun(entry.run.alert, { range }) : undefined;
  }

  /**
   * The alerts as their sources list them now: each run follows its own alert and those of its
   * incident (resolved, silenced, a new value) without investigating again. Returns the keys of the
   * runs that changed.
   */
  followAlerts(alerts: readonly Alert[]): string[] {
    // No run to follow: a 10,000-alert refresh need not index its alerts for nobody.
    if (this.runs.size === 0) return [];
    const byKey = new Map(alerts.map((a) => [runKey(a), a]));
    // State, end and silences: what changes what the panel offers. A value that ticks with every
    // evaluation is not worth redrawing the panel for.
    const same = (a: Alert, b: Alert) => a.state === b.state && a.endsAt === b.endsAt && (a.silencedBy ?? []).join() === (b.silencedBy ?? []).join();
    const changed: string[] = [];
    for (const entry of this.runs.values()) {
      const run = entry.run;
      const alert = byKey.get(run.key);
      const related = run.relatedAlerts.map((a) => byKey.get(runKey(a)) ?? a);
      const alertChanged = !!alert && !same(alert, run.alert);
      const relatedChanged = related.some((a, i) => !same(a, run.relatedAlerts[i]));
      if (!alertChanged && !relatedChanged) continue;
      this.update(entry, { ...(alertChanged ? { alert } : {}), ...(relatedChanged ? { relatedAlerts: related } : {}) });
      changed.push(run.key);
    }
    return changed;
  }

  /**
   * What finished investigations tell about incidents: the cause each named for the alerts it explained
   * (abstentions name none), and the calls between services their traces showed.
   */
  incidentHints(): { causes: Map<string, KnownCause>; edges: ServiceEdge[] } {
    const causes = new Map<string, KnownCause>();
    const edges = new Map<string, ServiceEdge>();
    for (const { run } of this.runs.values()) {
      const inv = run.investigation;
      if (!inv) continue;
      for (const e of inv.findings.callGraph) edges.set(`${e.from}\u0000${e.to}`, { from: e.from, to: e.to });
      const h = inv.hypothesis;
      if (h.abstained) continue;
      const cause: KnownCause = { key: `${h.causeKind}|${h.service ?? ''}|${h.suspectCommit?.sha ?? ''}`, ...(h.service ? { service: h.service } : {}) };
      for (const a of [run.alert, ...run.relatedAlerts]) causes.set(runKey(a), cause);
    }
    return { causes, edges: [...edges.values()] };
  }

  /** Records what was done about the alert: the latest record of an action replaces the one before. */
  recordAction(key: string, record: ActionRecord): void {
    const entry = this.runs.get(key);
    if (!entry) return;
    this.update(entry, { actions: [...entry.run.actions.filter((a) => a.actionId !== record.actionId), record] });
  }

  cancel(key: string): void {
    const entry = this.runs.get(key);
    if (!entry || entry.run.phase !== 'gathering') return;
    entry.abort.abort();
  }

  /** Forgets the runs of alerts no panel shows any more. */
  forget(key: string): void {
    const entry = this.runs.get(key);
    if (!entry) return;
    entry.abort.abort();
    this.runs.delete(key);
    if (this.lastFinished === key) this.lastFinished = undefined;
  }

  private update(entry: { run: InvestigationRun }, patch: Partial<InvestigationRun>): void {
    entry.run = { ...entry.run, ...patch, version: entry.run.version + 1 };
    this.changed.fire(entry.run);
  }

  private isCurrent(entry: { run: InvestigationRun }): boolean {
    return this.runs.get(entry.run.key) === entry;
  }

  private async execute(entry: { run: InvestigationRun; abort: AbortController }): Promise<InvestigationRun> {
    const onProgress = (e: ProgressEvent): void => {
      if (!this.isCurrent(entry)) return;
      const steps = entry.run.steps.map((s) => (s.step === e.step ? { step: s.step, state: e.state, ...(e.detail ? { detail: e.detail } : {}), ...(e.count !== undefined ? { count: e.count } : {}) } : s));
      this.update(entry, { steps });
    };
    try {
      const signal = entry.abort.signal;
      // A cancelled run ends at once, even while a source that ignores the signal is still answering.
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }));
      aborted.catch(() => undefined);
      const changes = await this.deps.changes();
      const run = entry.run;
      const opts: InvestigateOptions = {
        ...this.deps.options(),
        signal,
        onProgress,
        now: run.startedAt,
        window: run.range.window,
        ...(run.relatedAlerts.length ? { relatedAlerts: run.relatedAlerts } : {}),
      };
      const inv = await Promise.race([this.deps.investigate(run.alert, { ...this.deps.sources(), ...(changes ? { changes } : {}) }, opts), aborted]);
      if (!this.isCurrent(entry)) return entry.run;
      this.update(entry, { phase: 'ready', investigation: inv, steps: entry.run.steps.map((s) => (s.state === 'running' || s.state === 'pending' ? { ...s, state: 'done' } : s)) });
      this.lastFinished = entry.run.key;
      try {
        this.deps.onFinished?.(inv);
      } catch {
        // recording is best effort; the investigation stands
      }
    } catch (err) {
      if (!this.isCurrent(entry)) return entry.run;
      const cancelled = entry.abort.signal.aborted;
      this.update(entry, {
        phase: cancelled ? 'cancelled' : 'error',
        error: cancelled ? 'The investigation was cancelled.' : errorMessage(err),
        steps: entry.run.steps.map((s) => (s.state === 'running' ? { ...s, state: 'failed' } : s)),
      });
    }
    return entry.run;
  }

  dispose(): void {
    for (const e of this.runs.values()) e.abort.abort();
    this.runs.clear();
    this.changed.dispose();
  }
}

