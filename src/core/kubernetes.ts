// Kubernetes state as plain data: what the Kubernetes source read from one kube context, bounded and
// scoped to namespaces. It travels in the incident bundle (an optional field), so the analyzers, the
// panel and saved bundles all read the same snapshot. Times are ms since the epoch; CPU is in cores,
// memory in bytes.

import type { Labels } from './model';

export interface KubeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

export interface KubeResources {
  requests?: { cpu?: number; memory?: number };
  limits?: { cpu?: number; memory?: number };
}

export interface KubeTermination {
  reason?: string;
  exitCode?: number;
  signal?: number;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
}

export interface KubeContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** The waiting or terminated reason (CrashLoopBackOff, ImagePullBackOff, OOMKilled, Error...). */
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: number;
  /** The previous run of this container, when it terminated (lastState.terminated). */
  lastTermination?: KubeTermination;
  resources?: KubeResources;
  /** Which probes the container declares. */
  probes?: { readiness?: boolean; liveness?: boolean; startup?: boolean };
}

export interface KubeOwner {
  kind: string;
  name: string;
}

export interface KubePod {
  namespace: string;
  name: string;
  phase: string;
  node?: string;
  labels: Labels;
  /** The controller that owns the pod (a ReplicaSet, StatefulSet, DaemonSet, Job). */
  owner?: KubeOwner;
  /** The workload above the owner: a ReplicaSet's Deployment, a Job's CronJob. */
  workload?: KubeOwner;
  conditions: KubeCondition[];
  containers: KubeContainerStatus[];
  initContainers?: KubeContainerStatus[];
  startTime?: number;
  reason?: string;
  message?: string;
}

export interface KubeEvent {
  namespace: string;
  involved: KubeOwner;
  type: string;
  reason: string;
  message: string;
  count: number;
  firstTime?: number;
  lastTime?: number;
  /** The component that reported it (default-scheduler, kubelet). */
  source?: string;
}

/** One revision of a workload's rollout history (a Deployment's ReplicaSet, a ControllerRevision). */
export interface KubeRevision {
  revision: number;
  /** ReplicaSet or ControllerRevision name. */
  name: string;
  time?: number;
  images: string[];
  changeCause?: string;
  /** `app.kubernetes.io/version` of the pod template. */
  version?: string;
  /** `org.opencontainers.image.revision` of the pod template: the commit it was built from. */
  commit?: string;
  replicas?: number;
}

export type KubeWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface KubeWorkload {
  kind: KubeWorkloadKind;
  namespace: string;
  name: string;
  /** Desired replicas (DaemonSets: desired scheduled pods). */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  generation?: number;
  observedGeneration?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
  conditions: KubeCondition[];
  selector: Labels;
  containers: { name: string; image: string; resources?: KubeResources }[];
  /** The live revision. */
  revision?: number;
  /** Newest first. */
  history: KubeRevision[];
  labels: Labels;
}

export interface KubeHpa {
  namespace: string;
  name: string;
  target: KubeOwner;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  /** Resource metrics it scales on, with their target utilisation in percent. */
  metrics: { resource: string; targetUtilization?: number }[];
  conditions: KubeCondition[];
}

export interface KubeNode {
  name: string;
  unschedulable: boolean;
  conditions: KubeCondition[];
  allocatable?: { cpu?: number; memory?: number; pods?: number };
  labels: Labels;
}

export interface KubeJob {
  namespace: string;
  name: string;
  /** The CronJob that created it. */
  owner?: KubeOwner;
  startTime?: number;
  completionTime?: number;
  active: number;
  succeeded: number;
  failed: number;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  suspend?: boolean;
  conditions: KubeCondition[];
}

export interface KubeCronJob {
  namespace: string;
  name: string;
  schedule: string;
  suspend: boolean;
  concurrencyPolicy: string;
  lastScheduleTime?: number;
  lastSuccessfulTime?: number;
  /** Names of the Jobs it has running now. */
  active: string[];
  activeDeadlineSeconds?: number;
}

/** What was read from one kube context. A part that could not be read is named in `errors`. */
export interface KubernetesSnapshot {
  /** The configured source's name. */
  source: string;
  context: string;
  /** The environment the user mapped this context to (never read from the cluster). */
  environment?: string;
  /** The namespaces read; empty means every namespace the credentials may list. */
  namespaces: string[];
  takenAt: number;
  pods: KubePod[];
  events: KubeEvent[];
  workloads: KubeWorkload[];
  hpas: KubeHpa[];
  nodes: KubeNode[];
  jobs: KubeJob[];
  cronJobs: KubeCronJob[];
  /** Parts that failed (a forbidden resource costs only that part). */
  errors: { what: string; message: string }[];
  /** Set when the list of something was cut at its limit. */
  truncated?: string[];
}

/** A Kubernetes source, as the investigation sees it: one context, read-only. */
export interface KubernetesStateSource {
  readonly name: string;
  readonly kind: 'kubernetes';
  readonly context: string;
  readonly environment?: string;
  snapshot(window: { start: number; end: number }, signal?: AbortSignal): Promise<KubernetesSnapshot>;
}

/** A deploy read from the platform (a rollout revision, an Argo CD sync), linked to a commit when it names one. */
export interface DeployRecord {
  source: 'kubernetes' | 'argocd';
  /** What a person reads: "Deployment shop/checkout revision 8", "Argo CD app checkout #12". */
  ref: string;
  time: number;
  environment?: string;
  /** The commit it was built from, when the revision, image tag or Argo CD history says so. */
  commit?: string;
  /** How the commit was found: the OCI revision annotation, the version label, the image tag, Argo CD's revision. */
  commitFrom?: 'annotation' | 'version-label' | 'image-tag' | 'argocd';
  images?: string[];
  workload?: { kind: string; namespace: string; name: string };
  revision?: number;
  changeCause?: string;
}

export type KubeFindingKind =
  | 'crash-loop'
  | 'image-pull'
  | 'probe-failing'
  | 'pending'
  | 'throttling'
  | 'node-pressure'
  | 'node-not-ready'
  | 'rollout-stuck'
  | 'rollout-progressing'
  | 'hpa-at-max'
  | 'deploy'
  | 'job-running-too-long'
  | 'job-running-past-history'
  | 'job-no-deadline'
  | 'job-overlapping-runs'
  | 'job-failed'
  | 'idle-cpu';

/** One thing the Kubernetes analyzers found, with an id evidence can point at. */
export interface KubeFinding {
  /** Stable and content-derived: `k8s:<kind>:<namespace>/<object>[...]`. */
  id: string;
  kind: KubeFindingKind;
  severity: 'critical' | 'warning' | 'info';
  /** The kube context it was read from. */
  context?: string;
  namespace?: string;
  object: { kind: string; name: string };
  /** The workload the pods belong to. */
  workload?: { kind: string; name: string };
  title: string;
  detail: string;
  time?: number;
  /** Termination or waiting reason (OOMKilled, Error, ImagePullBackOff, Unschedulable, MemoryPressure...). */
  reason?: string;
  exitCode?: number;
  /** Pods (or events) it covers. */
  count?: number;
  pods?: string[];
  /** Actions grounded in this state, by catalog id with parameters as data; policy still decides. */
  actions?: { actionId: string; title: string; params: Record<string, string | number>; why: string }[];
}

/** A source of platform deploys (Argo CD's application history). */
export interface DeploySource {
  readonly name: string;
  readonly kind: string;
  deploys(window: { start: number; end: number }, signal?: AbortSignal): Promise<DeployRecord[]>;
}
