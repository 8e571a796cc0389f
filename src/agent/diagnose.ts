// The diagnosis of a bundle that is already gathered (the CLI, the benchmarks, saved investigations):
// findings computed once, then the hypothesis stages, exactly as in a live investigation.
import type { Hypothesis } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import type { Findings } from '../core/investigation';
import { completeFindings, computeFindings, type FindingsOptions } from '../analysis/findings/computeFindings';
import { buildHypothesis, type HypothesisOptions } from './hypothesis/build';

export type DiagnoseOptions = HypothesisOptions & Omit<FindingsOptions, 'deferPanel'>;

export interface StagedDiagnosis {
  findings: Findings;
  hypothesis: Hypothesis;
  /** Computes what only the panel shows, which the hypothesis did not need (completeFindings). */
  complete(): void;
}

/**
 * The hypothesis first, then (when the caller calls complete) what only the panel shows: the patterns
 * of routine log lines, the charts' shading, the traces to draw. A live investigation computes those
 * while git blames the suspect lines.
 */
export function diagnoseInStages(bundle: IncidentBundle, opts: DiagnoseOptions = {}): StagedDiagnosis {
  const findings = computeFindings(bundle, { serviceMap: opts.serviceMap, timings: opts.timings, deferPanel: true });
  const hypothesis = buildHypothesis(bundle, findings, opts);
  return { findings, hypothesis, complete: () => completeFindings(findings) };
}

export function diagnose(bundle: IncidentBundle, opts: DiagnoseOptions = {}): { findings: Findings; hypothesis: Hypothesis } {
  const staged = diagnoseInStages(bundle, opts);
  staged.complete();
  return { findings: staged.findings, hypothesis: staged.hypothesis };
}

export function diagnoseBundle(bundle: IncidentBundle, opts: DiagnoseOptions = {}): Hypothesis {
  return diagnoseInStages(bundle, opts).hypothesis;
}
