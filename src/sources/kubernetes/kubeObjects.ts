// Maps Kubernetes API objects (as @kubernetes/client-node deserialises them: times as Date, the rest as
// the API reference describes) into the snapshot's plain data. Tolerant: a field the API leaves out is
// left out here too, never guessed.

import type { KubeCondition, KubeContainerStatus, KubeCronJob, KubeEvent, KubeHpa, KubeJob, KubeNode, KubeOwner, KubePod, KubeResources, KubeRevision, KubeWorkload, KubeWorkloadKind } from '../../core/kubernetes';
import type { Labels } from '../../core/model';

/** API objects are read defensively, field by field. */
type Obj = any;

export function toMs(t: unknown): number | undefined {
  if (t instanceof Date) return Number.isFinite(t.getTime()) ? t.getTime() : undefined;
  if (typeof t === 'string' && t) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

const binarySuffix: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffix: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity ("250m", "1.5", "128Mi", "1e3") as a number (cores, bytes); undefined when unreadable. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return base * (binarySuffix[suffix] ?? decimalSuffix[suffix]);
}

function labels(v: unknown): Labels {
  const out: Labels = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string') out[k] = x;
  return out;
}

function conditions(list: unknown): KubeCondition[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((c: Obj) => c && typeof c.type === 'string')
    .map((c: Obj) => ({
      type: c.type,
      status: String(c.status ?? 'Unknown'),
      ...(c.reason ? { reason: String(c.reason) } : {}),
      ...(c.message ? { message: String(c.message) } : {}),
      ...(toMs(c.lastTransitionTime ?? c.lastUpdateTime) !== undefined ? { lastTransitionTime: toMs(c.lastTransitionTime ?? c.lastUpdateTime) } : {}),
    }));
}

function resources(r: Obj): KubeResources | undefined {
  if (!r) return undefined;
  const pick = (x: Obj) => {
    if (!x) return undefined;
    const cpu = parseQuantity(x.cpu);
    const memory = parseQuantity(x.memory);
    return cpu === undefined && memory === undefined ? undefined : { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}) };
  };
  const requests = pick(r.requests);
  const limits = pick(r.limits);
  return requests || limits ? { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } : undefined;
}

export function controllerOf(meta: Obj): KubeOwner | undefined {
  const refs: Obj[] = Array.isArray(meta?.ownerReferences) ? meta.ownerReferences : [];
  const ref = refs.find((r) => r?.controller) ?? refs[0];
  return ref && typeof ref.kind === 'string' && typeof ref.name === 'string' ? { kind: ref.kind, name: ref.name } : undefined;
}

function containerStatus(spec: Obj, status: Obj): KubeContainerStatus {
  const st = status?.state ?? {};
  const which = st.running ? 'running' : st.waiting ? 'waiting' : st.terminated ? 'terminated' : 'unknown';
  const detail = st.waiting ?? st.terminated;
  const last = status?.lastState?.terminated;
  return {
    name: String(spec?.name ?? status?.name ?? ''),
    image: String(status?.image ?? spec?.image ?? ''),
    ready: status?.ready === true,
    restartCount: Number(status?.restartCount ?? 0) || 0,
    state: which,
    ...(detail?.reason ? { reason: String(detail.reason) } : {}),
    ...(detail?.message ? { message: String(detail.message).slice(0, 2000) } : {}),
    ...(typeof st.terminated?.exitCode === 'number' ? { exitCode: st.terminated.exitCode } : {}),
    ...(toMs(st.running?.startedAt) !== undefined ? { startedAt: toMs(st.running.startedAt) } : {}),
    ...(last
      ? {
          lastTermination: {
            ...(last.reason ? { reason: String(last.reason) } : {}),
            ...(typeof last.exitCode === 'number' ? { exitCode: last.exitCode } : {}),
            ...(typeof last.signal === 'number' ? { signal: last.signal } : {}),
            ...(last.message ? { message: String(last.message).slice(0, 2000) } : {}),
            ...(toMs(last.startedAt) !== undefined ? { startedAt: toMs(last.startedAt) } : {}),
            ...(toMs(last.finishedAt) !== undefined ? { finishedAt: toMs(last.finishedAt) } : {}),
          },
        }
      : {}),
    ...(resources(spec?.resources) ? { resources: resources(spec?.resources) } : {}),
    ...(spec ? { probes: { readiness: !!spec.readinessProbe, liveness: !!spec.livenessProbe, startup: !!spec.startupProbe } } : {}),
  };
}

function containers(specs: Obj[] | undefined, statuses: Obj[] | undefined): KubeContainerStatus[] {
  const byName = new Map<string, Obj>((statuses ?? []).map((s: Obj) => [s?.name, s]));
  return (specs ?? []).map((c: Obj) => containerStatus(c, byName.get(c?.name)));
}

