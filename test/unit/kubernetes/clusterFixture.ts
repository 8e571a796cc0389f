// One namespace's state written to the Kubernetes API reference (field names and shapes as the API
// returns them): pods in each failure state the analyzers know (CrashLoopBackOff after an OOM kill and
// after an error exit, ImagePullBackOff, a failing readiness probe, Pending on insufficient CPU), events,
// two Deployments with their ReplicaSets (one rollout stuck past its deadline), an HPA, a StatefulSet with
// ControllerRevisions, nodes (one under memory pressure), a failed Job, a CronJob with overlapping runs.

export const fixtureNow = Date.parse('2026-03-02T10:30:00Z');
const t = (minutesAgo: number) => new Date(fixtureNow - minutesAgo * 60_000).toISOString();
const NS = 'shop';

const rsOwner = (name: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true }];
const depOwner = (name: string) => [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true }];

function pod(name: string, rs: string, app: string, status: Record<string, unknown>, container: Record<string, unknown> = {}) {
  return {
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { app, 'app.kubernetes.io/name': app, 'pod-template-hash': rs.split('-').pop() }, ownerReferences: rsOwner(rs), creationTimestamp: t(120) },
    spec: { nodeName: 'node-a', containers: [{ name: app, image: `registry.example.com/shop/${app}:1.4.2`, resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '256Mi' } }, readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 }, livenessProbe: { httpGet: { path: '/livez', port: 8080 } }, ...container }] },
    status: { startTime: t(110), ...status },
  };
}

const running = (app: string, ready = true, restarts = 0) => ({ name: app, image: `registry.example.com/shop/${app}:1.4.2`, imageID: 'registry.example.com/shop@sha256:1f2e', ready, started: true, restartCount: restarts, state: { running: { startedAt: t(100) } } });

export const pods = [
  pod('checkout-7d9c5-oomkd', 'checkout-7d9c5', 'checkout', {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t(30), reason: 'ContainersNotReady', message: 'containers with unready status: [checkout]' }, { type: 'PodScheduled', status: 'True', lastTransitionTime: t(110) }],
    containerStatuses: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:1.5.0', imageID: '', ready: false, started: false, restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=checkout pod=checkout-7d9c5-oomkd_shop(uid)' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: t(8), finishedAt: t(6), containerID: 'containerd://a1' } } }],
  }, { image: 'registry.example.com/shop/checkout:1.5.0' }),
  pod('checkout-7d9c5-err01', 'checkout-7d9c5', 'checkout', {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t(25) }],
    containerStatuses: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:1.5.0', imageID: '', ready: false, started: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container=checkout' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: t(5), finishedAt: t(4), containerID: 'containerd://a2' } } }],
  }, { image: 'registry.example.com/shop/checkout:1.5.0' }),
  pod('checkout-5b8f6-good1', 'checkout-5b8f6', 'checkout', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t(100) }], containerStatuses: [running('checkout')] }),
  pod('payments-6f4d8-pull1', 'payments-6f4d8', 'payments', {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: t(20) }, { type: 'Ready', status: 'False', lastTransitionTime: t(20) }],
    containerStatuses: [{ name: 'payments', image: 'registry.example.com/shop/payments:2.0.0-rc1', imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/shop/payments:2.0.0-rc1": ErrImagePull: failed to pull and unpack image: 401 Unauthorized' } } }],
  }, { image: 'registry.example.com/shop/payments:2.0.0-rc1' }),
  pod('storefront-9a1b2-probe', 'storefront-9a1b2', 'storefront', {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t(15), reason: 'ContainersNotReady' }],
    containerStatuses: [running('storefront', false, 0)],
  }),
  pod('storefront-9a1b2-pend1', 'storefront-9a1b2', 'storefront', {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: t(12), reason: 'Unschedulable', message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' }],
  }),
];

// An unscheduled pod has no node; the image pull failed on node-b.
delete (pods[5].spec as { nodeName?: string }).nodeName;
pods[3].spec.nodeName = 'node-b';

