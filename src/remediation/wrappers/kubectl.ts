// kubectl command descriptions and the parser for the one-line results kubectl prints for them
// ("deployment.apps/checkout rolled back (server dry run)").

import { type CommandPlan, type Verification } from '../plan';

export interface KubeTarget {
  service: string;
  namespace: string;
  context: string;
  environment: string;
  tier?: string;
  cluster?: string;
}

export const kubectlEnv = ['KUBECONFIG'];

function scope(t: KubeTarget): string[] {
  return ['-n', t.namespace, '--context', t.context];
}

function target(t: KubeTarget): CommandPlan['target'] {
  return { context: t.context, cluster: t.cluster, namespace: t.namespace, service: t.service, environment: t.environment, tier: t.tier };
}

function pods(replicas: number | undefined, what: string): CommandPlan['blastRadius'] {
  return replicas === undefined
    ? { unknown: true, description: `${what}; the number of pods is unknown` }
    : { pods: replicas, replicas, description: `${what} (${replicas} pod${replicas === 1 ? '' : 's'})` };
}

export function kubectlRolloutUndo(kubectl: string, t: KubeTarget, opts: { toRevision?: number; replicas?: number; verification?: Verification }): CommandPlan {
  const resource = `deployment/${t.service}`;
  const argv = [kubectl, 'rollout', 'undo', resource, ...scope(t)];
  if (opts.toRevision !== undefined) argv.push(`--to-revision=${opts.toRevision}`);
  return {
    actionId: 'rollback-deploy',
    title: `Roll back ${resource} in ${t.namespace}${opts.toRevision !== undefined ? ` to revision ${opts.toRevision}` : ' to its previous revision'}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: 'medium',
    blastRadius: pods(opts.replicas, `replaces every pod of ${resource}`),
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    // Undoing an undo returns to the revision that was live before.
    rollback: { description: `Undo the rollback: return ${resource} to the revision it had before`, argv: [kubectl, 'rollout', 'undo', resource, ...scope(t)], dryRunArgv: [kubectl, 'rollout', 'undo', resource, ...scope(t), '--dry-run=server'] },
    destructive: false,
  };
}

export function kubectlRolloutRestart(kubectl: string, t: KubeTarget, opts: { replicas?: number; verification?: Verification }): CommandPlan {
  const resource = `deployment/${t.service}`;
  const argv = [kubectl, 'rollout', 'restart', resource, ...scope(t)];
  return {
    actionId: 'restart',
    title: `Restart ${resource} in ${t.namespace}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: 'low',
    blastRadius: pods(opts.replicas, `restarts every pod of ${resource}, one surge at a time`),
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    destructive: false,
  };
}

export function kubectlScale(kubectl: string, t: KubeTarget, opts: { replicas: number; currentReplicas?: number; verification?: Verification }): CommandPlan {
  const resource = `deployment/${t.service}`;
  const argv = [kubectl, 'scale', resource, `--replicas=${opts.replicas}`, ...scope(t)];
  // Scaling to 0 stops every pod: its impact is the whole current count, and a claimed current count
  // of 0 is not believed (it would make "scale to 0" look like no change at all).
  const toZero = opts.replicas === 0;
  const delta = opts.currentReplicas === undefined || (toZero && opts.currentReplicas === 0) ? undefined : Math.abs(opts.replicas - opts.currentReplicas);
  return {
    actionId: 'scale',
    title: `Scale ${resource} in ${t.namespace} to ${opts.replicas} replicas`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: toZero ? 'high' : opts.currentReplicas !== undefined && opts.replicas < opts.currentReplicas ? 'medium' : 'low',
    blastRadius:
      delta === undefined
        ? { unknown: true, description: `sets ${resource} to ${opts.replicas} replicas; the current count is ${toZero && opts.currentReplicas === 0 ? 'claimed to be 0, which is not believed for a scale to 0' : 'unknown'}` }
        : { pods: delta, replicas: delta, description: `${opts.replicas > (opts.currentReplicas ?? 0) ? 'starts' : 'stops'} ${delta} pod${delta === 1 ? '' : 's'} (${opts.currentReplicas} -> ${opts.replicas} replicas)` },
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    rollback:
      opts.currentReplicas === undefined
        ? undefined
        : { description: `Scale ${resource} back to ${opts.currentReplicas} replicas`, argv: [kubectl, 'scale', resource, `--replicas=${opts.currentReplicas}`, ...scope(t)] },
    destructive: false,
  };
}

export function kubectlRolloutPause(kubectl: string, t: KubeTarget, opts: { verification?: Verification }): CommandPlan {
  const resource = `deployment/${t.service}`;
  return {
    actionId: 'pause-rollout',
    title: `Pause the rollout of ${resource} in ${t.namespace}`,
    tool: 'kubectl',
    argv: [kubectl, 'rollout', 'pause', resource, ...scope(t)],
    env: kubectlEnv,
    target: target(t),
    risk: 'low',
    blastRadius: { pods: 0, replicas: 0, description: `no pod restarts; new changes to ${resource} wait until it is resumed` },
    // `kubectl rollout pause` has no --dry-run; the read-only rollout status is the preview.
    dryRunArgv: [kubectl, 'rollout', 'status', resource, ...scope(t), '--watch=false'],
    dryRunNote: 'kubectl rollout pause has no dry-run; the preview is the current rollout status.',
    verification: opts.verification,
    rollback: { description: `Resume the rollout of ${resource}`, argv: [kubectl, 'rollout', 'resume', resource, ...scope(t)] },
    destructive: false,
  };
}

export interface KubectlResult {
  kind: string;
  name: string;
  /** What kubectl says it did: "rolled back", "restarted", "scaled", "paused", "resumed", "skipped rollback". */
  outcome: string;
  dryRun?: 'server' | 'client';
  detail?: string;
}

const resultLine = /^([a-z0-9.-]+)\/([a-z0-9.-]+) (rolled back|restarted|scaled|paused|resumed|skipped rollback|already paused|already resumed)(?: \((server|client) dry run\))?(?: \((.*)\))?\s*$/;

/** Parses the result lines kubectl prints for rollout undo/restart/pause/resume and scale. */
export function parseKubectlResult(output: string): KubectlResult[] {
  const out: KubectlResult[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = resultLine.exec(line.trim());
    if (m) out.push({ kind: m[1], name: m[2], outcome: m[3], dryRun: m[4] as KubectlResult['dryRun'], detail: m[5] });
  }
  return out;
}
