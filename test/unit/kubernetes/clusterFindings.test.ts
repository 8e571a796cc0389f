// The Kubernetes analyzers on a snapshot read by the real client-node from an HTTPS server answering
// objects written to the Kubernetes API reference (no cluster here): each failure state becomes a finding
// a person can act on, with an id evidence can point at and actions grounded in the objects.
import * as assert from 'node:assert/strict';
import { KubernetesSource } from '../../../src/sources/kubernetes/kubernetesSource';
import { kubernetesFindings, throttlingFindings } from '../../../src/analysis/kubernetes/clusterFindings';
import { commitFromImage, linkDeploysToChanges, rolloutDeploys } from '../../../src/analysis/kubernetes/rolloutDeploys';
import type { KubeFinding, KubernetesSnapshot } from '../../../src/core/kubernetes';
import type { Change } from '../../../src/core/model';
import { startKubeApiServer, type KubeApiServer } from '../../support/kubeApiServer';
import { checkoutBadCommit, checkoutGoodCommit, fixtureNow, shopLists } from './clusterFixture';

describe('Kubernetes analyzers on documented API objects served over HTTPS (no cluster here)', function () {
  this.timeout(30_000);
  let api: KubeApiServer;
  let snapshot: KubernetesSnapshot;
  let findings: KubeFinding[];
  const byKind = (kind: string) => findings.filter((f) => f.kind === kind);

  before(async () => {
    api = await startKubeApiServer({ tokens: { good: ['t'] }, lists: shopLists() });
    snapshot = await new KubernetesSource({ name: 'prod', context: 'prod-eu', environment: 'production', namespaces: ['shop'], kubeconfigText: api.kubeconfig('t') }).snapshot({ start: fixtureNow - 3600_000, end: fixtureNow });
    // The snapshot's clock is the fixture's, so durations are what the objects say.
    snapshot.takenAt = fixtureNow;
    findings = kubernetesFindings([snapshot]);
  });
  after(() => api.close());

  it('CrashLoopBackOff names the last termination reason and exit code, one finding per reason', () => {
    const loops = byKind('crash-loop');
    assert.deepEqual(loops.map((f) => [f.reason, f.exitCode, f.pods]).sort(), [['Error', 1, ['checkout-7d9c5-err01']], ['OOMKilled', 137, ['checkout-7d9c5-oomkd']]]);
    const oom = loops.find((f) => f.reason === 'OOMKilled')!;
    assert.equal(oom.title, 'Deployment shop/checkout: container checkout in CrashLoopBackOff, last terminated OOMKilled (exit code 137)');
    assert.match(oom.detail, /exceeding its memory limit of 256 MiB/);
    assert.equal(oom.id, 'k8s:crash-loop:shop/Deployment/checkout/checkout/OOMKilled');
  });

  it('ImagePullBackOff carries the registry error', () => {
    const [pull] = byKind('image-pull');
    assert.equal(pull.reason, 'ImagePullBackOff');
    assert.match(pull.detail, /401 Unauthorized/);
    assert.equal(pull.workload?.name, 'payments');
  });

  it('a failing readiness probe and a Pending pod with the scheduler\'s reason', () => {
    const [probe] = byKind('probe-failing');
    assert.equal(probe.title, 'Readiness probe failing on shop/storefront-9a1b2-probe');
    assert.match(probe.detail, /160 failures.*context deadline exceeded/);
    const [pend] = byKind('pending');
    assert.match(pend.detail, /2 Insufficient cpu/);
    assert.equal(pend.reason, 'Unschedulable');
  });

  it('node pressure, with cordon and drain proposals sized by the node\'s pods', () => {
    const [node] = byKind('node-pressure');
    assert.equal(node.title, 'Node node-a has MemoryPressure');
    assert.equal(node.count, 4, 'pods on node-a: not the unscheduled one, not the one on node-b');
    assert.deepEqual(node.actions?.map((a) => a.actionId), ['cordon-node', 'drain-node']);
    assert.equal(node.actions?.[1].params.pods, 4);
  });

  it('a rollout stuck past its deadline proposes undo to the named previous revision; a rollout in progress is reported', () => {
    const [stuck] = byKind('rollout-stuck');
    assert.equal(stuck.title, 'Rollout of Deployment shop/checkout is stuck at revision 8');
    assert.deepEqual(stuck.actions?.[0].params, { service: 'checkout', namespace: 'shop', revision: 7, replicas: 3, tool: 'kubectl' });
    const [progress] = byKind('rollout-progressing');
    assert.equal(progress.object.name, 'payments');
  });

  it('runaway jobs from Job and CronJob objects: a failed Job and overlapping CronJob runs', () => {
    assert.equal(byKind('job-failed')[0].object.name, 'reindex-once');
    assert.equal(byKind('job-failed')[0].actions?.[0].actionId, 'delete-job');
    assert.equal(byKind('job-overlapping-runs')[0].actions?.[0].actionId, 'suspend-cronjob');
  });

  it('critical findings come first and ids are unique', () => {
    assert.equal(findings[0].severity, 'critical');
    assert.equal(new Set(findings.map((f) => f.id)).size, findings.length);
  });

  it('throttling from the cAdvisor throttle ratio, only above the mixin\'s 25 %', () => {
    const series = (v: number) => ({ id: `t${v}`, name: 'CPU throttled', labels: { namespace: 'shop', pod: `p${v}` }, query: 'sum(rate(container_cpu_cfs_throttled_periods_total[5m])) / sum(rate(container_cpu_cfs_periods_total[5m]))', timestamps: [1, 2, 3, 4], values: [v, v, v, v] });
    assert.deepEqual(throttlingFindings([series(0.6), series(0.1)]).map((f) => f.object.name), ['p0.6']);
  });

  it('rollout revisions become deploys linked to commits by the OCI revision annotation, and mark the commit deployed', () => {
    const deploys = rolloutDeploys([snapshot], fixtureNow - 3600_000, fixtureNow);
    const checkout = deploys.find((d) => d.workload?.name === 'checkout')!;
    assert.equal(checkout.ref, 'Deployment shop/checkout revision 8');
    assert.equal(checkout.commitFrom, 'annotation');
    const changes: Change[] = [
      { sha: checkoutBadCommit, author: 'a', time: fixtureNow - 5 * 3600_000, message: 'checkout: cache warmup', files: [] },
      { sha: checkoutGoodCommit, author: 'b', time: fixtureNow - 50 * 3600_000, message: 'older', files: [] },
    ];
    const { changes: linked } = linkDeploysToChanges(changes, deploys);
    assert.equal(linked[0].deploy?.ref, 'k8s:Deployment shop/checkout revision 8');
    assert.equal(linked[0].deploy?.environment, 'production');
    assert.equal(linked[1].deploy, undefined, 'revision 7 went out before the window');
    assert.equal(changes[0].deploy, undefined, 'the input is not changed');
  });

  it('reads commit hashes from image tags, never from version numbers or digests', () => {
    assert.equal(commitFromImage('registry.example.com/shop/checkout:sha-7d9c5a1'), '7d9c5a1');
    assert.equal(commitFromImage('ghcr.io/acme/api:1.5.0-7d9c5a1e'), '7d9c5a1e');
    assert.equal(commitFromImage('registry:5000/shop/checkout:1.5.0'), undefined);
    assert.equal(commitFromImage('shop/checkout:20260302'), undefined);
    assert.equal(commitFromImage('shop/checkout@sha256:abcdef0123456789'), undefined);
  });
});
