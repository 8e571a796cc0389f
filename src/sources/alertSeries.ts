// Looks where an alert looks, on a Prometheus: the rule's own expression over the window, scoped to
// the alert's instance, pod or service, with its threshold; then what the alert is about, found with
// the label values, series and metadata APIs and planned by relatedSeries.ts (a host's USE, a pod's
// resources, a service's RED). Every step is bounded (queries, series per query, series in all) and a
// failed query costs only its own series.

import type { Alert, AlertRule, Labels, MetricSeries } from '../core/model';
import { labelsKey, type TimeWindow } from '../core/sources';
import { normaliseUnit } from '../core/units';
import { errorMessage } from '../core/errors';
import type { PrometheusSource } from './prometheus';
import { metricNamesOf, parsePromql, scopeExpression, selectorsOf } from './promqlExpr';
import { inferUnit } from './promqlUnits';
import {
  errorMatcher,
  hostOfInstance,
  hostPlans,
  identifyingLabels,
  ingredientPlans,
  looksLikeNodeExporter,
  matcherText,
  podPlans,
  redFamilies,
  redPlans,
  regexEscape,
  type MetricMeta,
  type SeriesPlan,
} from './relatedSeries';

/** Series returned in all, and by the alert's own expression. */
const maxSeries = 60;
const maxOwnSeries = 10;
const maxNames = 5000;

interface Steps {
  window: TimeWindow;
  stepSeconds: number;
  /** Range of rate() and friends: several steps, at least a minute. */
  range: string;
}

function stepsFor(window: TimeWindow, scrapeSeconds: number | undefined): Steps {
  // A window reaching past now would have Prometheus repeat the last sample into the future.
  const end = Math.min(window.end, Date.now());
  const w = end > window.start ? { start: window.start, end } : { ...window };
  const stepSeconds = Math.max(15, Math.ceil((w.end - w.start) / 1000 / 240));
  // Evaluation points fall on start + k * step: align them on the end, so the newest point is "now"
  // and not up to a step before it.
  const stepMs = stepSeconds * 1000;
  w.start = w.end - Math.ceil((w.end - w.start) / stepMs) * stepMs;
  // Grafana's $__rate_interval: a step plus a scrape, and at least four scrapes. Without the scrape
  // interval, four steps and at least a minute.
  const rangeSeconds = scrapeSeconds ? Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds) : Math.max(4 * stepSeconds, 60);
  return { window: w, stepSeconds, range: `${rangeSeconds}s` };
}

/** Grafana's interval variables, which Prometheus itself does not know. */
function withIntervals(expr: string, s: Steps): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, (v) => (v === '$__interval' ? `${s.stepSeconds}s` : s.range));
}

async function metadataOf(prom: PrometheusSource, metrics: string[], signal?: AbortSignal): Promise<Map<string, MetricMeta>> {
  const out = new Map<string, MetricMeta>();
  const unique = [...new Set(metrics)].slice(0, 12);
  const got = await Promise.allSettled(unique.map((m) => prom.metadata(m, signal)));
  got.forEach((r, i) => {
    if (r.status === 'fulfilled' && r.value) out.set(unique[i], r.value);
  });
  return out;
}

const familyOf = (metric: string) => metric.replace(/_(bucket|count|sum|total)$/, '');

async function namesUnder(prom: PrometheusSource, selector: string, s: Steps, signal?: AbortSignal): Promise<Set<string>> {
  return new Set(await prom.labelValues('__name__', [selector], s.window, maxNames, signal));
}

async function runPlans(prom: PrometheusSource, plans: SeriesPlan[], s: Steps, signal?: AbortSignal): Promise<MetricSeries[]> {
  const results = await Promise.allSettled(plans.map((p) => prom.queryRange({ query: p.query, start: s.window.start, end: s.window.end, stepSeconds: s.stepSeconds, limit: p.limit }, signal)));
  const out: MetricSeries[] = [];
  results.forEach((r, i) => {
    const plan = plans[i];
    if (r.status === 'rejected') {
      prom.logger.warn(`${prom.name}: ${plan.query}: ${errorMessage(r.reason)}`);
      return;
    }
    for (const got of r.value) {
      const unit = normaliseUnit(plan.unit);
      const series: MetricSeries = { ...got, id: r.value.length > 1 ? `${plan.query} {${labelsKey(got.labels)}}` : plan.query, name: plan.name, query: plan.query, role: plan.role };
      // Series of a host or a pod are about that thing, not about the scrape job named like a service.
      delete series.service;
      if (plan.service) series.service = plan.service;
      if (unit) series.unit = unit;
      else delete series.unit;
      out.push(series);
    }
  });
  return out;
}

function agreesWithScope(labels: Labels, scope: Labels): boolean {
  return Object.entries(scope).every(([k, v]) => labels[k] === undefined || labels[k] === v);
}

