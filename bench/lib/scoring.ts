// Scoring of hypotheses against the ground truth of generated or labelled bundles (shared by the
// scenarios and cases benchmarks, the agent benchmark and the confidence calibration).
import type { Hypothesis } from '../../src/core/model';
import type { LabelledBundle } from '../../src/eval/truth';

export interface CaseScore {
  scenario: string;
  /** The case family: the scenario up to its first ':' ("lab", "postmortem"), or "generator". */
  family: string;
  codeCaused: boolean;
  serviceTop1?: boolean;
  commitTop1?: boolean;
  commitTop3?: boolean;
  /** No-code-cause cases: the hypothesis abstained or named no commit as the cause. */
  abstainCorrect?: boolean;
  /** The named cause is right: kind, and the service, commit (or none) and host where the truth has them. */
  correct: boolean;
  confidence: number;
  abstained: boolean;
}

export const ABSTAIN_DEFINITION =
  'abstainCorrect = among bundles whose truth has noCodeCause=true, the share where the hypothesis abstained or named no suspect commit as the cause (hypothesis.suspectCommit undefined)';

const same = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

export function scoreCase(b: LabelledBundle, h: Hypothesis): CaseScore {
  const t = b.truth;
  const codeCaused = !!t.commit && !t.noCodeCause;
  const named = h.abstained ? undefined : h.suspectCommit?.sha;
  const top3 = h.suspectCommits.slice(0, 3).map((s) => s.sha);
  // "Unknown" is right when the hypothesis says it does not know: abstaining is then the answer.
  const kindOk = t.causeKind === 'unknown' ? h.abstained || h.causeKind === 'unknown' : !h.abstained && h.causeKind === t.causeKind;
  const serviceOk = t.service === undefined || same(h.service, t.service);
  const commitOk = t.commit === undefined || t.noCodeCause ? !named : named === t.commit;
  const hostOk = t.host === undefined || same(h.host, t.host);
  const colon = t.scenario.indexOf(':');
  return {
    scenario: t.scenario,
    family: colon > 0 ? t.scenario.slice(0, colon) : 'generator',
    codeCaused,
    ...(t.service !== undefined ? { serviceTop1: !h.abstained && same(h.service, t.service) } : {}),
    ...(codeCaused ? { commitTop1: named === t.commit, commitTop3: top3.includes(t.commit!) } : {}),
    ...(!codeCaused ? { abstainCorrect: h.abstained || !h.suspectCommit } : {}),
    correct: t.causeKind === 'unknown' ? kindOk && commitOk : kindOk && serviceOk && commitOk && hostOk,
    confidence: h.confidence,
    abstained: h.abstained,
  };
}

export function rate(xs: (boolean | undefined)[]): number | undefined {
  const v = xs.filter((x): x is boolean => x !== undefined);
  return v.length ? v.filter(Boolean).length / v.length : undefined;
}

export interface CaseSummary {
  cases: number;
  fullyCorrect: number;
  serviceTop1: number;
  commitTop1: number;
  commitTop3: number;
  correctNoCommit: number;
  brier: number;
  /** Expected calibration error over 10 equal-width bins of stated confidence. */
  ece: number;
  /** Wrong named causes (not abstentions) stated at >= 0.8. */
  wrongConfident: number;
}

export function summarize(scores: CaseScore[]): CaseSummary {
  const n = scores.length || 1;
  const brier = scores.reduce((a, s) => a + (s.confidence - (s.correct ? 1 : 0)) ** 2, 0) / n;
  let ece = 0;
  for (let i = 0; i < 10; i++) {
    const lo = i / 10;
    const hi = (i + 1) / 10;
    const bin = scores.filter((s) => s.confidence >= lo && (i === 9 ? s.confidence <= hi : s.confidence < hi));
    if (!bin.length) continue;
    const conf = bin.reduce((a, s) => a + s.confidence, 0) / bin.length;
    const acc = bin.filter((s) => s.correct).length / bin.length;
    ece += (bin.length / n) * Math.abs(conf - acc);
  }
  return {
    cases: scores.length,
    fullyCorrect: rate(scores.map((s) => s.correct)) ?? 0,
    serviceTop1: rate(scores.map((s) => s.serviceTop1)) ?? 0,
    commitTop1: rate(scores.map((s) => s.commitTop1)) ?? 0,
    commitTop3: rate(scores.map((s) => s.commitTop3)) ?? 0,
    correctNoCommit: rate(scores.map((s) => s.abstainCorrect)) ?? 0,
    brier,
    ece,
    wrongConfident: scores.filter((s) => !s.abstained && !s.correct && s.confidence >= 0.8).length,
  };
}

/** The reliability table: within each band of stated confidence, how often the named cause was right. */
export function reliabilityLines(scores: CaseScore[]): string[] {
  const bands = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];
  const lines: string[] = [];
  for (let i = 0; i < bands.length - 1; i++) {
    const inBand = scores.filter((s) => s.confidence >= bands[i] && s.confidence < bands[i + 1]);
    if (!inBand.length) continue;
    const stated = inBand.reduce((a, s) => a + s.confidence, 0) / inBand.length;
    lines.push(`  [${bands[i].toFixed(2)}, ${Math.min(1, bands[i + 1]).toFixed(2)})  n=${String(inBand.length).padStart(4)}  stated ${stated.toFixed(3)}  actual ${(inBand.filter((s) => s.correct).length / inBand.length).toFixed(3)}`);
  }
  return lines;
}

export const CASE_DEFINITIONS = `definitions:
  fullyCorrect    = the cause kind right (for a truth of "unknown", abstaining is right; otherwise abstaining is wrong), and the service, the commit (or no commit when none is to blame) and the host right wherever the truth names them
  serviceTop1     = among cases whose truth names a service, the share where the hypothesis (not abstaining) names it
  commitTop1      = among code-caused cases (truth names a commit), the share where hypothesis.suspectCommit is it (abstaining counts as a miss)
  correctNoCommit = among cases with no code cause, the share where no commit is named as the cause (abstaining included)
  brier           = mean squared difference between stated confidence and fully correct (1) or not (0), over all cases
  ece             = expected calibration error: 10 equal-width confidence bins, |mean confidence - share fully correct| weighted by bin size
  wrongConfident  = named causes that are not fully correct, stated at confidence >= 0.8`;
