// The operational factors of a deployment-risk assessment, each from its own evidence: incidents
// the change's services and files had lately (incident memory), coverage of the changed lines, the
// traffic now against the service's usual day, open alerts on the services, freeze windows of the
// policy. Each returns a RiskFactor; one that cannot be measured says why instead of guessing. The
// weights are set by hand (no labelled deploy outcomes exist to fit them on) and are shown beside
// every factor.
import type { Alert, MetricSeries } from '../../core/model';
import type { RiskEvidence, RiskFactor } from '../../core/deployRisk';
import type { IncidentRecord } from '../incidentMemory';
import type { Policy, PolicyRule } from '../../policy/types';
import { anyGlobMatches } from '../../policy/glob';
import { timeWindowMatches } from '../../policy/timeWindow';
import { tierOf } from '../../policy/target';
import { coverageOfFile, summarizeLines, type LoadedReport } from '../../sources/coverage/reports';
import { median } from '../../analysis/series/robust';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const factorWeights = { incidents: 0.15, coverage: 0.15, traffic: 0.1, alerts: 0.15, 'error-budget': 0.1 } as const;

function ago(ms: number): string {
  const d = ms / DAY;
  if (d >= 1) return `${Math.round(d)} day${Math.round(d) === 1 ? '' : 's'} ago`;
  const h = ms / HOUR;
  return h >= 1 ? `${Math.round(h)} h ago` : `${Math.max(1, Math.round(ms / 60_000))} min ago`;
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');
}

// ---------- incidents ----------

/**
 * Recent incidents on the change's files (full weight) or services (0.6), each weighted by recency
 * (a two-week half-life): value = 1 - exp(-sum), so one fresh incident on a touched file is about
 * 0.6 and three are near 1.
 */
export function incidentsFactor(records: readonly IncidentRecord[] | undefined, services: readonly string[], files: readonly string[], now: number, days = 30): RiskFactor {
  const title = `Incidents in the last ${days} days on the services and files it touches`;
  if (!records) return { kind: 'incidents', title, weight: 0, summary: 'not checked', evidence: [], notMeasured: 'no incident memory here (it lives in the editor\'s storage)' };
  const fileSet = new Set(files);
  const serviceSet = new Set(services);
  const hits: { r: IncidentRecord; onFile?: string; weight: number }[] = [];
  for (const r of records) {
    if (r.startedAt < now - days * DAY || r.startedAt > now) continue;
    const onFile = r.files.find((f) => fileSet.has(f));
    const onService = r.services.some((s) => serviceSet.has(s));
    if (!onFile && !onService) continue;
    const recency = Math.pow(0.5, (now - r.startedAt) / (14 * DAY));
    // An incident whose hypothesis was marked wrong is weaker evidence about these files.
    const trust = r.markedWrong ? 0.5 : 1;
    hits.push({ r, onFile, weight: (onFile ? 1 : 0.6) * recency * trust });
  }
  hits.sort((a, b) => b.r.startedAt - a.r.startedAt);
  const value = 1 - Math.exp(-hits.reduce((s, h) => s + h.weight, 0));
  const evidence: RiskEvidence[] = hits.slice(0, 6).map(({ r, onFile }) => {
    const fixed = r.actions.find((x) => x.outcome === 'recovered') ?? r.actions.find((x) => x.outcome === 'rolled-back' || x.outcome === 'executed');
    return {
      text: `${r.alertName} on ${r.services[0] ?? 'an unknown service'}, ${ago(now - r.startedAt)}${onFile ? `, at ${onFile}` : ''}: ${r.markedWrong ? '(hypothesis marked wrong) ' : ''}${r.hypothesis.summary.slice(0, 160)}${fixed ? ` Fixed by ${fixed.actionId} (${fixed.outcome}).` : ''}`,
      ref: onFile ? { kind: 'file', id: onFile } : { kind: 'incident', id: r.id },
    };
  });
  const onFiles = hits.filter((h) => h.onFile).length;
  return {
    kind: 'incidents',
    title,
    value,
    weight: factorWeights.incidents,
    summary: hits.length ? `${hits.length} incident${hits.length === 1 ? '' : 's'} (${onFiles} on the changed files)` : 'none recorded',
    evidence,
  };
}

