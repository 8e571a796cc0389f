// Which rule an alert came from, and what that rule looks at, as the core's AlertRule: shared by the
// Prometheus rules API, Grafana's rule API and the embedded receiver's built-in rules. An alert is
// matched to its rule by name, then the rule's uid, group and static labels, then the expression its
// generatorURL names and the alerts the rule reports as active: never by guessing among different
// expressions.

import type { Alert, AlertRule, Labels } from '../core/model';
import { splitThreshold } from './promqlExpr';
import { inferUnit } from './promqlUnits';

/** What is known of a rule in any backend, enough to match alerts to it. */
export interface RuleCandidate {
  name: string;
  group?: string;
  uid?: string;
  /** The rule's own (static) labels, added to every alert it fires. */
  labels: Labels;
  /** Label sets of the alerts the rule currently reports (Prometheus lists them). */
  activeAlerts?: Labels[];
  rule: AlertRule;
}

/** Describes a PromQL alerting rule: threshold and graphed part parsed from `<expr> <op> <number>`, unit from names. */
export function describePromqlRule(input: { name: string; expression: string; group?: string; forMs?: number; uid?: string; sourceName?: string; language?: string }, metaUnit?: (metric: string) => string | undefined): AlertRule {
  const rule: AlertRule = { name: input.name, expression: input.expression, language: input.language ?? 'promql' };
  if (input.group) rule.group = input.group;
  if (input.forMs !== undefined && Number.isFinite(input.forMs)) rule.forMs = input.forMs;
  if (input.uid) rule.uid = input.uid;
  if (input.sourceName) rule.sourceName = input.sourceName;
  if (rule.language === 'promql') {
    const split = splitThreshold(input.expression);
    if (split) {
      rule.valueExpression = split.valueExpression;
      rule.threshold = split.threshold;
    }
    const unit = inferUnit(split?.valueExpression ?? input.expression, metaUnit);
    if (unit) rule.unit = unit;
  }
  return rule;
}

/** The expression a Prometheus generatorURL graphs (`/graph?g0.expr=...`), if it names one. */
export function expressionFromGeneratorUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const expr = new URL(url).searchParams.get('g0.expr');
    return expr?.trim() || undefined;
  } catch {
    return undefined;
  }
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function agrees(labels: Labels, alertLabels: Labels): boolean {
  for (const [k, v] of Object.entries(labels)) {
    // A templated label value (`{{ $labels.x }}`) cannot be compared with the rendered one.
    if (v.includes('{{')) continue;
    if (alertLabels[k] !== v) return false;
  }
  return true;
}

/**
 * The rule that fired this alert, or undefined when none matches or several different ones might
 * (charting the wrong expression would be worse than charting none).
 */
export function matchAlertRule<T extends RuleCandidate>(alert: Alert, candidates: T[]): T | undefined {
  const labels = alert.labels ?? {};
  const uid = alert.rule?.uid ?? labels.__alert_rule_uid__;
  if (uid) {
    const byUid = candidates.find((c) => c.uid === uid);
    if (byUid) return byUid;
  }
  const name = labels.alertname ?? alert.name;
  let pool = candidates.filter((c) => c.name === name && agrees(c.labels, labels));
  if (alert.rule?.group) {
    const inGroup = pool.filter((c) => c.group === alert.rule!.group);
    if (inGroup.length) pool = inGroup;
  }
  if (pool.length <= 1) return pool[0];
  const generated = expressionFromGeneratorUrl(alert.generatorURL);
  if (generated) {
    const byExpr = pool.filter((c) => squash(c.rule.expression) === squash(generated));
    if (byExpr.length) pool = byExpr;
  }
  if (pool.length > 1) {
    const active = pool.filter((c) => c.activeAlerts?.some((a) => agrees(a, labels)));
    if (active.length) pool = active;
  }
  const expressions = new Set(pool.map((c) => squash(c.rule.expression)));
  return expressions.size === 1 ? pool[0] : undefined;
}

/** Keeps the rule beside an alert: a copy with `rule` set, or the alert itself when no rule matched. */
export function withRule(alert: Alert, candidates: RuleCandidate[]): Alert {
  if (alert.rule) return alert;
  const match = matchAlertRule(alert, candidates);
  return match ? { ...alert, rule: match.rule } : alert;
}
