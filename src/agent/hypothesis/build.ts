// The hypothesis for an incident, built from its findings in stages with one job each: collect what
// every candidate cause is judged against, decide the best-supported cause, score the confidence,
// explain it with evidence, and propose actions. Deterministic, no LLM; it never reads `bundle.truth`
// and never runs analysis itself.
import type { CodeLocation, Hypothesis } from '../../core/model';
import type { IncidentBundle } from '../../core/bundle';
import type { Findings } from '../../core/investigation';
import { stormOf } from '../../analysis/findings/computeFindings';
import { collect } from './collect';
import { decide, featuresOf } from './decide';
import { confidenceOf, type DecisionFeatures } from './confidence';
import { EvidenceList, abstentionEvidence, alternativesOf, checkedLines, commonEvidence, confirmChecks, decisionEvidence, refuteChecks, summaryOf } from './explain';
import { proposeActions } from './actions';

export interface HypothesisOptions {
  /** Below this calibrated confidence the hypothesis abstains. Default 0.5. */
  confidenceThreshold?: number;
  /** Filled with the decision's features (calibration and debugging). */
  diagnostics?: { features?: DecisionFeatures; causeKind?: string; mechanism?: string; candidates?: { key: string; score: number }[] };
}

const MAX_EVIDENCE = 16;

export function buildHypothesis(bundle: IncidentBundle, findings: Findings, opts: HypothesisOptions = {}): Hypothesis {
  const threshold = opts.confidenceThreshold ?? 0.5;
  const alerts = stormOf(bundle);
  const alert = bundle.alert;
  const changes = Array.isArray(bundle.changes) ? bundle.changes : [];
  const byId = new Map((Array.isArray(bundle.metrics) ? bundle.metrics : []).filter((s) => s && typeof s.id === 'string').map((s) => [s.id, s]));
  const valuesOf = (id: string): { timestamps: number[]; values: number[] } | undefined => findings.series.find((s) => s.id === id)?.points ?? byId.get(id);

  const collected = collect(findings, changes, bundle.files && typeof bundle.files === 'object' ? bundle.files : {});
  const { decision, candidates } = decide(collected, valuesOf);
  if (opts.diagnostics) {
    if (decision) {
      opts.diagnostics.features = decision.features;
      opts.diagnostics.causeKind = decision.causeKind;
      opts.diagnostics.mechanism = decision.mechanism;
    }
    opts.diagnostics.candidates = candidates.slice(0, 6).map((c) => ({ key: c.key, score: Math.round((c.pro.reduce((a, p) => a + p.weight, 0) - c.con.reduce((a, p) => a + p.weight, 0)) * 100) / 100 }));
  }
  const confidence = decision ? confidenceOf(decision.features) : 0;
  const abstained = !decision || confidence < threshold;

  const ev = new EvidenceList();
  const ids = commonEvidence(ev, findings, alert, alerts);
  const explained = decision ? decisionEvidence(ev, decision, collected, changes) : { sentence: '', evidenceIds: [] };
  const checked = checkedLines(collected, alerts);
  if (abstained) abstentionEvidence(ev, collected);
  const onset = findings.onset.time;
  const summary = summaryOf(decision, explained.sentence, confidence, threshold, abstained, checked.length, ids, alerts, onset);
  const location: CodeLocation | undefined = decision?.suspect?.location;
  const suspectCommit = !abstained && decision?.suspect ? stripStrength(decision.suspect) : undefined;
  const [, second] = candidates;
  const confidenceOfCandidate = (cand: (typeof candidates)[number]): number => Math.min(confidence, confidenceOf(featuresOf(cand, cand === candidates[0] ? second : candidates[0], collected)));
  return {
    alertId: alert.id,
    summary,
    causeKind: abstained ? 'unknown' : decision!.causeKind,
    ...(abstained ? {} : decision!.service ? { service: decision!.service } : {}),
    ...(!abstained && decision!.host ? { host: decision!.host } : {}),
    ...(suspectCommit ? { suspectCommit } : {}),
    suspectCommits: findings.suspects.slice(0, 5).map(stripStrength),
    ...(location && !abstained ? { location } : {}),
    confidence,
    abstained,
    evidence: ev.items.slice(0, MAX_EVIDENCE),
    alternatives: alternativesOf(decision, candidates, confidenceOfCandidate),
    confirm: abstained ? nextChecks(collected) : confirmChecks(decision!),
    refute: abstained ? [] : refuteChecks(decision!),
    checked,
    proposedActions: abstained ? [] : proposeActions(decision!, changes, alerts),
    onset,
  };
}

/** When unsure: specific places to look next, from what the findings point at. */
function nextChecks(c: ReturnType<typeof collect>): string[] {
  const out: string[] = [];
  const l = c.topLocus;
  if (l) out.push(`Look at ${l.service}${l.external ? ' (a peer with no telemetry here)' : ''}: ${Math.round(Math.max(l.errorShare, l.latencyShare) * 100)}% of the new failures start there${Object.keys(l.errorClasses).length ? ` (${Object.keys(l.errorClasses).slice(0, 3).join(', ')})` : ''}.`);
  const e = [...c.findings.changeEvents].sort((a, b) => Math.abs(a.time - c.onset) - Math.abs(b.time - c.onset))[0];
  if (e && Math.abs(e.time - c.onset) < 30 * 60_000) out.push(`Check the ${e.kind} change "${e.text.slice(0, 100)}" at ${new Date(e.time).toISOString()}.`);
  const p = c.risingPatterns[0];
  if (p) out.push(`Search the logs of ${p.service ?? 'the services'} for "${p.template.slice(0, 80)}": new or rising since the onset.`);
  const s = c.findings.suspects[0];
  if (s) out.push(`Read ${s.sha.slice(0, 8)} "${s.message.slice(0, 80)}", the nearest change before the onset.`);
  if (!out.length) out.push("Look at the alerting service's own dashboards around the alert time for the first thing that moved.");
  return out;
}

function stripStrength<T extends { strength: unknown }>(s: T): Omit<T, 'strength'> {
  const { strength: _strength, ...rest } = s;
  return rest;
}