// ---------- coverage ----------

export interface ChangedLines {
  path: string;
  /** New-side line numbers the change adds or rewrites. */
  lines: number[];
}

// Tests, documentation, configuration and data have no line coverage of their own.
const NOT_COVERABLE = /(^|\/)(test|tests|__tests__|spec|docs?)\/|\.(test|spec)\.[a-z]+$|_test\.go$|\.(md|txt|rst|adoc|json|ya?ml|toml|ini|cfg|conf|lock|csv|svg|png|jpe?g|gif|ico)$/i;

/**
 * Coverage of the changed lines in the reports the project writes, and what the change does to its
 * files' coverage: the files' coverage with the changed lines against without them. Value: the share
 * of instrumented changed lines no test ran.
 */
export function coverageFactor(reports: readonly LoadedReport[], problems: readonly string[], workspace: string, changed: readonly ChangedLines[], newestChange: number): RiskFactor {
  const title = 'Test coverage of the changed lines';
  const code = changed.filter((c) => c.lines.length && !NOT_COVERABLE.test(c.path));
  if (!reports.length) {
    return { kind: 'coverage', title, weight: 0, summary: 'not measured', evidence: problems.map((p) => ({ text: p })), notMeasured: problems.length ? `no readable coverage report (${problems[0]})` : 'no coverage report found (lcov.info, coverage-final.json, Cobertura or JaCoCo XML, a Go cover profile, at their usual places)' };
  }
  if (!code.length) return { kind: 'coverage', title, weight: 0, summary: 'no code lines changed (tests, docs, configuration or deletions only)', evidence: [], notMeasured: 'nothing to cover' };
  let instrumented = 0;
  let covered = 0;
  let restInstrumented = 0;
  let restCovered = 0;
  const evidence: RiskEvidence[] = [];
  const missing: string[] = [];
  for (const c of code) {
    let best: { file: NonNullable<ReturnType<typeof coverageOfFile>>; report: LoadedReport } | undefined;
    for (const r of reports) {
      const f = coverageOfFile(r, workspace, c.path);
      if (f) {
        best = { file: f, report: r };
        break;
      }
    }
    if (!best) {
      missing.push(c.path);
      continue;
    }
    const s = summarizeLines(best.file, c.lines);
    instrumented += s.instrumented;
    covered += s.covered;
    const changedSet = new Set(c.lines);
    for (const [line, hits] of best.file.lines) {
      if (changedSet.has(line)) continue;
      restInstrumented++;
      if (hits > 0) restCovered++;
    }
    const uncovered = c.lines.filter((l) => best!.file.lines.get(l) === 0);
    evidence.push({
      text: `${c.path}: ${s.covered} of ${s.instrumented} changed lines ran in tests${uncovered.length ? `; never ran: ${compactLines(uncovered)}` : ''} (${best.report.file}${best.report.mtimeMs < newestChange ? ', written before this change' : ''})`,
      ref: { kind: 'file', id: c.path, ...(uncovered.length ? { line: uncovered[0] } : {}) },
    });
  }
  if (missing.length) evidence.push({ text: `not in any report: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}` });
  const stale = reports.filter((r) => r.mtimeMs < newestChange).map((r) => r.file);
  if (stale.length) evidence.push({ text: `written before the newest change, so they may not show it: ${stale.join(', ')}` });
  if (!instrumented) return { kind: 'coverage', title, weight: 0, summary: 'the changed lines are in no report', evidence, notMeasured: 'no changed line is instrumented by the reports found' };
  const share = covered / instrumented;
  const before = restInstrumented ? restCovered / restInstrumented : undefined;
  const after = (restCovered + covered) / (restInstrumented + instrumented);
  const delta = before !== undefined ? ` The files are ${(after * 100).toFixed(0)}% covered with the change, ${(before * 100).toFixed(0)}% without its lines (${after >= before ? '+' : ''}${((after - before) * 100).toFixed(1)} points).` : '';
  return {
    kind: 'coverage',
    title,
    value: 1 - share,
    weight: factorWeights.coverage,
    summary: `${covered} of ${instrumented} changed lines covered (${(share * 100).toFixed(0)}%).${delta}`,
    evidence,
  };
}

