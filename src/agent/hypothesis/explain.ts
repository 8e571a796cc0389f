// Stage 4 of the hypothesis: explain the decision in words a person can check. Evidence entries point
// at findings by their ids (a series id, a log pattern id, "traceId/spanId", a commit sha), so the panel
// can focus the chart, pattern or span each one names; the summary cites them as [e1], [e2]...
import type { Alert, Alternative, Change, Evidence } from '../../core/model';
import type { ErrorOriginFinding, Findings, LogPatternFinding, SuspectFinding } from '../../core/investigation';
import type { Collected } from './collect';
import type { Decision, EvidenceSpec } from './decide';
import { fmtMs, fmtTime, kindLabel } from './format';

const MIN = 60_000;

export class EvidenceList {
  readonly items: Evidence[] = [];
  add(e: EvidenceSpec): string {
    const id = `e${this.items.length + 1}`;
    this.items.push({ id, ...e });
    return id;
  }
}

export interface Explained {
  summaryParts: { sentence: string; evidenceIds: string[] };
  alertEv: string;
  onsetEv?: string;
}

function originTitle(o: ErrorOriginFinding): string {
  const what = o.exceptionType ? `: ${o.exceptionType}` : '';
  const msg = o.exceptionMessage ? ` ${o.exceptionMessage.slice(0, 120)}` : o.statusMessage ? `: ${o.statusMessage.slice(0, 120)}` : '';
  return `${o.count} failing ${o.operation} spans in ${o.service}${what}${msg}`;
}

export function originEvidence(ev: EvidenceList, o: ErrorOriginFinding): string {
  return ev.add({
    kind: 'span',
    ref: o.ref,
    title: originTitle(o),
    why: o.external ? `The errors start at calls to ${o.external}, which has no telemetry of its own here.` : `Where the errors originate (no failing child span)${o.countBefore ? `; ${o.countBefore} before the onset` : ', none before the onset'}.`,
    weight: 0.4,
  });
}

export function patternEvidence(ev: EvidenceList, t: LogPatternFinding): string {
  return ev.add({
    kind: 'log-pattern',
    ref: t.id,
    title: `${t.service ?? ''} ${t.level}: ${t.template.slice(0, 140)}`.trim(),
    why: t.countBefore === 0 ? `New after the onset: ${t.countAfter} lines, none before.` : `${t.countBefore} lines before the onset, ${t.countAfter} after.`,
    weight: 0.3,
    ...(t.firstAfter !== undefined ? { time: t.firstAfter } : {}),
  });
}

/** The alert and onset evidence every hypothesis starts with. */
export function commonEvidence(ev: EvidenceList, findings: Findings, alert: Alert, alerts: Alert[]): { alertEv: string; onsetEv?: string } {
  const alertEv = ev.add({
    kind: 'alert',
    ref: alert.id,
    title: alerts.length > 1 ? `${alerts.length} alerts firing (${[...new Set(alerts.map((a) => a.name))].join(', ')}) on ${findings.alertServices.join(', ')}` : `${alert.name} on ${alert.service ?? alert.labels?.service ?? 'unknown service'}`,
    why: alerts.length > 1 ? 'An alert storm: grouped here because they share one cause.' : 'The alert under investigation.',
    weight: 0.1,
    time: findings.alertTime,
  });
  let onsetEv: string | undefined;
  const onsetSeries = findings.onset.seriesId ? findings.series.find((s) => s.id === findings.onset.seriesId) : undefined;
  if (onsetSeries?.excursion) {
    const x = onsetSeries.excursion;
    onsetEv = ev.add({
      kind: 'metric',
      ref: onsetSeries.id,
      title: `${onsetSeries.name}${onsetSeries.service ? ` of ${onsetSeries.service}` : ''} moved ${x.direction} at ${fmtTime(x.onset)} (${x.ratio.toFixed(1)}x its baseline)`,
      why: 'The earliest sustained change on the alerting service: taken as the onset.',
      weight: 0.3,
      time: x.onset,
    });
  }
  return { alertEv, onsetEv };
}

