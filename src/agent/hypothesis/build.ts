// The hypothesis for an incident, built from its findings in stages with one job each: collect the
// signals each cause rests on, decide the cause, score the confidence, explain it with evidence, and
// propose actions. Deterministic, no LLM; it never reads `bundle.truth` and never runs analysis itself.
import type { CodeLocation, Hypothesis } from '../../core/model';
import type { IncidentBundle } from '../../core/bundle';
import type { Findings } from '../../core/investigation';
import { alertsOf } from '../../analysis/findings/computeFindings';
import { collect } from './collect';
import { decide } from './decide';
import { confidenceOf, type DecisionFeatures } from './confidence';
import { EvidenceList, abstentionEvidence, alternativesOf, checkedLines, commonEvidence, confirmChecks, decisionEvidence, refuteChecks, summaryOf } from './explain';
import { proposeActions } from './actions';

export interface HypothesisOptions {
  /** Below this calibrated confidence the hypothesis abstains. Default 0.5. */
  confidenceThreshold?: number;
  /** Filled with the decision's features (calibration and debugging). */
  diagnostics?: { features?: DecisionFeatures; causeKind?: string };
}

const MAX_EVIDENCE = 16;

export function buildHypothesis(bundle: IncidentBundle, findings: Findings, opts: HypothesisOptions = {}): Hypothesis {
  const threshold = opts.confidenceThreshold ?? 0.5;
  const alerts = alertsOf(bundle);
  const alert = bundle.alert;
  const changes = Array.isArray(bundle.changes) ? bundle.changes : [];

  const collected = collect(findings);
  const decision = decide(collected);
  if (opts.diagnostics && decision) {
    opts.diagnostics.features = decision.features;
    opts.diagnostics.causeKind = decision.causeKind;
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
    alternatives: alternativesOf(decision, collected),
    confirm: abstained ? ["Look at the alerting service's dashboards around the alert time for the first thing that moved."] : confirmChecks(decision!),
    refute: abstained ? [] : refuteChecks(decision!),
    checked,
    proposedActions: abstained ? [] : proposeActions(decision!, changes, alerts),
    onset,
  };
}

function stripStrength<T extends { strength: unknown }>(s: T): Omit<T, 'strength'> {
  const { strength: _strength, ...rest } = s;
  return rest;
}