function compactLines(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.slice(0, 8).join(', ') + (parts.length > 8 ? ', …' : '');
}

// ---------- traffic ----------

function valueNear(s: { t: number[]; v: number[] }, at: number, tolerance: number): number | undefined {
  let lo = 0;
  let hi = s.t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.t[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  let best: number | undefined;
  let dist = Infinity;
  for (const k of [lo - 1, lo]) {
    if (k < 0 || k >= s.t.length) continue;
    const d = Math.abs(s.t[k] - at);
    if (d < dist && Number.isFinite(s.v[k])) {
      dist = d;
      best = s.v[k];
    }
  }
  return dist <= tolerance ? best : undefined;
}

function medianOrNone(xs: number[]): number | undefined {
  return xs.length ? median(xs) : undefined;
}

export interface DailyPattern {
  now: number;
  /** Median of the same time of day on the previous days. */
  usualNow?: number;
  /** Highest of the usual hourly values over the coming day. */
  peak: number;
  /** The quietest hour-long window in the next 24 h by the usual pattern, starting on a quarter hour. */
  quietest?: { start: number; end: number; value: number };
  days: number;
}

/**
 * The usual day of a request-rate series: for each of the next 24 hours, the median of the same
 * time on the previous days. Needs at least a day of data.
 */
export function dailyPattern(series: { t: number[]; v: number[] }, now: number): DailyPattern | undefined {
  if (series.t.length < 4) return undefined;
  const span = series.t[series.t.length - 1] - series.t[0];
  if (span < 23 * HOUR) return undefined;
  const step = span / (series.t.length - 1);
  const tolerance = Math.max(step, 5 * 60_000);
  const days = Math.max(1, Math.floor(span / DAY));
  const last = series.t.length - 1;
  const recent = [series.v[last], series.v[last - 1], series.v[last - 2]].filter((x) => Number.isFinite(x));
  const current = recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length);
  const usualAt = (at: number): number | undefined => {
    const xs: number[] = [];
    for (let d = 1; d <= days + 1; d++) {
      const x = valueNear(series, at - d * DAY, tolerance);
      if (x !== undefined) xs.push(x);
    }
    return medianOrNone(xs);
  };
  const hourly: { start: number; value: number }[] = [];
  for (let h = 0; h < 24; h++) {
    const start = now + h * HOUR;
    const v = usualAt(start + HOUR / 2);
    if (v !== undefined) hourly.push({ start, value: v });
  }
  if (!hourly.length) return undefined;
  const peak = Math.max(...hourly.map((x) => x.value), current);
  // The quietest hour-long window starting in the next day, on a quarter hour (as people schedule),
  // from the first quarter hour at least 15 minutes away.
  const QUARTER = HOUR / 4;
  let quiet: { start: number; value: number } | undefined;
  for (let start = Math.ceil((now + QUARTER) / QUARTER) * QUARTER; start < now + DAY; start += QUARTER) {
    const v = usualAt(start + HOUR / 2);
    if (v !== undefined && (!quiet || v < quiet.value)) quiet = { start, value: v };
  }
  const usualNow = usualAt(now);
  return { now: current, ...(usualNow !== undefined ? { usualNow } : {}), peak, ...(quiet ? { quietest: { start: quiet.start, end: quiet.start + HOUR, value: quiet.value } } : {}), days };
}

