// The remediation flow, one plan from proposal to verified outcome:
//   suggestion -> policy (deny stops) -> environment checks -> dry-run (shown) -> approval when
//   required -> ledger entry on disk -> execute -> verify -> rollback offered or run on failure.
// Every step lands in the ledger. The plan is deep-frozen first, so the argv a person approves is
// byte for byte the argv that runs.

import { createHash, randomBytes } from 'node:crypto';
import type { PolicyDecision } from '../core/model';
import { errorMessage } from '../core/errors';
import { formatValue } from '../core/units';
import { evaluatePolicy } from '../policy/engine';
import type { AutonomyLevel, Policy } from '../policy/types';
import { checkPlanEnvironment, type EnvCheckOptions, type EnvCheckResult } from './envChecks';
import { describeExit, succeeded, type CommandExecutor, type ExecResult } from './executor';
import { canonicalJson, type Ledger } from './ledger';
import { displayArgv, freezePlan, type CommandPlan } from './plan';
import { pollVerification, type VerificationResult, type Verifier } from './verify';

export interface ApprovalRequest {
  kind: 'action' | 'rollback';
  /** Frozen: the argv shown is the argv that runs if approved. */
  plan: CommandPlan;
  decision: PolicyDecision;
  /** stdout and stderr of the dry-run or preview, when the tool has one. */
  dryRunOutput?: string;
  dryRunNote?: string;
  envCheck: EnvCheckResult;
  /** The argv as a person reads it (display only: it is never given to a shell). */
  commandLine: string;
}

/** Implemented by the VS Code layer (a modal dialog) and by tests (scripted answers). */
export interface Prompter {
  approve(request: ApprovalRequest): Promise<boolean>;
}

export interface FlowOutput {
  stream: 'stdout' | 'stderr' | 'info';
  text: string;
}

export type OutputSink = (chunk: FlowOutput) => void;

export interface RemediationDeps {
  policy: Policy;
  autonomy: AutonomyLevel;
  trusted: boolean;
  prompter: Prompter;
  executor: CommandExecutor;
  ledger: Ledger;
  /** Reads the plan's verification signal; without it, verification is skipped and said so. */
  verifier?: Verifier;
  output: OutputSink;
  envChecks?: EnvCheckOptions;
  now?: () => Date;
  signal?: AbortSignal;
  /** Per command; default 10 minutes. */
  commandTimeoutMs?: number;
  /** Recorded with the suggestion: which alert and hypothesis led here, and why. */
  origin?: { alertId?: string; hypothesis?: string; why?: string };
}

export type RemediationStatus =
  | 'denied'
  | 'blocked'
  | 'dry-run-failed'
  | 'dry-run-only'
  | 'rejected'
  | 'failed'
  | 'cancelled'
  | 'executed'
  | 'recovered'
  | 'not-recovered'
  | 'rolled-back'
  | 'rollback-failed';

export interface RollbackOutcome {
  decision: PolicyDecision;
  approved?: boolean;
  execution?: ExecResult;
  blockedBy?: string[];
}

export interface RemediationOutcome {
  status: RemediationStatus;
  message: string;
  decision?: PolicyDecision;
  envCheck?: EnvCheckResult;
  dryRun?: ExecResult;
  execution?: ExecResult;
  verification?: VerificationResult;
  rollback?: RollbackOutcome;
}

export function argvHash(argv: readonly string[]): string {
  return createHash('sha256').update(canonicalJson(argv)).digest('hex');
}

function summary(plan: CommandPlan) {
  return {
    actionId: plan.actionId,
    title: plan.title,
    tool: plan.tool,
    argv: plan.argv,
    argvHash: argvHash(plan.argv),
    cwd: plan.cwd,
    env: plan.env,
    target: plan.target,
    risk: plan.risk,
    blastRadius: plan.blastRadius,
    destructive: plan.destructive,
    dryRunArgv: plan.dryRunArgv,
    rollback: plan.rollback,
    verification: plan.verification,
  };
}

function execRecord(r: ExecResult) {
  return { argvHash: argvHash(r.argv), exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, cancelled: r.cancelled, spawnError: r.spawnError, outcome: describeExit(r) };
}

// The policy's hard limits apply here too, unless the caller sets its own.
function envCheckOptions(deps: RemediationDeps): EnvCheckOptions {
  return { executor: deps.executor, ...deps.envChecks, limits: deps.envChecks?.limits ?? deps.policy.limits };
}

function rollbackPlanOf(plan: CommandPlan): CommandPlan | undefined {
  if (!plan.rollback) return undefined;
  return freezePlan({
    actionId: `rollback:${plan.actionId}`,
    title: plan.rollback.description,
    tool: plan.tool,
    argv: plan.rollback.argv,
    cwd: plan.rollback.cwd ?? plan.cwd,
    env: plan.rollback.env ?? plan.env,
    target: plan.target,
    risk: plan.risk,
    blastRadius: plan.blastRadius,
    dryRunArgv: plan.rollback.dryRunArgv,
    destructive: false,
  });
}

