// argocd app rollback. Argo CD has no rollback dry-run, so the preview is `argocd app history`,
// which shows the history id the rollback goes to and the git revision behind it.

import type { CommandPlan, Verification } from '../plan';

export const argocdEnv = ['ARGOCD_SERVER', 'ARGOCD_AUTH_TOKEN', 'ARGOCD_OPTS'];

export interface ArgocdTarget {
  app: string;
  environment: string;
  service?: string;
  namespace?: string;
  tier?: string;
  cluster?: string;
}

export function argocdRollback(argocd: string, t: ArgocdTarget, opts: { historyId: number; currentHistoryId?: number; replicas?: number; verification?: Verification }): CommandPlan {
  return {
    actionId: 'rollback-deploy',
    title: `Roll back Argo CD app ${t.app} to history id ${opts.historyId}`,
    tool: 'argocd',
    argv: [argocd, 'app', 'rollback', t.app, String(opts.historyId)],
    env: argocdEnv,
    target: { cluster: t.cluster, namespace: t.namespace, service: t.service ?? t.app, environment: t.environment, tier: t.tier },
    risk: 'medium',
    blastRadius:
      opts.replicas === undefined
        ? { unknown: true, description: `syncs app ${t.app} to an earlier revision; the number of pods is unknown` }
        : { pods: opts.replicas, replicas: opts.replicas, description: `syncs app ${t.app} to an earlier revision (${opts.replicas} pods)` },
    dryRunArgv: [argocd, 'app', 'history', t.app],
    dryRunNote: 'argocd app rollback has no dry-run; the preview is the app history, which names the revision behind each id.',
    verification: opts.verification,
    rollback:
      opts.currentHistoryId === undefined
        ? undefined
        : { description: `Return app ${t.app} to history id ${opts.currentHistoryId}`, argv: [argocd, 'app', 'rollback', t.app, String(opts.currentHistoryId)] },
    destructive: false,
  };
}

export interface ArgocdHistoryEntry {
  id: number;
  date: string;
  /** Target revision as argocd prints it, e.g. "HEAD (8f3a2c1)" or "v1.4.2". */
  revision: string;
}

/**
 * Parses the `argocd app history` table: an "ID DATE REVISION" header then rows padded by a
 * tabwriter with at least two spaces. Newer versions print a "SOURCE <url>" line before each table.
 */
export function parseArgocdHistory(output: string): ArgocdHistoryEntry[] {
  const out: ArgocdHistoryEntry[] = [];
  let inTable = false;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (/^ID\s+DATE\s+REVISION$/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const m = /^(\d+)\s{2,}(\S.*?)\s{2,}(\S.*)$/.exec(line);
    if (m) out.push({ id: Number(m[1]), date: m[2], revision: m[3] });
    else if (line !== '') inTable = /^SOURCE\s/.test(line) ? false : inTable;
  }
  return out;
}
