// The demo lab's deploy tool: `<prefix> --service <svc> --to <rev>`. The prefix is configured
// (e.g. [node, <workspace>/.lab/deploy.js]) so the catalog follows whatever the lab provides.

import type { CommandPlan, Verification } from '../plan';

export function labDeploy(
  prefix: readonly string[],
  opts: { service: string; revision: string; fromRevision?: string; environment: string; tier?: string; replicas?: number; dryRunFlag?: string; cwd?: string; verification?: Verification },
): CommandPlan {
  const argv = [...prefix, '--service', opts.service, '--to', opts.revision];
  return {
    actionId: 'rollback-deploy',
    title: `Deploy ${opts.service} at ${opts.revision} (lab)`,
    tool: 'lab-deploy',
    argv,
    cwd: opts.cwd,
    target: { service: opts.service, environment: opts.environment, tier: opts.tier },
    risk: 'medium',
    blastRadius:
      opts.replicas === undefined
        ? { pods: 1, replicas: 1, description: `redeploys the lab's ${opts.service} process` }
        : { pods: opts.replicas, replicas: opts.replicas, description: `redeploys ${opts.replicas} ${opts.service} instances` },
    dryRunArgv: opts.dryRunFlag ? [...argv, opts.dryRunFlag] : undefined,
    dryRunNote: opts.dryRunFlag ? undefined : 'The lab deploy tool has no dry-run configured.',
    verification: opts.verification,
    rollback:
      opts.fromRevision === undefined
        ? undefined
        : { description: `Deploy ${opts.service} back at ${opts.fromRevision}`, argv: [...prefix, '--service', opts.service, '--to', opts.fromRevision], cwd: opts.cwd },
    destructive: false,
  };
}
