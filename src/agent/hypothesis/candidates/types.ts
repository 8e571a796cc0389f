// A candidate cause with the evidence for and against it. Every cause kind is judged the same way: each
// piece of evidence has a weight and a sentence, pieces for it add, pieces against it subtract, and the
// best-supported candidate is the decision. The pieces are what the explanation shows.
import type { CauseKind, Evidence } from '../../../core/model';
import type { ChangeEventFinding, SuspectFinding } from '../../../core/investigation';

export type EvidenceSpec = Omit<Evidence, 'id'>;

export interface Piece {
  weight: number;
  /** Why it counts, for the summary and "would confirm/refute". */
  reason: string;
  /** What it points at, when it is evidence a person can open. */
  evidence?: EvidenceSpec;
}

export type Mechanism =
  | 'code-in-frames'
  | 'deploy-timing'
  | 'config-commit'
  | 'leak'
  | 'runtime-change'
  | 'certificate'
  | 'dependency'
  | 'traffic'
  | 'limit'
  | 'host'
  | 'zone'
  | 'node-event'
  | 'disk'
  | 'clock';

export interface Candidate {
  /** Identifies the cause: kind, where, and the change when there is one. */
  key: string;
  causeKind: CauseKind;
  mechanism: Mechanism;
  service?: string;
  host?: string;
  dependency?: string;
  suspect?: SuspectFinding;
  event?: ChangeEventFinding;
  /** A memory or connection leak: restarting buys time. */
  leak?: boolean;
  pro: Piece[];
  con: Piece[];
  /** One sentence naming the cause, for the summary. */
  sentence: string;
}

export function supportOf(c: Candidate): number {
  return c.pro.reduce((a, p) => a + p.weight, 0);
}

export function againstOf(c: Candidate): number {
  return c.con.reduce((a, p) => a + p.weight, 0);
}

export function scoreOf(c: Candidate): number {
  return supportOf(c) - againstOf(c);
}
