// Kubernetes state as evidence: crash loops with the last termination reason and exit code, image pulls
// that fail with the registry's error, failing readiness and liveness probes, pods Pending with the
// scheduler's reason, CPU throttling, node pressure, rollouts stuck past their deadline or in progress,
// HPAs at their maximum, and the runaway jobs of runawayJobs.ts. Each finding has a content-derived id
// and, where the state grounds one, catalog actions with their parameters taken from that state (the
// previous revision by number, the HPA's bounds, the node's pods).

import type { KubeFinding, KubePod, KubernetesSnapshot, KubeWorkload } from '../../core/kubernetes';
import type { MetricSeries } from '../../core/model';
import { detectRunawayJobs, jobStatesFromSnapshot, overlappingCronJobs, type RunawayFinding } from './runawayJobs';


function workloadKey(ns: string, w: { kind: string; name: string } | undefined, pod: string): string {
  return w ? `${ns}/${w.kind}/${w.name}` : `${ns}/Pod/${pod}`;
}

function list(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function gib(bytes: number | undefined): string {
  if (bytes === undefined) return 'no limit';
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

interface Group {
  namespace: string;
  workload?: { kind: string; name: string };
  container: string;
  reason: string;
  pods: KubePod[];
  exitCodes: Set<number>;
  restarts: number;
  time?: number;
  limit?: number;
  message?: string;
}

/** Pods in CrashLoopBackOff, grouped by workload, container and the last termination reason. */
function crashLoops(s: KubernetesSnapshot): KubeFinding[] {
  const groups = new Map<string, Group>();
  for (const p of s.pods) {
    for (const c of [...p.containers, ...(p.initContainers ?? [])]) {
      if (c.reason !== 'CrashLoopBackOff') continue;
      const reason = c.lastTermination?.reason ?? 'unknown';
      const key = `${workloadKey(p.namespace, p.workload, p.name)}/${c.name}/${reason}`;
      const g = groups.get(key) ?? { namespace: p.namespace, workload: p.workload, container: c.name, reason, pods: [], exitCodes: new Set<number>(), restarts: 0, limit: c.resources?.limits?.memory };
      g.pods.push(p);
      if (c.lastTermination?.exitCode !== undefined) g.exitCodes.add(c.lastTermination.exitCode);
      g.restarts += c.restartCount;
      g.time = Math.max(g.time ?? 0, c.lastTermination?.finishedAt ?? 0) || g.time;
      g.message ??= c.lastTermination?.message;
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => {
    const who = g.workload ? `${g.workload.kind} ${g.namespace}/${g.workload.name}` : `Pod ${g.namespace}/${g.pods[0].name}`;
    const codes = [...g.exitCodes];
    const exit = codes.length ? ` (exit code ${codes.join(', ')})` : '';
    const why =
      g.reason === 'OOMKilled'
        ? `the container was killed for exceeding its memory limit of ${gib(g.limit)}`
        : g.reason === 'Error'
          ? `the container exited with an error${exit}`
          : g.reason === 'Completed'
            ? 'the container exits successfully but is restarted as if it were a server (exit code 0)'
            : `the container's last run ended with ${g.reason}${exit}`;
    return {
      id: `k8s:crash-loop:${workloadKey(g.namespace, g.workload, g.pods[0].name)}/${g.container}/${g.reason}`,
      kind: 'crash-loop' as const,
      severity: 'critical' as const,
      context: s.context,
      namespace: g.namespace,
      object: g.workload ?? { kind: 'Pod', name: g.pods[0].name },
      ...(g.workload ? { workload: g.workload } : {}),
      title: `${who}: container ${g.container} in CrashLoopBackOff, last terminated ${g.reason}${exit}`,
      detail: `${g.pods.length} pod${g.pods.length === 1 ? '' : 's'} (${list(g.pods.map((p) => p.name))}), ${g.restarts} restarts: ${why}.${g.message ? ` Termination message: ${g.message.slice(0, 300)}` : ''}`,
      ...(g.time ? { time: g.time } : {}),
      reason: g.reason,
      ...(codes.length === 1 ? { exitCode: codes[0] } : {}),
      count: g.pods.length,
      pods: g.pods.map((p) => p.name),
    };
  });
}

const pullReasons = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

function imagePulls(s: KubernetesSnapshot): KubeFinding[] {
  const out: KubeFinding[] = [];
  const seen = new Set<string>();
  for (const p of s.pods) {
    for (const c of p.containers) {
      if (!c.reason || !pullReasons.has(c.reason)) continue;
      const id = `k8s:image-pull:${p.namespace}/${c.image}`;
      const registryError = s.events.find((e) => e.involved.kind === 'Pod' && e.involved.name === p.name && e.reason === 'Failed' && /pull/i.test(e.message))?.message ?? c.message;
      if (seen.has(id)) {
        const f = out.find((x) => x.id === id)!;
        f.pods!.push(p.name);
        f.count = f.pods!.length;
        continue;
      }
      seen.add(id);
      out.push({ id, kind: 'image-pull', severity: 'critical', context: s.context, namespace: p.namespace, object: p.workload ?? { kind: 'Pod', name: p.name }, ...(p.workload ? { workload: p.workload } : {}), title: `${c.reason}: image ${c.image} cannot be pulled`, detail: registryError ? `The registry said: ${registryError.slice(0, 400)}` : 'The kubelet gives no reason.', reason: c.reason, count: 1, pods: [p.name] });
    }
  }
  return out;
}

function probes(s: KubernetesSnapshot): KubeFinding[] {
  const out = new Map<string, KubeFinding>();
  for (const e of s.events) {
    const m = /^(Readiness|Liveness|Startup) probe failed: ?(.*)$/s.exec(e.message);
    if (e.reason !== 'Unhealthy' || !m || e.involved.kind !== 'Pod') continue;
    const pod = s.pods.find((p) => p.namespace === e.namespace && p.name === e.involved.name);
    const id = `k8s:probe-failing:${e.namespace}/${e.involved.name}/${m[1].toLowerCase()}`;
    const prev = out.get(id);
    if (prev) {
      prev.count = (prev.count ?? 0) + e.count;
      continue;
    }
    out.set(id, { id, kind: 'probe-failing', severity: m[1] === 'Liveness' ? 'critical' : 'warning', context: s.context, namespace: e.namespace, object: { kind: 'Pod', name: e.involved.name }, ...(pod?.workload ? { workload: pod.workload } : {}), title: `${m[1]} probe failing on ${e.namespace}/${e.involved.name}`, detail: `${e.count} failures${e.firstTime ? ` since ${new Date(e.firstTime).toISOString()}` : ''}: ${m[2].slice(0, 300)}${m[1] === 'Liveness' ? ' (the kubelet restarts the container on each)' : ' (the pod receives no traffic while it fails)'}`, ...(e.lastTime ? { time: e.lastTime } : {}), reason: `${m[1]}ProbeFailed`, count: e.count, pods: [e.involved.name] });
  }
  return [...out.values()];
}

function pending(s: KubernetesSnapshot): KubeFinding[] {
  const out: KubeFinding[] = [];
  for (const p of s.pods) {
    if (p.phase !== 'Pending') continue;
    const sched = p.conditions.find((c) => c.type === 'PodScheduled');
    if (sched?.status !== 'False') continue;
    const event = s.events.find((e) => e.involved.name === p.name && e.reason === 'FailedScheduling');
    const reason = sched.message ?? event?.message ?? 'the scheduler gives no reason';
    out.push({ id: `k8s:pending:${p.namespace}/${p.name}`, kind: 'pending', severity: 'warning', context: s.context, namespace: p.namespace, object: { kind: 'Pod', name: p.name }, ...(p.workload ? { workload: p.workload } : {}), title: `Pod ${p.namespace}/${p.name} is Pending: ${sched.reason ?? 'not scheduled'}`, detail: `The scheduler says: ${reason.slice(0, 400)}`, ...(sched.lastTransitionTime ? { time: sched.lastTransitionTime } : {}), reason: sched.reason ?? 'Unschedulable', pods: [p.name] });
  }
  return out;
}

function podsOn(s: KubernetesSnapshot, node: string): KubePod[] {
  return s.pods.filter((p) => p.node === node && p.phase !== 'Succeeded' && p.phase !== 'Failed');
}

function nodes(s: KubernetesSnapshot): KubeFinding[] {
  const out: KubeFinding[] = [];
  for (const n of s.nodes) {
    const onNode = podsOn(s, n.name);
    const scope = s.namespaces.length ? ` (in ${s.namespaces.join(', ')}; other namespaces were not read)` : '';
    const actions: NonNullable<KubeFinding['actions']> = n.unschedulable
      ? []
      : [
          { actionId: 'cordon-node', title: `Cordon node ${n.name}`, params: { node: n.name }, why: 'Keeps new pods off the node while it is under pressure.' },
          { actionId: 'drain-node', title: `Drain node ${n.name}`, params: { node: n.name, pods: onNode.length }, why: `Moves its ${onNode.length} pod${onNode.length === 1 ? '' : 's'}${scope} to other nodes, honouring their disruption budgets.` },
        ];
    for (const c of n.conditions) {
      const pressure = ['MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type) && c.status === 'True';
      const notReady = c.type === 'Ready' && c.status !== 'True';
      if (!pressure && !notReady) continue;
      out.push({ id: `k8s:${pressure ? 'node-pressure' : 'node-not-ready'}:${n.name}/${c.type}`, kind: pressure ? 'node-pressure' : 'node-not-ready', severity: notReady || c.type === 'MemoryPressure' ? 'critical' : 'warning', context: s.context, object: { kind: 'Node', name: n.name }, title: pressure ? `Node ${n.name} has ${c.type}` : `Node ${n.name} is not Ready (${c.status})`, detail: `${c.reason ?? c.type}${c.message ? `: ${c.message}` : ''}. ${onNode.length} pod${onNode.length === 1 ? '' : 's'} on it${scope}${onNode.length ? `: ${list(onNode.map((p) => `${p.namespace}/${p.name}`))}` : ''}.`, ...(c.lastTransitionTime ? { time: c.lastTransitionTime } : {}), reason: pressure ? c.type : (c.reason ?? 'NotReady'), count: onNode.length, pods: onNode.map((p) => p.name), actions });
    }
  }
  return out;
}

function rollouts(s: KubernetesSnapshot): KubeFinding[] {
  const out: KubeFinding[] = [];
  for (const w of s.workloads) {
    const progressing = w.conditions.find((c) => c.type === 'Progressing');
    const previous = w.history.find((h) => h.revision !== w.revision && (w.revision === undefined || h.revision < w.revision));
    const undo = (why: string) =>
      w.kind === 'Deployment' && previous
        ? [{ actionId: 'rollback-deploy', title: `Roll back ${w.namespace}/${w.name} to revision ${previous.revision} (${previous.images.join(', ')})`, params: { service: w.name, namespace: w.namespace, revision: previous.revision, replicas: w.replicas, tool: 'kubectl' }, why }]
        : [];
    if (w.kind === 'Deployment' && progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      out.push({ id: `k8s:rollout-stuck:${w.namespace}/${w.name}/${w.revision ?? '?'}`, kind: 'rollout-stuck', severity: 'critical', context: s.context, namespace: w.namespace, object: { kind: w.kind, name: w.name }, workload: { kind: w.kind, name: w.name }, title: `Rollout of ${w.kind} ${w.namespace}/${w.name} is stuck${w.revision ? ` at revision ${w.revision}` : ''}`, detail: `${progressing.message ?? 'ProgressDeadlineExceeded'} ${w.updatedReplicas} of ${w.replicas} replicas updated, ${w.availableReplicas} available.${previous ? ` The previous revision is ${previous.revision} (${previous.images.join(', ')}).` : ''}`, ...(progressing.lastTransitionTime ? { time: progressing.lastTransitionTime } : {}), reason: 'ProgressDeadlineExceeded', count: w.replicas, actions: undo(`Revision ${w.revision} did not become available within ${w.progressDeadlineSeconds ?? 600} s.`) });
    } else if (w.updatedReplicas < w.replicas || (w.observedGeneration !== undefined && w.generation !== undefined && w.observedGeneration < w.generation)) {
      out.push({ id: `k8s:rollout-progressing:${w.namespace}/${w.name}/${w.revision ?? '?'}`, kind: 'rollout-progressing', severity: 'info', context: s.context, namespace: w.namespace, object: { kind: w.kind, name: w.name }, workload: { kind: w.kind, name: w.name }, title: `Rollout of ${w.kind} ${w.namespace}/${w.name} in progress${w.revision ? ` (revision ${w.revision})` : ''}`, detail: `${w.updatedReplicas} of ${w.replicas} replicas updated, ${w.availableReplicas} available${progressing?.message ? `: ${progressing.message}` : ''}.`, ...(progressing?.lastTransitionTime ? { time: progressing.lastTransitionTime } : {}), reason: progressing?.reason ?? 'Progressing', count: w.replicas, actions: [...undo('The new revision is still rolling out; undo stops it where it is.')] });
    }
  }
  return out;
}

function hpas(s: KubernetesSnapshot): KubeFinding[] {
  return s.hpas
    .filter((h) => h.maxReplicas > 0 && h.currentReplicas >= h.maxReplicas)
    .map((h) => ({ id: `k8s:hpa-at-max:${h.namespace}/${h.name}`, kind: 'hpa-at-max' as const, severity: 'warning' as const, context: s.context, namespace: h.namespace, object: { kind: 'HorizontalPodAutoscaler', name: h.name }, workload: h.target, title: `HPA ${h.namespace}/${h.name} is at its maximum of ${h.maxReplicas} replicas`, detail: `${h.target.kind} ${h.target.name} cannot scale out further (min ${h.minReplicas}, max ${h.maxReplicas}, desired ${h.desiredReplicas}).`, count: h.currentReplicas }));
}

/** CPU throttling from the cAdvisor throttle ratio series the metric source charts for a pod. */
export function throttlingFindings(metrics: MetricSeries[], threshold = 0.25): KubeFinding[] {
  const out: KubeFinding[] = [];
  for (const s of metrics) {
    const text = `${s.query ?? ''} ${s.id}`;
    if (!text.includes('container_cpu_cfs_throttled_periods_total') || !text.includes('container_cpu_cfs_periods_total')) continue;
    const recent = s.values.slice(-Math.max(3, Math.ceil(s.values.length / 6))).filter(Number.isFinite);
    if (!recent.length) continue;
    const ratio = recent.reduce((a, b) => a + b, 0) / recent.length;
    if (ratio < threshold) continue;
    const who = s.labels.pod ?? s.labels.container ?? s.service ?? s.id;
    out.push({ id: `k8s:throttling:${s.labels.namespace ?? ''}/${who}`, kind: 'throttling', severity: 'warning', ...(s.labels.namespace ? { namespace: s.labels.namespace } : {}), object: { kind: s.labels.pod ? 'Pod' : 'Container', name: who }, title: `CPU throttled on ${who}: ${(ratio * 100).toFixed(0)} % of periods`, detail: `Over the last part of the window ${(ratio * 100).toFixed(0)} % of its CFS periods were throttled (kubernetes-mixin's CPUThrottlingHigh fires above 25 %): its CPU limit is too low for its load.`, time: s.timestamps[s.timestamps.length - 1], reason: 'CPUThrottling' });
  }
  return out;
}

const runawayKinds: Record<RunawayFinding['kind'], KubeFinding['kind']> = { 'running-too-long': 'job-running-too-long', 'running-past-history': 'job-running-past-history', 'no-deadline': 'job-no-deadline', 'overlapping-runs': 'job-overlapping-runs', failed: 'job-failed', 'idle-cpu': 'idle-cpu' };

function runaway(s: KubernetesSnapshot): KubeFinding[] {
  return [...detectRunawayJobs(jobStatesFromSnapshot(s), s.takenAt), ...overlappingCronJobs(s)].map((r) => ({
    id: r.id.replace(/^k8s-job:/, 'k8s:job-'),
    kind: runawayKinds[r.kind],
    severity: r.severity,
    context: s.context,
    namespace: r.namespace,
    object: r.object,
    title: r.title,
    detail: r.detail,
    ...(r.proposedAction ? { actions: [{ actionId: r.proposedAction.actionId, title: r.proposedAction.title, params: r.proposedAction.params, why: r.proposedAction.why }] } : {}),
  }));
}

const severityRank = { critical: 0, warning: 1, info: 2 };

/** Every finding of the snapshots and the metrics, most severe first, then newest. */
export function kubernetesFindings(snapshots: KubernetesSnapshot[], metrics: MetricSeries[] = []): KubeFinding[] {
  const out: KubeFinding[] = [];
  for (const s of snapshots) out.push(...crashLoops(s), ...imagePulls(s), ...probes(s), ...pending(s), ...nodes(s), ...rollouts(s), ...hpas(s), ...runaway(s));
  out.push(...throttlingFindings(metrics));
  const unique = [...new Map(out.map((f) => [f.id, f])).values()];
  return unique.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || (b.time ?? 0) - (a.time ?? 0));
}

/** The workload a pod belongs to, with the replica and pod counts a blast radius needs. */
export function workloadState(s: KubernetesSnapshot, namespace: string, name: string): { workload?: KubeWorkload; pods: KubePod[]; hpa?: KubernetesSnapshot['hpas'][number] } {
  const workload = s.workloads.find((w) => w.namespace === namespace && w.name === name);
  const pods = s.pods.filter((p) => p.namespace === namespace && p.workload?.name === name);
  const hpa = s.hpas.find((h) => h.namespace === namespace && h.target.name === name && (!workload || h.target.kind === workload.kind));
  return { ...(workload ? { workload } : {}), pods, ...(hpa ? { hpa } : {}) };
}
