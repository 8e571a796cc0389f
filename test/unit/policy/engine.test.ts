import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PolicyVerdict } from '../../../src/core/model';
import type { Alert } from '../../../src/core/model';
import { evaluatePolicy } from '../../../src/policy/engine';
import { loadPolicy, loadPolicyFile } from '../../../src/policy/load';
import { planTarget } from '../../../src/policy/target';
import type { AutonomyLevel, Policy, PolicySubject } from '../../../src/policy/types';

type PlanOverrides = Partial<Omit<PolicySubject, 'target'>> & { target?: Partial<PolicySubject['target']> };

function subject(o: PlanOverrides = {}): PolicySubject {
  return {
    actionId: o.actionId ?? 'restart',
    argv: o.argv ?? ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'staging-1'],
    target: { environment: 'staging', service: 'checkout', namespace: 'shop', context: 'staging-1', ...o.target },
    risk: o.risk ?? 'low',
    blastRadius: 'blastRadius' in o ? (o.blastRadius as PolicySubject['blastRadius']) : { pods: 3, replicas: 3, description: '3 pods' },
    destructive: o.destructive ?? false,
  };
}

const seed = `
rules:
  - name: critical restarts need a human
    if:
      action: restart
      tier: critical
    then: require-approval
`;

const seedWithServices = `
services:
  checkout: { tier: critical }
  search: { tier: best-effort }
${seed}`;

const allowAll = `
rules:
  - name: anything goes
    if: { action: "*" }
    then: allow
`;

const fridayEveningParis = `
rules:
  - name: friday evening freeze
    if:
      time: { timezone: Europe/Paris, days: [fri], hours: "17:00-24:00" }
    then: deny
    reason: no changes on Friday evening
`;

const fridayEveningNewYork = `
rules:
  - name: friday evening freeze NY
    if:
      time: { timezone: America/New_York, days: [fri], hours: "17:00-24:00" }
    then: deny
`;

const overnightFreeze = `
rules:
  - name: overnight
    if:
      time: { timezone: UTC, days: [fri], hours: "22:00-06:00" }
    then: deny
`;

const holidayFreezeAbsolute = `
rules:
  - name: holiday freeze
    if:
      time: { from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z" }
    then: deny
`;

const holidayFreezeTokyo = `
rules:
  - name: tokyo holiday
    if:
      time: { timezone: Asia/Tokyo, from: "2026-12-24", to: "2026-12-27" }
    then: deny
`;

const smallInProdAllowed = `
rules:
  - name: small restarts in production run
    if: { action: restart, environment: production, blastRadius: { maxPods: 5 } }
    then: allow
`;

const bigIsDenied = `
rules:
  - name: big changes are denied
    if: { blastRadius: { minPods: 20 } }
    then: deny
`;

const limits = `
limits: { maxPods: 50, maxReplicas: 5 }
${allowAll}`;

const serviceGlob = `
rules:
  - name: payments family needs approval
    if: { service: "pay*" }
    then: require-approval
`;

const envGlob = `
rules:
  - name: test environments run
    if: { environment: [staging, "qa-*"] }
    then: allow
  - name: everything else dry-run
    if: { environment: "*" }
    then: dry-run-only
`;

const precedence = `
rules:
  - name: allow restarts
    if: { action: restart }
    then: allow
  - name: approve checkout
    if: { service: checkout }
    then: require-approval
  - name: dry-run staging
    if: { environment: staging, action: [restart, scale] }
    then: dry-run-only
  - name: deny shop namespace
    if: { namespace: shop, action: scale }
    then: deny
`;

const tie = `
rules:
  - name: first approval
    if: { action: restart }
    then: require-approval
  - name: second approval
    if: { service: checkout }
    then: require-approval
`;

const destructiveUnlocked = `
rules:
  - name: deleting a stuck pod is fine with approval
    if: { action: delete-pod, destructive: true }
    then: require-approval
`;

const highRiskDenied = `
rules:
  - name: no high risk
    if: { risk: high }
    then: deny
`;

const autonomyRule = `
rules:
  - name: full autonomy only previews scaling
    if: { autonomy: executeHighRisk, action: scale }
    then: dry-run-only
`;

