// Kubernetes actions planned against real state. With a snapshot of the kube context in the plan context,
// a plan is checked against the object it targets before it exists: the Deployment must be there, a
// rollback goes to a revision its history has (the previous one, by number, when none is named), a scale
// stays within the HPA's bounds, and the blast radius is the real replica and pod count, never a count
// the proposal claims. The node, CronJob and Job actions (cordon, drain, suspend, delete) live here too.

import { KUBE_ACTION_IDS } from '../core/actions';
import type { KubernetesSnapshot, KubeWorkload } from '../core/kubernetes';
import type { ProposedAction } from '../core/model';
import type { PlanContext } from './catalog';
import { PlanError, validateContext, validateK8sName, validateNamespace, type CommandPlan } from './plan';
import { kubectlCordon, kubectlDeleteJob, kubectlDrain, kubectlSetResources, kubectlSuspendCronJob, type KubeTarget, type ResourceValues } from './wrappers/kubectl';

export const kubeActionIds = KUBE_ACTION_IDS;

type Params = ProposedAction['params'];

function contextOf(p: Params, ctx: PlanContext): string {
  if (!ctx.kubeContext) throw new PlanError(`No kube context is configured for environment "${ctx.environment}": refusing to act on whatever context kubectl happens to use.`);
  const context = validateContext(ctx.kubeContext);
  if (p.context !== undefined && String(p.context) !== context) throw new PlanError(`The proposal names kube context "${String(p.context)}", but environment "${ctx.environment}" uses "${context}".`);
  return context;
}

function namespacedTarget(p: Params, ctx: PlanContext, nameParam: string, what: string): KubeTarget {
  const name = p[nameParam];
  if (name === undefined || name === '') throw new PlanError(`Missing parameter "${nameParam}" (${what}).`);
  return { service: validateK8sName(String(name), what), namespace: validateNamespace(String(p.namespace ?? ctx.namespace ?? '')), context: contextOf(p, ctx), environment: ctx.environment, tier: ctx.tier, cluster: ctx.cluster };
}

function snapshotOf(ctx: PlanContext): KubernetesSnapshot | undefined {
  const s = ctx.kubernetes;
  if (s && ctx.kubeContext && s.context !== ctx.kubeContext) throw new PlanError(`The Kubernetes state at hand is of context "${s.context}", not "${ctx.kubeContext}": the plan cannot be checked against its target.`);
  return s;
}

function when(s: KubernetesSnapshot): string {
  return new Date(s.takenAt).toISOString().slice(11, 19);
}

function findWorkload(s: KubernetesSnapshot, namespace: string, name: string, kind = 'Deployment'): KubeWorkload {
  const w = s.workloads.find((x) => x.kind === kind && x.namespace === namespace && x.name === name);
  if (!w) {
    const there = s.workloads.filter((x) => x.kind === kind && x.namespace === namespace).map((x) => x.name);
    throw new PlanError(`There is no ${kind} ${namespace}/${name} in kube context "${s.context}" (read at ${when(s)}${there.length ? `; it has ${there.slice(0, 8).join(', ')}` : ''}).`);
  }
  return w;
}

const workloadActions = new Set(['rollback-deploy', 'restart', 'scale', 'pause-rollout', 'set-resources']);

/**
 * The proposal's parameters checked against, and completed from, the snapshot in the plan context
 * (when there is one): real replica counts, the named previous revision, the HPA's bounds.
 */
export function groundInKubeState(proposed: ProposedAction, ctx: PlanContext): { params: Params; ctx: PlanContext } {
  const s = snapshotOf(ctx);
  const p: Params = { ...(proposed.params ?? {}) };
  const tool = String(p.tool ?? ctx.rollbackTool ?? 'kubectl');
  if (!s || !workloadActions.has(proposed.actionId) || (proposed.actionId === 'rollback-deploy' && tool !== 'kubectl') || p.service === undefined) return { params: p, ctx };
  const namespace = validateNamespace(String(p.namespace ?? ctx.namespace ?? ''));
  const w = findWorkload(s, namespace, validateK8sName(String(p.service), 'Service'), proposed.actionId === 'set-resources' && p.kind ? String(p.kind) : 'Deployment');
  // The real count replaces whatever the proposal claims.
  p.replicas = proposed.actionId === 'scale' ? p.replicas : w.replicas;
  let out = ctx;
  if (proposed.actionId === 'rollback-deploy') {
    const live = w.revision;
    if (p.revision !== undefined) {
      const wanted = Number(p.revision);
      if (!w.history.some((h) => h.revision === wanted)) throw new PlanError(`Deployment ${namespace}/${w.name} has no revision ${String(p.revision)} (its history: ${w.history.map((h) => h.revision).join(', ') || 'empty'}).`);
      if (wanted === live) throw new PlanError(`Revision ${wanted} is the one Deployment ${namespace}/${w.name} runs now; rolling back to it changes nothing.`);
    } else {
      const previous = w.history.find((h) => live === undefined || h.revision < live);
      if (!previous) throw new PlanError(`Deployment ${namespace}/${w.name} has no earlier revision to roll back to.`);
      p.revision = previous.revision;
    }
  }
  if (proposed.actionId === 'scale') {
    p.currentReplicas = w.replicas;
    const hpa = s.hpas.find((h) => h.namespace === namespace && h.target.kind === w.kind && h.target.name === w.name);
    if (hpa) out = { ...ctx, scaleBounds: { min: hpa.minReplicas, max: hpa.maxReplicas } };
  }
  return { params: p, ctx: out };
}