export const events = [
  { metadata: { name: 'storefront-9a1b2-probe.1', namespace: NS, creationTimestamp: t(14) }, involvedObject: { kind: 'Pod', namespace: NS, name: 'storefront-9a1b2-probe' }, reason: 'Unhealthy', message: 'Readiness probe failed: Get "http://10.0.1.7:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', source: { component: 'kubelet', host: 'node-a' }, firstTimestamp: t(14), lastTimestamp: t(1), count: 160, type: 'Warning' },
  { metadata: { name: 'storefront-9a1b2-pend1.1', namespace: NS, creationTimestamp: t(12) }, involvedObject: { kind: 'Pod', namespace: NS, name: 'storefront-9a1b2-pend1' }, reason: 'FailedScheduling', message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }, 2 Insufficient cpu.', source: { component: 'default-scheduler' }, firstTimestamp: t(12), lastTimestamp: t(2), count: 9, type: 'Warning' },
  { metadata: { name: 'checkout-7d9c5-oomkd.1', namespace: NS, creationTimestamp: t(30) }, involvedObject: { kind: 'Pod', namespace: NS, name: 'checkout-7d9c5-oomkd' }, reason: 'BackOff', message: 'Back-off restarting failed container checkout in pod checkout-7d9c5-oomkd_shop(uid)', source: { component: 'kubelet', host: 'node-a' }, firstTimestamp: t(30), lastTimestamp: t(3), count: 25, type: 'Warning' },
  { metadata: { name: 'payments-6f4d8-pull1.1', namespace: NS, creationTimestamp: t(20) }, involvedObject: { kind: 'Pod', namespace: NS, name: 'payments-6f4d8-pull1' }, reason: 'Failed', message: 'Failed to pull image "registry.example.com/shop/payments:2.0.0-rc1": failed to resolve reference: 401 Unauthorized', source: { component: 'kubelet', host: 'node-b' }, firstTimestamp: t(20), lastTimestamp: t(4), count: 7, type: 'Warning' },
  { metadata: { name: 'old.1', namespace: NS, creationTimestamp: t(60 * 24 * 3) }, involvedObject: { kind: 'Pod', namespace: NS, name: 'gone' }, reason: 'Killing', message: 'Stopping container', source: { component: 'kubelet' }, firstTimestamp: t(60 * 24 * 3), lastTimestamp: t(60 * 24 * 3), count: 1, type: 'Normal' },
];

function deployment(name: string, replicas: number, status: Record<string, unknown>, revision: number, image: string) {
  return {
    metadata: { name, namespace: NS, uid: `uid-${name}`, generation: 7, labels: { app: name }, annotations: { 'deployment.kubernetes.io/revision': String(revision) }, creationTimestamp: t(60 * 24 * 30) },
    spec: { replicas, selector: { matchLabels: { app: name } }, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '256Mi' } } }] } } },
    status,
  };
}