// Staging and the test environments below are what most cases run in; a real policy declares them
// non-production in its `environments:` map. Cases marked `undeclared` see the policy exactly as written.
const declaredNonProduction: Policy['environments'] = { staging: { production: false }, 'qa-*': { production: false }, perf: { production: false } };

// Issue 9: facts that decide a policy never come from an alert's labels.
const labTiers = `
services:
  storefront: { tier: standard }
  payments: { tier: critical }
`;

const criticalRollbacksDenied = `
services:
  payments: { tier: critical }
rules:
  - name: no rollbacks of critical services
    if: { action: rollback-deploy, tier: critical }
    then: deny
  - name: batch jobs need a human
    if: { tier: batch }
    then: require-approval
`;

const prodFreeze = `
rules:
  - name: production freeze
    if:
      environment: "prod*"
      time: { days: [mon-sun] }
    then: deny
`;

const stagingOnly = `
environments:
  staging: { production: false }
`;

interface Case {
  name: string;
  policy: string;
  plan?: PlanOverrides;
  /** Build the target from this alert, as the VS Code side does (planTarget); a label tier is passed on as a careless caller would. */
  alert?: Pick<Alert, 'labels'> & Partial<Pick<Alert, 'environment' | 'service'>>;
  /** Use the policy as written, without declaring staging and the test environments non-production. */
  undeclared?: boolean;
  autonomy?: AutonomyLevel;
  now?: string;
  trusted?: boolean;
  want: PolicyVerdict;
  decidedBy?: string | RegExp;
  reason?: RegExp;
}

