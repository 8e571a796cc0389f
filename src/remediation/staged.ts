// Staged and reversible changes: a scale-down (or a request change) goes out in steps, none above a
// share of the value it starts from (default 25 %), each step through the same policy, approval, dry-run,
// verification and rollback as any action (flow.ts), and the whole change in the ledger. A step whose
// verification fails is rolled back by its own rollback, and no further step runs: what was verified
// stays, what was not goes back.

import type { Verification, VerificationCheck, CommandPlan } from './plan';
import { PlanError } from './plan';
import { runRemediation, type RemediationDeps, type RemediationOutcome, type RemediationStatus } from './flow';

export interface StepPlan {
  /** Values after each step, in order (the first step starts from `from`). */
  steps: number[];
  /** Set when the steps stop short of the target: why. */
  stoppedShort?: string;
}

/**
 * The steps from `from` to `to`, none changing the value by more than `maxShare` of the value it starts
 * from. Integers (replicas) round each step toward the start, so no step exceeds the share; when even one
 * unit would, the steps stop there and say so. Quantities (millicores, MiB) round to `unit`.
 */
export function stagedSteps(from: number, to: number, maxShare = 0.25, opts: { integer?: boolean; unit?: number } = {}): StepPlan {
  if (!(maxShare > 0 && maxShare <= 1)) throw new PlanError(`The largest step must be a share between 0 and 1 of the current value, not ${maxShare}.`);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from < 0 || to < 0) throw new PlanError(`A staged change needs two values of 0 or more, not ${from} and ${to}.`);
  const integer = opts.integer ?? false;
  const unit = opts.unit ?? 1;
  const steps: number[] = [];
  let current = from;
  for (let guard = 0; current !== to && guard < 1000; guard++) {
    const room = current * maxShare;
    const allowed = integer ? Math.floor(room + 1e-9) : Math.floor(room / unit + 1e-9) * unit;
    if (allowed <= 0) {
      const one = integer ? 1 : unit;
      return { steps, stoppedShort: `from ${current}, even the smallest step (${one}) is ${Math.round((one / Math.max(current, 1e-9)) * 100)} % of it, above the ${Math.round(maxShare * 100)} % a step may change; raise the share to go further` };
    }
    const next = to < current ? Math.max(to, current - allowed) : Math.min(to, current + allowed);
    steps.push(integer ? Math.round(next) : Math.round(next / unit) * unit);
    current = steps[steps.length - 1];
  }
  return { steps };
}

export interface WorkloadVerificationOptions {
  namespace: string;
  workload: string;
  /** The service name its traces carry (the workload's name by default). */
  service?: string;
  /** The p95 latency (s) a step must stay under: the baseline before the change times 2, at least +0.25 s. */
  latencyP95Seconds?: number;
  errorRatio?: number;
  /** How long each step must hold. */
  holdMs?: number;
  intervalMs?: number;
  /** Include the PromQL checks (throttling, OOM kills) that need cAdvisor and kube-state-metrics. */
  kubernetesMetrics?: boolean;
}

function podRegex(workload: string): string {
  return `${workload.replace(/[.]/g, '\\.')}-.*`;
}

/** What a step of a scale-down or request change must keep: no throttling, no OOM kill, latency and errors. */
export function workloadVerification(o: WorkloadVerificationOptions): Verification {
  const service = o.service ?? o.workload;
  const sel = `namespace=${JSON.stringify(o.namespace)},pod=~${JSON.stringify(podRegex(o.workload))}`;
  const checks: VerificationCheck[] = [{ description: `${service} error ratio under ${Math.round((o.errorRatio ?? 0.05) * 100)} %`, signal: { kind: 'error-ratio', service, windowMs: 10_000 }, condition: { op: '<', value: o.errorRatio ?? 0.05 } }];
  if (o.kubernetesMetrics) {
    checks.push(
      // A missing series (no CPU limit, no kill) is no throttling and no kill: `or vector(0)`.
      { description: `CPU throttling of ${o.workload} under 25 %`, signal: { kind: 'promql', query: `(sum(rate(container_cpu_cfs_throttled_periods_total{${sel}}[1m])) / sum(rate(container_cpu_cfs_periods_total{${sel}}[1m]))) or vector(0)` }, condition: { op: '<', value: 0.25 } },
      { description: `no OOM kill in ${o.workload}`, signal: { kind: 'promql', query: `(sum(increase(kube_pod_container_status_restarts_total{${sel}}[2m]) * on (namespace, pod, container) group_left max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled",${sel}}))) or vector(0)` }, condition: { op: '<', value: 1 } },
    );
  }
  const latency = o.latencyP95Seconds ?? 1;
  return {
    description: `${service} p95 latency under ${Math.round(latency * 1000)} ms`,
    signal: { kind: 'latency-p95', service, windowMs: 10_000 },
    condition: { op: '<', value: latency },
    checks,
    holdMs: o.holdMs ?? 60_000,
    timeoutMs: o.holdMs ?? 60_000,
    intervalMs: o.intervalMs ?? 3_000,
  };
}

