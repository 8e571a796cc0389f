// The Kubernetes source: one kube context of the user's kubeconfig, read-only, scoped to namespaces,
// through the official @kubernetes/client-node. It reads pods, events, Deployments/StatefulSets/DaemonSets
// with their rollout history (ReplicaSets, ControllerRevisions), HPAs, nodes, Jobs and CronJobs into a
// bounded snapshot, and pod logs (current and previous container) as a log source. Every list has a
// limit. A part the credentials may not read (forbidden) costs only that part; no kubeconfig, an expired
// token or an unreachable API server cost only this source, with a message that names the context.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeOwner, KubePod, KubeRevision, KubernetesSnapshot, KubernetesStateSource, KubeWorkloadKind } from '../../core/kubernetes';
import type { LogRecord } from '../../core/model';
import type { LogQuery, LogSource, TimeWindow } from '../../core/sources';
import { SourceError, errorMessage } from '../../core/errors';
import { levelFromLine } from '../logFields';
import { controllerOf, controllerRevision, replicaSetRevision, toCronJob, toEvent, toHpa, toJob, toNode, toPod, toWorkload } from './kubeObjects';

type Client = typeof import('@kubernetes/client-node');
type Obj = any;

export interface KubernetesSourceOptions {
  /** Name of this source (unique among sources). */
  name: string;
  /** The kubeconfig context to use. Never the current context implicitly: the user names it. */
  context: string;
  /** The environment the user maps this context to (feeds the environment checks of remediation). */
  environment?: string;
  /** Namespaces to read; empty reads every namespace the credentials can list. */
  namespaces?: string[];
  /** Path of the kubeconfig; default $KUBECONFIG's first entry, else ~/.kube/config. */
  kubeconfigPath?: string;
  /** A kubeconfig as text (tests, or a secret); takes precedence over the path. */
  kubeconfigText?: string;
  timeoutMs?: number;
  /** Objects per list (default 500) and log bytes per container (default 256 KiB). */
  limits?: { objects?: number; logBytes?: number; logPods?: number };
  /** For tests: the client module (default: loaded on first use). */
  client?: Client;
}

export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(path.delimiter).find((p) => p.trim());
  return first ?? path.join(os.homedir(), '.kube', 'config');
}

/** The contexts a kubeconfig declares, for the settings UI. Throws SourceError('config') when it cannot be read. */
export async function listKubeContexts(kubeconfigPath = defaultKubeconfigPath(), client?: Client): Promise<{ name: string; cluster: string; namespace?: string }[]> {
  const k8s = client ?? (await import('@kubernetes/client-node'));
  const kc = new k8s.KubeConfig();
  if (!fs.existsSync(kubeconfigPath)) throw new SourceError('config', 'kubernetes', `no kubeconfig at ${kubeconfigPath}`);
  kc.loadFromFile(kubeconfigPath);
  return kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster, ...(c.namespace ? { namespace: c.namespace } : {}) }));
}

function apiMessage(err: Obj): string | undefined {
  const body = err?.body;
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body.slice(0, 300) || undefined;
    }
  }
  return undefined;
}

export class KubernetesSource implements KubernetesStateSource, LogSource {
  readonly kind = 'kubernetes' as const;
  readonly name: string;
  readonly context: string;
  readonly environment?: string;
  readonly namespaces: string[];
  private readonly timeoutMs: number;
  private readonly maxObjects: number;
  private readonly maxLogBytes: number;
  private readonly maxLogPods: number;
  private apis: Promise<{ core: Obj; apps: Obj; autoscaling: Obj; batch: Obj }> | undefined;
  private lastPods: KubePod[] | undefined;

  constructor(private readonly opts: KubernetesSourceOptions) {
    this.name = opts.name;
    this.context = opts.context;
    this.environment = opts.environment;
    this.namespaces = [...new Set(opts.namespaces ?? [])];
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxObjects = opts.limits?.objects ?? 500;
    this.maxLogBytes = opts.limits?.logBytes ?? 256 * 1024;
    this.maxLogPods = opts.limits?.logPods ?? 10;
  }

  private fail(kind: ConstructorParameters<typeof SourceError>[0], message: string, status?: number): SourceError {
    return new SourceError(kind, this.name, `kube context "${this.context}": ${message}`, status);
  }

