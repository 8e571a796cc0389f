// An HTTPS server that answers the Kubernetes API paths the Kubernetes source reads, with objects written
// to the Kubernetes API reference (v1 Pod, Event, Node; apps/v1 Deployment, ReplicaSet, StatefulSet,
// ControllerRevision; autoscaling/v2 HorizontalPodAutoscaler; batch/v1 Job, CronJob; metav1 Status for
// errors). No cluster can be run here, so the tests that use it say so in their names. The certificate is
// made by openssl for 127.0.0.1, so the client verifies TLS as it would against a real API server.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';

export interface KubeApiServer {
  url: string;
  caPem: string;
  /** Paths requested, in order (query strings included). */
  requests: string[];
  kubeconfig(token: string, context?: string): string;
  close(): Promise<void>;
}

export interface KubeApiOptions {
  /** Tokens accepted; others get 401. */
  tokens: { good: string[]; forbiddenNodes?: string[] };
  /** Objects per path ("/api/v1/namespaces/shop/pods"): the list's items. */
  lists: Record<string, unknown[]>;
  /** Log text per "namespace/pod/container[/previous]". */
  logs?: Record<string, string>;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

const listKinds: Record<string, [string, string]> = {
  pods: ['PodList', 'v1'],
  events: ['EventList', 'v1'],
  nodes: ['NodeList', 'v1'],
  deployments: ['DeploymentList', 'apps/v1'],
  replicasets: ['ReplicaSetList', 'apps/v1'],
  statefulsets: ['StatefulSetList', 'apps/v1'],
  daemonsets: ['DaemonSetList', 'apps/v1'],
  controllerrevisions: ['ControllerRevisionList', 'apps/v1'],
  horizontalpodautoscalers: ['HorizontalPodAutoscalerList', 'autoscaling/v2'],
  jobs: ['JobList', 'batch/v1'],
  cronjobs: ['CronJobList', 'batch/v1'],
};

export async function startKubeApiServer(opts: KubeApiOptions): Promise<KubeApiServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-kube-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const caPem = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const requests: string[] = [];
  const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: caPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push(url.pathname + url.search);
    const send = (code: number, body: string, type = 'application/json') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !opts.tokens.good.includes(token)) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (req.method !== 'GET') return send(405, status(405, 'MethodNotAllowed', 'the source is read-only'));
    const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (log) {
      const key = `${log[1]}/${log[2]}/${url.searchParams.get('container')}${url.searchParams.get('previous') === 'true' ? '/previous' : ''}`;
      const text = opts.logs?.[key];
      if (text === undefined) return send(400, status(400, 'BadRequest', `previous terminated container "${url.searchParams.get('container')}" in pod "${log[2]}" not found`));
      return send(200, text, 'text/plain');
    }
    const kind = url.pathname.split('/').pop() ?? '';
    if (kind === 'nodes' && opts.tokens.forbiddenNodes?.includes(token)) return send(403, status(403, 'Forbidden', 'nodes is forbidden: User "system:serviceaccount:shop:viewer" cannot list resource "nodes" in API group "" at the cluster scope'));
    const items = opts.lists[url.pathname];
    const meta = listKinds[kind];
    if (!meta) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    send(200, JSON.stringify({ kind: meta[0], apiVersion: meta[1], metadata: { resourceVersion: '12345' }, items: items ?? [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  return {
    url,
    caPem,
    requests,
    kubeconfig: (token, context = 'prod-eu') =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test-cluster', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
        users: [{ name: 'viewer', user: { token } }],
        contexts: [{ name: context, context: { cluster: 'test-cluster', user: 'viewer', namespace: 'shop' } }],
        'current-context': context,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