/** The latency bound a step must keep, from the latency before the change: twice it, and at least 250 ms more. */
export function latencyBound(baselineP95Seconds: number): number {
  return Math.max(baselineP95Seconds * 2, baselineP95Seconds + 0.25);
}

export interface StagedChange {
  /** What is changed, for people and the ledger: "replicas of deployment/recommend". */
  what: string;
  from: number;
  to: number;
  maxStepShare: number;
  integer: boolean;
  unit?: number;
  /** Builds the plan of one step (its rollback returns to `previous`). */
  planStep(value: number, previous: number, index: number): CommandPlan | Promise<CommandPlan>;
  verification?: Verification;
}

export interface StagedStepOutcome {
  index: number;
  from: number;
  to: number;
  outcome: RemediationOutcome;
}

export type StagedStatus = 'completed' | 'stopped-short' | 'rolled-back' | 'stopped';

export interface StagedOutcome {
  status: StagedStatus;
  /** The value it was left at. */
  value: number;
  steps: StagedStepOutcome[];
  plan: StepPlan;
  message: string;
}

const moving: RemediationStatus[] = ['recovered', 'executed'];

/** Runs a staged change step by step through the remediation flow. */
export async function runStaged(change: StagedChange, deps: RemediationDeps): Promise<StagedOutcome> {
  const plan = stagedSteps(change.from, change.to, change.maxStepShare, { integer: change.integer, unit: change.unit });
  const now = deps.now ?? (() => new Date());
  const log = (type: string, data: unknown) => deps.ledger.append(type, data, now());
  const info = (text: string) => deps.output({ stream: 'info', text: `${text}\n` });
  log('staged-plan', { what: change.what, from: change.from, to: change.to, maxStepShare: change.maxStepShare, steps: plan.steps, stoppedShort: plan.stoppedShort, origin: deps.origin });
  info(`staged: ${change.what} ${change.from} -> ${change.to} in ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} (${[change.from, ...plan.steps].join(' -> ')}), none above ${Math.round(change.maxStepShare * 100)} %${plan.stoppedShort ? `; stops short: ${plan.stoppedShort}` : ''}`);
  const done: StagedStepOutcome[] = [];
  let value = change.from;
  const finish = (status: StagedStatus, message: string): StagedOutcome => {
    log('staged-outcome', { what: change.what, status, value, steps: done.map((s) => ({ index: s.index, from: s.from, to: s.to, status: s.outcome.status })), message });
    info(`staged: ${message}`);
    return { status, value, steps: done, plan, message };
  };
  for (const [i, next] of plan.steps.entries()) {
    if (deps.signal?.aborted) return finish('stopped', `cancelled before step ${i + 1}; ${change.what} stays at ${value}`);
    info(`staged: step ${i + 1} of ${plan.steps.length}: ${value} -> ${next}`);
    let step: CommandPlan;
    try {
      step = await change.planStep(next, value, i);
    } catch (err) {
      return finish('stopped', `step ${i + 1} (${value} -> ${next}) could not be planned: ${err instanceof Error ? err.message : String(err)}; ${change.what} stays at ${value}`);
    }
    const outcome = await runRemediation(change.verification ? { ...step, verification: change.verification } : step, { ...deps, origin: { ...deps.origin, why: `${deps.origin?.why ?? change.what}: step ${i + 1} of ${plan.steps.length} (${value} -> ${next})` } });
    done.push({ index: i + 1, from: value, to: next, outcome });
    log('staged-step', { what: change.what, index: i + 1, from: value, to: next, status: outcome.status, verification: outcome.verification?.reason });
    if (moving.includes(outcome.status)) {
      value = next;
      continue;
    }
    if (outcome.status === 'rolled-back') return finish('rolled-back', `step ${i + 1} (${value} -> ${next}) failed its verification (${outcome.verification?.reason}); it was rolled back, and ${change.what} stays at ${value}, the last verified step`);
    if (outcome.status === 'not-recovered' || outcome.status === 'rollback-failed') {
      value = next;
      return finish('stopped', `step ${i + 1} (${outcome.status}): ${outcome.message} ${change.what} may be at ${next}; check it`);
    }
    return finish('stopped', `step ${i + 1} did not run (${outcome.status}: ${outcome.message}); ${change.what} stays at ${value}`);
  }
  return plan.stoppedShort ? finish('stopped-short', `${change.what} is at ${value}, verified at every step; it stopped short of ${change.to}: ${plan.stoppedShort}`) : finish('completed', `${change.what} is at ${value}, verified at every step`);
}
