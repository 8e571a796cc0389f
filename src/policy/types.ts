// Types of the policy engine. The engine judges plain data: a PolicySubject is the part of a
// remediation CommandPlan that policy needs, so policy/ does not depend on remediation/.

import type { PolicyVerdict } from '../core/model';

export type AutonomyLevel = 'observe' | 'suggest' | 'executeLowRisk' | 'executeHighRisk';
export const autonomyLevels: readonly AutonomyLevel[] = ['observe', 'suggest', 'executeLowRisk', 'executeHighRisk'];

export interface PolicyTarget {
  context?: string;
  cluster?: string;
  namespace?: string;
  service?: string;
  environment: string;
  /** Shown to a person only. The engine reads a service's tier from the policy's `services` map, never from here. */
  tier?: string;
}

export interface BlastRadius {
  pods?: number;
  replicas?: number;
  /** The size could not be determined: every limit treats it as unbounded. */
  unknown?: boolean;
  description: string;
}

/** What the policy engine needs to know about a planned command. CommandPlan satisfies it. */
export interface PolicySubject {
  actionId: string;
  argv: readonly string[];
  target: PolicyTarget;
  risk: 'low' | 'medium' | 'high';
  blastRadius: BlastRadius;
  destructive: boolean;
}

export interface PolicyEvaluationContext {
  autonomy: AutonomyLevel;
  now: Date;
  /** VS Code's workspace trust. Untrusted: every decision is deny. */
  trusted: boolean;
}

export type DayOfWeek = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface TimeWindow {
  /** IANA time zone the days, hours and zone-less dates are read in. */
  timezone: string;
  days?: DayOfWeek[];
  /** Local time of day, minutes since midnight; from > to wraps past midnight. */
  between?: { from: number; to: number; text: string };
  /** Inclusive start / exclusive end. Absolute (epoch ms) when written with Z or an offset, else local wall time "YYYY-MM-DDTHH:MM:SS". */
  from?: { epochMs?: number; wall?: string; text: string };
  to?: { epochMs?: number; wall?: string; text: string };
}

export interface RuleCondition {
  action?: string[];
  environment?: string[];
  tier?: string[];
  service?: string[];
  namespace?: string[];
  risk?: ('low' | 'medium' | 'high')[];
  destructive?: boolean;
  blastRadius?: { maxPods?: number; maxReplicas?: number; minPods?: number; minReplicas?: number };
  /** Any of the windows matches. */
  time?: TimeWindow[];
  autonomy?: AutonomyLevel[];
}

export interface PolicyRule {
  name: string;
  if: RuleCondition;
  then: PolicyVerdict;
  reason?: string;
  /** 1-based line in the policy file, for explanations. */
  line?: number;
}

export interface Policy {
  /** Where the policy came from: a file path, "built-in", or a caller's label. */
  source: string;
  rules: PolicyRule[];
  /** Hard blast-radius limits: a plan above them is denied whatever the rules say. */
  limits: { maxPods?: number; maxReplicas?: number };
  /** Service facts the rules can match on (tier), keyed by normalised service name (see names.ts). */
  services: Record<string, { tier?: string }>;
  /**
   * Which environments are production, keyed by normalised name or glob. An environment that no
   * key matches counts as production; when several match, production wins.
   */
  environments: Record<string, { production: boolean }>;
  /** Set when the file could not be read or parsed: the engine then denies everything. */
  error?: string;
}