  /** Loads the kubeconfig and builds the API clients once; a missing file or context is a config error. */
  private clients(): Promise<{ core: Obj; apps: Obj; autoscaling: Obj; batch: Obj }> {
    this.apis ??= (async () => {
      const k8s = this.opts.client ?? (await import('@kubernetes/client-node'));
      const kc = new k8s.KubeConfig();
      try {
        if (this.opts.kubeconfigText !== undefined) kc.loadFromString(this.opts.kubeconfigText);
        else {
          const file = this.opts.kubeconfigPath ?? defaultKubeconfigPath();
          if (!fs.existsSync(file)) throw this.fail('config', `no kubeconfig at ${file} (set incidentLens.kubernetes.kubeconfig or KUBECONFIG)`);
          kc.loadFromFile(file);
        }
      } catch (err) {
        if (err instanceof SourceError) throw err;
        throw this.fail('config', `the kubeconfig cannot be read: ${errorMessage(err)}`);
      }
      if (!kc.getContextObject(this.context)) throw this.fail('config', `the kubeconfig has no such context (it has ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
      kc.setCurrentContext(this.context);
      return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), autoscaling: kc.makeApiClient(k8s.AutoscalingV2Api), batch: kc.makeApiClient(k8s.BatchV1Api) };
    })();
    this.apis.catch(() => (this.apis = undefined));
    return this.apis;
  }

  /** One API call with a timeout, its failure turned into a SourceError that says what could not be read. */
  private async call<T>(what: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.fail('timeout', `reading ${what} took longer than ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(this.fail('timeout', `reading ${what} was cancelled`)), { once: true }));
    aborted.catch(() => undefined);
    try {
      return await Promise.race([work(), timeout, aborted]);
    } catch (err) {
      throw this.classify(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  private classify(err: unknown, what: string): SourceError {
    if (err instanceof SourceError) return err;
    const e = err as Obj;
    const code = typeof e?.code === 'number' ? e.code : undefined;
    const detail = apiMessage(e);
    if (code === 401) return this.fail('auth', `the API server refused the credentials (401 Unauthorized) while reading ${what}: the token has expired or is not valid; log in again to refresh it${detail ? ` (${detail})` : ''}`, 401);
    if (code === 403) return this.fail('auth', `forbidden to read ${what} (403)${detail ? `: ${detail}` : ''}`, 403);
    if (code === 404) return this.fail('not-found', `${what} not found (404)${detail ? `: ${detail}` : ''}`, 404);
    if (code !== undefined && code >= 500) return this.fail('server', `the API server failed reading ${what} (${code})${detail ? `: ${detail}` : ''}`, code);
    if (code !== undefined) return this.fail('client', `reading ${what} was refused (${code})${detail ? `: ${detail}` : ''}`, code);
    const text = errorMessage(err);
    const sys = typeof e?.code === 'string' ? e.code : (e?.cause?.code ?? (/(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ETIMEDOUT)/.exec(text)?.[1] as string | undefined));
    if (sys && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(sys)) return this.fail('down', `the API server cannot be reached (${sys}) while reading ${what}`);
    if (/expired|token|credential|unauthori[sz]ed/i.test(text)) return this.fail('auth', `the credentials could not be used while reading ${what}: ${text}`);
    if (/certificate|self.signed|CERT_|TLS/i.test(text)) return this.fail('config', `TLS to the API server failed while reading ${what}: ${text}`);
    return this.fail('down', `reading ${what} failed: ${text}`);
  }

  /** Lists one kind in every scoped namespace (or cluster-wide when none is set), bounded by the limit. */
  private async list(what: string, perNamespace: (ns: string, limit: number) => Promise<Obj>, all: (limit: number) => Promise<Obj>, truncated: string[], signal?: AbortSignal): Promise<Obj[]> {
    const lists = this.namespaces.length ? await Promise.all(this.namespaces.map((ns) => this.call(`${what} in namespace ${ns}`, () => perNamespace(ns, this.maxObjects), signal))) : [await this.call(`${what} in all namespaces`, () => all(this.maxObjects), signal)];
    const items: Obj[] = [];
    for (const l of lists) {
      if (l?.metadata?._continue || l?.metadata?.continue) truncated.push(what);
      if (Array.isArray(l?.items)) items.push(...l.items);
    }
    return items;
  }

  async snapshot(window: TimeWindow, signal?: AbortSignal): Promise<KubernetesSnapshot> {
    const { core, apps, autoscaling, batch } = await this.call('the kubeconfig', () => this.clients(), signal);
    const errors: { what: string; message: string }[] = [];
    const truncated: string[] = [];
    const failures: SourceError[] = [];
    const part = async (what: string, work: () => Promise<Obj[]>): Promise<Obj[]> => {
      try {
        return await work();
      } catch (err) {
        const e = err instanceof SourceError ? err : this.classify(err, what);
        failures.push(e);
        errors.push({ what, message: e.message });
        return [];
      }
    };
    const l = (what: string, ns: (n: string, limit: number) => Promise<Obj>, all: (limit: number) => Promise<Obj>) => part(what, () => this.list(what, ns, all, truncated, signal));
    const [pods, events, deployments, statefulSets, daemonSets, replicaSets, revisions, hpas, jobs, cronJobs, nodes] = await Promise.all([
      l('pods', (namespace, limit) => core.listNamespacedPod({ namespace, limit }), (limit) => core.listPodForAllNamespaces({ limit })),
      l('events', (namespace, limit) => core.listNamespacedEvent({ namespace, limit }), (limit) => core.listEventForAllNamespaces({ limit })),
      l('deployments', (namespace, limit) => apps.listNamespacedDeployment({ namespace, limit }), (limit) => apps.listDeploymentForAllNamespaces({ limit })),
      l('statefulsets', (namespace, limit) => apps.listNamespacedStatefulSet({ namespace, limit }), (limit) => apps.listStatefulSetForAllNamespaces({ limit })),
      l('daemonsets', (namespace, limit) => apps.listNamespacedDaemonSet({ namespace, limit }), (limit) => apps.listDaemonSetForAllNamespaces({ limit })),
      l('replicasets', (namespace, limit) => apps.listNamespacedReplicaSet({ namespace, limit }), (limit) => apps.listReplicaSetForAllNamespaces({ limit })),
      l('controllerrevisions', (namespace, limit) => apps.listNamespacedControllerRevision({ namespace, limit }), (limit) => apps.listControllerRevisionForAllNamespaces({ limit })),
      l('horizontalpodautoscalers', (namespace, limit) => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, limit }), (limit) => autoscaling.listHorizontalPodAutoscalerForAllNamespaces({ limit })),
      l('jobs', (namespace, limit) => batch.listNamespacedJob({ namespace, limit }), (limit) => batch.listJobForAllNamespaces({ limit })),
      l('cronjobs', (namespace, limit) => batch.listNamespacedCronJob({ namespace, limit }), (limit) => batch.listCronJobForAllNamespaces({ limit })),
      // Nodes are cluster-scoped: namespace-scoped credentials usually may not list them, which costs only this part.
      part('nodes', async () => {
        const list: Obj = await this.call('nodes', () => core.listNode({ limit: this.maxObjects }), signal);
        if (list?.metadata?._continue) truncated.push('nodes');
        return Array.isArray(list?.items) ? list.items : [];
      }),
    ]);
    // Every part failed for the same reason (no credentials, API server down): the source failed.
    if (failures.length === 11 && failures.every((f) => f.kind === failures[0].kind)) throw failures[0];

    const rsOwners = new Map<string, KubeOwner>();
    const history = new Map<string, KubeRevision[]>();
    const addRevision = (kind: string, ns: string, name: string, r: KubeRevision | undefined) => {
      if (!r) return;
      const key = `${kind}/${ns}/${name}`;
      const list = history.get(key) ?? [];
      list.push(r);
      history.set(key, list);
    };
    for (const rs of replicaSets) {
      const owner = controllerOf(rs.metadata);
      if (owner?.kind !== 'Deployment') continue;
      rsOwners.set(`${rs.metadata?.namespace}/${rs.metadata?.name}`, owner);
      addRevision('Deployment', rs.metadata?.namespace, owner.name, replicaSetRevision(rs));
    }
    for (const cr of revisions) {
      const owner = controllerOf(cr.metadata);
      if (owner?.kind === 'StatefulSet' || owner?.kind === 'DaemonSet') addRevision(owner.kind, cr.metadata?.namespace, owner.name, controllerRevision(cr));
    }
    const workloads = ([['Deployment', deployments], ['StatefulSet', statefulSets], ['DaemonSet', daemonSets]] as [KubeWorkloadKind, Obj[]][]).flatMap(([kind, list]) => list.map((w) => toWorkload(kind, w, history.get(`${kind}/${w.metadata?.namespace}/${w.metadata?.name}`) ?? [])));
    const podList = pods.map((p) => toPod(p, rsOwners));
    this.lastPods = podList;
    // Events are kept when they fall in the window (or say nothing of when): older ones are history.
    const eventList = events.map(toEvent).filter((e) => (e.lastTime ?? window.end) >= window.start).sort((a, b) => (b.lastTime ?? 0) - (a.lastTime ?? 0)).slice(0, this.maxObjects);
    return {
      source: this.name,
      context: this.context,
      ...(this.environment ? { environment: this.environment } : {}),
      namespaces: this.namespaces,
      takenAt: Date.now(),
      pods: podList,
      events: eventList,
      workloads,
      hpas: hpas.map(toHpa),
      nodes: nodes.map(toNode),
      jobs: jobs.map(toJob),
      cronJobs: cronJobs.map(toCronJob),
      errors,
      ...(truncated.length ? { truncated: [...new Set(truncated)] } : {}),
    };
  }

  /**
   * Pod logs as log records: for the pods in scope that belong to the service (by workload name or the
   * app.kubernetes.io/name / app label), unhealthy ones first, the current container's lines since the
   * window's start and, for a container that restarted, its previous run's (where a crash says why).
   */
  async queryLogs(q: LogQuery, signal?: AbortSignal): Promise<LogRecord[]> {
    const { core } = await this.call('the kubeconfig', () => this.clients(), signal);
    const pods = this.lastPods ?? (await this.snapshot(q, signal)).pods;
    const matches = (p: KubePod) => !q.service || p.workload?.name === q.service || p.labels['app.kubernetes.io/name'] === q.service || p.labels.app === q.service;
    const restarts = (p: KubePod) => p.containers.reduce((a, c) => a + c.restartCount + (c.ready ? 0 : 1), 0);
    const chosen = pods.filter(matches).sort((a, b) => restarts(b) - restarts(a)).slice(0, this.maxLogPods);
    const sinceSeconds = Math.max(1, Math.ceil((Date.now() - q.start) / 1000));
    const out: LogRecord[] = [];
    const failed: SourceError[] = [];
    let asked = 0;
    await Promise.all(
      chosen.flatMap((p) =>
        p.containers.flatMap((c) => {
          const runs = c.restartCount > 0 || c.lastTermination ? [false, true] : [false];
          return runs.map(async (previous) => {
            let text: string;
            if (!previous) asked++;
            try {
              text = await this.call(`logs of ${p.namespace}/${p.name}/${c.name}${previous ? ' (previous)' : ''}`, () => core.readNamespacedPodLog({ name: p.name, namespace: p.namespace, container: c.name, previous, timestamps: true, limitBytes: this.maxLogBytes, ...(previous ? {} : { sinceSeconds }) }), signal);
            } catch (err) {
              // The previous container's log is often gone (400 "previous terminated container not found");
              // one container's log that cannot be read costs only that container.
              if (!previous) failed.push(err as SourceError);
              return;
            }
            for (const line of String(text ?? '').split('\n')) {
              const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) ?(.*)$/.exec(line);
              if (!m) continue;
              const time = Date.parse(m[1]);
              if (!Number.isFinite(time) || (!previous && (time < q.start || time > q.end))) continue;
              if (q.query && !m[2].includes(q.query)) continue;
              out.push({ time, body: m[2], level: levelFromLine(m[2]), service: p.workload?.name ?? p.labels['app.kubernetes.io/name'] ?? p.labels.app ?? p.name, attributes: { 'k8s.namespace.name': p.namespace, 'k8s.pod.name': p.name, 'k8s.container.name': c.name, ...(previous ? { 'k8s.container.previous': true } : {}) } });
            }
          });
        }),
      ),
    );
    if (asked > 0 && failed.length === asked) throw failed[0];
    return out.sort((a, b) => a.time - b.time).slice(0, q.limit);
  }
}
