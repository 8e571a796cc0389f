// Silencing an alert through `amtool silence add`. We chose amtool's argv over a direct
// Alertmanager API call so that a silence goes through the same single chokepoint as every other
// action: the same executor (argv, no shell), the same approval prompt showing the exact command,
// the same ledger entries. The preview is `amtool alert query` with the same matchers: it lists
// the alerts the silence would cover. The cost: amtool must be installed.

import type { CommandPlan } from '../plan';

export const amtoolEnv = ['AMTOOL_CONFIG'];

/** One matcher as amtool parses it: name="value" with \ and " and newlines escaped. */
export function amtoolMatcher(name: string, value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${name}="${escaped}"`;
}

export function amtoolSilence(
  amtool: string,
  opts: { alertmanagerUrl: string; matchers: Record<string, string>; duration: string; author: string; comment: string; environment: string; service?: string },
): CommandPlan {
  const url = `--alertmanager.url=${opts.alertmanagerUrl}`;
  const matchers = Object.entries(opts.matchers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => amtoolMatcher(k, v));
  return {
    actionId: 'silence-alert',
    title: `Silence alerts matching ${matchers.join(', ')} for ${opts.duration}`,
    tool: 'amtool',
    argv: [amtool, 'silence', 'add', url, `--author=${opts.author}`, `--comment=${opts.comment}`, `--duration=${opts.duration}`, ...matchers],
    env: amtoolEnv,
    target: { environment: opts.environment, service: opts.service },
    risk: 'low',
    blastRadius: { pods: 0, replicas: 0, description: `no workload changes; notifications for the matching alerts stop for ${opts.duration}` },
    dryRunArgv: [amtool, 'alert', 'query', url, ...matchers],
    dryRunNote: 'amtool has no dry-run for silences; the preview lists the alerts the silence would cover.',
    // Expiring needs the silence id amtool prints, so the rollback is described rather than planned.
    destructive: false,
  };
}
