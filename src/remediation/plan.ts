// A CommandPlan is a description of one command: data that the policy engine judges, a person
// approves and the executor runs. It never holds a shell string, and its env lists variable names,
// never values.

import type { BlastRadius, PolicyTarget } from '../policy/types';

export type { BlastRadius, PolicyTarget as PlanTarget };

export type ComparisonOp = '<' | '<=' | '>' | '>=';

/**
 * What a verification reads: a PromQL expression, the error ratio or p95 latency (s) of a service's
 * traces, or where a model registry's alias or stage points (1 when it is the version, else 0).
 */
export type VerificationSignal =
  | { kind: 'promql'; query: string }
  | { kind: 'error-ratio'; service: string; windowMs?: number }
  | { kind: 'latency-p95'; service: string; windowMs?: number }
  | { kind: 'mlflow-pointer'; trackingUri: string; model: string; alias?: string; stage?: string; version: string };

/** One more condition a verification checks beside its main one. */
export interface VerificationCheck {
  description: string;
  signal: VerificationSignal;
  condition: { op: ComparisonOp; value: number };
}

export interface Verification {
  /** What a person reads, e.g. "checkout 5xx rate back under 1%". */
  description: string;
  signal: VerificationSignal;
  condition: { op: ComparisonOp; value: number };
  timeoutMs: number;
  intervalMs: number;
  /** More conditions that must hold in the same sample (throttling, OOM kills, latency, errors). */
  checks?: VerificationCheck[];
  /**
   * A soak instead of a recovery: every condition must hold in every sample for this long, and the
   * first sample that breaks one fails the verification (a scale-down is checked this way).
   */
  holdMs?: number;
  /** Unit of the signal's value (core/units.ts): messages say "0.4 % < 5 %", not "0.004 < 0.05". */
  unit?: string;
}

export interface RollbackPlan {
  description: string;
  argv: string[];
  dryRunArgv?: string[];
  cwd?: string;
  env?: string[];
}

export interface CommandPlan {
  actionId: string;
  title: string;
  /** Which wrapper built it (kubectl, helm, argocd, amtool, mlflow, runbook); picks the output parser. */
  tool: string;
  argv: string[];
  cwd?: string;
  env?: string[];
  target: PolicyTarget;
  risk: 'low' | 'medium' | 'high';
  blastRadius: BlastRadius;
  /** The tool's own dry-run or preview; its output is shown before any approval. */
  dryRunArgv?: string[];
  /** Why there is no dry-run, or what the preview is, when that needs saying. */
  dryRunNote?: string;
  verification?: Verification;
  rollback?: RollbackPlan;
  destructive: boolean;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

// Kubernetes object names (RFC 1123 subdomain: deployments, releases, apps).
const k8sNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Namespaces are RFC 1123 labels: no dots.
const k8sLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kube context names are free-form in kubeconfig (EKS ARNs, gke_project_zone_name); keep them printable and flag-free.
const contextPattern = /^[A-Za-z0-9_][A-Za-z0-9_.:/@+-]*$/;

export function requireString(params: Record<string, string | number>, name: string, what: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw new PlanError(`Missing parameter "${name}" (${what}).`);
  return String(v);
}

export function validateK8sName(value: string, what: string): string {
  if (value.length > 253 || !k8sNamePattern.test(value)) {
    throw new PlanError(`${what} ${JSON.stringify(value)} is not a valid Kubernetes name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit).`);
  }
  return value;
}

export function validateNamespace(value: string): string {
  if (value.length > 63 || !k8sLabelPattern.test(value)) {
    throw new PlanError(`Namespace ${JSON.stringify(value)} is not a valid Kubernetes namespace (lower-case letters, digits and "-", at most 63).`);
  }
  return value;
}

export function validateHelmRelease(value: string): string {
  if (value.length > 53 || !k8sLabelPattern.test(value)) {
    throw new PlanError(`Helm release ${JSON.stringify(value)} is not a valid release name (lower-case letters, digits and "-", at most 53).`);
  }
  return value;
}

export function validateContext(value: string): string {
  if (value.length > 253 || !contextPattern.test(value)) {
    throw new PlanError(`Kube context ${JSON.stringify(value)} is not an accepted context name (letters, digits and _ . : / @ + -, not starting with "-").`);
  }
  return value;
}

export function validateCount(value: string | number | undefined, what: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new PlanError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/** A revision label for a deploy tool: a git sha, tag or version, never a flag. */
export function validateRevision(value: string): string {
  if (value.length > 128 || !/^[A-Za-z0-9_][A-Za-z0-9_.@/+-]*$/.test(value)) {
    throw new PlanError(`Revision ${JSON.stringify(value)} is not an accepted revision (letters, digits and _ . @ / + -, not starting with "-").`);
  }
  return value;
}

/** Deep copy with every array and object frozen: what was approved cannot be changed afterwards. */
export function freezePlan<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (v && typeof v === 'object') {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
  };
  freeze(copy);
  return copy;
}

/** How a person reads an argv: each element quoted only when it needs to be. Display only, never executed. */
export function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}