/** The rule's value expression over the window, scoped to the alert; unscoped and filtered when scoping empties it. */
async function ownSeries(prom: PrometheusSource, alert: Alert, rule: AlertRule, scope: Labels, s: Steps, signal?: AbortSignal): Promise<MetricSeries[]> {
  const expr = withIntervals(rule.valueExpression ?? rule.expression, s);
  let scoped = expr;
  try {
    scoped = scopeExpression(expr, scope);
  } catch (err) {
    prom.logger.warn(`${prom.name}: the expression of ${rule.name} could not be scoped to the alert: ${errorMessage(err)}`);
  }
  const q = (query: string) => prom.queryRange({ query, start: s.window.start, end: s.window.end, stepSeconds: s.stepSeconds, limit: maxOwnSeries * 5 }, signal);
  let query = scoped;
  let got = await q(scoped);
  if (!got.length && scoped !== expr) {
    // Scoping can empty an expression that joins other series (`on() group_left`): ask unscoped, keep the alert's.
    query = expr;
    got = (await q(expr)).filter((x) => agreesWithScope(x.labels, scope));
  }
  let unit = rule.unit;
  if (!unit) {
    let names: string[] = [];
    try {
      names = metricNamesOf(expr);
    } catch {
      names = [];
    }
    const meta = await metadataOf(prom, names.map(familyOf), signal);
    unit = inferUnit(expr, (m) => meta.get(familyOf(m))?.unit);
  }
  const normalised = normaliseUnit(unit);
  const service = alert.service;
  return got.slice(0, maxOwnSeries).map((x) => {
    const series: MetricSeries = { ...x, id: `${rule.name}: ${query} {${labelsKey(x.labels)}}`, name: rule.name, query, role: 'alert' };
    delete series.service;
    if (service) series.service = service;
    if (normalised) series.unit = normalised;
    else delete series.unit;
    if (rule.threshold) series.threshold = { ...rule.threshold };
    return series;
  });
}

interface HostScope {
  scope: string;
  names: Set<string>;
  /** The alert's own instance is the node_exporter (a host alert), rather than a host it runs on. */
  own: boolean;
}

/** The node_exporter of the alert's host: its own instance, or the one on the same host or Kubernetes node. */
async function findHost(prom: PrometheusSource, scope: Labels, s: Steps, signal?: AbortSignal): Promise<HostScope | undefined> {
  if (scope.instance) {
    const names = await namesUnder(prom, `{${matcherText({ instance: scope.instance })}}`, s, signal);
    if (looksLikeNodeExporter(names)) return { scope: matcherText({ instance: scope.instance }), names, own: true };
  }
  const host = scope.node ?? (scope.instance ? hostOfInstance(scope.instance) : undefined);
  if (!host) return undefined;
  const sample = await prom.series([`node_uname_info{nodename=${JSON.stringify(host)}}`, `node_load1{instance=~${JSON.stringify(`${regexEscape(host)}(:[0-9]+)?`)}}`], s.window, 5, signal);
  const instances = [...new Set(sample.map((l) => l.instance).filter((x): x is string => !!x))];
  if (instances.length !== 1) return undefined;
  const names = await namesUnder(prom, `{${matcherText({ instance: instances[0] })}}`, s, signal);
  return looksLikeNodeExporter(names) ? { scope: matcherText({ instance: instances[0] }), names, own: false } : undefined;
}

/** RED plans for a service under a scope: the conventional request metrics, their status label, bounded. */
async function servicePlans(prom: PrometheusSource, scope: Labels, service: string | undefined, s: Steps, signal?: AbortSignal): Promise<SeriesPlan[]> {
  const sel = matcherText(scope);
  if (!sel) return [];
  const names = await namesUnder(prom, `{${sel}}`, s, signal);
  const histogramFamilies = [...names].filter((n) => n.endsWith('_bucket')).map((n) => n.slice(0, -'_bucket'.length));
  const meta = await metadataOf(prom, histogramFamilies, signal);
  const [family] = redFamilies(names, meta, 1);
  if (!family) return [];
  const sample = await prom.series([`${family.countMetric}{${sel}}`], s.window, 50, signal);
  const labelNames = new Set(sample.flatMap((l) => Object.keys(l)));
  return redPlans(sel, family, errorMatcher(labelNames), s.range, service);
}

/**
 * The label that names the alert's service, and its value: the configured service label, `service`,
 * then the scrape job. A rule's static service label names the service too (its series lack it, so it
 * scopes no expression, but the service's own metrics carry it).
 */
