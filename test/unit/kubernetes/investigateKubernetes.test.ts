// investigate() with a Kubernetes source (real client-node against an HTTPS server answering documented
// API objects; no cluster here) and a real git repository: the snapshot lands in the bundle, the
// analyzers' findings in the investigation, the rollout revision marks its commit deployed, and a kube
// context whose token expired costs only its own signals.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { investigate } from '../../../src/agent/investigate';
import type { ProgressEvent } from '../../../src/core/investigation';
import type { Alert } from '../../../src/core/model';
import { GitChangeSource } from '../../../src/sources/git';
import { KubernetesSource } from '../../../src/sources/kubernetes/kubernetesSource';
import { startKubeApiServer, type KubeApiServer } from '../../support/kubeApiServer';
import { fixtureNow, shopLists } from './clusterFixture';

function git(cwd: string, args: string[], when: number): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@shop.dev', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@shop.dev', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd, GIT_AUTHOR_DATE: `@${Math.floor(when / 1000)} +0000`, GIT_COMMITTER_DATE: `@${Math.floor(when / 1000)} +0000` };
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

describe('investigate with a Kubernetes source (documented API objects over HTTPS, no cluster here)', function () {
  this.timeout(60_000);
  let api: KubeApiServer;
  let repo: string;
  let badSha: string;

  before(async () => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'il-k8s-inv-'));
    git(repo, ['init', '-q', '-b', 'main'], fixtureNow - 3 * 86_400_000);
    fs.mkdirSync(path.join(repo, 'services/checkout/src'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'services/checkout/src/cache.js'), 'module.exports = {};\n');
    git(repo, ['add', '-A'], fixtureNow - 3 * 86_400_000);
    git(repo, ['commit', '-q', '-m', 'checkout: initial'], fixtureNow - 3 * 86_400_000);
    fs.writeFileSync(path.join(repo, 'services/checkout/src/cache.js'), 'const warm = Buffer.alloc(512 * 1024 * 1024);\nmodule.exports = { warm };\n');
    git(repo, ['add', '-A'], fixtureNow - 40 * 60_000);
    git(repo, ['commit', '-q', '-m', 'checkout: warm the cache at start'], fixtureNow - 40 * 60_000);
    badSha = git(repo, ['rev-parse', 'HEAD'], fixtureNow).trim();
    // The Deployment's newest ReplicaSet names this commit in its OCI revision annotation.
    const lists = shopLists();
    const rs = lists['/apis/apps/v1/namespaces/shop/replicasets'] as { spec: { template: { metadata: { annotations: Record<string, string> } } } }[];
    rs[0].spec.template.metadata.annotations['org.opencontainers.image.revision'] = badSha;
    api = await startKubeApiServer({ tokens: { good: ['t'] }, lists });
  });
  after(async () => {
    await api.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });

  const alert: Alert = { id: 'a1', name: 'KubePodCrashLooping', state: 'firing', severity: 'warning', labels: { namespace: 'shop', pod: 'checkout-7d9c5-oomkd', service: 'checkout' }, annotations: {}, startsAt: fixtureNow - 10 * 60_000, sourceName: 'prom', sourceKind: 'prometheus', service: 'checkout' };

  it('puts the snapshot in the bundle, Kubernetes findings in the investigation, and marks the revision\'s commit deployed', async () => {
    const steps: ProgressEvent[] = [];
    const kube = new KubernetesSource({ name: 'prod-cluster', context: 'prod-eu', environment: 'production', namespaces: ['shop'], kubeconfigText: api.kubeconfig('t') });
    const inv = await investigate(alert, { kubernetes: [kube], changes: new GitChangeSource({ name: 'git', workspace: repo }) }, { now: fixtureNow, onProgress: (e) => steps.push(e) });
    assert.equal(inv.bundle.kubernetes?.length, 1);
    assert.equal(inv.bundle.kubernetes?.[0].context, 'prod-eu');
    assert.ok(steps.some((s) => s.step === 'kubernetes' && s.state === 'done' && s.count === 6));
    const ids = (inv.findings.kubernetes ?? []).map((f) => f.id);
    assert.ok(ids.includes('k8s:crash-loop:shop/Deployment/checkout/checkout/OOMKilled'), ids.join('\n'));
    const deployed = inv.bundle.changes.find((c) => c.sha === badSha);
    assert.equal(deployed?.deploy?.ref, 'k8s:Deployment shop/checkout revision 8');
    assert.equal(inv.bundle.deploys?.find((d) => d.commit === badSha.toLowerCase())?.commitFrom, 'annotation');
    assert.equal(inv.findings.suspects[0]?.sha, badSha);
    assert.ok(inv.findings.suspects[0].strength.deployed, 'the suspect ranker sees the rollout as its deploy');
    assert.deepEqual(inv.errors, []);
  });

  it('a kube context whose token expired costs only its own signals, with a clear error', async () => {
    const good = new KubernetesSource({ name: 'prod-cluster', context: 'prod-eu', namespaces: ['shop'], kubeconfigText: api.kubeconfig('t') });
    const expired = new KubernetesSource({ name: 'staging-cluster', context: 'prod-eu', namespaces: ['shop'], kubeconfigText: api.kubeconfig('old') });
    const inv = await investigate(alert, { kubernetes: [good, expired] }, { now: fixtureNow });
    assert.equal(inv.bundle.kubernetes?.length, 1);
    assert.deepEqual(inv.errors.map((e) => [e.kind, e.source]), [['kubernetes', 'staging-cluster']]);
    assert.match(inv.errors[0].message, /401 Unauthorized.*expired/);
  });
});
