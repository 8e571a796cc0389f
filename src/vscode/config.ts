// A typed facade over the settings, read fresh on every call (rust-analyzer's habit): nothing caches
// a stale value, and callers that need a reconnect listen to onDidChangeConfiguration themselves.
import * as vscode from 'vscode';

export type GroupBy = 'incident' | 'service' | 'severity' | 'alertname' | 'none';
export type Autonomy = 'observe' | 'suggest' | 'executeLowRisk' | 'executeHighRisk';

const section = 'incidentLens';

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(section);
}

export const settings = {
  rawSources(): unknown {
    return cfg().get<unknown>('sources', []);
  },
  receiver(): { enabled: boolean; host: string; port: number; maxMemoryMB: number } {
    const c = cfg();
    const envPort = process.env.INCIDENT_LENS_RECEIVER_PORT;
    return {
      enabled: c.get<boolean>('receiver.enabled', true),
      host: c.get<string>('receiver.host', '127.0.0.1'),
      // Tests and the benchmark harness pick a free port through the environment.
      port: envPort !== undefined && envPort !== '' ? Number(envPort) : c.get<number>('receiver.port', 4318),
      maxMemoryMB: c.get<number>('receiver.maxMemoryMB', 64),
    };
  },
  webhookPort(): number {
    return cfg().get<number>('webhook.port', 0);
  },
  refreshIntervalMs(): number {
    return Math.max(2, cfg().get<number>('refreshIntervalSeconds', 15)) * 1000;
  },
  groupBy(): GroupBy {
    return cfg().get<GroupBy>('groupBy', 'incident');
  },
  async setGroupBy(value: GroupBy): Promise<void> {
    await cfg().update('groupBy', value, vscode.ConfigurationTarget.Global);
  },
  autonomy(): Autonomy {
    return cfg().get<Autonomy>('autonomy', 'suggest');
  },
  environment(): string {
    return cfg().get<string>('environment', 'production');
  },
  deployTagPattern(): string {
    return cfg().get<string>('git.deployTagPattern', 'deploy/*');
  },
  deployRecords(): string {
    return cfg().get<string>('git.deployRecords', '.incident-lens/deploys.jsonl');
  },
  serviceMap(): Record<string, string> {
    return cfg().get<Record<string, string>>('serviceMap', {});
  },
  /** The Argo CD application whose synced revision is what is deployed; its token is a source secret under `name`. */
  argoCd(): { name: string; url: string; application: string; appNamespace?: string } | undefined {
    const v = cfg().get<{ name?: unknown; url?: unknown; application?: unknown; appNamespace?: unknown } | null>('deploy.argoCd', null);
    if (!v || typeof v !== 'object' || typeof v.url !== 'string' || typeof v.application !== 'string' || !v.url.trim() || !v.application.trim()) return undefined;
    return { name: typeof v.name === 'string' && v.name.trim() ? v.name.trim() : 'argocd', url: v.url.trim(), application: v.application.trim(), ...(typeof v.appNamespace === 'string' && v.appNamespace.trim() ? { appNamespace: v.appNamespace.trim() } : {}) };
  },
  confidenceThreshold(): number {
    return cfg().get<number>('confidenceThreshold', 0.5);
  },
  affects(e: vscode.ConfigurationChangeEvent, key: string): boolean {
    return e.affectsConfiguration(`${section}.${key}`);
  },
};
