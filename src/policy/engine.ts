// The policy engine. Deterministic and explained: the same plan, context and policy always give the
// same decision, and the decision names the rule that decided and why.
//
// Precedence, in this order:
//  1. Built-in guards, which no rule can override, each a deny:
//     untrusted workspace; unreadable or invalid policy file; autonomy "observe"; a target name with
//     control characters or over-long; a cluster-wide or all-namespaces form in argv; a blast radius
//     above the policy's `limits` (an unknown or invalid size is above every limit).
//  2. Workspace rules. Every rule whose `if` matches is collected; the most restrictive verdict wins
//     (deny > dry-run-only > require-approval > allow: dry-run-only never runs the real command, so
//     it is stricter than an approval that does). Among equals the first in file order decides.
//     A destructive action stays denied unless a matching rule names `destructive: true` in its
//     `if`, so a broad `action: "*"` never unlocks one by accident.
//  3. With no matching rule, the built-in defaults: destructive -> deny; production -> require-approval;
//     anything else -> allow. Production is what the policy's `environments` map says; an
//     environment it does not declare is production.
//
// Facts come from the policy, never from the plan's own claims: the tier is looked up in the
// policy's `services` map (plan.target.tier is display only), and names are compared in their
// normal form (names.ts), case-insensitively.
//  4. Autonomy can only tighten an allow: "suggest" asks for approval of everything, "executeLowRisk"
//     asks unless the plan's risk is low, "executeHighRisk" keeps the allow.

import type { PolicyDecision, PolicyVerdict } from '../core/model';
import { findClusterWideForms } from './argvGuards';
import { blastRadiusSize, describeSize } from './blastRadius';
import { anyGlobMatches } from './glob';
import { checkName } from './names';
import { classifyEnvironment, tierOf } from './target';
import { timeWindowMatches } from './timeWindow';
import { autonomyLevels, type Policy, type PolicyEvaluationContext, type PolicyRule, type PolicySubject, type RuleCondition } from './types';

const restrictiveness: Record<PolicyVerdict, number> = { allow: 0, 'require-approval': 1, 'dry-run-only': 2, deny: 3 };

interface Facts {
  plan: PolicySubject;
  /** Normalised names. */
  environment: string;
  service?: string;
  namespace?: string;
  tier?: string;
  ctx: PolicyEvaluationContext;
}

const ci = { ignoreCase: true };

function conditionMatches(c: RuleCondition, f: Facts): boolean {
  if (c.action && !anyGlobMatches(c.action, f.plan.actionId, ci)) return false;
  if (c.environment && !anyGlobMatches(c.environment, f.environment, ci)) return false;
  if (c.tier && !anyGlobMatches(c.tier, f.tier, ci)) return false;
  if (c.service && !anyGlobMatches(c.service, f.service, ci)) return false;
  if (c.namespace && !anyGlobMatches(c.namespace, f.namespace, ci)) return false;
  if (c.risk && !c.risk.includes(f.plan.risk)) return false;
  if (c.destructive !== undefined && c.destructive !== f.plan.destructive) return false;
  if (c.autonomy && !c.autonomy.includes(f.ctx.autonomy)) return false;
  const b = c.blastRadius;
  if (b) {
    const pods = blastRadiusSize(f.plan.blastRadius, 'pods');
    const replicas = blastRadiusSize(f.plan.blastRadius, 'replicas');
    if (b.maxPods !== undefined && !(pods <= b.maxPods)) return false;
    if (b.maxReplicas !== undefined && !(replicas <= b.maxReplicas)) return false;
    if (b.minPods !== undefined && !(pods >= b.minPods)) return false;
    if (b.minReplicas !== undefined && !(replicas >= b.minReplicas)) return false;
  }
  if (c.time && !c.time.some((w) => timeWindowMatches(w, f.ctx.now))) return false;
  return true;
}

function ruleLabel(rule: PolicyRule): string {
  return `rule "${rule.name}"${rule.line ? ` (line ${rule.line})` : ''}`;
}

function deny(decidedBy: string, reason: string, matched: string[] = []): PolicyDecision {
  return { verdict: 'deny', decidedBy, matched, reasons: [reason] };
}