function podsOnNode(s: KubernetesSnapshot | undefined, node: string): number | undefined {
  if (!s) return undefined;
  if (!s.nodes.some((n) => n.name === node)) throw new PlanError(`There is no node ${node} in kube context "${s.context}" (read at ${when(s)}).`);
  // Namespace-scoped snapshots see only their own pods: then the count is unknown, not small.
  return s.namespaces.length ? undefined : s.pods.filter((p) => p.node === node && p.phase !== 'Succeeded' && p.phase !== 'Failed').length;
}

const quantityPattern = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

function quantity(v: unknown, what: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  const s = String(v);
  if (!quantityPattern.test(s)) throw new PlanError(`${what} ${JSON.stringify(s)} is not a Kubernetes quantity such as 250m, 1, 512Mi or 2Gi.`);
  return s;
}

function cores(n: number | undefined): string | undefined {
  return n === undefined ? undefined : `${Math.round(n * 1000)}m`;
}

function mib(n: number | undefined): string | undefined {
  return n === undefined ? undefined : `${Math.round(n / 2 ** 20)}Mi`;
}

/** Plans the Kubernetes actions that are not the catalog's own (node, CronJob, Job, resources). */
export function planKubeAction(proposed: ProposedAction, ctx: PlanContext): CommandPlan {
  const p = proposed.params ?? {};
  const kubectl = ctx.tools?.kubectl ?? 'kubectl';
  const s = snapshotOf(ctx);
  switch (proposed.actionId) {
    case 'cordon-node':
    case 'drain-node': {
      const node = validateK8sName(String(p.node ?? ''), 'Node');
      const t = { node, context: contextOf(p, ctx), environment: ctx.environment, cluster: ctx.cluster };
      const pods = podsOnNode(s, node);
      const plan = proposed.actionId === 'cordon-node' ? kubectlCordon(kubectl, t, { pods: pods ?? 0, verification: ctx.verification }) : kubectlDrain(kubectl, t, { pods: pods ?? 0, verification: ctx.verification });
      return pods === undefined ? { ...plan, blastRadius: { unknown: true, description: `${plan.blastRadius.description.replace(/\d+ pods?/, 'an unknown number of pods')} (the pods of other namespaces were not read)` } } : plan;
    }
    case 'suspend-cronjob': {
      const t = namespacedTarget(p, ctx, 'cronjob', 'CronJob');
      if (s && !s.cronJobs.some((c) => c.namespace === t.namespace && c.name === t.service)) throw new PlanError(`There is no CronJob ${t.namespace}/${t.service} in kube context "${s.context}" (read at ${when(s)}).`);
      return kubectlSuspendCronJob(kubectl, t, { suspend: p.suspend === undefined ? true : String(p.suspend) !== 'false', verification: ctx.verification });
    }
    case 'delete-job': {
      const t = namespacedTarget(p, ctx, 'job', 'Job');
      if (s && !s.jobs.some((j) => j.namespace === t.namespace && j.name === t.service)) throw new PlanError(`There is no Job ${t.namespace}/${t.service} in kube context "${s.context}" (read at ${when(s)}).`);
      const pods = s ? s.pods.filter((x) => x.namespace === t.namespace && x.owner?.kind === 'Job' && x.owner.name === t.service).length : undefined;
      const plan = kubectlDeleteJob(kubectl, t, { pods: pods ?? 0, verification: ctx.verification });
      return pods === undefined ? { ...plan, blastRadius: { unknown: true, description: 'deletes the Job and its pods; how many pods is unknown without the cluster state' } } : plan;
    }
    case 'set-resources': {
      const kind = String(p.kind ?? 'Deployment');
      if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(kind)) throw new PlanError(`Kind ${JSON.stringify(kind)} is not a workload kind (Deployment, StatefulSet, DaemonSet).`);
      const t = { ...namespacedTarget(p, ctx, 'service', 'the workload to change'), kind };
      const container = validateK8sName(String(p.container ?? ''), 'Container');
      const to: ResourceValues = { cpuRequest: quantity(p.cpuRequest, 'CPU request'), memoryRequest: quantity(p.memoryRequest, 'Memory request'), cpuLimit: quantity(p.cpuLimit, 'CPU limit'), memoryLimit: quantity(p.memoryLimit, 'Memory limit') };
      if (!Object.values(to).some(Boolean)) throw new PlanError('A resource change needs at least one of cpuRequest, memoryRequest, cpuLimit, memoryLimit.');
      let from: ResourceValues | undefined;
      let replicas: number | undefined;
      if (s) {
        const w = findWorkload(s, t.namespace, t.service, kind);
        const c = w.containers.find((x) => x.name === container);
        if (!c) throw new PlanError(`${kind} ${t.namespace}/${t.service} has no container ${container} (it has ${w.containers.map((x) => x.name).join(', ')}).`);
        replicas = w.replicas;
        const r = c.resources;
        from = { cpuRequest: to.cpuRequest ? cores(r?.requests?.cpu) : undefined, memoryRequest: to.memoryRequest ? mib(r?.requests?.memory) : undefined, cpuLimit: to.cpuLimit ? cores(r?.limits?.cpu) : undefined, memoryLimit: to.memoryLimit ? mib(r?.limits?.memory) : undefined };
        // A value the container did not set cannot be restored by `set resources`: no rollback then.
        if (Object.entries(to).some(([k, v]) => v && !from![k as keyof ResourceValues])) from = undefined;
      }
      return kubectlSetResources(kubectl, t, { container, to, from, replicas, verification: ctx.verification });
    }
    default:
      throw new PlanError(`Unknown Kubernetes action "${proposed.actionId}".`);
  }
}