/** A pod; `rsOwners` maps ReplicaSet names to their Deployment, so the pod knows its workload. */
export function toPod(p: Obj, rsOwners: Map<string, KubeOwner>): KubePod {
  const owner = controllerOf(p.metadata);
  const ns = String(p.metadata?.namespace ?? '');
  const workload = owner?.kind === 'ReplicaSet' ? rsOwners.get(`${ns}/${owner.name}`) : owner && ['StatefulSet', 'DaemonSet'].includes(owner.kind) ? owner : undefined;
  return {
    namespace: ns,
    name: String(p.metadata?.name ?? ''),
    phase: String(p.status?.phase ?? 'Unknown'),
    ...(p.spec?.nodeName ? { node: String(p.spec.nodeName) } : {}),
    labels: labels(p.metadata?.labels),
    ...(owner ? { owner } : {}),
    ...(workload ? { workload } : {}),
    conditions: conditions(p.status?.conditions),
    containers: containers(p.spec?.containers, p.status?.containerStatuses),
    ...(p.spec?.initContainers?.length ? { initContainers: containers(p.spec.initContainers, p.status?.initContainerStatuses) } : {}),
    ...(toMs(p.status?.startTime) !== undefined ? { startTime: toMs(p.status.startTime) } : {}),
    ...(p.status?.reason ? { reason: String(p.status.reason) } : {}),
    ...(p.status?.message ? { message: String(p.status.message).slice(0, 2000) } : {}),
  };
}

/** core/v1 Event or events.k8s.io/v1 Event. */
export function toEvent(e: Obj): KubeEvent {
  const involved = e.involvedObject ?? e.regarding ?? {};
  return {
    namespace: String(e.metadata?.namespace ?? involved.namespace ?? ''),
    involved: { kind: String(involved.kind ?? ''), name: String(involved.name ?? '') },
    type: String(e.type ?? 'Normal'),
    reason: String(e.reason ?? ''),
    message: String(e.message ?? e.note ?? '').slice(0, 2000),
    count: Number(e.count ?? e.series?.count ?? 1) || 1,
    ...(toMs(e.firstTimestamp ?? e.eventTime) !== undefined ? { firstTime: toMs(e.firstTimestamp ?? e.eventTime) } : {}),
    ...(toMs(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp) !== undefined ? { lastTime: toMs(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp) } : {}),
    ...(e.source?.component || e.reportingController || e.reportingComponent ? { source: String(e.source?.component ?? e.reportingController ?? e.reportingComponent) } : {}),
  };
}

function templateRevision(template: Obj, revision: number, name: string, time: number | undefined, changeCause: unknown, replicas?: number): KubeRevision {
  const tl = labels(template?.metadata?.labels);
  const ta = labels(template?.metadata?.annotations);
  return {
    revision,
    name,
    ...(time !== undefined ? { time } : {}),
    images: (template?.spec?.containers ?? []).map((c: Obj) => String(c?.image ?? '')).filter(Boolean),
    ...(typeof changeCause === 'string' && changeCause ? { changeCause } : {}),
    ...(tl['app.kubernetes.io/version'] ? { version: tl['app.kubernetes.io/version'] } : {}),
    ...(ta['org.opencontainers.image.revision'] ? { commit: ta['org.opencontainers.image.revision'] } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
  };
}

/** A ReplicaSet as one revision of its Deployment (revision and change cause from its annotations). */
export function replicaSetRevision(rs: Obj): KubeRevision | undefined {
  const ann = labels(rs.metadata?.annotations);
  const revision = Number(ann['deployment.kubernetes.io/revision']);
  if (!Number.isInteger(revision) || revision <= 0) return undefined;
  return templateRevision(rs.spec?.template, revision, String(rs.metadata?.name ?? ''), toMs(rs.metadata?.creationTimestamp), ann['kubernetes.io/change-cause'], Number(rs.status?.replicas ?? 0));
}

/** A ControllerRevision (StatefulSet and DaemonSet history): its data holds the pod template patch. */
export function controllerRevision(cr: Obj): KubeRevision | undefined {
  const revision = Number(cr.revision);
  if (!Number.isInteger(revision) || revision <= 0) return undefined;
  const template = cr.data?.spec?.template;
  return templateRevision(template, revision, String(cr.metadata?.name ?? ''), toMs(cr.metadata?.creationTimestamp), labels(cr.metadata?.annotations)['kubernetes.io/change-cause']);
}

export function toWorkload(kind: KubeWorkloadKind, w: Obj, history: KubeRevision[]): KubeWorkload {
  const s = w.status ?? {};
  const daemon = kind === 'DaemonSet';
  const ann = labels(w.metadata?.annotations);
  const current = kind === 'Deployment' ? Number(ann['deployment.kubernetes.io/revision']) : undefined;
  const liveName = kind === 'StatefulSet' ? s.updateRevision ?? s.currentRevision : undefined;
  const liveRevision = current && Number.isInteger(current) ? current : liveName ? history.find((h) => h.name === liveName)?.revision : history[0]?.revision;
  return {
    kind,
    namespace: String(w.metadata?.namespace ?? ''),
    name: String(w.metadata?.name ?? ''),
    replicas: Number(daemon ? s.desiredNumberScheduled : (w.spec?.replicas ?? 1)) || 0,
    readyReplicas: Number(daemon ? s.numberReady : s.readyReplicas) || 0,
    updatedReplicas: Number(daemon ? s.updatedNumberScheduled : s.updatedReplicas) || 0,
    availableReplicas: Number(daemon ? s.numberAvailable : s.availableReplicas) || 0,
    ...(w.metadata?.generation !== undefined ? { generation: Number(w.metadata.generation) } : {}),
    ...(s.observedGeneration !== undefined ? { observedGeneration: Number(s.observedGeneration) } : {}),
    ...(w.spec?.paused ? { paused: true } : {}),
    ...(w.spec?.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: Number(w.spec.progressDeadlineSeconds) } : {}),
    conditions: conditions(s.conditions),
    selector: labels(w.spec?.selector?.matchLabels),
    containers: (w.spec?.template?.spec?.containers ?? []).map((c: Obj) => ({ name: String(c?.name ?? ''), image: String(c?.image ?? ''), ...(resources(c?.resources) ? { resources: resources(c?.resources) } : {}) })),
    ...(liveRevision !== undefined ? { revision: liveRevision } : {}),
    history: [...history].sort((a, b) => b.revision - a.revision),
    labels: labels(w.metadata?.labels),
  };
}