const cases: Case[] = [
  // The seed example, exactly as written.
  { name: 'seed: restart of a critical-tier service requires approval', policy: seedWithServices, want: 'require-approval', decidedBy: 'critical restarts need a human' },
  { name: 'seed: tier can come from the policy services map', policy: seedWithServices, want: 'require-approval', decidedBy: 'critical restarts need a human' },
  { name: 'seed: restart of a best-effort service is allowed outside production', policy: seedWithServices, plan: { target: { service: 'search' } }, want: 'allow', decidedBy: 'default:allow' },
  { name: 'seed: scaling a critical service is not a restart', policy: seed, plan: { actionId: 'scale', target: { tier: 'critical' } }, want: 'allow' },
  { name: 'seed: critical restart in production is decided by the rule', policy: seedWithServices, plan: { target: { environment: 'production' } }, want: 'require-approval', decidedBy: 'critical restarts need a human' },
  { name: 'seed: a tier the plan claims is not a tier the policy gives (it is ignored)', policy: seed, plan: { target: { tier: 'critical' } }, want: 'allow', decidedBy: 'default:allow' },
  { name: 'seed: the services map is matched case-insensitively', policy: seedWithServices, plan: { target: { service: ' Checkout ' } }, want: 'require-approval', decidedBy: 'critical restarts need a human' },
  { name: 'seed: a service with no tier does not match a tier rule', policy: seed, want: 'allow' },
  // Built-in defaults.
  { name: 'default: production needs approval', policy: '', plan: { target: { environment: 'production' } }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'default: prod-eu is production too', policy: '', plan: { target: { environment: 'prod-eu' } }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'default: staging, declared non-production, is allowed at full autonomy', policy: '', want: 'allow', decidedBy: 'default:allow', reason: /declares "staging" non-production/ },
  { name: 'default: an undeclared environment counts as production', policy: '', undeclared: true, want: 'require-approval', decidedBy: 'default:production-approval', reason: /"staging" is not declared in the policy's environments/ },
  { name: 'default: a declared environment matches whatever its case', policy: stagingOnly, undeclared: true, plan: { target: { environment: 'STAGING' } }, want: 'allow', decidedBy: 'default:allow' },
  { name: 'default: a glob declaring production wins over one declaring non-production', policy: 'environments:\n  "*": { production: false }\n  "*-prod": { production: true }\n', undeclared: true, plan: { target: { environment: 'eu-prod' } }, want: 'require-approval', reason: /declares "eu-prod" production/ },
  // Issue 9, item 4: labels never steer the policy.
  { name: 'labels: env=eu-prod under executeHighRisk prompts (an undeclared environment is production)', policy: labTiers, undeclared: true, alert: { labels: { env: 'eu-prod', service: 'storefront' }, environment: 'eu-prod', service: 'storefront' }, plan: { actionId: 'rollback-deploy', risk: 'medium' }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'labels: env=eu-prod prompts even when the policy declares other environments non-production', policy: labTiers + stagingOnly, undeclared: true, alert: { labels: { env: 'eu-prod' }, environment: 'eu-prod', service: 'storefront' }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'labels: tier=batch does not turn a deny into require-approval', policy: criticalRollbacksDenied, alert: { labels: { tier: 'batch', service: 'payments' }, environment: 'staging', service: 'payments' }, plan: { actionId: 'rollback-deploy' }, want: 'deny', decidedBy: 'no rollbacks of critical services' },
  { name: 'labels: tier=batch on a service the policy does not tier matches no tier rule', policy: criticalRollbacksDenied, alert: { labels: { tier: 'batch' }, environment: 'staging', service: 'search' }, want: 'allow', decidedBy: 'default:allow' },
  { name: 'labels: a freeze on prod* catches PROD', policy: prodFreeze, alert: { labels: { env: 'PROD' }, environment: 'PROD' }, want: 'deny', decidedBy: 'production freeze' },
  { name: 'labels: a freeze on prod* catches " Prod " and full-width ＰＲＯＤ', policy: prodFreeze, plan: { target: { environment: ' ＰＲＯＤ ' } }, want: 'deny', decidedBy: 'production freeze' },
  { name: 'labels: an environment with a newline is refused, not matched', policy: allowAll, plan: { target: { environment: 'staging\nprod' } }, want: 'deny', decidedBy: 'default:invalid-target', reason: /U\+000A/ },
  { name: 'labels: a service with a zero-width space is refused', policy: allowAll, plan: { target: { service: 'pay\u200bments' } }, want: 'deny', decidedBy: 'default:invalid-target' },
  { name: 'labels: an over-long environment name is refused before any glob runs', policy: prodFreeze, plan: { target: { environment: 'prod-' + 'x'.repeat(16000) } }, want: 'deny', decidedBy: 'default:invalid-target', reason: /more than the 253/ },
  { name: 'default: destructive actions are denied', policy: '', plan: { actionId: 'delete-pod', destructive: true }, want: 'deny', decidedBy: 'default:destructive' },
  { name: 'default: a catch-all allow does not unlock a destructive action', policy: allowAll, plan: { actionId: 'delete-pod', destructive: true }, want: 'deny', decidedBy: 'default:destructive' },
  { name: 'default: a rule naming destructive: true unlocks it', policy: destructiveUnlocked, plan: { actionId: 'delete-pod', destructive: true }, want: 'require-approval', decidedBy: 'deleting a stuck pod is fine with approval' },
  // Trust and autonomy.
  { name: 'untrusted workspace: deny whatever the policy', policy: allowAll, trusted: false, want: 'deny', decidedBy: 'default:untrusted-workspace' },
  { name: 'untrusted workspace: deny even with a broken policy', policy: 'rules: [', trusted: false, want: 'deny', decidedBy: 'default:untrusted-workspace' },
  { name: 'observe: nothing runs', policy: allowAll, autonomy: 'observe', want: 'deny', decidedBy: 'default:observe' },
  { name: 'suggest: an allowed action still needs approval', policy: allowAll, autonomy: 'suggest', want: 'require-approval', decidedBy: 'autonomy:suggest' },
  { name: 'executeLowRisk: a low-risk allowed action runs', policy: allowAll, autonomy: 'executeLowRisk', want: 'allow', decidedBy: 'anything goes' },
  { name: 'executeLowRisk: a medium-risk allowed action needs approval', policy: allowAll, autonomy: 'executeLowRisk', plan: { risk: 'medium' }, want: 'require-approval', decidedBy: 'autonomy:executeLowRisk' },
  { name: 'executeHighRisk: a high-risk allowed action runs', policy: allowAll, plan: { risk: 'high' }, want: 'allow' },
  { name: 'autonomy cannot loosen a require-approval', policy: seedWithServices, autonomy: 'executeHighRisk', want: 'require-approval' },
  { name: 'rule on autonomy matches at that level', policy: autonomyRule, plan: { actionId: 'scale' }, autonomy: 'executeHighRisk', want: 'dry-run-only' },
  { name: 'rule on autonomy does not match at another level', policy: autonomyRule, plan: { actionId: 'scale', risk: 'low' }, autonomy: 'executeLowRisk', want: 'allow', decidedBy: 'default:allow' },
  // Change freezes.
  { name: 'freeze: Friday 17:30 in Paris (16:30Z, winter) is inside', policy: fridayEveningParis, now: '2026-11-27T16:30:00Z', want: 'deny', decidedBy: 'friday evening freeze', reason: /no changes on Friday evening/ },
  { name: 'freeze: Friday 16:30 in Paris (15:30Z) is outside', policy: fridayEveningParis, now: '2026-11-27T15:30:00Z', want: 'allow' },
  { name: 'freeze: summer time, Friday 17:30 in Paris is 15:30Z and inside', policy: fridayEveningParis, now: '2026-07-03T15:30:00Z', want: 'deny' },
  { name: 'freeze: Thursday evening in Paris is outside', policy: fridayEveningParis, now: '2026-11-26T18:30:00Z', want: 'allow' },
  { name: 'freeze timezone: 16:30Z Friday is 11:30 in New York, outside', policy: fridayEveningNewYork, now: '2026-11-27T16:30:00Z', want: 'allow' },
  { name: 'freeze timezone: 22:30Z Friday is 17:30 in New York, inside', policy: fridayEveningNewYork, now: '2026-11-27T22:30:00Z', want: 'deny' },
  { name: 'freeze timezone: 01:30Z Saturday is still Friday evening in New York', policy: fridayEveningNewYork, now: '2026-11-28T01:30:00Z', want: 'deny' },
  { name: 'overnight window: Saturday 02:00 belongs to Friday night', policy: overnightFreeze, now: '2026-11-28T02:00:00Z', want: 'deny' },
  { name: 'overnight window: Saturday 07:00 is after it', policy: overnightFreeze, now: '2026-11-28T07:00:00Z', want: 'allow' },
  { name: 'overnight window: Friday 02:00 belongs to Thursday night, not frozen', policy: overnightFreeze, now: '2026-11-27T02:00:00Z', want: 'allow' },
  { name: 'absolute freeze: Christmas is inside', policy: holidayFreezeAbsolute, now: '2026-12-25T12:00:00Z', want: 'deny', decidedBy: 'holiday freeze' },
  { name: 'absolute freeze: the end instant is outside (to is exclusive)', policy: holidayFreezeAbsolute, now: '2027-01-04T00:00:00Z', want: 'allow' },
  { name: 'wall-clock freeze: 00:30 on the 24th in Tokyo (15:30Z on the 23rd) is inside', policy: holidayFreezeTokyo, now: '2026-12-23T15:30:00Z', want: 'deny' },
  { name: 'wall-clock freeze: 23:30 on the 23rd in Tokyo is outside', policy: holidayFreezeTokyo, now: '2026-12-23T14:30:00Z', want: 'allow' },
  // Blast radius.
  { name: 'blast radius: 3 pods is within maxPods 5, so production runs', policy: smallInProdAllowed, plan: { target: { environment: 'production' } }, want: 'allow', decidedBy: 'small restarts in production run' },
  { name: 'blast radius: 10 pods is above maxPods 5, back to the production default', policy: smallInProdAllowed, plan: { target: { environment: 'production' }, blastRadius: { pods: 10, replicas: 10, description: '10 pods' } }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'blast radius: an unknown size never counts as small', policy: smallInProdAllowed, plan: { target: { environment: 'production' }, blastRadius: { unknown: true, description: '?' } }, want: 'require-approval' },
  { name: 'blast radius: 25 pods matches minPods 20', policy: bigIsDenied, plan: { blastRadius: { pods: 25, description: '25 pods' } }, want: 'deny', decidedBy: 'big changes are denied' },
  { name: 'blast radius: an unknown size counts as big', policy: bigIsDenied, plan: { blastRadius: { unknown: true, description: '?' } }, want: 'deny' },
  { name: 'limits: 60 pods is above the hard limit whatever the rules', policy: limits, plan: { blastRadius: { pods: 60, description: '60 pods' } }, want: 'deny', decidedBy: 'default:blast-radius-limit' },
  { name: 'limits: a scale by 8 replicas is above maxReplicas 5', policy: limits, plan: { actionId: 'scale', blastRadius: { pods: 8, replicas: 8, description: '+8' } }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /8 replicas/ },
  { name: 'limits: within limits the rules decide', policy: limits, want: 'allow', decidedBy: 'anything goes' },
  // Issue 9, item 7: a size that is not known for certain is above every limit.
  { name: 'limits: NaN pods is above every limit', policy: limits, plan: { blastRadius: { pods: NaN, replicas: 1, description: 'NaN' } }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /invalid \(pods = NaN\)/ },
  { name: 'limits: missing pods is above every limit', policy: limits, plan: { blastRadius: { replicas: 1, description: 'no pods given' } }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /not stated in pods/ },
  { name: 'limits: missing replicas is above maxReplicas', policy: limits, plan: { blastRadius: { pods: 1, description: 'no replicas given' } }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /not stated in replicas/ },
  { name: 'limits: a negative size is invalid', policy: limits, plan: { blastRadius: { pods: -5, replicas: -5, description: 'negative' } }, want: 'deny', decidedBy: 'default:blast-radius-limit' },
  { name: 'limits: a fractional size is invalid', policy: limits, plan: { blastRadius: { pods: 0.5, replicas: 0.5, description: 'half' } }, want: 'deny', decidedBy: 'default:blast-radius-limit' },
  { name: 'limits: a size given as text is invalid', policy: limits, plan: { blastRadius: { pods: '3' as unknown as number, replicas: 3, description: 'text' } }, want: 'deny', decidedBy: 'default:blast-radius-limit' },
  { name: 'limits: Infinity pods is above every limit', policy: limits, plan: { blastRadius: { pods: Infinity, replicas: 1, description: 'inf' } }, want: 'deny', decidedBy: 'default:blast-radius-limit' },
  { name: 'limits: unknown set to a truthy non-boolean still means unknown', policy: limits, plan: { blastRadius: { pods: 1, replicas: 1, unknown: 'yes' as unknown as boolean, description: '?' } }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /unknown/ },
  { name: 'limits: no blast radius at all is above every limit', policy: limits, plan: { blastRadius: undefined as unknown as PolicySubject['blastRadius'] }, want: 'deny', decidedBy: 'default:blast-radius-limit', reason: /no blast radius/ },
  { name: 'limits: an explicit 0 pods and 0 replicas is within limits', policy: limits, plan: { blastRadius: { pods: 0, replicas: 0, description: 'none' } }, want: 'allow', decidedBy: 'anything goes' },
  { name: 'blast radius: NaN pods never counts as small (maxPods rule does not match)', policy: smallInProdAllowed, plan: { target: { environment: 'production' }, blastRadius: { pods: NaN, replicas: NaN, description: 'NaN' } }, want: 'require-approval', decidedBy: 'default:production-approval' },
  { name: 'blast radius: NaN pods counts as big (minPods rule matches)', policy: bigIsDenied, plan: { blastRadius: { pods: NaN, description: 'NaN' } }, want: 'deny', decidedBy: 'big changes are denied' },
  // Globs and other conditions.
  { name: 'service glob pay* matches payments', policy: serviceGlob, plan: { target: { service: 'payments' } }, want: 'require-approval', decidedBy: 'payments family needs approval' },
  { name: 'service glob pay* does not match checkout', policy: serviceGlob, want: 'allow' },
  { name: 'environment list with glob: qa-2 matches qa-*, but the stricter catch-all also matches and wins', policy: envGlob, plan: { target: { environment: 'qa-2' } }, want: 'dry-run-only', reason: /test environments run/ },
  { name: 'environment glob: an unlisted environment is dry-run only', policy: envGlob, plan: { target: { environment: 'perf' } }, want: 'dry-run-only', decidedBy: 'everything else dry-run' },
  { name: 'risk condition: high risk denied', policy: highRiskDenied, plan: { risk: 'high' }, want: 'deny', decidedBy: 'no high risk' },
  // Precedence.
  { name: 'precedence: deny beats everything', policy: precedence, plan: { actionId: 'scale' }, want: 'deny', decidedBy: 'deny shop namespace' },
  { name: 'precedence: dry-run-only beats require-approval and allow', policy: precedence, want: 'dry-run-only', decidedBy: 'dry-run staging' },
  { name: 'precedence: require-approval beats allow', policy: precedence, plan: { target: { environment: 'production' } }, want: 'require-approval', decidedBy: 'approve checkout' },
  { name: 'precedence: among equals the first in the file decides', policy: tie, want: 'require-approval', decidedBy: 'first approval' },
  // Cluster-wide forms.
  { name: 'cluster-wide: delete --all is denied even with allow-all', policy: allowAll, plan: { argv: ['kubectl', 'delete', 'pods', '--all', '-n', 'shop'] }, want: 'deny', decidedBy: 'default:cluster-wide' },
  { name: 'cluster-wide: restart across all namespaces is denied', policy: allowAll, plan: { argv: ['kubectl', 'rollout', 'restart', 'deployment', '-A'] }, want: 'deny', decidedBy: 'default:cluster-wide' },
  { name: 'cluster-wide: deleting a namespace is denied', policy: allowAll, plan: { argv: ['/usr/local/bin/kubectl', 'delete', 'namespace', 'shop'] }, want: 'deny', decidedBy: 'default:cluster-wide' },
  { name: 'cluster-wide: a read-only get -A is not a change', policy: allowAll, plan: { argv: ['kubectl', 'get', 'pods', '-A'] }, want: 'allow' },
  { name: 'cluster-wide: helm uninstall across namespaces is denied', policy: allowAll, plan: { argv: ['helm', 'uninstall', 'web', '--all-namespaces'] }, want: 'deny', decidedBy: 'default:cluster-wide' },
  // Broken policies fail closed.
  { name: 'malformed YAML fails closed with line and column', policy: 'rules:\n  - name: x\n    if: { action: [restart\n    then: allow\n', want: 'deny', decidedBy: 'default:policy-error', reason: /policy\.yaml:\d+:\d+/ },
  { name: 'wrong type for then fails closed', policy: 'rules:\n  - if: { action: restart }\n    then: 5\n', want: 'deny', decidedBy: 'default:policy-error', reason: /policy\.yaml:3:11: rules\.0\.then: unknown verdict number 5/ },
  { name: 'unknown verdict fails closed', policy: 'rules:\n  - if: { action: restart }\n    then: maybe\n', want: 'deny', reason: /unknown verdict "maybe"/ },
  { name: 'a misspelt condition key fails closed', policy: 'rules:\n  - if: { servce: checkout }\n    then: allow\n', want: 'deny', reason: /unknown key "servce"/ },
  { name: 'an unknown time zone fails closed', policy: 'rules:\n  - if: { time: { timezone: Mars/Olympus } }\n    then: deny\n', want: 'deny', reason: /unknown time zone "Mars\/Olympus"/ },
  { name: 'impossible hours fail closed', policy: 'rules:\n  - if: { time: { hours: "25:00-26:00" } }\n    then: deny\n', want: 'deny', reason: /hours: expected "HH:MM-HH:MM"/ },
  { name: 'a blast radius that is not a number fails closed', policy: 'rules:\n  - if: { blastRadius: { maxPods: lots } }\n    then: allow\n', want: 'deny', reason: /maxPods: expected a whole number/ },
  { name: 'rules that are not a list fail closed', policy: 'rules: { then: allow }\n', want: 'deny', reason: /expected a list of rules/ },
  { name: 'a scalar document fails closed', policy: 'allow everything\n', want: 'deny', reason: /must be a mapping/ },
];

describe('policy engine (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const policy = loadPolicy(c.policy, 'policy.yaml');
      if (!policy.error && !c.undeclared) policy.environments = { ...declaredNonProduction, ...policy.environments };
      let plan = subject(c.plan);
      if (c.alert) {
        const t = planTarget({ labels: c.alert.labels, environment: c.alert.environment, service: c.alert.service }, { environment: 'production' }, policy);
        plan = { ...plan, target: { ...plan.target, environment: t.environment, service: t.service, tier: c.alert.labels.tier } };
      }
      const decision = evaluatePolicy(plan, { autonomy: c.autonomy ?? 'executeHighRisk', now: new Date(c.now ?? '2026-11-25T10:00:00Z'), trusted: c.trusted ?? true }, policy);
      assert.equal(decision.verdict, c.want, JSON.stringify(decision));
      if (typeof c.decidedBy === 'string') assert.equal(decision.decidedBy, c.decidedBy, JSON.stringify(decision));
      if (c.decidedBy instanceof RegExp) assert.match(decision.decidedBy, c.decidedBy);
      if (c.reason) assert.match(decision.reasons.join(' '), c.reason);
      assert.ok(decision.reasons.length > 0, 'every decision explains itself');
    });
  }

  it('has at least 40 cases', () => assert.ok(cases.length >= 40, String(cases.length)));
});