/** Evidence for the decision, and the sentence of the summary that cites it. */
export function decisionEvidence(ev: EvidenceList, d: Decision, c: Collected, changes: Change[]): { sentence: string; evidenceIds: string[] } {
  const onset = c.findings.onset.time;
  const ids = d.support.map((s) => ev.add(s));
  const evidenceForSuspect = (s: SuspectFinding): string[] => {
    const out: string[] = [];
    const change = changes.find((x) => x.sha === s.sha);
    if (change?.deploy) out.push(ev.add({ kind: 'deploy', ref: s.sha, title: `Deploy ${change.deploy.ref} at ${fmtTime(change.deploy.time)}`, why: `Went out ${Math.round((onset - change.deploy.time) / MIN)} min before the onset.`, weight: 0.3, time: change.deploy.time }));
    out.push(ev.add({ kind: s.strength.config ? 'config' : 'commit', ref: s.sha, title: `${s.sha.slice(0, 8)} ${s.message} (${s.author})`, why: s.reasons.join('; '), weight: s.score, time: s.time }));
    return out;
  };
  const relevantOrigins = c.newOrigins.filter((o) => !d.service || o.service === d.service || o.external === d.service).slice(0, 2);
  const relevantPatterns = c.risingPatterns.filter((t) => !d.service || t.service === d.service).slice(0, 2);
  let sentence = d.sentence;
  if (d.suspect) {
    const s = d.suspect;
    const spanIds = relevantOrigins.map((o) => originEvidence(ev, o));
    const slowIds = c.findings.slowOperations
      .filter((x) => x.service === d.service)
      .slice(0, 1)
      .map((x) => ev.add({ kind: 'span', ref: x.ref, title: `${x.operation} in ${x.service}: own time ${fmtMs(x.beforeMs)} before, ${fmtMs(x.afterMs)} after the onset`, why: x.code ? `Its code.filepath ${x.code.filepath}:${x.code.lineno ?? '?'} points into the suspect change.` : 'Where the extra time is spent.', weight: 0.4 }));
    const logIds = relevantPatterns.slice(0, 1).map((t) => patternEvidence(ev, t));
    const commitIds = evidenceForSuspect(s);
    ids.push(...commitIds, ...spanIds, ...slowIds, ...logIds);
    const loc = s.location ? `${s.location.path}:${s.location.startLine}-${s.location.endLine}` : s.files[0];
    const what = d.causeKind === 'config-change' ? 'configuration change' : 'change';
    if (!sentence) {
      const signal = spanIds.length || logIds.length ? `errors in ${d.service ?? 'the service'} [${[...spanIds, ...logIds].join(', ')}]` : slowIds.length ? `slower calls in ${d.service} [${slowIds.join(', ')}]` : `the change in ${d.service}`;
      sentence = `${signal} trace back to the ${what} ${s.sha.slice(0, 8)} "${s.message}" at ${loc} [${commitIds.join(', ')}]`;
    } else sentence += ` [${[...new Set(ids)].join(', ')}]`;
  } else if (d.causeKind === 'dependency') {
    const originIds = c.extErrors.slice(0, 2).map((o) => originEvidence(ev, o));
    const logIds = c.risingPatterns.filter((t) => c.extErrors.some((o) => o.service === t.service)).slice(0, 1).map((t) => patternEvidence(ev, t));
    originIds.push(ev.add({ kind: 'topology', ref: d.dependency!, title: `${d.dependency} is called by ${[...new Set(c.extErrors.map((o) => o.service))].join(', ')}`, why: 'A downstream dependency outside our telemetry: no commit of ours touches it.', weight: 0.3 }));
    ids.push(...originIds, ...logIds);
    sentence = `calls to ${d.dependency} fail (${Math.round(c.extShare * 100)}% of the new errors start there) [${[...originIds, ...logIds].join(', ')}]; no recent change explains it`;
  } else {
    ids.push(...relevantPatterns.slice(0, 1).map((t) => patternEvidence(ev, t)));
    sentence += ` [${ids.join(', ')}]`;
  }
  return { sentence, evidenceIds: ids };
}

/** The strongest signals, each explained: worth showing when the hypothesis abstains. */
export function abstentionEvidence(ev: EvidenceList, c: Collected): void {
  for (const o of c.newOrigins.slice(0, 2)) originEvidence(ev, o);
  for (const t of c.risingPatterns.slice(0, 2)) patternEvidence(ev, t);
  const top = [...c.moved].sort((a, b) => b.excursion.score - a.excursion.score).slice(0, 2);
  for (const e of top) {
    if (e.id === c.findings.onset.seriesId) continue;
    ev.add({ kind: 'metric', ref: e.id, title: `${e.name}${e.service ? ` of ${e.service}` : ''} at ${e.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(e.excursion.onset)}`, why: 'One of the strongest changes in the window.', weight: 0.2, time: e.excursion.onset });
  }
}

/** What was looked at, always said, and especially when abstaining. */
export function checkedLines(c: Collected, alerts: Alert[]): string[] {
  const f = c.findings;
  const s1 = f.suspects[0];
  const lines = [
    `${alerts.length} alert(s) on ${f.alertServices.join(', ') || 'unknown services'}, first at ${fmtTime(f.alertTime)}`,
    `${f.counts.series} metric series: ${c.moved.length} moved beyond 4 robust sigmas and stayed there${f.onset.basis === 'metric' ? `, the first at ${fmtTime(f.onset.time)}` : ''}`,
    `${f.counts.logs} log lines: ${c.risingPatterns.length} error/warning templates new or rising after the onset`,
    `${f.counts.spans} spans in ${f.counts.traces} traces after the onset: ${c.newOrigins.length} new error origins, ${f.slowOperations.length} operations slower than before`,
    `${f.counts.changes} commits: ${f.suspects.length} went out before the onset${s1 ? `, best ${s1.sha.slice(0, 8)} (score ${s1.score.toFixed(2)})` : ''}`,
    `stack frames: ${f.stackFrames.length}, code attributes: ${f.codeAttributes.length}`,
    ...f.warnings.slice(0, 3).map((w) => `traces: ${w}`),
  ];
  if (f.onset.basis === 'fallback') lines.push(`no series moved clearly: onset taken as 1 min before the alert (${fmtTime(f.onset.time)})`);
  return lines;
}