/** autoscaling/v2 HorizontalPodAutoscaler. */
export function toHpa(h: Obj): KubeHpa {
  const metrics = (h.spec?.metrics ?? [])
    .filter((m: Obj) => m?.type === 'Resource' || m?.type === 'ContainerResource')
    .map((m: Obj) => {
      const r = m.resource ?? m.containerResource ?? {};
      return { resource: String(r.name ?? ''), ...(typeof r.target?.averageUtilization === 'number' ? { targetUtilization: r.target.averageUtilization } : {}) };
    });
  return {
    namespace: String(h.metadata?.namespace ?? ''),
    name: String(h.metadata?.name ?? ''),
    target: { kind: String(h.spec?.scaleTargetRef?.kind ?? ''), name: String(h.spec?.scaleTargetRef?.name ?? '') },
    minReplicas: Number(h.spec?.minReplicas ?? 1) || 1,
    maxReplicas: Number(h.spec?.maxReplicas ?? 0) || 0,
    currentReplicas: Number(h.status?.currentReplicas ?? 0) || 0,
    desiredReplicas: Number(h.status?.desiredReplicas ?? 0) || 0,
    metrics,
    conditions: conditions(h.status?.conditions),
  };
}

export function toNode(n: Obj): KubeNode {
  const a = n.status?.allocatable ?? {};
  return {
    name: String(n.metadata?.name ?? ''),
    unschedulable: n.spec?.unschedulable === true,
    conditions: conditions(n.status?.conditions),
    allocatable: { ...(parseQuantity(a.cpu) !== undefined ? { cpu: parseQuantity(a.cpu) } : {}), ...(parseQuantity(a.memory) !== undefined ? { memory: parseQuantity(a.memory) } : {}), ...(parseQuantity(a.pods) !== undefined ? { pods: parseQuantity(a.pods) } : {}) },
    labels: labels(n.metadata?.labels),
  };
}

export function toJob(j: Obj): KubeJob {
  const owner = controllerOf(j.metadata);
  return {
    namespace: String(j.metadata?.namespace ?? ''),
    name: String(j.metadata?.name ?? ''),
    ...(owner ? { owner } : {}),
    ...(toMs(j.status?.startTime) !== undefined ? { startTime: toMs(j.status.startTime) } : {}),
    ...(toMs(j.status?.completionTime) !== undefined ? { completionTime: toMs(j.status.completionTime) } : {}),
    active: Number(j.status?.active ?? 0) || 0,
    succeeded: Number(j.status?.succeeded ?? 0) || 0,
    failed: Number(j.status?.failed ?? 0) || 0,
    ...(j.spec?.activeDeadlineSeconds !== undefined && j.spec?.activeDeadlineSeconds !== null ? { activeDeadlineSeconds: Number(j.spec.activeDeadlineSeconds) } : {}),
    ...(j.spec?.backoffLimit !== undefined ? { backoffLimit: Number(j.spec.backoffLimit) } : {}),
    ...(j.spec?.suspend ? { suspend: true } : {}),
    conditions: conditions(j.status?.conditions),
  };
}

export function toCronJob(c: Obj): KubeCronJob {
  const deadline = c.spec?.jobTemplate?.spec?.activeDeadlineSeconds;
  return {
    namespace: String(c.metadata?.namespace ?? ''),
    name: String(c.metadata?.name ?? ''),
    schedule: String(c.spec?.schedule ?? ''),
    suspend: c.spec?.suspend === true,
    concurrencyPolicy: String(c.spec?.concurrencyPolicy ?? 'Allow'),
    ...(toMs(c.status?.lastScheduleTime) !== undefined ? { lastScheduleTime: toMs(c.status.lastScheduleTime) } : {}),
    ...(toMs(c.status?.lastSuccessfulTime) !== undefined ? { lastSuccessfulTime: toMs(c.status.lastSuccessfulTime) } : {}),
    active: (c.status?.active ?? []).map((r: Obj) => String(r?.name ?? '')).filter(Boolean),
    ...(deadline !== undefined && deadline !== null ? { activeDeadlineSeconds: Number(deadline) } : {}),
  };
}
