// Runaway jobs: Jobs that run far past their own history or past the team's timeout, Jobs with no
// activeDeadlineSeconds to stop them, CronJobs whose runs overlap, failed Jobs, and pods that burn CPU
// while they receive no traffic. Each finding proposes a catalog action (suspend the CronJob, delete the
// Job) that still goes through the policy like any other.
//
// Two inputs give the same JobState: Job objects from the Kubernetes API (jobStatesFromSnapshot), and
// kube-state-metrics series read with Prometheus's instant-query semantics (jobStatesFromMetrics). The
// timeout and failure rules are those of kubernetes-mixin's KubeJobNotCompleted and KubeJobFailed, so the
// detector fires and stays silent where those alerts do; "far past its own history", overlaps and idle
// burners go further than the mixin.

import type { KubernetesSnapshot } from '../../core/kubernetes';
import type { MetricSeries, ProposedAction } from '../../core/model';

export interface JobState {
  namespace: string;
  name: string;
  cluster?: string;
  /** The CronJob that created it. */
  cronJob?: string;
  startTime?: number;
  completionTime?: number;
  active: number;
  failed: number;
  /** Since when the Job has been failed without interruption (the first evaluation that saw it). */
  failedSince?: number;
  /** Undefined when the Job sets none (or the input cannot tell: metrics without the spec series). */
  activeDeadlineSeconds?: number;
  /** Whether the input can tell that the deadline is missing (Job objects can; kube-state-metrics may not). */
  deadlineKnown: boolean;
}

export type RunawayKind = 'running-too-long' | 'running-past-history' | 'no-deadline' | 'overlapping-runs' | 'failed' | 'idle-cpu';

export interface RunawayFinding {
  /** Stable: `k8s-job:<kind>:<namespace>/<name>`. */
  id: string;
  kind: RunawayKind;
  namespace: string;
  /** The Job, CronJob or pod it is about. */
  object: { kind: 'Job' | 'CronJob' | 'Pod'; name: string };
  cronJob?: string;
  severity: 'warning' | 'info';
  title: string;
  detail: string;
  /** How long it has run or been failed, ms. */
  durationMs?: number;
  proposedAction?: ProposedAction;
}

export interface RunawayOptions {
  /** KubeJobNotCompleted's kubeJobTimeoutDuration: 12 h in kubernetes-mixin. */
  timeoutMs?: number;
  /** KubeJobFailed's `for`: 15 min in kubernetes-mixin. */
  failedForMs?: number;
  /** A run is past its history when longer than this many times the p95 of its CronJob's earlier runs... */
  historyFactor?: number;
  /** ...and at least this much longer (short jobs jitter). */
  historyMarginMs?: number;
  /** Earlier runs needed before the history rule applies. */
  minHistory?: number;
}

const MIN = 60_000;
const defaults: Required<RunawayOptions> = { timeoutMs: 12 * 3600_000, failedForMs: 15 * MIN, historyFactor: 3, historyMarginMs: 10 * MIN, minHistory: 3 };

