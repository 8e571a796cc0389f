// The kube contexts the user maps to environments (incidentLens.kubernetes.contexts), as Kubernetes
// sources: one per context, read-only, namespace-scoped. The mapping is what remediation's environment
// checks hold a plan to (a production plan must name production's context). Contexts come only from the
// settings, never from an alert; an invalid entry is reported and skipped, the others still work.
import * as vscode from 'vscode';
import type { KubernetesSnapshot } from '../core/kubernetes';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { KubernetesSource } from '../sources/kubernetes/kubernetesSource';

export interface KubeContextSetting {
  context: string;
  environment: string;
  namespaces: string[];
  name: string;
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads and checks the setting; bad entries become errors, good ones are kept. */
export function readKubeContexts(raw: unknown): { contexts: KubeContextSetting[]; errors: string[] } {
  const contexts: KubeContextSetting[] = [];
  const errors: string[] = [];
  if (!Array.isArray(raw)) return { contexts, errors: raw === undefined ? [] : ['incidentLens.kubernetes.contexts must be a list'] };
  raw.forEach((e: unknown, i) => {
    const where = `incidentLens.kubernetes.contexts[${i}]`;
    const o = e as Record<string, unknown>;
    if (!o || typeof o !== 'object') return errors.push(`${where} must be an object`);
    if (typeof o.context !== 'string' || !o.context.trim()) return errors.push(`${where}: "context" must name a context of your kubeconfig`);
    if (typeof o.environment !== 'string' || !o.environment.trim()) return errors.push(`${where}: "environment" must name the environment this context serves (production, staging...)`);
    const namespaces = Array.isArray(o.namespaces) ? o.namespaces.filter((n): n is string => typeof n === 'string') : [];
    const bad = namespaces.find((n) => !namePattern.test(n));
    if (bad !== undefined) return errors.push(`${where}: namespace ${JSON.stringify(bad)} is not a Kubernetes namespace name`);
    if (contexts.some((c) => c.environment === o.environment)) return errors.push(`${where}: environment "${o.environment}" is already served by context "${contexts.find((c) => c.environment === o.environment)!.context}"`);
    contexts.push({ context: o.context.trim(), environment: (o.environment as string).trim(), namespaces, name: typeof o.name === 'string' && o.name ? o.name : `k8s-${o.context}` });
  });
  return { contexts, errors };
}

export class KubernetesContexts implements vscode.Disposable {
  private built: { key: string; sources: KubernetesSource[] } | undefined;
  private loading: Promise<KubernetesSource[]> | undefined;
  private reported = '';

  constructor(private readonly logger: Logger) {}

  settings(): { kubeconfig?: string; contexts: KubeContextSetting[]; errors: string[] } {
    const c = vscode.workspace.getConfiguration('incidentLens');
    const kubeconfig = c.get<string>('kubernetes.kubeconfig', '') || undefined;
    return { ...(kubeconfig ? { kubeconfig } : {}), ...readKubeContexts(c.get<unknown>('kubernetes.contexts', [])) };
  }

  /** The kube context each environment uses, for the environment checks. */
  contextForEnvironment(): Record<string, string> {
    return Object.fromEntries(this.settings().contexts.map((c) => [c.environment, c.context]));
  }

  forEnvironment(environment: string): KubeContextSetting | undefined {
    return this.settings().contexts.find((c) => c.environment.toLowerCase() === environment.toLowerCase());
  }

  /** The sources, built on first use (the client library loads only when a context is configured). */
  async sources(): Promise<KubernetesSource[]> {
    const s = this.settings();
    if (s.errors.join('\n') !== this.reported) {
      this.reported = s.errors.join('\n');
      for (const e of s.errors) this.logger.warn(`kubernetes: ${e}`);
      if (s.errors.length) void vscode.window.showWarningMessage(`Incident Lens: ${s.errors[0]}${s.errors.length > 1 ? ` (and ${s.errors.length - 1} more; see the log)` : ''}`);
    }
    if (!s.contexts.length) return [];
    const key = JSON.stringify(s);
    if (this.built?.key === key) return this.built.sources;
    this.loading ??= import('../sources/kubernetes/kubernetesSource').then(({ KubernetesSource }) => {
      const sources = s.contexts.map((c) => new KubernetesSource({ name: c.name, context: c.context, environment: c.environment, namespaces: c.namespaces, ...(s.kubeconfig ? { kubeconfigPath: s.kubeconfig } : {}) }));
      this.built = { key, sources };
      return sources;
    });
    try {
      return await this.loading;
    } finally {
      this.loading = undefined;
    }
  }

  /** The sources as built now (investigations ask synchronously); a settings change rebuilds them in the background. */
  current(): KubernetesSource[] {
    const s = this.settings();
    if (!s.contexts.length) return [];
    if (this.built?.key === JSON.stringify(s)) return this.built.sources;
    void this.sources();
    return [];
  }

  /** A fresh snapshot of an environment's context, to check a plan against; undefined when none or unreadable. */
  async snapshotFor(environment: string): Promise<KubernetesSnapshot | undefined> {
    const c = this.forEnvironment(environment);
    if (!c) return undefined;
    const source = (await this.sources()).find((x) => x.context === c.context);
    try {
      return await source?.snapshot({ start: Date.now() - 3600_000, end: Date.now() });
    } catch (err) {
      this.logger.warn(`kubernetes: no state of context ${c.context} to check the plan against: ${errorMessage(err)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.built = undefined;
  }
}