export async function runRemediation(proposedPlan: CommandPlan, deps: RemediationDeps): Promise<RemediationOutcome> {
  const plan = freezePlan(proposedPlan);
  const now = deps.now ?? (() => new Date());
  const info = (text: string) => deps.output({ stream: 'info', text: text.endsWith('\n') ? text : `${text}\n` });
  // Every entry of this run carries its id and alert, so the ledger view and the export can tell the
  // runs of two windows apart and list an alert's actions.
  const runTag = { run: randomBytes(6).toString('hex'), ...(deps.origin?.alertId ? { alertId: deps.origin.alertId } : {}) };
  const log = (type: string, data: object) => deps.ledger.append(type, { ...data, ...runTag }, now());
  const timeoutMs = deps.commandTimeoutMs ?? 600_000;
  const run = (argv: readonly string[], p: CommandPlan) => {
    info(`$ ${displayArgv(argv)}`);
    return deps.executor.run({ argv, cwd: p.cwd, env: p.env, timeoutMs, signal: deps.signal, onOutput: (c) => deps.output(c) });
  };

  log('suggestion', { plan: summary(plan), origin: deps.origin });

  const decision = evaluatePolicy(plan, { autonomy: deps.autonomy, now: now(), trusted: deps.trusted }, deps.policy);
  // The engine already denies these; the flow does not rely on it alone.
  if ((!deps.trusted || deps.autonomy === 'observe') && decision.verdict !== 'deny') {
    decision.verdict = 'deny';
    decision.reasons.unshift(!deps.trusted ? 'The workspace is not trusted.' : 'Autonomy is "observe".');
  }
  log('policy-decision', { actionId: plan.actionId, argvHash: argvHash(plan.argv), ...decision });
  info(`policy: ${decision.verdict} (${decision.decidedBy}): ${decision.reasons.join(' ')}`);
  if (decision.verdict === 'deny') return { status: 'denied', decision, message: `Denied by ${decision.decidedBy}: ${decision.reasons.join(' ')}` };

  const envCheck = await checkPlanEnvironment(plan, envCheckOptions(deps));
  log('env-check', envCheck);
  if (!envCheck.ok) {
    info(`environment check failed: ${envCheck.problems.join(' ')}`);
    return { status: 'blocked', decision, envCheck, message: `Blocked by environment checks: ${envCheck.problems.join(' ')}` };
  }

  let dryRun: ExecResult | undefined;
  if (plan.dryRunArgv) {
    info(`dry-run${plan.dryRunNote ? ` (${plan.dryRunNote})` : ''}:`);
    dryRun = await run(plan.dryRunArgv, plan);
    log('dry-run', { ...execRecord(dryRun), argv: plan.dryRunArgv, stdout: dryRun.stdout.slice(0, 4000), stderr: dryRun.stderr.slice(0, 4000) });
    if (!succeeded(dryRun)) {
      const status = dryRun.cancelled ? 'cancelled' : 'dry-run-failed';
      return { status, decision, envCheck, dryRun, message: `The dry-run did not succeed (${describeExit(dryRun)}); the action was not run.` };
    }
  } else if (plan.dryRunNote) {
    info(`no dry-run: ${plan.dryRunNote}`);
  }
  if (decision.verdict === 'dry-run-only') {
    return { status: 'dry-run-only', decision, envCheck, dryRun, message: `Policy allows only a dry-run (${decision.decidedBy}); the action was not run.` };
  }

  if (decision.verdict === 'require-approval') {
    const request: ApprovalRequest = {
      kind: 'action',
      plan,
      decision,
      dryRunOutput: dryRun ? dryRun.stdout + dryRun.stderr : undefined,
      dryRunNote: plan.dryRunNote,
      envCheck,
      commandLine: displayArgv(plan.argv),
    };
    let approved = false;
    let error: string | undefined;
    try {
      approved = (await deps.prompter.approve(request)) === true;
    } catch (err) {
      error = errorMessage(err);
    }
    log(approved ? 'approval' : 'rejection', { kind: 'action', actionId: plan.actionId, argv: plan.argv, argvHash: argvHash(plan.argv), error });
    if (!approved) return { status: 'rejected', decision, envCheck, dryRun, message: error ? `Approval failed: ${error}` : 'Not approved; nothing was run.' };
  }

  // On disk before the process exists: if we crash mid-action, the ledger still says it started.
  log('execution-start', { actionId: plan.actionId, argv: plan.argv, argvHash: argvHash(plan.argv), cwd: plan.cwd, env: plan.env, decidedBy: decision.decidedBy });
  const execution = await run(plan.argv, plan);
  log('execution', { actionId: plan.actionId, ...execRecord(execution) });
  if (!succeeded(execution)) {
    const status = execution.cancelled ? 'cancelled' : 'failed';
    return { status, decision, envCheck, dryRun, execution, message: `The action did not succeed (${describeExit(execution)}).` };
  }

  if (!plan.verification) return { status: 'executed', decision, envCheck, dryRun, execution, message: 'The action ran; it has no verification to check.' };
  if (!deps.verifier) {
    log('verification', { ok: false, skipped: true, reason: 'no verifier available' });
    return { status: 'executed', decision, envCheck, dryRun, execution, message: 'The action ran; no verifier was available to check its effect.' };
  }
  info(`verifying: ${plan.verification.description}`);
  const verification = await pollVerification(plan.verification, deps.verifier, {
    signal: deps.signal,
    onSample: (s) => info(`  ${s.value !== undefined ? `value ${formatValue(s.value, plan.verification?.unit)}` : `error: ${s.error}`}`),
  });
  log('verification', { ok: verification.ok, reason: verification.reason, lastValue: verification.lastValue, samples: verification.samples.length, signal: plan.verification.signal, condition: plan.verification.condition });
  info(verification.ok ? `recovered: ${verification.reason}` : `not recovered: ${verification.reason}`);
  if (verification.ok) return { status: 'recovered', decision, envCheck, dryRun, execution, verification, message: `Recovered: ${verification.reason}` };

  const rollbackPlan = rollbackPlanOf(plan);
  if (!rollbackPlan) return { status: 'not-recovered', decision, envCheck, dryRun, execution, verification, message: `Not recovered, and the action has no rollback: ${verification.reason}` };
  const rollback = await runRollback(rollbackPlan, deps, { run, log, info, now, verificationReason: verification.reason });
  const status: RemediationStatus = rollback.execution ? (succeeded(rollback.execution) ? 'rolled-back' : 'rollback-failed') : 'not-recovered';
  const message =
    status === 'rolled-back'
      ? `Not recovered (${verification.reason}); rolled back.`
      : status === 'rollback-failed'
        ? `Not recovered (${verification.reason}); the rollback failed (${describeExit(rollback.execution as ExecResult)}).`
        : `Not recovered (${verification.reason}); rollback not run${rollback.blockedBy ? `: ${rollback.blockedBy.join(' ')}` : ''}.`;
  return { status, decision, envCheck, dryRun, execution, verification, rollback, message };
}

