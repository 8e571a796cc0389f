// The diagnosis of a bundle that is already gathered (the CLI, the benchmarks, saved investigations):
// findings computed once, then the hypothesis stages, exactly as in a live investigation.
import type { Hypothesis } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import type { Findings } from '../core/investigation';
import { computeFindings, type FindingsOptions } from '../analysis/findings/computeFindings';
import { buildHypothesis, type HypothesisOptions } from './hypothesis/build';

export type DiagnoseOptions = HypothesisOptions & FindingsOptions;

export function diagnose(bundle: IncidentBundle, opts: DiagnoseOptions = {}): { findings: Findings; hypothesis: Hypothesis } {
  const findings = computeFindings(bundle, { serviceMap: opts.serviceMap, timings: opts.timings });
  return { findings, hypothesis: buildHypothesis(bundle, findings, opts) };
}

export function diagnoseBundle(bundle: IncidentBundle, opts: DiagnoseOptions = {}): Hypothesis {
  return diagnose(bundle, opts).hypothesis;
}