export function summaryOf(d: Decision | undefined, sentence: string, confidence: number, threshold: number, abstained: boolean, checkedCount: number, ids: { alertEv: string; onsetEv?: string }, alerts: Alert[], onset: number): string {
  if (abstained) {
    return `Not sure: ${d ? `the best explanation (${d.causeKind}${d.service ? ` in ${d.service}` : ''}: ${sentence}) has confidence ${confidence.toFixed(2)}, below ${threshold}` : 'no cause stands out'}. Checked ${checkedCount} kinds of signal [${[ids.alertEv, ...(ids.onsetEv ? [ids.onsetEv] : [])].join(', ')}]; see "checked".`;
  }
  return `${kindLabel(d!.causeKind)}${d!.service ? ` in ${d!.service}` : ''}${d!.host ? ` (host ${d!.host})` : ''}: ${sentence}. Onset ${fmtTime(onset)}${ids.onsetEv ? ` [${ids.onsetEv}]` : ''}${alerts.length > 1 ? `; explains ${alerts.length} alerts [${ids.alertEv}]` : ''}.`;
}

export function alternativesOf(d: Decision | undefined, c: Collected): Alternative[] {
  const out: Alternative[] = [];
  for (const s of c.suspects.slice(0, 3)) {
    if (d?.suspect?.sha === s.sha) continue;
    out.push({
      summary: `${s.strength.config ? 'Configuration' : 'Code'} change ${s.sha.slice(0, 8)} "${s.message}"`,
      causeKind: s.strength.config ? 'config-change' : 'code-change',
      service: s.strength.services[0],
      commit: s.sha,
      confidence: Math.round(Math.min(0.95, s.score * 0.6) * 1000) / 1000,
      whyLower: s.strength.code < 0.5 ? `no failing stack frame or span points into its changed lines (score ${s.score.toFixed(2)})` : `it scores ${s.score.toFixed(2)}, below the top suspect`,
    });
  }
  const hostShare = c.topHost?.share ?? 0;
  if (c.dependency && d?.causeKind !== 'dependency') out.push({ summary: `Outage of ${c.dependency}`, causeKind: 'dependency', service: c.dependency, confidence: Math.round(c.extShare * 0.5 * 1000) / 1000, whyLower: `only ${Math.round(c.extShare * 100)}% of the new errors start at calls to it` });
  if (c.trafficUp.length && d?.causeKind !== 'capacity') out.push({ summary: 'A traffic surge', causeKind: 'capacity', service: c.saturated[0]?.service, confidence: 0.2, whyLower: c.saturated.length ? 'the saturation came before the traffic, or a change explains it better' : 'nothing saturated' });
  if (c.topHost && d?.causeKind !== 'infrastructure' && hostShare >= 0.4) out.push({ summary: `A fault on host ${c.topHost.host}`, causeKind: 'infrastructure', confidence: Math.round(hostShare * 0.4 * 1000) / 1000, whyLower: `the anomalies are spread over several hosts (${Math.round(hostShare * 100)}% on ${c.topHost.host})` });
  return out.slice(0, 5);
}

export function confirmChecks(d: Decision): string[] {
  switch (d.causeKind) {
    case 'code-change':
    case 'config-change': {
      const s = d.suspect!;
      const loc = s.location ? `${s.location.path}:${s.location.startLine}-${s.location.endLine}` : s.files[0];
      return [`Read ${loc} in ${s.sha.slice(0, 8)}: does it explain the failing frames?`, `Roll back or redeploy the previous revision in a lab: the errors should stop.`, `Errors should be absent on instances still running the previous revision.`];
    }
    case 'dependency':
      return [`Check ${d.dependency}'s status page or its own dashboards.`, `Calls from other services to ${d.dependency} should fail the same way.`];
    case 'capacity':
      return [`Request rate and CPU of ${d.service} should fall back together when traffic drops or after scaling out.`, 'Look for the source of the extra traffic (a client, a campaign, a retry storm).'];
    case 'infrastructure':
      return [`Instances of the same services on other hosts than ${d.host} should be healthy.`, `Check ${d.host}'s disk, kernel and hypervisor events.`];
    default:
      return [];
  }
}

export function refuteChecks(d: Decision): string[] {
  switch (d.causeKind) {
    case 'code-change':
    case 'config-change':
      return [`The same errors before ${d.suspect ? fmtTime(d.suspect.time) : 'the deploy'} would refute it.`, 'Errors on instances that never got the change would refute it.'];
    case 'dependency':
      return [`A recent change to the client code calling ${d.dependency} would point back at us.`];
    case 'capacity':
      return ['Saturation at normal traffic would point to a regression instead.'];
    case 'infrastructure':
      return [`Errors spreading to other hosts than ${d.host} would refute it.`];
    default:
      return [];
  }
}