/** The request rate of a service summed over the series a source returned for it (unit req/s). */
export function requestRateOf(series: readonly MetricSeries[]): { t: number[]; v: number[] } | undefined {
  const rates = series.filter((s) => s.unit === 'req/s' && s.timestamps.length);
  if (!rates.length) return undefined;
  const sum = new Map<number, number>();
  for (const s of rates) s.timestamps.forEach((t, i) => Number.isFinite(s.values[i]) && sum.set(t, (sum.get(t) ?? 0) + s.values[i]));
  const t = [...sum.keys()].sort((a, b) => a - b);
  return { t, v: t.map((x) => sum.get(x)!) };
}

/**
 * Traffic now against the usual day: value = now / the day's peak (deploying at the peak reaches
 * the most users), with the quietest hour of the next day as the suggested window.
 */
export function trafficFactor(perService: readonly { service: string; pattern?: DailyPattern; problem?: string }[]): RiskFactor & { window?: { start: number; end: number; why: string } } {
  const title = 'Traffic now against the usual daily pattern';
  const measured = perService.filter((p) => p.pattern);
  if (!measured.length) {
    const why = perService.map((p) => `${p.service}: ${p.problem ?? 'no request-rate series'}`).join('; ') || 'no service to look at';
    return { kind: 'traffic', title, weight: 0, summary: 'not measured', evidence: [], notMeasured: why };
  }
  let value = 0;
  const evidence: RiskEvidence[] = [];
  let window: { start: number; end: number; why: string } | undefined;
  for (const { service, pattern } of measured) {
    const p = pattern!;
    const share = p.peak > 0 ? Math.min(1, p.now / p.peak) : 0;
    value = Math.max(value, share);
    const q = p.quietest;
    evidence.push({
      text: `${service}: ${p.now.toFixed(2)} req/s now${p.usualNow !== undefined ? `, usually ${p.usualNow.toFixed(2)} at this time of day` : ''}; the day's peak ${p.peak.toFixed(2)} (${p.days} day${p.days === 1 ? '' : 's'} of data)${q ? `; quietest next: ${iso(q.start)} to ${iso(q.end)} at about ${q.value.toFixed(2)} req/s` : ''}`,
    });
    if (q && q.value < 0.6 * p.now && (!window || q.start < window.start)) window = { start: q.start, end: q.end, why: `${service} usually has ${q.value.toFixed(2)} req/s then, against ${p.now.toFixed(2)} now` };
  }
  const unmeasured = perService.filter((p) => !p.pattern);
  for (const u of unmeasured) evidence.push({ text: `${u.service}: not measured (${u.problem ?? 'no request-rate series'})` });
  return { kind: 'traffic', title, value, weight: factorWeights.traffic, summary: `traffic now is ${(value * 100).toFixed(0)}% of the usual daily peak`, evidence, ...(window ? { window } : {}) };
}

// ---------- open alerts ----------

export function alertsFactor(alerts: readonly Alert[] | undefined, services: readonly string[], problem?: string): RiskFactor {
  const title = 'Open alerts on the services it deploys to';
  if (!alerts) return { kind: 'alerts', title, weight: 0, summary: 'not checked', evidence: [], notMeasured: problem ?? 'no alert source' };
  const set = new Set(services);
  const open = alerts.filter((a) => (a.state === 'firing' || a.state === 'pending') && set.has(a.service ?? a.labels?.service ?? ''));
  const firing = open.filter((a) => a.state === 'firing');
  const critical = firing.filter((a) => a.severity === 'critical' || a.severity === 'error');
  const value = critical.length ? 1 : firing.length ? 0.6 : open.length ? 0.3 : 0;
  return {
    kind: 'alerts',
    title,
    value,
    weight: factorWeights.alerts,
    gate: critical.length > 0,
    summary: open.length ? `${firing.length} firing (${critical.length} critical), ${open.length - firing.length} pending` : 'none',
    evidence: open.slice(0, 8).map((a) => ({ text: `${a.state} ${a.severity} ${a.name} on ${a.service ?? a.labels?.service}, since ${iso(a.startsAt)}${a.annotations?.summary ? `: ${a.annotations.summary.slice(0, 160)}` : ''}`, ref: { kind: 'alert', id: `${a.sourceName}/${a.id}` } })),
  };
}

