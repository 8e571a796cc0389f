// Scoring of hypotheses against the ground truth of generated or labelled bundles (shared by the
// scenarios benchmark and the confidence calibration).
import type { Hypothesis } from '../../src/core/model';
import type { IncidentBundle } from '../../src/core/bundle';

export interface CaseScore {
  scenario: string;
  codeCaused: boolean;
  serviceTop1?: boolean;
  commitTop1?: boolean;
  commitTop3?: boolean;
  /** No-code-cause cases: the hypothesis abstained or named no commit as the cause. */
  abstainCorrect?: boolean;
  /** The named cause (kind, and service and commit where the truth has them) is right. */
  correct: boolean;
  confidence: number;
  abstained: boolean;
}

export const ABSTAIN_DEFINITION =
  'abstainCorrect = among bundles whose truth has noCodeCause=true, the share where the hypothesis abstained or named no suspect commit as the cause (hypothesis.suspectCommit undefined)';

export function scoreCase(b: IncidentBundle, h: Hypothesis): CaseScore {
  const t = b.truth!;
  const codeCaused = !!t.commit && !t.noCodeCause;
  const named = h.abstained ? undefined : h.suspectCommit?.sha;
  const top3 = h.suspectCommits.slice(0, 3).map((s) => s.sha);
  const kindOk = !h.abstained && h.causeKind === t.causeKind;
  const serviceOk = t.service === undefined || h.service === t.service;
  const commitOk = t.commit === undefined ? !named : named === t.commit;
  return {
    scenario: t.scenario,
    codeCaused,
    ...(t.service !== undefined ? { serviceTop1: !h.abstained && h.service === t.service } : {}),
    ...(codeCaused ? { commitTop1: named === t.commit, commitTop3: top3.includes(t.commit!) } : {}),
    ...(t.noCodeCause ? { abstainCorrect: h.abstained || !h.suspectCommit } : {}),
    correct: kindOk && serviceOk && commitOk,
    confidence: h.confidence,
    abstained: h.abstained,
  };
}