async function runRollback(
  plan: CommandPlan,
  deps: RemediationDeps,
  io: {
    run: (argv: readonly string[], p: CommandPlan) => Promise<ExecResult>;
    log: (type: string, data: object) => void;
    info: (text: string) => void;
    now: () => Date;
    verificationReason: string;
  },
): Promise<RollbackOutcome> {
  const decision = evaluatePolicy(plan, { autonomy: deps.autonomy, now: io.now(), trusted: deps.trusted }, deps.policy);
  io.log('policy-decision', { actionId: plan.actionId, argvHash: argvHash(plan.argv), ...decision });
  io.info(`rollback policy: ${decision.verdict} (${decision.decidedBy})`);
  if (decision.verdict === 'deny' || decision.verdict === 'dry-run-only') return { decision, blockedBy: [`policy ${decision.verdict} (${decision.decidedBy}).`, ...decision.reasons] };
  const envCheck = await checkPlanEnvironment(plan, envCheckOptions(deps));
  if (!envCheck.ok) {
    io.log('env-check', envCheck);
    return { decision, blockedBy: envCheck.problems };
  }
  let dryRunOutput: string | undefined;
  if (plan.dryRunArgv) {
    const dry = await io.run(plan.dryRunArgv, plan);
    io.log('dry-run', { ...execRecord(dry), argv: plan.dryRunArgv, kind: 'rollback' });
    if (!succeeded(dry)) return { decision, blockedBy: [`the rollback's dry-run did not succeed (${describeExit(dry)})`] };
    dryRunOutput = dry.stdout + dry.stderr;
  }
  let approved: boolean | undefined;
  if (decision.verdict === 'require-approval') {
    try {
      approved =
        (await deps.prompter.approve({
          kind: 'rollback',
          plan,
          decision: { ...decision, reasons: [`Verification failed: ${io.verificationReason}.`, ...decision.reasons] },
          dryRunOutput,
          envCheck,
          commandLine: displayArgv(plan.argv),
        })) === true;
    } catch {
      approved = false;
    }
    io.log(approved ? 'approval' : 'rejection', { kind: 'rollback', actionId: plan.actionId, argv: plan.argv, argvHash: argvHash(plan.argv) });
    if (!approved) return { decision, approved, blockedBy: ['the rollback was not approved'] };
  }
  io.log('execution-start', { actionId: plan.actionId, argv: plan.argv, argvHash: argvHash(plan.argv), kind: 'rollback' });
  const execution = await io.run(plan.argv, plan);
  io.log('rollback', { actionId: plan.actionId, ...execRecord(execution) });
  return { decision, approved, execution };
}
