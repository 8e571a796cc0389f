// The tools over live sources (the MCP server, VS Code's language-model tools, the panel's agent): the
// configured backends' roles, the workspace's git history and files, and investigations run once per
// alert through the same pipeline as the panel.
import type { Investigation } from '../../core/investigation';
import type { Alert } from '../../core/model';
import type { AlertSource, LogSource, MetricSource, TimeWindow, TraceSource } from '../../core/sources';
import { GitChangeSource } from '../../sources/git';
import { readCommitDiff } from '../../sources/gitDiff';
import { workspaceFiles } from './workspace';
import type { ToolContext } from './types';

export interface LiveRoles {
  alerts: AlertSource[];
  metrics: MetricSource[];
  logs: LogSource[];
  traces: TraceSource[];
}

export interface LiveToolOptions {
  /** The sources as they are now (they change with the settings). */
  roles(): LiveRoles;
  workspace?: { root: string; trusted: boolean; deployTagPattern?: string };
  /** The investigation of an alert: the caller's own (the panel's run), or one run on first use. */
  investigation(alertId: string | undefined, signal?: AbortSignal): Promise<Investigation | undefined>;
  actionIds(): string[];
  propose?: ToolContext['propose'];
  /** The window tools read by default; default the hour before now. */
  window?(): TimeWindow;
  now?(): number;
}

export function liveToolContext(o: LiveToolOptions): ToolContext {
  const now = () => o.now?.() ?? Date.now();
  const ws = o.workspace;
  const changes = ws ? new GitChangeSource({ workspace: ws.root, trusted: ws.trusted, ...(ws.deployTagPattern ? { deployTagPattern: ws.deployTagPattern } : {}) }) : undefined;
  return {
    roles: {
      get alerts() {
        return o.roles().alerts;
      },
      get metrics() {
        return o.roles().metrics;
      },
      get logs() {
        return o.roles().logs;
      },
      get traces() {
        return o.roles().traces;
      },
      ...(changes ? { changes } : {}),
      ...(ws ? { diff: (sha: string, path: string | undefined) => readCommitDiff({ repo: ws.root, sha, path, trusted: ws.trusted }) } : {}),
      ...(ws ? { workspace: workspaceFiles(ws.root, ws.trusted) } : {}),
    } satisfies ToolContext['roles'] & LiveRoles,
    investigation: (alertId, signal) => o.investigation(alertId, signal),
    actionIds: () => o.actionIds(),
    ...(o.propose ? { propose: o.propose } : {}),
    defaultWindow: () => o.window?.() ?? { start: now() - 3_600_000, end: now() },
    now,
  };
}

/** Finds an alert by id among the alert sources (each source asked once; failures skipped). */
export async function findAlert(sources: AlertSource[], alertId: string, signal?: AbortSignal): Promise<Alert | undefined> {
  const lists = await Promise.all(sources.map((s) => s.listAlerts(signal).catch(() => [] as Alert[])));
  return lists.flat().find((a) => a.id === alertId);
}