function serviceScopeOf(prom: PrometheusSource, alert: Alert, scope: Labels, skipJob: boolean): { label: string; value: string } | undefined {
  const labels = [prom.opts.serviceLabel, 'service', skipJob ? undefined : 'job'].filter((x): x is string => !!x);
  for (const label of labels) if (scope[label]) return { label, value: scope[label] };
  for (const label of labels.filter((l) => l !== 'job')) if (alert.labels?.[label]) return { label, value: alert.labels[label] };
  return undefined;
}

export async function prometheusSeriesForAlert(prom: PrometheusSource, alert: Alert, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
  const s = stepsFor(window, await prom.scrapeIntervalSeconds(signal));
  let rule: AlertRule | undefined;
  try {
    rule = await prom.ruleFor(alert, signal);
  } catch (err) {
    prom.logger.warn(`${prom.name}: could not read the rule of ${alert.name}: ${errorMessage(err)}`);
  }
  const scope = identifyingLabels(alert, { serviceLabel: prom.opts.serviceLabel, ruleLabels: rule?.labels });
  const own = rule ? ownSeries(prom, alert, rule, scope, s, signal) : Promise.resolve([] as MetricSeries[]);
  const related = (async (): Promise<MetricSeries[]> => {
    const plans: SeriesPlan[] = [];
    const found: Promise<void>[] = [];
    if (scope.pod) {
      const podScope = matcherText(Object.fromEntries(Object.entries(scope).filter(([k]) => k === 'namespace' || k === 'pod' || k === 'container')));
      found.push(namesUnder(prom, `{${podScope}}`, s, signal).then((names) => void plans.push(...podPlans(podScope, names, s.range))));
    }
    const host = await findHost(prom, scope, s, signal).catch((err: unknown) => {
      prom.logger.warn(`${prom.name}: looking for the host of ${alert.name}: ${errorMessage(err)}`);
      return undefined;
    });
    if (host) plans.push(...hostPlans(host.scope, host.names, s.range));
    // A host alert is about the host: its scrape job is not a service with requests.
    const svc = serviceScopeOf(prom, alert, scope, !!host?.own);
    if (svc && !host?.own) {
      const narrow: Labels = { [svc.label]: svc.value, ...(scope.namespace ? { namespace: scope.namespace } : {}) };
      found.push(
        servicePlans(prom, narrow, svc.value, s, signal)
          .then((p) => (p.length || !scope.namespace ? p : servicePlans(prom, { [svc.label]: svc.value }, svc.value, s, signal)))
          .then((p) => void plans.push(...p)),
      );
    }
    const settled = await Promise.allSettled(found);
    for (const r of settled) if (r.status === 'rejected') prom.logger.warn(`${prom.name}: discovering series for ${alert.name}: ${errorMessage(r.reason)}`);
    if (!plans.length && rule && rule.language === 'promql') {
      // Nothing the conventions know: chart what the rule itself reads, as its types ask.
      try {
        const scopedRule = scopeExpression(withIntervals(rule.valueExpression ?? rule.expression, s), scope);
        const selectors = selectorsOf(parsePromql(scopedRule))
          .filter((x): x is typeof x & { name: string } => !!x.name)
          .map((x) => ({ name: x.name, text: scopedRule.slice(x.start, x.end) }));
        const names = new Set(selectors.map((x) => x.name));
        const meta = await metadataOf(prom, [...names].map(familyOf), signal);
        plans.push(...ingredientPlans(selectors, names, meta, s.range, 4, alert.service));
      } catch (err) {
        prom.logger.debug(`${prom.name}: no ingredients of ${rule.name}: ${errorMessage(err)}`);
      }
    }
    return runPlans(prom, plans.slice(0, 20), s, signal);
  })();
  const [ownGot, relatedGot] = await Promise.allSettled([own, related]);
  if (ownGot.status === 'rejected') prom.logger.warn(`${prom.name}: the expression of ${alert.name}: ${errorMessage(ownGot.reason)}`);
  if (relatedGot.status === 'rejected') prom.logger.warn(`${prom.name}: series related to ${alert.name}: ${errorMessage(relatedGot.reason)}`);
  const out = [...(ownGot.status === 'fulfilled' ? ownGot.value : []), ...(relatedGot.status === 'fulfilled' ? relatedGot.value : [])];
  if (ownGot.status === 'rejected' && relatedGot.status === 'rejected') throw ownGot.reason;
  return out.slice(0, maxSeries);
}

/** A service's RED series under the configured service label (or `job`, when nothing answers to it). */
export async function prometheusSeriesForService(prom: PrometheusSource, service: string, window: TimeWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
  const s = stepsFor(window, await prom.scrapeIntervalSeconds(signal));
  const label = prom.opts.serviceLabel ?? 'service';
  let plans = await servicePlans(prom, { [label]: service }, service, s, signal);
  if (!plans.length && label !== 'job') plans = await servicePlans(prom, { job: service }, service, s, signal);
  return runPlans(prom, plans, s, signal);
}
