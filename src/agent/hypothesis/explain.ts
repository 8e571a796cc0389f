// Stage 4 of the hypothesis: explain the decision in words a person can check. Evidence entries point
// at findings by their ids (a series id, a log pattern id, "traceId/spanId", a commit sha), so the panel
// can focus the chart, pattern or span each one names; the summary cites them as [e1], [e2]...
import { formatLocation } from '../../core/codeLocation';
import type { Alert, Alternative, Change, Evidence } from '../../core/model';
import type { ErrorOriginFinding, Findings, LogPatternFinding } from '../../core/investigation';
import type { Collected } from './collect';
import type { Decision, EvidenceSpec } from './decide';
import { scoreOf, type Candidate } from './candidates/types';
import { fmtTime, kindLabel } from './format';

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
export function decisionEvidence(ev: EvidenceList, d: Decision, c: Collected, _changes: Change[]): { sentence: string; evidenceIds: string[] } {
  const ids: string[] = [];
  const cand = d.candidate;
  // The pieces that carry evidence, strongest first; then the failures it explains.
  for (const p of [...cand.pro].sort((a, b) => b.weight - a.weight)) if (p.evidence && !ev.items.some((e) => e.ref === p.evidence!.ref && e.kind === p.evidence!.kind)) ids.push(ev.add(p.evidence));
  const relevantOrigins = c.newOrigins.filter((o) => !d.service || o.service === d.service || o.callee === d.service || o.external === d.service).slice(0, 2);
  for (const o of relevantOrigins) if (!ev.items.some((e) => e.ref === o.ref)) ids.push(originEvidence(ev, o));
  const relevantPatterns = c.risingPatterns.filter((t) => !d.service || t.service === d.service).slice(0, 1);
  for (const t of relevantPatterns) ids.push(patternEvidence(ev, t));
  if (d.suspect && !ids.length) ids.push(ev.add({ kind: 'commit', ref: d.suspect.sha, title: `${d.suspect.sha.slice(0, 8)} ${d.suspect.message}`, why: d.suspect.reasons.join('; '), weight: d.suspect.score, time: d.suspect.time }));
  const reasons = [...cand.pro].sort((a, b) => b.weight - a.weight).slice(0, 3).map((p) => p.reason);
  const sentence = `${cand.sentence}: ${reasons.join('; ')}${ids.length ? ` [${[...new Set(ids)].join(', ')}]` : ''}`;
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
    `where the failures start: ${f.loci.length ? f.loci.slice(0, 3).map((l) => `${l.service}${l.external ? ' (no telemetry of its own)' : ''} ${Math.round(Math.max(l.errorShare, l.latencyShare) * 100)}%`).join(', ') : 'no traces to walk'}`,
    `runtime changes seen in the telemetry (flags, configuration, operations, platform): ${f.changeEvents.length}${f.changeEvents.length ? `, the nearest to the onset "${[...f.changeEvents].sort((a, b) => Math.abs(a.time - f.onset.time) - Math.abs(b.time - f.onset.time))[0].text.slice(0, 80)}"` : ''}`,
    ...f.warnings.slice(0, 3).map((w) => `traces: ${w}`),
  ];
  if (f.onset.basis === 'fallback') lines.push(`no signal moved clearly: onset taken as 1 min before the alert (${fmtTime(f.onset.time)})`);
  else if (f.onset.signals?.length) lines.push(`onset ${fmtTime(f.onset.time)} from ${f.onset.signals.length} signal(s): ${f.onset.signals.slice(0, 4).map((s) => `${s.kind} ${s.service ?? s.ref}`).join(', ')}`);
  return lines;
}

export function summaryOf(d: Decision | undefined, sentence: string, confidence: number, threshold: number, abstained: boolean, checkedCount: number, ids: { alertEv: string; onsetEv?: string }, alerts: Alert[], onset: number): string {
  if (abstained) {
    return `Not sure: ${d ? `the best explanation (${d.causeKind}${d.service ? ` in ${d.service}` : ''}: ${sentence}) has confidence ${confidence.toFixed(2)}, below ${threshold}` : 'no cause stands out'}. Checked ${checkedCount} kinds of signal [${[ids.alertEv, ...(ids.onsetEv ? [ids.onsetEv] : [])].join(', ')}]; see "checked".`;
  }
  return `${kindLabel(d!.causeKind)}${d!.service ? ` in ${d!.service}` : ''}${d!.host ? ` (host ${d!.host})` : ''}: ${sentence}. Onset ${fmtTime(onset)}${ids.onsetEv ? ` [${ids.onsetEv}]` : ''}${alerts.length > 1 ? `; explains ${alerts.length} alerts [${ids.alertEv}]` : ''}.`;
}

