// Argo CD as a deploy source, against a local HTTP server answering the Application body Argo CD's API
// documents (GET /api/v1/applications/{name}: status.history of RevisionHistory); no Argo CD here.
import * as assert from 'node:assert/strict';
import { ArgoCdSource } from '../../../src/sources/kubernetes/argocd';
import { linkDeploysToChanges } from '../../../src/analysis/kubernetes/rolloutDeploys';
import { investigate } from '../../../src/agent/investigate';
import type { Alert, Change } from '../../../src/core/model';
import { sendJson, startLocalServer, type LocalServer } from '../sources/localServer';

const now = Date.parse('2026-03-02T10:30:00Z');
const bad = '9f1c2e7a4b6d8c0e1f3a5b7c9d0e2f4a6b8c0d1e';
const application = {
  metadata: { name: 'checkout', namespace: 'argocd' },
  spec: { source: { repoURL: 'https://git.example.com/shop/deploy.git', path: 'checkout', targetRevision: 'HEAD' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' }, project: 'default' },
  status: {
    sync: { status: 'Synced', revision: bad },
    health: { status: 'Degraded' },
    summary: { images: ['registry.example.com/shop/checkout:1.5.0'] },
    history: [
      { revision: '5b8f6e0d2c4a1b3e9f7d6c5b4a3928170615f4e3', deployedAt: '2026-02-27T09:00:00Z', id: 11, source: { repoURL: 'https://git.example.com/shop/deploy.git', path: 'checkout', targetRevision: 'HEAD' }, deployStartedAt: '2026-02-27T08:59:40Z', initiatedBy: { automated: true } },
      { revision: bad, deployedAt: '2026-03-02T10:02:10Z', id: 12, source: { repoURL: 'https://git.example.com/shop/deploy.git', path: 'checkout', targetRevision: 'HEAD' }, deployStartedAt: '2026-03-02T10:01:55Z', initiatedBy: { username: 'ada' } },
    ],
  },
};

describe('Argo CD application history as deploys (documented Application bodies from a local server; no Argo CD here)', () => {
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer((req, res) => {
      if (req.headers.authorization !== 'Bearer argo-token') return sendJson(res, { error: 'no session information', code: 16, message: 'no session information' }, 401);
      if (req.path === '/api/v1/applications/checkout') return sendJson(res, application);
      sendJson(res, { error: 'applications.argoproj.io "x" not found', code: 5, message: 'not found' }, 404);
    });
  });
  after(() => server.close());

  const source = (token = 'argo-token') => new ArgoCdSource({ name: 'argocd', url: server.url, apps: ['checkout'], environment: 'production', authorization: async () => `Bearer ${token}` });

  it('reads each sync in the window as a deploy linked to its commit', async () => {
    const d = await source().deploys({ start: now - 3 * 3600_000, end: now });
    assert.deepEqual(d.map((x) => [x.ref, x.commit, x.changeCause]), [['Argo CD app checkout #12', bad, 'synced by ada']]);
    const changes: Change[] = [{ sha: bad, author: 'ada', time: now - 2 * 3600_000, message: 'checkout 1.5.0', files: [] }];
    assert.equal(linkDeploysToChanges(changes, d).changes[0].deploy?.ref, 'argocd:Argo CD app checkout #12');
  });

  it('a refused token is an auth error, and investigate() records it without failing', async () => {
    await assert.rejects(source('wrong').deploys({ start: 0, end: now }), (e: unknown) => (e as { kind?: string }).kind === 'auth');
    const alert: Alert = { id: 'a', name: 'X', state: 'firing', severity: 'warning', labels: {}, annotations: {}, startsAt: now - 60_000, sourceName: 'p', sourceKind: 'prometheus' };
    const inv = await investigate(alert, { deploys: [source('wrong'), source()] }, { now });
    assert.deepEqual(inv.errors.map((e) => [e.kind, e.source]), [['kubernetes', 'argocd']]);
    assert.equal(inv.bundle.deploys?.[0].ref, 'Argo CD app checkout #12');
  });

  it('refuses an app name that is not one', () => {
    assert.throws(() => new ArgoCdSource({ name: 'argocd', url: server.url, apps: ['../../secret'] }), /not an application name/);
  });
});