export function evaluatePolicy(plan: PolicySubject, ctx: PolicyEvaluationContext, policy: Policy): PolicyDecision {
  if (!ctx.trusted) return deny('default:untrusted-workspace', 'The workspace is not trusted: no remediation action runs in an untrusted workspace.');
  if (policy.error) return deny('default:policy-error', `The policy could not be loaded, so every action is denied until it is fixed. ${policy.error}`);
  if (!autonomyLevels.includes(ctx.autonomy)) return deny('default:autonomy', `Unknown autonomy level ${JSON.stringify(ctx.autonomy)}.`);
  if (ctx.autonomy === 'observe') return deny('default:observe', 'Autonomy is "observe": read-only, nothing runs.');
  if (!(ctx.now instanceof Date) || Number.isNaN(ctx.now.getTime())) return deny('default:clock', 'No valid current time to check change freezes against.');

  const target = plan.target ?? ({} as Partial<PolicySubject['target']>);
  const environment = checkName(target.environment, 'The target environment');
  if (!environment.ok) return deny('default:invalid-target', `${environment.problem}: no action runs against a name that cannot be matched reliably.`);
  const names: { service?: string; namespace?: string } = {};
  for (const key of ['service', 'namespace'] as const) {
    if (target[key] === undefined) continue;
    const c = checkName(target[key], `The target ${key}`);
    if (!c.ok) return deny('default:invalid-target', `${c.problem}: no action runs against a name that cannot be matched reliably.`);
    names[key] = c.name;
  }

  const clusterWide = findClusterWideForms(plan.argv);
  if (clusterWide.length > 0) return deny('default:cluster-wide', `Cluster-wide or all-namespaces commands are never run: ${clusterWide.join('; ')}.`);

  for (const [what, limit] of [['pods', policy.limits.maxPods], ['replicas', policy.limits.maxReplicas]] as const) {
    if (limit !== undefined && !(blastRadiusSize(plan.blastRadius, what) <= limit)) {
      return deny('default:blast-radius-limit', `Blast radius is ${describeSize(plan.blastRadius, what)}, above the policy limit of ${limit} ${what} (${plan.blastRadius?.description ?? 'no description'}).`);
    }
  }

  const tier = tierOf(policy, names.service);
  const facts: Facts = { plan, environment: environment.name, service: names.service, namespace: names.namespace, tier, ctx };
  const matchedRules = policy.rules.filter((r) => conditionMatches(r.if, facts));
  const matched = matchedRules.map((r) => r.name);
  const reasons: string[] = [];

  let verdict: PolicyVerdict;
  let decidedBy: string;
  if (matchedRules.length > 0) {
    let winner = matchedRules[0];
    for (const r of matchedRules) if (restrictiveness[r.then] > restrictiveness[winner.then]) winner = r;
    verdict = winner.then;
    decidedBy = winner.name;
    reasons.push(`${ruleLabel(winner)} says ${winner.then}${winner.reason ? `: ${winner.reason}` : ''}.`);
    const others = matchedRules.filter((r) => r !== winner);
    if (others.length > 0) reasons.push(`Also matched, less strict or later: ${others.map((r) => `${ruleLabel(r)} -> ${r.then}`).join(', ')}.`);
    if (plan.destructive && !matchedRules.some((r) => r.if.destructive === true) && verdict !== 'deny') {
      verdict = 'deny';
      decidedBy = 'default:destructive';
      reasons.unshift(`"${plan.actionId}" is destructive, and no matching rule names destructive: true, so it stays denied.`);
    }
  } else if (plan.destructive) {
    verdict = 'deny';
    decidedBy = 'default:destructive';
    reasons.push(`"${plan.actionId}" is destructive and no rule allows it: destructive actions are denied by default.`);
  } else {
    const cls = classifyEnvironment(policy, environment.name);
    if (cls.production) {
      verdict = 'require-approval';
      decidedBy = 'default:production-approval';
      reasons.push(`No rule matched; ${cls.reason}, which needs a person's approval by default.`);
    } else {
      verdict = 'allow';
      decidedBy = 'default:allow';
      reasons.push(`No rule matched; ${cls.reason}, and the action is not destructive.`);
    }
  }

  if (verdict === 'allow') {
    if (ctx.autonomy === 'suggest') {
      verdict = 'require-approval';
      decidedBy = 'autonomy:suggest';
      reasons.push('Autonomy is "suggest": every action needs approval.');
    } else if (ctx.autonomy === 'executeLowRisk' && plan.risk !== 'low') {
      verdict = 'require-approval';
      decidedBy = 'autonomy:executeLowRisk';
      reasons.push(`Autonomy is "executeLowRisk" and this action's risk is ${plan.risk}: it needs approval.`);
    } else {
      reasons.push(`Autonomy "${ctx.autonomy}" lets a ${plan.risk}-risk allowed action run without a prompt.`);
    }
  }
  return { verdict, decidedBy, matched, reasons };
}
