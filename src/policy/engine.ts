// The policy engine. Deterministic and explained: the same plan, context and policy always give the
// same decision, and the decision names the rule that decided and why.
//
// Precedence, in this order:
//  1. Built-in guards, which no rule can override, each a deny:
//     untrusted workspace; unreadable or invalid policy file; autonomy "observe"; a cluster-wide or
//     all-namespaces form in argv; a blast radius above the policy's `limits`.
//  2. Workspace rules. Every rule whose `if` matches is collected; the most restrictive verdict wins
//     (deny > dry-run-only > require-approval > allow: dry-run-only never runs the real command, so
//     it is stricter than an approval that does). Among equals the first in file order decides.
//     A destructive action stays denied unless a matching rule names `destructive: true` in its
//     `if`, so a broad `action: "*"` never unlocks one by accident.
//  3. With no matching rule, the built-in defaults: destructive -> deny; production -> require-approval;
//     anything else -> allow.
//  4. Autonomy can only tighten an allow: "suggest" asks for approval of everything, "executeLowRisk"
//     asks unless the plan's risk is low, "executeHighRisk" keeps the allow.

import type { PolicyDecision, PolicyVerdict } from '../core/model';
import { findClusterWideForms } from './argvGuards';
import { anyGlobMatches } from './glob';
import { timeWindowMatches } from './timeWindow';
import { autonomyLevels, type Policy, type PolicyEvaluationContext, type PolicyRule, type PolicySubject, type RuleCondition } from './types';

const restrictiveness: Record<PolicyVerdict, number> = { allow: 0, 'require-approval': 1, 'dry-run-only': 2, deny: 3 };

export function isProductionEnvironment(environment: string): boolean {
  return /^(prod|production|prd|live)([-_.:/].*)?$/i.test(environment);
}

/** Pods or replicas a plan touches; an unknown size counts as unbounded. */
function sizeOf(plan: PolicySubject, what: 'pods' | 'replicas'): number {
  if (plan.blastRadius.unknown) return Number.POSITIVE_INFINITY;
  return plan.blastRadius[what] ?? 0;
}

interface Facts {
  plan: PolicySubject;
  tier?: string;
  ctx: PolicyEvaluationContext;
}

function conditionMatches(c: RuleCondition, f: Facts): boolean {
  const t = f.plan.target;
  if (c.action && !anyGlobMatches(c.action, f.plan.actionId)) return false;
  if (c.environment && !anyGlobMatches(c.environment, t.environment)) return false;
  if (c.tier && !anyGlobMatches(c.tier, f.tier)) return false;
  if (c.service && !anyGlobMatches(c.service, t.service)) return false;
  if (c.namespace && !anyGlobMatches(c.namespace, t.namespace)) return false;
  if (c.risk && !c.risk.includes(f.plan.risk)) return false;
  if (c.destructive !== undefined && c.destructive !== f.plan.destructive) return false;
  if (c.autonomy && !c.autonomy.includes(f.ctx.autonomy)) return false;
  const b = c.blastRadius;
  if (b) {
    const pods = sizeOf(f.plan, 'pods');
    const replicas = sizeOf(f.plan, 'replicas');
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

  const clusterWide = findClusterWideForms(plan.argv);
  if (clusterWide.length > 0) return deny('default:cluster-wide', `Cluster-wide or all-namespaces commands are never run: ${clusterWide.join('; ')}.`);

  const pods = sizeOf(plan, 'pods');
  const replicas = sizeOf(plan, 'replicas');
  if (policy.limits.maxPods !== undefined && pods > policy.limits.maxPods) {
    return deny('default:blast-radius-limit', `Blast radius ${plan.blastRadius.unknown ? 'is unknown' : `is ${pods} pods`}, above the policy limit of ${policy.limits.maxPods} pods (${plan.blastRadius.description}).`);
  }
  if (policy.limits.maxReplicas !== undefined && replicas > policy.limits.maxReplicas) {
    return deny('default:blast-radius-limit', `Blast radius ${plan.blastRadius.unknown ? 'is unknown' : `is ${replicas} replicas`}, above the policy limit of ${policy.limits.maxReplicas} replicas (${plan.blastRadius.description}).`);
  }

  const tier = plan.target.tier ?? (plan.target.service !== undefined ? policy.services[plan.target.service]?.tier : undefined);
  const facts: Facts = { plan, tier, ctx };
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
  } else if (isProductionEnvironment(plan.target.environment)) {
    verdict = 'require-approval';
    decidedBy = 'default:production-approval';
    reasons.push(`No rule matched; "${plan.target.environment}" is production, which needs a person's approval by default.`);
  } else {
    verdict = 'allow';
    decidedBy = 'default:allow';
    reasons.push(`No rule matched; "${plan.target.environment}" is not production and the action is not destructive.`);
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