export const deployments = [
  deployment('checkout', 3, {
    observedGeneration: 7, replicas: 4, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 3,
    conditions: [
      { type: 'Available', status: 'False', lastUpdateTime: t(30), lastTransitionTime: t(30), reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      { type: 'Progressing', status: 'False', lastUpdateTime: t(18), lastTransitionTime: t(18), reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "checkout-7d9c5" has timed out progressing.' },
    ],
  }, 8, 'registry.example.com/shop/checkout:1.5.0'),
  deployment('payments', 2, {
    observedGeneration: 7, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1,
    conditions: [{ type: 'Progressing', status: 'True', lastUpdateTime: t(20), lastTransitionTime: t(20), reason: 'ReplicaSetUpdated', message: 'ReplicaSet "payments-6f4d8" is progressing.' }],
  }, 3, 'registry.example.com/shop/payments:2.0.0-rc1'),
];

function replicaSet(name: string, deploymentName: string, revision: number, image: string, createdMinutesAgo: number, extra: { version?: string; commit?: string; cause?: string; replicas: number }) {
  return {
    metadata: { name, namespace: NS, uid: `uid-${name}`, ownerReferences: depOwner(deploymentName), creationTimestamp: t(createdMinutesAgo), annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4', ...(extra.cause ? { 'kubernetes.io/change-cause': extra.cause } : {}) } },
    spec: { replicas: extra.replicas, selector: { matchLabels: { app: deploymentName } }, template: { metadata: { labels: { app: deploymentName, ...(extra.version ? { 'app.kubernetes.io/version': extra.version } : {}) }, annotations: extra.commit ? { 'org.opencontainers.image.revision': extra.commit } : {} }, spec: { containers: [{ name: deploymentName, image }] } } },
    status: { replicas: extra.replicas, readyReplicas: extra.replicas, availableReplicas: extra.replicas, observedGeneration: 1 },
  };
}

export const checkoutGoodCommit = '5b8f6e0d2c4a1b3e9f7d6c5b4a3928170615f4e3';
export const checkoutBadCommit = '7d9c5a1e3b2f4d6c8e0a9b7c5d3e1f2a4b6c8d0e';

export const replicaSets = [
  replicaSet('checkout-7d9c5', 'checkout', 8, 'registry.example.com/shop/checkout:1.5.0', 32, { version: '1.5.0', commit: checkoutBadCommit, cause: 'kubectl set image deployment/checkout checkout=registry.example.com/shop/checkout:1.5.0', replicas: 2 }),
  replicaSet('checkout-5b8f6', 'checkout', 7, 'registry.example.com/shop/checkout:1.4.2', 60 * 24 * 2, { version: '1.4.2', commit: checkoutGoodCommit, replicas: 2 }),
  replicaSet('checkout-1a2b3', 'checkout', 6, 'registry.example.com/shop/checkout:1.4.1', 60 * 24 * 9, { version: '1.4.1', replicas: 0 }),
  replicaSet('payments-6f4d8', 'payments', 3, 'registry.example.com/shop/payments:2.0.0-rc1', 21, { replicas: 1 }),
  replicaSet('payments-4c3b2', 'payments', 2, 'registry.example.com/shop/payments:1.9.0', 60 * 24 * 5, { replicas: 2 }),
  replicaSet('storefront-9a1b2', 'storefront', 1, 'registry.example.com/shop/storefront:3.1.0', 60 * 24, { replicas: 2 }),
];

export const statefulSets = [
  {
    metadata: { name: 'ledger-db', namespace: NS, uid: 'uid-ledger-db', generation: 3, labels: { app: 'ledger-db' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'ledger-db' } }, serviceName: 'ledger-db', template: { metadata: { labels: { app: 'ledger-db' } }, spec: { containers: [{ name: 'postgres', image: 'postgres:16.2' }] } } },
    status: { observedGeneration: 3, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, currentRevision: 'ledger-db-6c7d8', updateRevision: 'ledger-db-6c7d8' },
  },
];

export const controllerRevisions = [
  { metadata: { name: 'ledger-db-6c7d8', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'ledger-db', uid: 'uid-ledger-db', controller: true }], creationTimestamp: t(60 * 24) }, data: { spec: { template: { metadata: { labels: { app: 'ledger-db' } }, spec: { containers: [{ name: 'postgres', image: 'postgres:16.2' }] } } } }, revision: 2 },
  { metadata: { name: 'ledger-db-5a4b3', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'ledger-db', uid: 'uid-ledger-db', controller: true }], creationTimestamp: t(60 * 24 * 20) }, data: { spec: { template: { metadata: { labels: { app: 'ledger-db' } }, spec: { containers: [{ name: 'postgres', image: 'postgres:16.1' }] } } } }, revision: 1 },
];