function humanDuration(ms: number): string {
  const m = Math.round(ms / MIN);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function suspendCronJob(namespace: string, cronJob: string, why: string): ProposedAction {
  return { actionId: 'suspend-cronjob', title: `Suspend CronJob ${namespace}/${cronJob}`, params: { cronjob: cronJob, namespace }, why };
}

function deleteJob(namespace: string, job: string, why: string): ProposedAction {
  return { actionId: 'delete-job', title: `Delete Job ${namespace}/${job}`, params: { job, namespace }, why };
}

/**
 * Runaway jobs at time `now`. `history` holds earlier runs (completed Jobs) for the history rule;
 * by default the completed Jobs among `jobs` themselves.
 */
export function detectRunawayJobs(jobs: JobState[], now: number, opts: RunawayOptions = {}, history: JobState[] = jobs): RunawayFinding[] {
  const o = { ...defaults, ...opts };
  const out: RunawayFinding[] = [];
  // Durations of finished runs per CronJob.
  const durations = new Map<string, number[]>();
  for (const j of history) {
    if (!j.cronJob || j.startTime === undefined || j.completionTime === undefined || j.failed > 0) continue;
    const key = `${j.namespace}/${j.cronJob}`;
    const list = durations.get(key) ?? [];
    list.push(j.completionTime - j.startTime);
    durations.set(key, list);
  }
  // KubeJobNotCompleted groups by (namespace, job_name, cluster) and takes the newest start time.
  const running = new Map<string, JobState>();
  for (const j of jobs) {
    if (!(j.active > 0) || j.startTime === undefined) continue;
    const key = `${j.cluster ?? ''}\u0000${j.namespace}\u0000${j.name}`;
    const prev = running.get(key);
    if (!prev || (prev.startTime ?? -Infinity) < j.startTime) running.set(key, j);
  }
  for (const j of running.values()) {
    const ran = now - j.startTime!;
    const stop = j.cronJob ? suspendCronJob(j.namespace, j.cronJob, `Job ${j.name} has run for ${humanDuration(ran)}; suspending its CronJob stops new runs piling up while it is looked at.`) : deleteJob(j.namespace, j.name, `Job ${j.name} has run for ${humanDuration(ran)}.`);
    if (ran > o.timeoutMs) {
      out.push({ id: `k8s-job:running-too-long:${j.namespace}/${j.name}`, kind: 'running-too-long', namespace: j.namespace, object: { kind: 'Job', name: j.name }, ...(j.cronJob ? { cronJob: j.cronJob } : {}), severity: 'warning', title: `Job ${j.namespace}/${j.name} is taking more than ${humanDuration(o.timeoutMs)} to complete`, detail: `It started ${humanDuration(ran)} ago and is still active.`, durationMs: ran, proposedAction: stop });
      continue;
    }
    const past = j.cronJob ? durations.get(`${j.namespace}/${j.cronJob}`) : undefined;
    if (past && past.length >= o.minHistory) {
      const p95 = quantile([...past].sort((a, b) => a - b), 0.95);
      const bound = Math.max(o.historyFactor * p95, p95 + o.historyMarginMs);
      if (ran > bound) {
        out.push({ id: `k8s-job:running-past-history:${j.namespace}/${j.name}`, kind: 'running-past-history', namespace: j.namespace, object: { kind: 'Job', name: j.name }, cronJob: j.cronJob, severity: 'warning', title: `Job ${j.namespace}/${j.name} runs far past its own history`, detail: `It has run ${humanDuration(ran)}; the last ${past.length} runs of ${j.cronJob} took at most ${humanDuration(Math.max(...past))} (p95 ${humanDuration(p95)}).`, durationMs: ran, proposedAction: stop });
        continue;
      }
    }
    if (j.deadlineKnown && j.activeDeadlineSeconds === undefined) {
      out.push({ id: `k8s-job:no-deadline:${j.namespace}/${j.name}`, kind: 'no-deadline', namespace: j.namespace, object: { kind: 'Job', name: j.name }, ...(j.cronJob ? { cronJob: j.cronJob } : {}), severity: 'info', title: `Job ${j.namespace}/${j.name} has no activeDeadlineSeconds`, detail: 'Nothing stops it if it hangs: set spec.activeDeadlineSeconds.', durationMs: ran });
    }
  }
  // KubeJobFailed: kube_job_failed > 0 held for 15 minutes.
  for (const j of jobs) {
    if (!(j.failed > 0) || j.failedSince === undefined) continue;
    const held = now - j.failedSince;
    if (held < o.failedForMs) continue;
    out.push({ id: `k8s-job:failed:${j.namespace}/${j.name}`, kind: 'failed', namespace: j.namespace, object: { kind: 'Job', name: j.name }, ...(j.cronJob ? { cronJob: j.cronJob } : {}), severity: 'warning', title: `Job ${j.namespace}/${j.name} failed to complete`, detail: `Failed for ${humanDuration(held)}; removing the failed Job after investigation clears it.`, durationMs: held, proposedAction: deleteJob(j.namespace, j.name, `Job ${j.name} failed ${humanDuration(held)} ago; its pods and logs should be read first.`) });
  }
  return out;
}

/** Overlapping CronJob runs: more than one active Job of one CronJob. */
export function overlappingCronJobs(snapshot: KubernetesSnapshot): RunawayFinding[] {
  const out: RunawayFinding[] = [];
  for (const c of snapshot.cronJobs) {
    if (c.active.length < 2) continue;
    out.push({ id: `k8s-job:overlapping-runs:${c.namespace}/${c.name}`, kind: 'overlapping-runs', namespace: c.namespace, object: { kind: 'CronJob', name: c.name }, cronJob: c.name, severity: 'warning', title: `CronJob ${c.namespace}/${c.name} has ${c.active.length} runs at once`, detail: `Active: ${c.active.slice(0, 5).join(', ')}${c.active.length > 5 ? '…' : ''} (concurrencyPolicy ${c.concurrencyPolicy}); each new run starts before the last one ends.`, proposedAction: c.suspend ? undefined : suspendCronJob(c.namespace, c.name, `Its runs overlap (${c.active.length} active); suspending stops new ones until the slow run is understood.`) });
  }
  return out;
}

/** Job states from the Job objects of a snapshot. */
export function jobStatesFromSnapshot(snapshot: KubernetesSnapshot): JobState[] {
  return snapshot.jobs.map((j) => {
    const failedCond = j.conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    return {
      namespace: j.namespace,
      name: j.name,
      ...(j.owner?.kind === 'CronJob' ? { cronJob: j.owner.name } : {}),
      startTime: j.startTime,
      completionTime: j.completionTime,
      active: j.active,
      failed: failedCond ? Math.max(1, j.failed) : 0,
      failedSince: failedCond ? (failedCond.lastTransitionTime ?? snapshot.takenAt) : undefined,
      activeDeadlineSeconds: j.activeDeadlineSeconds,
      deadlineKnown: true,
    };
  });
}

/** Prometheus's default lookback: an instant query sees a sample at most 5 minutes old. */
export const lookbackMs = 5 * MIN;

/** The value of a series at `t` as an instant query sees it (NaN values are staleness markers). */
export function valueAt(s: MetricSeries, t: number, lookback = lookbackMs): number | undefined {
  const ts = s.timestamps;
  let lo = 0;
  let hi = ts.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= t) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (idx < 0 || t - ts[idx] > lookback) return undefined;
  const v = s.values[idx];
  return Number.isNaN(v) ? undefined : v;
}

