// An incident bundle: everything the hypothesis builder looks at, in one JSON-safe object.
// The investigation pipeline assembles one from live sources; the scenario generator writes them
// with ground truth; the CLI and the benchmarks read them from files.

import type { Alert, Change, LogRecord, MetricSeries, Span } from './model';
import type { DeployRecord, KubernetesSnapshot } from './kubernetes';

/**
 * Everything known about one incident, bounded to a time window around the alert.
 *
 * - `version` is always 1; readers reject other values.
 * - `alert` is the alert under investigation; `alerts` (optional) holds the other alerts that fired
 *   in the same window (an alert storm), so the builder can group them under one cause.
 * - `window` bounds every signal: metrics, logs and spans outside it may be dropped.
 * - `metrics` are series with parallel `timestamps`/`values` arrays (ms since epoch).
 * - `logs` and `spans` are raw records, as the sources returned them (bounded by the sources' limits).
 * - `changes` are commits of the workspace repository in (or just before) the window, with files,
 *   hunks and deploy markers.
 * - `serviceGraph` gives caller -> callee edges when traces alone don't show the topology.
 * - `files` optionally holds file contents keyed by repo-relative path, for showing suspect lines.
 * - `kubernetes` (optional) holds one snapshot per kube context read (src/core/kubernetes.ts), and
 *   `deploys` (optional) the platform's deploys in the window (rollout revisions, Argo CD syncs).
 * - `truth` is only present in generated or labelled bundles: the ground truth, read only by evaluation
 *   code (src/eval/truth.ts), never by the product.
 */
export interface IncidentBundle {
  version: 1;
  alert: Alert;
  /** Other alerts firing in the same window (alert storms). Optional. */
  alerts?: Alert[];
  window: { start: number; end: number };
  metrics: MetricSeries[];
  logs: LogRecord[];
  spans: Span[];
  changes: Change[];
  serviceGraph?: { from: string; to: string }[];
  files?: Record<string, string>;
  /** Kubernetes state, one snapshot per kube context. Optional. */
  kubernetes?: KubernetesSnapshot[];
  /** Deploys read from the platform (rollout revisions, Argo CD history), linked to commits where they name one. Optional. */
  deploys?: DeployRecord[];
  /** Ground truth of labelled bundles (src/eval/truth.ts IncidentTruth); the product never reads it. */
  truth?: unknown;
}

/** Checks the shape of a parsed bundle and says what is wrong, instead of failing later deep inside. */
export function validateBundle(value: unknown): IncidentBundle {
  const problems: string[] = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('bundle is not a JSON object');
  const b = value as Record<string, unknown>;
  if (b.version !== 1) problems.push(`version must be 1 (got ${JSON.stringify(b.version)})`);
  const alert = b.alert as Record<string, unknown> | undefined;
  if (!alert || typeof alert !== 'object') problems.push('alert is missing');
  else {
    if (typeof alert.id !== 'string') problems.push('alert.id must be a string');
    if (typeof alert.startsAt !== 'number' || !Number.isFinite(alert.startsAt)) problems.push('alert.startsAt must be a number (ms since epoch)');
  }
  const w = b.window as Record<string, unknown> | undefined;
  if (!w || typeof w.start !== 'number' || typeof w.end !== 'number') problems.push('window must be {start, end} in ms');
  for (const key of ['metrics', 'logs', 'spans', 'changes'] as const) {
    if (b[key] === undefined) b[key] = [];
    else if (!Array.isArray(b[key])) problems.push(`${key} must be an array`);
  }
  if (problems.length) throw new Error(`invalid incident bundle: ${problems.join('; ')}`);
  return b as unknown as IncidentBundle;
}
