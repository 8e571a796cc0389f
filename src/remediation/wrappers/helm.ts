// helm rollback descriptions and parsers for what helm prints: the rollback's one line and the
// `helm history` table.

import type { CommandPlan, Verification } from '../plan';

export const helmEnv = ['KUBECONFIG', 'HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_DRIVER'];

export interface HelmTarget {
  release: string;
  namespace: string;
  context: string;
  environment: string;
  service?: string;
  tier?: string;
  cluster?: string;
}

export function helmRollback(helm: string, t: HelmTarget, opts: { revision?: number; currentRevision?: number; replicas?: number; verification?: Verification }): CommandPlan {
  const scope = ['-n', t.namespace, '--kube-context', t.context];
  // Revision omitted: helm rolls back to the previous release.
  const argv = [helm, 'rollback', t.release, ...(opts.revision !== undefined ? [String(opts.revision)] : []), ...scope];
  return {
    actionId: 'rollback-deploy',
    title: `Roll back Helm release ${t.release} in ${t.namespace}${opts.revision !== undefined ? ` to revision ${opts.revision}` : ' to its previous revision'}`,
    tool: 'helm',
    argv,
    env: helmEnv,
    target: { context: t.context, cluster: t.cluster, namespace: t.namespace, service: t.service ?? t.release, environment: t.environment, tier: t.tier },
    risk: 'medium',
    blastRadius:
      opts.replicas === undefined
        ? { unknown: true, description: `re-applies every resource of release ${t.release}; the number of pods is unknown` }
        : { pods: opts.replicas, replicas: opts.replicas, description: `re-applies every resource of release ${t.release} (${opts.replicas} pods)` },
    dryRunArgv: [...argv, '--dry-run'],
    dryRunNote: 'helm rollback --dry-run prints the same success line as a real rollback; it proves the release and revision exist.',
    verification: opts.verification,
    rollback:
      opts.currentRevision === undefined
        ? undefined
        : { description: `Roll release ${t.release} forward again to revision ${opts.currentRevision}`, argv: [helm, 'rollback', t.release, String(opts.currentRevision), ...scope] },
    destructive: false,
  };
}

/** True when helm printed its rollback success line (it prints the same one for --dry-run). */
export function helmRollbackSucceeded(output: string): boolean {
  return /^Rollback was a success! Happy Helming!\s*$/m.test(output);
}

export interface HelmRevision {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  appVersion: string;
  description: string;
}

/** Parses `helm history RELEASE` (a tab-separated table whose columns are padded with spaces). */
export function parseHelmHistory(output: string): HelmRevision[] {
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.findIndex((l) => /^REVISION\s/.test(l));
  if (header < 0) return [];
  const out: HelmRevision[] = [];
  for (const line of lines.slice(header + 1)) {
    const cells = line.split('\t').map((c) => c.trim());
    if (cells.length < 5 || !/^\d+$/.test(cells[0])) continue;
    out.push({ revision: Number(cells[0]), updated: cells[1], status: cells[2], chart: cells[3], appVersion: cells[4], description: cells.slice(5).join(' ') });
  }
  return out;
}
