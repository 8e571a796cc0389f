// Owns the investigation runs, host-free: start one per alert, cancel it, run it again, and keep the
// current investigation of each alert. Panels render a run; commands ask the service; nothing else runs
// the pipeline. Progress arrives as typed events and is kept per step.
import type { Alert } from '../core/model';
import type { ChangeSource } from '../core/sources';
import type { Investigation, InvestigationStep, ProgressEvent, StepState } from '../core/investigation';
import { investigationSteps } from '../core/investigation';
import { Emitter, type Event } from '../core/events';
import { errorMessage } from '../core/errors';
import type { InvestigateOptions, InvestigationSources, investigate as investigateFn } from './investigate';

export type RunPhase = 'gathering' | 'ready' | 'error' | 'cancelled';

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
  start(alert: Alert): InvestigationRun {
    const existing = this.runs.get(runKey(alert));
    if (existing && existing.run.phase !== 'error' && existing.run.phase !== 'cancelled') return existing.run;
    return this.rerun(alert);
  }

  /** Resolves when the alert's current run has finished (ready, error or cancelled). */
  whenDone(key: string): Promise<InvestigationRun | undefined> {
    return this.runs.get(key)?.done ?? Promise.resolve(undefined);
  }

  /** Starts over: cancels a run in flight and investigates the alert again. */
  rerun(alert: Alert): InvestigationRun {
    const key = runKey(alert);
    this.runs.get(key)?.abort.abort();
    const abort = new AbortController();
    const run: InvestigationRun = {
      key,
      alert,
      phase: 'gathering',
      steps: investigationSteps.map((step) => ({ step, state: 'pending' })),
      startedAt: this.deps.now?.() ?? Date.now(),
      version: 1,
    };
    const entry = { run, abort, done: Promise.resolve(run) };
    this.runs.set(key, entry);
    entry.done = this.execute(entry);
    this.changed.fire(run);
    return run;
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
      const inv = await Promise.race([this.deps.investigate(entry.run.alert, { ...this.deps.sources(), ...(changes ? { changes } : {}) }, { ...this.deps.options(), signal, onProgress, now: this.deps.now?.() }), aborted]);
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

