// The Kubernetes source with the real @kubernetes/client-node against an HTTPS server started here that
// answers with objects written to the Kubernetes API reference (no cluster can be had on this machine).
import * as assert from 'node:assert/strict';
import { KubernetesSource } from '../../../src/sources/kubernetes/kubernetesSource';
import { SourceError } from '../../../src/core/errors';
import { startKubeApiServer, type KubeApiServer } from '../../support/kubeApiServer';
import { fixtureNow, shopLists } from './clusterFixture';

describe('Kubernetes source, real client-node against an HTTPS server answering documented API objects (no cluster here)', function () {
  this.timeout(30_000);
  let api: KubeApiServer;
  const window = { start: fixtureNow - 3600_000, end: fixtureNow };

  before(async () => {
    api = await startKubeApiServer({
      tokens: { good: ['viewer-token', 'ns-only-token'], forbiddenNodes: ['ns-only-token'] },
      lists: shopLists(),
      logs: {
        'shop/checkout-7d9c5-oomkd/checkout': '2026-03-02T10:24:00.000000000Z level=info msg="starting checkout"\n',
        'shop/checkout-7d9c5-oomkd/checkout/previous': '2026-03-02T10:23:58.120000000Z level=error msg="cache warmup: allocating 512MiB"\n2026-03-02T10:23:59.500000000Z fatal error: runtime: out of memory\n',
      },
    });
  });
  after(() => api.close());

  const source = (token: string, extra: Partial<ConstructorParameters<typeof KubernetesSource>[0]> = {}) => new KubernetesSource({ name: 'prod-cluster', context: 'prod-eu', environment: 'production', namespaces: ['shop'], kubeconfigText: api.kubeconfig(token), ...extra });

  it('reads pods with their container states, last termination reason and exit code, restarts and probes', async () => {
    const s = await source('viewer-token').snapshot(window);
    assert.deepEqual(s.errors, []);
    const oom = s.pods.find((p) => p.name === 'checkout-7d9c5-oomkd')!;
    assert.equal(oom.workload?.name, 'checkout');
    assert.equal(oom.workload?.kind, 'Deployment');
    const c = oom.containers[0];
    assert.equal(c.state, 'waiting');
    assert.equal(c.reason, 'CrashLoopBackOff');
    assert.equal(c.restartCount, 6);
    assert.deepEqual([c.lastTermination?.reason, c.lastTermination?.exitCode], ['OOMKilled', 137]);
    assert.deepEqual(c.probes, { readiness: true, liveness: true, startup: false });
    assert.deepEqual(c.resources, { requests: { cpu: 0.5, memory: 256 * 2 ** 20 }, limits: { memory: 256 * 2 ** 20 } });
    const pending = s.pods.find((p) => p.name === 'storefront-9a1b2-pend1')!;
    assert.equal(pending.conditions.find((x) => x.type === 'PodScheduled')?.reason, 'Unschedulable');
  });

  it('reads rollout history from ReplicaSets and ControllerRevisions, newest first, with images, change cause, version and commit', async () => {
    const s = await source('viewer-token').snapshot(window);
    const checkout = s.workloads.find((w) => w.kind === 'Deployment' && w.name === 'checkout')!;
    assert.equal(checkout.revision, 8);
    assert.deepEqual(checkout.history.map((h) => h.revision), [8, 7, 6]);
    assert.equal(checkout.history[0].version, '1.5.0');
    assert.match(checkout.history[0].commit ?? '', /^7d9c5a1e/);
    assert.match(checkout.history[0].changeCause ?? '', /set image/);
    assert.equal(checkout.conditions.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
    const ledger = s.workloads.find((w) => w.kind === 'StatefulSet')!;
    assert.deepEqual(ledger.history.map((h) => [h.revision, h.images[0]]), [[2, 'postgres:16.2'], [1, 'postgres:16.1']]);
    assert.equal(ledger.revision, 2);
  });

  it('reads HPAs (min, max, current), nodes with their conditions, Jobs and CronJobs, and events in the window only', async () => {
    const s = await source('viewer-token').snapshot(window);
    assert.deepEqual(s.hpas.map((h) => [h.target.name, h.minReplicas, h.maxReplicas, h.currentReplicas, h.metrics[0].resource, h.metrics[0].targetUtilization]), [['payments', 2, 6, 3, 'cpu', 70]]);
    assert.equal(s.nodes.find((n) => n.name === 'node-a')?.conditions.find((c) => c.type === 'MemoryPressure')?.status, 'True');
    assert.equal(s.jobs.find((j) => j.name === 'reindex-once')?.conditions[0].reason, 'BackoffLimitExceeded');
    assert.deepEqual(s.cronJobs[0].active, ['report-29533200', 'report-29533140']);
    assert.ok(!s.events.some((e) => e.involved.name === 'gone'), 'a three-day-old event is outside the window');
    assert.ok(s.events.some((e) => e.reason === 'FailedScheduling' && e.source === 'default-scheduler'));
  });

  it('is read-only and scoped: only GET requests under the namespace asked for, plus cluster-scoped nodes', async () => {
    const before = api.requests.length;
    await source('viewer-token').snapshot(window);
    const paths = api.requests.slice(before).map((p) => p.split('?')[0]);
    assert.ok(paths.every((p) => p === '/api/v1/nodes' || p.includes('/namespaces/shop/')), paths.join('\n'));
    assert.ok(api.requests.slice(before).every((p) => /limit=500/.test(p)), 'every list is bounded');
  });

  it('a forbidden part (nodes for namespace-scoped credentials) costs only that part, with the API server\'s reason', async () => {
    const s = await source('ns-only-token').snapshot(window);
    assert.equal(s.nodes.length, 0);
    assert.equal(s.pods.length, 6);
    assert.equal(s.errors.length, 1);
    assert.match(s.errors[0].message, /kube context "prod-eu": forbidden to read nodes \(403\): nodes is forbidden: User "system:serviceaccount:shop:viewer"/);
  });

  it('an expired token fails the whole source with a message that names the context and says to log in again', async () => {
    await assert.rejects(source('expired-token').snapshot(window), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /prod-cluster: kube context "prod-eu": the API server refused the credentials \(401 Unauthorized\).*expired.*log in again/);
      return true;
    });
  });

  it('no kubeconfig, or a context the kubeconfig lacks, is a config error naming what to fix', async () => {
    await assert.rejects(new KubernetesSource({ name: 'k', context: 'prod-eu', kubeconfigPath: '/nonexistent/kubeconfig' }).snapshot(window), /kube context "prod-eu": no kubeconfig at \/nonexistent\/kubeconfig/);
    await assert.rejects(source('viewer-token', { context: 'staging' }).snapshot(window), /kube context "staging": the kubeconfig has no such context \(it has prod-eu\)/);
  });

  it('an API server that is down fails the source as "down"', async () => {
    const text = api.kubeconfig('viewer-token').replace(api.url, 'https://127.0.0.1:1');
    await assert.rejects(new KubernetesSource({ name: 'k', context: 'prod-eu', namespaces: ['shop'], kubeconfigText: text, timeoutMs: 5000 }).snapshot(window), (err: unknown) => err instanceof SourceError && err.kind === 'down');
  });

  it('reads pod logs of the current and the previous container as log records, the crash\'s last words included', async () => {
    const src = source('viewer-token');
    await src.snapshot(window);
    const logs = await src.queryLogs({ start: window.start, end: window.end, query: '', limit: 100, service: 'checkout' });
    const previous = logs.filter((l) => l.attributes?.['k8s.container.previous'] === true);
    assert.deepEqual(previous.map((l) => l.body), ['level=error msg="cache warmup: allocating 512MiB"', 'fatal error: runtime: out of memory']);
    assert.equal(previous[0].level, 'error');
    assert.ok(logs.some((l) => l.body.includes('starting checkout') && l.service === 'checkout'));
    assert.ok(api.requests.some((r) => /\/pods\/checkout-7d9c5-oomkd\/log\?.*previous=true/.test(r)));
  });
});