function jobKey(l: Record<string, string>): string {
  return `${l.cluster ?? ''}\u0000${l.namespace ?? ''}\u0000${l.job_name ?? ''}`;
}

/**
 * Job states at `t` from kube-state-metrics series (kube_job_status_start_time, kube_job_status_active,
 * kube_job_failed, kube_job_status_completion_time, kube_job_owner, kube_job_spec_active_deadline_seconds),
 * read as Prometheus reads them: the latest sample within the lookback, none after a staleness marker.
 * A failure's start is the first of the evaluations, `intervalMs` apart, that saw it without a break,
 * as a rule's `for` clause counts it.
 */
export function jobStatesFromMetrics(series: MetricSeries[], t: number, intervalMs = MIN): JobState[] {
  const by = new Map<string, { labels: Record<string, string>; start?: MetricSeries; active?: MetricSeries; failed?: MetricSeries[]; completion?: MetricSeries; deadline?: MetricSeries; owner?: string }>();
  for (const s of series) {
    const name = s.labels.__name__ ?? s.name;
    if (!s.labels.job_name) continue;
    const key = jobKey(s.labels);
    const e = by.get(key) ?? { labels: s.labels };
    if (name === 'kube_job_status_start_time') e.start = s;
    else if (name === 'kube_job_status_active') e.active = s;
    else if (name === 'kube_job_failed' || name === 'kube_job_status_failed') (e.failed ??= []).push(s);
    else if (name === 'kube_job_status_completion_time') e.completion = s;
    else if (name === 'kube_job_spec_active_deadline_seconds') e.deadline = s;
    else if (name === 'kube_job_owner' && s.labels.owner_kind === 'CronJob' && s.labels.owner_name) e.owner = s.labels.owner_name;
    else continue;
    by.set(key, e);
  }
  const failedAt = (list: MetricSeries[] | undefined, at: number): number => {
    let n = 0;
    for (const f of list ?? []) {
      // kube_job_failed carries condition="true"/"false"; only the true one counts.
      if (f.labels.condition && f.labels.condition !== 'true') continue;
      const v = valueAt(f, at);
      if (v !== undefined && v > 0) n += v;
    }
    return n;
  };
  const out: JobState[] = [];
  for (const e of by.values()) {
    const start = e.start ? valueAt(e.start, t) : undefined;
    const active = e.active ? valueAt(e.active, t) : undefined;
    const completion = e.completion ? valueAt(e.completion, t) : undefined;
    const failed = failedAt(e.failed, t);
    let failedSince: number | undefined;
    if (failed > 0) {
      failedSince = t;
      // Walk back over the evaluations while the condition held (bounded: a day of evaluations).
      for (let at = t - intervalMs, n = 0; at >= 0 && n < 1440 && failedAt(e.failed, at) > 0; at -= intervalMs, n++) failedSince = at;
    }
    const deadline = e.deadline ? valueAt(e.deadline, t) : undefined;
    out.push({
      namespace: e.labels.namespace ?? '',
      name: e.labels.job_name,
      ...(e.labels.cluster ? { cluster: e.labels.cluster } : {}),
      ...(e.owner ? { cronJob: e.owner } : {}),
      ...(start !== undefined ? { startTime: start * 1000 } : {}),
      ...(completion !== undefined ? { completionTime: completion * 1000 } : {}),
      active: active ?? 0,
      failed,
      ...(failedSince !== undefined ? { failedSince } : {}),
      ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
      // kube-state-metrics exports the deadline only when it is set, so its absence proves nothing.
      deadlineKnown: false,
    });
  }
  return out;
}