// ---------- freeze windows ----------

const FREEZE_VERDICTS = new Set(['deny', 'dry-run-only']);

/** Rules that stop deploys at certain times: a time condition, deny (or dry-run only), about deploys or any action. */
export function freezeRules(policy: Policy, services: readonly string[], environment: string): PolicyRule[] {
  return policy.rules.filter((r) => {
    const c = r.if;
    if (!c.time?.length || !FREEZE_VERDICTS.has(r.then)) return false;
    if (c.risk || c.destructive !== undefined || c.blastRadius || c.autonomy || c.namespace) return false;
    if (c.action && !anyGlobMatches(c.action, 'deploy', { ignoreCase: true }) && !anyGlobMatches(c.action, 'rollback-deploy', { ignoreCase: true })) return false;
    if (c.environment && !anyGlobMatches(c.environment, environment, { ignoreCase: true })) return false;
    if (c.service && !services.some((s) => anyGlobMatches(c.service!, s, { ignoreCase: true }))) return false;
    if (c.tier && !services.some((s) => anyGlobMatches(c.tier!, tierOf(policy, s), { ignoreCase: true }))) return false;
    return true;
  });
}

function inFreeze(rules: readonly PolicyRule[], at: number): PolicyRule | undefined {
  const d = new Date(at);
  return rules.find((r) => r.if.time!.some((w) => timeWindowMatches(w, d)));
}

/** Scans ahead in 5-minute steps (a week at most) for when the state changes. */
function nextChange(rules: readonly PolicyRule[], from: number, frozen: boolean, horizon = 7 * DAY): number | undefined {
  for (let t = from + 5 * 60_000; t <= from + horizon; t += 5 * 60_000) if (!!inFreeze(rules, t) !== frozen) return t;
  return undefined;
}

export function freezeFactor(policy: Policy | undefined, services: readonly string[], environment: string, now: number, problem?: string): RiskFactor & { freezeEnds?: number } {
  const title = 'Freeze windows of the policy';
  if (!policy) return { kind: 'freeze', title, weight: 0, summary: 'not checked', evidence: [], notMeasured: problem ?? 'no policy' };
  if (policy.error) return { kind: 'freeze', title, weight: 0, summary: 'the policy file is invalid', evidence: [{ text: policy.error }], notMeasured: `the policy could not be read: ${policy.error}`, gate: true, value: 1 };
  const rules = freezeRules(policy, services, environment);
  if (!rules.length) return { kind: 'freeze', title, value: 0, weight: 0, summary: 'no freeze window applies', evidence: [{ text: `${policy.source}: no deny rule with a time window for deploys to ${environment}` }] };
  const active = inFreeze(rules, now);
  if (active) {
    const ends = nextChange(rules, now, true);
    return {
      kind: 'freeze',
      title,
      value: 1,
      weight: 0,
      gate: true,
      summary: `in the freeze "${active.name}"${ends ? ` until ${iso(ends)}` : ''}`,
      evidence: [{ text: `${policy.source}${active.line ? `:${active.line}` : ''}: rule "${active.name}" (${active.then}) matches now${active.reason ? `: ${active.reason}` : ''}` }],
      ...(ends ? { freezeEnds: ends } : {}),
    };
  }
  const starts = nextChange(rules, now, false, 2 * DAY);
  return {
    kind: 'freeze',
    title,
    value: starts !== undefined && starts - now < 2 * HOUR ? 0.5 : 0,
    weight: 0,
    summary: starts !== undefined ? `no freeze now; the next starts ${iso(starts)}` : 'no freeze now or in the next two days',
    evidence: rules.map((r) => ({ text: `${policy.source}${r.line ? `:${r.line}` : ''}: rule "${r.name}" (${r.then}) at ${r.if.time!.map((w) => `${w.days?.join(',') ?? 'every day'} ${w.between?.text ?? ''} ${w.timezone}`.trim()).join('; ')}` })),
  };
}