export const hpas = [
  {
    metadata: { name: 'payments', namespace: NS },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payments' }, minReplicas: 2, maxReplicas: 6, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    status: { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 64, averageValue: '320m' } } }], conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: t(300), reason: 'ReadyForNewScale' }] },
  },
];

export const nodes = [
  { metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } }, spec: {}, status: { allocatable: { cpu: '3920m', memory: '15Gi', pods: '110' }, conditions: [{ type: 'MemoryPressure', status: 'True', lastHeartbeatTime: t(1), lastTransitionTime: t(16), reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }, { type: 'DiskPressure', status: 'False', lastTransitionTime: t(6000), reason: 'KubeletHasNoDiskPressure' }, { type: 'PIDPressure', status: 'False', lastTransitionTime: t(6000), reason: 'KubeletHasSufficientPID' }, { type: 'Ready', status: 'True', lastTransitionTime: t(6000), reason: 'KubeletReady', message: 'kubelet is posting ready status' }] } },
  { metadata: { name: 'node-b', labels: { 'kubernetes.io/hostname': 'node-b' } }, spec: { unschedulable: false }, status: { allocatable: { cpu: '3920m', memory: '15Gi', pods: '110' }, conditions: [{ type: 'MemoryPressure', status: 'False', lastTransitionTime: t(6000) }, { type: 'Ready', status: 'True', lastTransitionTime: t(6000), reason: 'KubeletReady' }] } },
];

export const jobs = [
  { metadata: { name: 'reindex-once', namespace: NS, uid: 'uid-j1', creationTimestamp: t(90) }, spec: { backoffLimit: 2, completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'reindex', image: 'registry.example.com/shop/tools:1' }], restartPolicy: 'Never' } } }, status: { startTime: t(90), failed: 3, conditions: [{ type: 'Failed', status: 'True', lastProbeTime: t(40), lastTransitionTime: t(40), reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } },
  { metadata: { name: 'report-29533200', namespace: NS, uid: 'uid-j2', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'uid-cj', controller: true }] }, spec: { backoffLimit: 6, template: { spec: { containers: [{ name: 'report', image: 'registry.example.com/shop/report:4' }], restartPolicy: 'OnFailure' } } }, status: { startTime: t(25), active: 1 } },
  { metadata: { name: 'report-29533140', namespace: NS, uid: 'uid-j3', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'uid-cj', controller: true }] }, spec: { backoffLimit: 6 }, status: { startTime: t(85), active: 1 } },
];

export const cronJobs = [
  { metadata: { name: 'report', namespace: NS, uid: 'uid-cj' }, spec: { schedule: '0 * * * *', concurrencyPolicy: 'Allow', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'report', image: 'registry.example.com/shop/report:4' }] } } } } }, status: { active: [{ kind: 'Job', namespace: NS, name: 'report-29533200', apiVersion: 'batch/v1' }, { kind: 'Job', namespace: NS, name: 'report-29533140', apiVersion: 'batch/v1' }], lastScheduleTime: t(25) } },
];

/** The paths the source lists for namespace "shop", with (copies of) the objects above: a test may change its own. */
export function shopLists(): Record<string, unknown[]> {
  return structuredClone({
    [`/api/v1/namespaces/${NS}/pods`]: pods,
    [`/api/v1/namespaces/${NS}/events`]: events,
    [`/apis/apps/v1/namespaces/${NS}/deployments`]: deployments,
    [`/apis/apps/v1/namespaces/${NS}/replicasets`]: replicaSets,
    [`/apis/apps/v1/namespaces/${NS}/statefulsets`]: statefulSets,
    [`/apis/apps/v1/namespaces/${NS}/daemonsets`]: [],
    [`/apis/apps/v1/namespaces/${NS}/controllerrevisions`]: controllerRevisions,
    [`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`]: hpas,
    [`/apis/batch/v1/namespaces/${NS}/jobs`]: jobs,
    [`/apis/batch/v1/namespaces/${NS}/cronjobs`]: cronJobs,
    '/api/v1/nodes': nodes,
  });
}