export interface IdleBurnerOptions {
  /** CPU (cores) a pod must keep above... */
  minCores?: number;
  /** ...while receiving less than this (bytes/s)... */
  maxRxBytesPerSecond?: number;
  /** ...for at least this share of the window. */
  minShare?: number;
}

/**
 * Pods burning CPU with no traffic: per pod, the share of samples where CPU (cores, a rate series per
 * pod) is above minCores while network receive (bytes/s per pod) is below maxRxBytesPerSecond.
 */
export function idleCpuBurners(cpu: MetricSeries[], rx: MetricSeries[], opts: IdleBurnerOptions = {}): RunawayFinding[] {
  const minCores = opts.minCores ?? 0.5;
  const maxRx = opts.maxRxBytesPerSecond ?? 1024;
  const minShare = opts.minShare ?? 0.8;
  const rxByPod = new Map(rx.map((s) => [`${s.labels.namespace}/${s.labels.pod}`, s]));
  const out: RunawayFinding[] = [];
  for (const c of cpu) {
    const ns = c.labels.namespace;
    const pod = c.labels.pod;
    if (!ns || !pod || c.values.length < 3) continue;
    const r = rxByPod.get(`${ns}/${pod}`);
    if (!r) continue;
    let burning = 0;
    let total = 0;
    for (let i = 0; i < c.timestamps.length; i++) {
      const traffic = valueAt(r, c.timestamps[i]);
      if (traffic === undefined || !Number.isFinite(c.values[i])) continue;
      total++;
      if (c.values[i] >= minCores && traffic < maxRx) burning++;
    }
    if (total < 3 || burning / total < minShare) continue;
    const cores = c.values.filter(Number.isFinite).reduce((a, b) => a + b, 0) / total;
    out.push({ id: `k8s-job:idle-cpu:${ns}/${pod}`, kind: 'idle-cpu', namespace: ns, object: { kind: 'Pod', name: pod }, severity: 'warning', title: `Pod ${ns}/${pod} burns CPU with no traffic`, detail: `${cores.toFixed(2)} cores on average over ${burning} of ${total} samples while receiving under ${maxRx} bytes/s.` });
  }
  return out;
}
