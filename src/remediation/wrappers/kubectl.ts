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

/** A node-scoped target: cordon and drain name a node and a context, no namespace. */
export interface KubeNodeTarget {
  node: string;
  context: string;
  environment: string;
  cluster?: string;
}

function nodeTarget(t: KubeNodeTarget): CommandPlan['target'] {
  return { context: t.context, cluster: t.cluster, environment: t.environment, service: t.node };
}

export function kubectlCordon(kubectl: string, t: KubeNodeTarget, opts: { pods: number; verification?: Verification }): CommandPlan {
  const argv = [kubectl, 'cordon', t.node, '--context', t.context];
  return {
    actionId: 'cordon-node',
    title: `Cordon node ${t.node}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: nodeTarget(t),
    risk: 'medium',
    // Cordoning stops no pod, but every pod of the node loses its place to reschedule.
    blastRadius: { pods: opts.pods, replicas: 0, description: `no pod stops; new pods stay off ${t.node}, which runs ${opts.pods} pod${opts.pods === 1 ? '' : 's'}` },
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    rollback: { description: `Uncordon node ${t.node}`, argv: [kubectl, 'uncordon', t.node, '--context', t.context] },
    destructive: false,
  };
}

export function kubectlDrain(kubectl: string, t: KubeNodeTarget, opts: { pods: number; verification?: Verification }): CommandPlan {
  // Never --force or --disable-eviction: evictions honour PodDisruptionBudgets, and unmanaged pods stop the drain.
  const argv = [kubectl, 'drain', t.node, '--context', t.context, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'];
  return {
    actionId: 'drain-node',
    title: `Drain node ${t.node} (${opts.pods} pod${opts.pods === 1 ? '' : 's'})`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: nodeTarget(t),
    risk: 'high',
    blastRadius: { pods: opts.pods, replicas: opts.pods, description: `evicts ${opts.pods} pod${opts.pods === 1 ? '' : 's'} from ${t.node}, honouring their disruption budgets` },
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    // Pods evicted do not come back; uncordoning lets new ones be scheduled there again.
    rollback: { description: `Uncordon node ${t.node} (evicted pods are not moved back)`, argv: [kubectl, 'uncordon', t.node, '--context', t.context] },
    destructive: true,
  };
}

export interface ResourceValues {
  cpuRequest?: string;
  memoryRequest?: string;
  cpuLimit?: string;
  memoryLimit?: string;
}

function resourceFlags(v: ResourceValues): string[] {
  const req = [v.cpuRequest ? `cpu=${v.cpuRequest}` : '', v.memoryRequest ? `memory=${v.memoryRequest}` : ''].filter(Boolean).join(',');
  const lim = [v.cpuLimit ? `cpu=${v.cpuLimit}` : '', v.memoryLimit ? `memory=${v.memoryLimit}` : ''].filter(Boolean).join(',');
  return [...(req ? [`--requests=${req}`] : []), ...(lim ? [`--limits=${lim}`] : [])];
}

/** `kubectl set resources` on one container of a workload; the rollback sets the values it had before. */
export function kubectlSetResources(kubectl: string, t: KubeTarget & { kind: string }, opts: { container: string; to: ResourceValues; from?: ResourceValues; replicas?: number; verification?: Verification }): CommandPlan {
  const resource = `${t.kind.toLowerCase()}/${t.service}`;
  const argv = [kubectl, 'set', 'resources', resource, '-c', opts.container, ...resourceFlags(opts.to), ...scope(t)];
  const back = opts.from ? resourceFlags(opts.from) : [];
  return {
    actionId: 'set-resources',
    title: `Set the resources of ${resource} container ${opts.container} in ${t.namespace}: ${resourceFlags(opts.to).join(' ')}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: 'medium',
    blastRadius: pods(opts.replicas, `rolls every pod of ${resource} to the new resources`),
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    rollback: back.length ? { description: `Set ${resource} container ${opts.container} back to ${back.join(' ')}`, argv: [kubectl, 'set', 'resources', resource, '-c', opts.container, ...back, ...scope(t)] } : undefined,
    destructive: false,
  };
}

export function kubectlSuspendCronJob(kubectl: string, t: KubeTarget, opts: { suspend: boolean; verification?: Verification }): CommandPlan {
  const resource = `cronjob/${t.service}`;
  const patch = (v: boolean) => JSON.stringify({ spec: { suspend: v } });
  const argv = [kubectl, 'patch', resource, '--type=merge', '-p', patch(opts.suspend), ...scope(t)];
  return {
    actionId: 'suspend-cronjob',
    title: `${opts.suspend ? 'Suspend' : 'Resume'} ${resource} in ${t.namespace}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: 'low',
    blastRadius: { pods: 0, replicas: 0, description: `no running Job stops; ${opts.suspend ? 'no new Job starts' : 'new Jobs start on schedule again'}` },
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    rollback: { description: `${opts.suspend ? 'Resume' : 'Suspend'} ${resource} again`, argv: [kubectl, 'patch', resource, '--type=merge', '-p', patch(!opts.suspend), ...scope(t)] },
    destructive: false,
  };
}

export function kubectlDeleteJob(kubectl: string, t: KubeTarget, opts: { pods: number; verification?: Verification }): CommandPlan {
  const resource = `job/${t.service}`;
  const argv = [kubectl, 'delete', resource, '--cascade=foreground', ...scope(t)];
  return {
    actionId: 'delete-job',
    title: `Delete ${resource} in ${t.namespace}`,
    tool: 'kubectl',
    argv,
    env: kubectlEnv,
    target: target(t),
    risk: 'high',
    blastRadius: { pods: opts.pods, replicas: 0, description: `deletes the Job and its ${opts.pods} pod${opts.pods === 1 ? '' : 's'}; its logs go with them` },
    dryRunArgv: [...argv, '--dry-run=server'],
    verification: opts.verification,
    destructive: true,
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