describe('policy engine (behaviour)', () => {
  it('is deterministic: the same inputs give the same decision', () => {
    const policy = loadPolicy(precedence);
    const ctx = { autonomy: 'executeHighRisk' as const, now: new Date('2026-11-25T10:00:00Z'), trusted: true };
    const a = evaluatePolicy(subject(), ctx, policy);
    const b = evaluatePolicy(subject(), ctx, policy);
    assert.deepEqual(a, b);
  });

  it('lists every matched rule and explains the losers', () => {
    const d = evaluatePolicy(subject({ actionId: 'scale' }), { autonomy: 'executeHighRisk', now: new Date(), trusted: true }, loadPolicy(precedence));
    assert.deepEqual(d.matched, ['approve checkout', 'dry-run staging', 'deny shop namespace']);
    assert.match(d.reasons.join(' '), /Also matched.*approve checkout.*require-approval/);
  });

  it('reports every problem of an invalid file, each with its line', () => {
    const p = loadPolicy('rules:\n  - if: { servce: x }\n    then: allow\n  - then: nope\n', 'ws/.incident-lens/policy.yaml');
    assert.ok(p.error);
    assert.match(p.error, /ws\/\.incident-lens\/policy\.yaml:2:\d+: rules\.0\.if\.servce/);
    assert.match(p.error, /ws\/\.incident-lens\/policy\.yaml:4:\d+: rules\.1\.then: unknown verdict "nope"/);
    assert.equal(p.rules.length, 0, 'a broken file contributes no rules');
  });

  it('an unreadable policy file fails closed, a missing one is the built-in default', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-policy-'));
    try {
      const ctx = { autonomy: 'executeHighRisk' as const, now: new Date(), trusted: true };
      const asDir = path.join(dir, 'policy.yaml');
      fs.mkdirSync(asDir);
      const unreadable = loadPolicyFile(asDir);
      const d1 = evaluatePolicy(subject(), ctx, unreadable);
      assert.equal(d1.verdict, 'deny');
      assert.match(d1.reasons[0], /cannot read policy file .*policy\.yaml: EISDIR/);
      const missing = loadPolicyFile(path.join(dir, 'nope.yaml'));
      assert.equal(missing.error, undefined);
      assert.equal(evaluatePolicy(subject({ target: { environment: 'production' } }), ctx, missing).decidedBy, 'default:production-approval');
      fs.writeFileSync(path.join(dir, 'good.yaml'), seed);
      assert.equal(evaluatePolicy(subject({ target: { tier: 'critical' } }), ctx, loadPolicyFile(path.join(dir, 'good.yaml'))).verdict, 'require-approval');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('day ranges such as mon-fri expand, wrapping across the week', () => {
    const p = loadPolicy('rules:\n  - if: { time: { days: [fri-mon] } }\n    then: deny\n');
    assert.equal(p.error, undefined);
    assert.deepEqual(p.rules[0].if.time?.[0].days, ['fri', 'sat', 'sun', 'mon']);
  });
});
