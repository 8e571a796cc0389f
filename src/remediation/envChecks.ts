// Checks made right before a plan runs: is it aimed at the cluster and namespace its environment
// names, does it avoid cluster-wide forms, and is its blast radius within limits. Policy decides
// whether an action may run; these checks make sure it lands where the policy thought it would.

import { analyseArgv, findClusterWideForms, flagValuesOf } from '../policy/argvGuards';
import { blastRadiusSize, describeSize } from '../policy/blastRadius';
import { describeExit, type CommandExecutor } from './executor';
import type { CommandPlan } from './plan';

export interface EnvCheckOptions {
  /** The kube context each environment must use, e.g. { production: "prod-eu-1" }. */
  contextForEnvironment?: Record<string, string>;
  /** Used to ask kubectl for its current context when a kube command names none. */
  executor?: CommandExecutor;
  limits?: { maxPods?: number; maxReplicas?: number };
  timeoutMs?: number;
}

export interface EnvCheckResult {
  ok: boolean;
  problems: string[];
  /** What was checked and found fine, for the ledger and the prompt. */
  checked: string[];
}

type Argv = readonly string[];

/** Every value of a flag given as `--flag value` or `--flag=value`. */
export function flagValues(argv: Argv, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    for (const name of names) {
      if (a === name && i + 1 < argv.length) out.push(argv[i + 1]);
      else if (a.startsWith(`${name}=`)) out.push(a.slice(name.length + 1));
    }
  }
  return out;
}

const contextTools = new Set(['kubectl', 'oc', 'helm']);

export async function checkPlanEnvironment(plan: Pick<CommandPlan, 'argv' | 'target' | 'blastRadius'>, opts: EnvCheckOptions = {}): Promise<EnvCheckResult> {
  const problems: string[] = [];
  const checked: string[] = [];
  const env = plan.target.environment;
  if (!env) problems.push('The plan names no environment.');
  const expectedForEnv = env ? opts.contextForEnvironment?.[env] : undefined;
  if (expectedForEnv && plan.target.context && plan.target.context !== expectedForEnv) {
    problems.push(`The plan targets kube context "${plan.target.context}", but environment "${env}" uses "${expectedForEnv}".`);
  }

  const shape = analyseArgv(plan.argv);
  if (shape.kind === 'opaque') problems.push(`The kube cluster and namespace this command acts on cannot be confirmed: ${shape.reason}.`);
  const cmd = shape.kind === 'kube' ? shape.command : undefined;
  const tool = cmd?.tool ?? '';
  if (cmd && contextTools.has(tool)) {
    // Another kubeconfig or API server makes the current-context check below answer for the wrong file.
    const elsewhere = [
      ...cmd.assignments.filter((a) => /^KUBECONFIG=/.test(a)),
      ...cmd.flags.filter((f) => ['--kubeconfig', '--server', '--kube-apiserver', '--cluster', '--user', '--token', '--kube-token'].includes(f.name)).map((f) => f.name),
    ];
    if (elsewhere.length > 0) problems.push(`The command picks its own cluster or credentials (${elsewhere.join(', ')}), so its target cannot be confirmed against environment "${env}".`);
    const contexts = [...new Set(flagValuesOf(cmd, tool === 'helm' ? '--kube-context' : '--context'))];
    const expected = plan.target.context ?? expectedForEnv;
    let actual: string | undefined;
    if (contexts.length > 1) {
      problems.push(`The command names several kube contexts (${contexts.join(', ')}).`);
    } else if (contexts.length === 1) {
      actual = contexts[0];
    } else if (opts.executor) {
      const kubectl = tool === 'kubectl' || tool === 'oc' ? plan.argv[cmd.toolIndex] : 'kubectl';
      const r = await opts.executor.run({ argv: [kubectl, 'config', 'current-context'], env: ['KUBECONFIG'], timeoutMs: opts.timeoutMs ?? 10_000 });
      if (r.exitCode === 0) actual = r.stdout.trim();
      else problems.push(`Could not read the current kube context (${describeExit(r)}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}).`);
    } else {
      problems.push('The command names no kube context and there is no way to read the current one, so the target cluster cannot be confirmed.');
    }
    if (actual !== undefined) {
      if (!expected) problems.push(`The command would run against kube context "${actual}", but the plan does not say which context environment "${env}" uses.`);
      else if (actual !== expected) problems.push(`The command would run against kube context "${actual}", but environment "${env}" uses "${expected}".`);
      else checked.push(`kube context is "${actual}", as environment "${env}" requires`);
    }
    const namespaces = [...new Set(flagValuesOf(cmd, '--namespace'))];
    if (namespaces.length > 1) problems.push(`The command names several namespaces (${namespaces.join(', ')}).`);
    else if (plan.target.namespace && namespaces.length === 1 && namespaces[0] !== plan.target.namespace) {
      problems.push(`The command acts in namespace "${namespaces[0]}", but the plan targets "${plan.target.namespace}".`);
    } else if (namespaces.length === 1) checked.push(`namespace is "${namespaces[0]}"`);
  }

  const clusterWide = findClusterWideForms(plan.argv);
  if (clusterWide.length > 0) problems.push(`Cluster-wide forms are refused: ${clusterWide.join('; ')}.`);
  else checked.push('no cluster-wide or all-namespaces form');

  const b = plan.blastRadius;
  const limits = opts.limits ?? {};
  for (const [what, limit] of [['pods', limits.maxPods], ['replicas', limits.maxReplicas]] as const) {
    if (limit === undefined) continue;
    const size = blastRadiusSize(b, what);
    if (!(size <= limit)) problems.push(`Blast radius ${Number.isFinite(size) ? `of ${size} ${what} is` : `is ${describeSize(b, what)},`} above the limit of ${limit} ${what}.`);
    else checked.push(`blast radius ${size} ${what} within the limit of ${limit}`);
  }
  return { ok: problems.length === 0, problems, checked };
}
