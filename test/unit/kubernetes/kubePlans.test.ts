// kubectl plans checked against the objects they target: a snapshot read by the real client-node from an
// HTTPS server answering documented API objects (no cluster here) grounds every Kubernetes plan.
import * as assert from 'node:assert/strict';
import { planAction, type PlanContext } from '../../../src/remediation/catalog';
import { PlanError } from '../../../src/remediation/plan';
import { evaluatePolicy } from '../../../src/policy/engine';
import { emptyPolicy } from '../../../src/policy/load';
import { KubernetesSource } from '../../../src/sources/kubernetes/kubernetesSource';
import type { KubernetesSnapshot } from '../../../src/core/kubernetes';
import type { ProposedAction } from '../../../src/core/model';
import { startKubeApiServer } from '../../support/kubeApiServer';
import { fixtureNow, shopLists } from './clusterFixture';

const propose = (actionId: string, params: ProposedAction['params']): ProposedAction => ({ actionId, title: actionId, params, why: 'test' });

describe('kubectl plans checked against the objects they target (documented API objects over HTTPS, no cluster here)', function () {
  this.timeout(30_000);
  let snapshot: KubernetesSnapshot;
  let ctx: PlanContext;

  before(async () => {
    const api = await startKubeApiServer({ tokens: { good: ['t'] }, lists: shopLists() });
    try {
      snapshot = await new KubernetesSource({ name: 'prod', context: 'prod-eu', environment: 'production', namespaces: ['shop'], kubeconfigText: api.kubeconfig('t') }).snapshot({ start: fixtureNow - 3600_000, end: fixtureNow });
    } finally {
      await api.close();
    }
    ctx = { environment: 'production', workspaceDir: '/ws', kubeContext: 'prod-eu', namespace: 'shop', kubernetes: snapshot };
  });

  it('rollout undo goes to the named previous revision, with the real replica count as blast radius (not the claimed one)', () => {
    const plan = planAction(propose('rollback-deploy', { service: 'checkout', replicas: 1 }), ctx);
    assert.deepEqual(plan.argv, ['kubectl', 'rollout', 'undo', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu', '--to-revision=7']);
    assert.equal(plan.blastRadius.pods, 3, 'spec.replicas of the Deployment');
    assert.equal(plan.title, 'Roll back deployment/checkout in shop to revision 7');
  });

  it('refuses a revision the history does not have, the live revision, and a Deployment that is not there', () => {
    assert.throws(() => planAction(propose('rollback-deploy', { service: 'checkout', revision: 2 }), ctx), /has no revision 2 \(its history: 8, 7, 6\)/);
    assert.throws(() => planAction(propose('rollback-deploy', { service: 'checkout', revision: 8 }), ctx), /is the one Deployment shop\/checkout runs now/);
    assert.throws(() => planAction(propose('restart', { service: 'chekout' }), ctx), (e: unknown) => e instanceof PlanError && /no Deployment shop\/chekout.*it has checkout, payments/.test(e.message));
  });

  it('scale stays within the HPA\'s bounds and rolls back to the real current count', () => {
    assert.throws(() => planAction(propose('scale', { service: 'payments', replicas: 8 }), ctx), /Replicas must be a whole number from 2 to 6/);
    assert.throws(() => planAction(propose('scale', { service: 'payments', replicas: 1 }), ctx), /from 2 to 6/);
    const plan = planAction(propose('scale', { service: 'payments', replicas: 4, currentReplicas: 40 }), ctx);
    assert.deepEqual(plan.argv.slice(0, 4), ['kubectl', 'scale', 'deployment/payments', '--replicas=4']);
    assert.deepEqual(plan.rollback?.argv.slice(0, 4), ['kubectl', 'scale', 'deployment/payments', '--replicas=2']);
    assert.equal(plan.blastRadius.pods, 2, '2 -> 4 starts two pods');
  });

  it('cordon and drain name the node; with namespace-scoped state the pod count is unknown, and the built-in policy refuses node-wide actions', () => {
    const drain = planAction(propose('drain-node', { node: 'node-a' }), ctx);
    assert.deepEqual(drain.argv, ['kubectl', 'drain', 'node-a', '--context', 'prod-eu', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s']);
    assert.equal(drain.blastRadius.unknown, true);
    const decision = evaluatePolicy(drain, { autonomy: 'suggest', now: new Date(fixtureNow), trusted: true }, emptyPolicy());
    assert.equal(decision.verdict, 'deny');
    assert.match(decision.reasons.join(' '), /drain acts on a node/);
    assert.throws(() => planAction(propose('cordon-node', { node: 'node-z' }), ctx), /no node node-z/);
    const cluster = planAction(propose('cordon-node', { node: 'node-a' }), { ...ctx, kubernetes: { ...snapshot, namespaces: [] } });
    assert.equal(cluster.blastRadius.pods, 4, 'cluster-wide state counts the node\'s pods');
    assert.deepEqual(cluster.rollback?.argv, ['kubectl', 'uncordon', 'node-a', '--context', 'prod-eu']);
  });

  it('suspend a CronJob (a merge patch as one argv element) with resume as rollback; delete a Job is destructive and denied by default', () => {
    const suspend = planAction(propose('suspend-cronjob', { cronjob: 'report' }), ctx);
    assert.deepEqual(suspend.argv, ['kubectl', 'patch', 'cronjob/report', '--type=merge', '-p', '{"spec":{"suspend":true}}', '-n', 'shop', '--context', 'prod-eu']);
    assert.equal(suspend.rollback?.argv[5], '{"spec":{"suspend":false}}');
    assert.equal(evaluatePolicy(suspend, { autonomy: 'suggest', now: new Date(fixtureNow), trusted: true }, emptyPolicy()).verdict, 'require-approval', 'a low-risk patch is asked for, not refused');
    const del = planAction(propose('delete-job', { job: 'reindex-once' }), ctx);
    assert.equal(del.destructive, true);
    assert.equal(evaluatePolicy(del, { autonomy: 'suggest', now: new Date(fixtureNow), trusted: true }, emptyPolicy()).verdict, 'deny');
    assert.throws(() => planAction(propose('delete-job', { job: 'nope' }), ctx), /no Job shop\/nope/);
  });

  it('set resources on a container, rolled back to the values the container has now', () => {
    const plan = planAction(propose('set-resources', { service: 'checkout', container: 'checkout', cpuRequest: '200m', memoryRequest: '300Mi' }), ctx);
    assert.deepEqual(plan.argv, ['kubectl', 'set', 'resources', 'deployment/checkout', '-c', 'checkout', '--requests=cpu=200m,memory=300Mi', '-n', 'shop', '--context', 'prod-eu']);
    assert.deepEqual(plan.rollback?.argv.slice(6, 7), ['--requests=cpu=500m,memory=256Mi']);
    assert.equal(plan.blastRadius.pods, 3);
    assert.throws(() => planAction(propose('set-resources', { service: 'checkout', container: 'sidecar', cpuRequest: '1' }), ctx), /has no container sidecar/);
    assert.throws(() => planAction(propose('set-resources', { service: 'checkout', container: 'checkout', cpuRequest: '1;rm' }), ctx), /not a Kubernetes quantity/);
  });

  it('refuses to check a plan against the state of another context', () => {
    assert.throws(() => planAction(propose('restart', { service: 'checkout' }), { ...ctx, kubeContext: 'prod-us' }), /state at hand is of context "prod-eu", not "prod-us"/);
  });
});
