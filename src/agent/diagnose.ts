// The diagnosis of a bundle that is already gathered (the CLI, the benchmarks, saved investigations):
// the same findings and hypothesis stages as a live investigation, without the sources.
import type { Hypothesis } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import { buildHypothesis, type HypothesisOptions } from './hypothesis';

export function diagnoseBundle(bundle: IncidentBundle, opts: HypothesisOptions = {}): Hypothesis {
  return buildHypothesis(bundle, opts);
}
