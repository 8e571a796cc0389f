// Ground truth of labelled incident bundles (evaluation code: the product never reads it). A bundle's
// optional `truth` field carries it; benchmarks and calibration read it through `truthOf`, and the
// hypothesis builder is always given the bundle without it.
import type { CauseKind } from '../core/model';
import type { IncidentBundle } from '../core/bundle';

/** The known answer of a generated or labelled incident. */
export interface IncidentTruth {
  causeKind: CauseKind;
  /** The service where the cause lives. */
  service?: string;
  /** The sha of the commit that caused it, when a commit did. */
  commit?: string;
  /** The changed file and lines that caused it (new-version line numbers, 1-based, inclusive). */
  path?: string;
  startLine?: number;
  endLine?: number;
  /** The host at fault, for infrastructure causes. */
  host?: string;
  /** True when no change in the repository is to blame (outage downstream, traffic, hardware...). */
  noCodeCause?: boolean;
  /** The scenario kind or case family that produced the bundle, e.g. "deploy-exception", "lab:slow-db". */
  scenario: string;
}

export type LabelledBundle = IncidentBundle & { truth: IncidentTruth };

const causeKinds: readonly CauseKind[] = ['code-change', 'config-change', 'dependency', 'capacity', 'infrastructure', 'unknown'];

/** The bundle's truth, checked; undefined when it carries none. Throws on a malformed truth. */
export function truthOf(bundle: IncidentBundle): IncidentTruth | undefined {
  const t = bundle.truth as Record<string, unknown> | undefined;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'object' || Array.isArray(t)) throw new Error('truth must be an object');
  const problems: string[] = [];
  if (!causeKinds.includes(t.causeKind as CauseKind)) problems.push(`truth.causeKind must be one of ${causeKinds.join(', ')}`);
  if (typeof t.scenario !== 'string') problems.push('truth.scenario must be a string');
  for (const k of ['service', 'commit', 'path', 'host'] as const) if (t[k] !== undefined && typeof t[k] !== 'string') problems.push(`truth.${k} must be a string`);
  for (const k of ['startLine', 'endLine'] as const) if (t[k] !== undefined && !Number.isInteger(t[k])) problems.push(`truth.${k} must be an integer`);
  if (t.noCodeCause !== undefined && typeof t.noCodeCause !== 'boolean') problems.push('truth.noCodeCause must be a boolean');
  if (problems.length) throw new Error(`invalid truth: ${problems.join('; ')}`);
  return t as unknown as IncidentTruth;
}

/** True when the bundle carries a (valid) truth. */
export function isLabelled(bundle: IncidentBundle): bundle is LabelledBundle {
  return truthOf(bundle) !== undefined;
}

/** The bundle as the product may see it: without its answer. */
export function withoutTruth(bundle: IncidentBundle): IncidentBundle {
  const { truth: _truth, ...blind } = bundle;
  return blind;
}