export function alternativesOf(d: Decision | undefined, candidates: Candidate[], confidenceOfCandidate: (c: Candidate) => number): Alternative[] {
  const out: Alternative[] = [];
  for (const cand of candidates) {
    if (d && cand.key === d.candidate.key) continue;
    if (scoreOf(cand) <= 0) continue;
    const lead = d ? d.candidate : undefined;
    const whyLower = cand.con.length ? cand.con.map((p) => p.reason).slice(0, 2).join('; ') : lead ? `less support than ${lead.sentence} (${scoreOf(cand).toFixed(1)} against ${scoreOf(lead).toFixed(1)})` : `support ${scoreOf(cand).toFixed(1)}`;
    out.push({
      summary: cand.sentence.charAt(0).toUpperCase() + cand.sentence.slice(1),
      causeKind: cand.causeKind,
      ...(cand.service ? { service: cand.service } : {}),
      ...(cand.suspect ? { commit: cand.suspect.sha } : {}),
      confidence: confidenceOfCandidate(cand),
      whyLower,
    });
    if (out.length >= 5) break;
  }
  return out;
}

export function confirmChecks(d: Decision): string[] {
  const svc = d.service ?? 'the service';
  switch (d.mechanism) {
    case 'code-in-frames':
    case 'deploy-timing':
    case 'config-commit':
    case 'leak': {
      const s = d.suspect;
      if (!s) return [];
      const loc = s.location ? formatLocation(s.location) : s.files[0];
      const checks = [`Read ${loc} in ${s.sha.slice(0, 8)}: does it explain the failing frames?`, `Compare the error rate of ${svc} on instances running ${s.sha.slice(0, 8)} with those still on the previous revision.`, 'Roll back or redeploy the previous revision: the errors should stop.'];
      if (d.leak) checks.unshift(`Chart ${svc}'s memory (or connections) per instance since the deploy: each should climb from its restart.`);
      return checks;
    }
    case 'runtime-change':
      return [`Undo the change "${d.candidate.event?.text.slice(0, 80) ?? ''}" (flip the flag back, restore the value): the failures should stop.`, `Check who made it and what else it changed at ${d.candidate.event ? fmtTime(d.candidate.event.time) : 'the onset'}.`];
    case 'certificate':
      return [`Check the certificate ${svc} presents: openssl s_client -connect <host>:443 -servername <host> | openssl x509 -noout -dates.`, `Callers of ${svc} should all fail the handshake the same way.`];
    case 'dependency':
      return [`Check ${d.dependency}'s status page or its own dashboards.`, `Calls from other services to ${d.dependency} should fail the same way.`];
    case 'traffic':
      return [`Request rate and saturation of ${svc} should fall back together when traffic drops or after scaling out.`, 'Find the source of the extra traffic: a client, a campaign, retries.'];
    case 'limit':
      return [`Compare ${svc}'s usage with its limit (connections, pool, quota) over the window: usage should sit at the limit since the onset.`, `Raising the limit or shedding load should clear the failures.`];
    case 'host':
    case 'zone':
    case 'node-event':
      return [`Instances of the same services outside ${d.host ?? 'the failing node'} should be healthy.`, `Check ${d.host ?? 'the node'}'s kernel, disk and hypervisor events.`];
    case 'disk':
      return [`Check free space on ${d.host ?? 'the hosts'} (df -h) and what filled it.`];
    case 'clock':
      return ['Check the hosts\' clock offsets and kernel messages (timex, NTP, leap second) at the onset.'];
    default:
      return [];
  }
}

/** What would refute it: the evidence against it, said as it is, and the checks the data has not settled. */
export function refuteChecks(d: Decision): string[] {
  const out = d.candidate.con.map((p) => `Against it already: ${p.reason}.`);
  switch (d.causeKind) {
    case 'code-change':
    case 'config-change':
      if (d.suspect) out.push(`The same errors before ${fmtTime(d.suspect.time)} would refute it.`, 'Errors on instances that never got the change would refute it.');
      else out.push('Failures that started before the change would refute it.');
      break;
    case 'dependency':
      out.push(`A recent change to the client code calling ${d.dependency} would point back at us.`);
      break;
    case 'capacity':
      out.push('Saturation at normal traffic would point to a regression instead.');
      break;
    case 'infrastructure':
      out.push(`Failures spreading beyond ${d.host ?? 'the failing node'} would refute it.`);
      break;
  }
  return out;
}
