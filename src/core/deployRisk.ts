// A deployment-risk assessment as plain data: what would be deployed, the factors that weigh on it
// (each with its evidence and weight), the score and the recommendation. src/agent/deployRisk/
// computes it; the panel, the status bar and the CLI render it. Advice only: nothing reads it to
// block a deploy.

export type RiskLevel = 'low' | 'medium' | 'high';

export type RiskFactorKind = 'change-risk' | 'incidents' | 'coverage' | 'traffic' | 'alerts' | 'freeze' | 'error-budget';

export interface RiskEvidence {
  text: string;
  /** What the line is about, for a link: a commit, a file (and line), an alert, a past incident, an SLO. */
  ref?: { kind: 'commit' | 'file' | 'alert' | 'incident' | 'slo'; id: string; line?: number };
}

export interface RiskFactor {
  kind: RiskFactorKind;
  title: string;
  /** 0 (no concern) .. 1 (as risky as this factor gets); absent when the factor could not be measured. */
  value?: number;
  /** The factor's weight in the score (0 when not measured, and for gates such as a freeze). */
  weight: number;
  summary: string;
  evidence: RiskEvidence[];
  /** Why it was not measured, when it was not. */
  notMeasured?: string;
  /** True when this factor alone decides the recommendation (an active freeze, a critical alert). */
  gate?: boolean;
}

export type RecommendationAction = 'deploy-now' | 'deploy-in-window' | 'delay';

export interface DeploymentRecommendation {
  action: RecommendationAction;
  reason: string;
  /** A suggested time to deploy instead (ms since the epoch). */
  window?: { start: number; end: number; why: string };
  /** Always false: the recommendation is advice, a person decides. */
  blocking: false;
}

export interface AssessedCommit {
  sha: string;
  subject: string;
  author: string;
  time: number;
  /** The model's probability that the commit introduces a defect. */
  risk: number;
  /** Share of the repository's scored commits that score lower (0..1). */
  percentile: number;
  /** The strongest reasons, "+0.62 lines added: 420". */
  reasons: string[];
  /** Touches documentation only: scored, but not counted in the change-risk factor. */
  docsOnly?: boolean;
}

export interface DeploymentRiskAssessment {
  target: { rev: string; sha: string };
  /** What is deployed now and where that was learned. */
  base: { sha?: string; label: string; source: 'deploy-tag' | 'deploy-record' | 'argocd' | 'argument' | 'none' };
  commits: AssessedCommit[];
  services: string[];
  files: string[];
  /** 0..1: the weighted mean of the measured factors. */
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
  recommendation: DeploymentRecommendation;
  /** Which change-risk model scored the commits and where it came from. */
  model?: { provenance: string; design: string; trainedOn: { rows: number; positives: number }; validationAuc?: number };
  assessedAt: number;
  notes: string[];
}

export function riskLevel(score: number): RiskLevel {
  return score >= 0.6 ? 'high' : score >= 0.35 ? 'medium' : 'low';
}
