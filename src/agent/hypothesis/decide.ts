// Stage 2 of the hypothesis: decide. Every candidate cause (commits and deploys, runtime changes,
// certificates, dependencies, capacity, infrastructure) is judged on its evidence for and against; the
// best-supported one is the decision, the next ones are the alternatives. Too little support for any of
// them is no decision at all.
import type { CauseKind, Evidence } from '../../core/model';
import type { SuspectFinding } from '../../core/investigation';
import type { Collected } from './collect';
import type { DecisionFeatures } from './confidence';
import { commitCandidates } from './candidates/commits';
import { runtimeCandidates } from './candidates/runtime';
import { capacityCandidates, dependencyCandidates, infrastructureCandidates, mergeByKey } from './candidates/platform';
import { againstOf, scoreOf, supportOf, type Candidate, type Mechanism } from './candidates/types';

export type EvidenceSpec = Omit<Evidence, 'id'>;

/** Below this support no candidate is a decision: the hypothesis says what it checked instead. */
export const MIN_DECISION_SCORE = 0.8;

export interface Decision {
  causeKind: CauseKind;
  mechanism: Mechanism;
  service?: string;
  suspect?: SuspectFinding;
  host?: string;
  dependency?: string;
  /** A memory leak: restarting buys time. */
  leak?: boolean;
  features: DecisionFeatures;
  candidate: Candidate;
  /** The other candidates, best first. */
  others: Candidate[];
  /** A sentence for the summary. */
  sentence: string;
}

export function allCandidates(c: Collected, valuesOf: (id: string) => { timestamps: number[]; values: number[] } | undefined): Candidate[] {
  const cands = mergeByKey([...commitCandidates(c), ...runtimeCandidates(c), ...dependencyCandidates(c), ...capacityCandidates(c, valuesOf), ...infrastructureCandidates(c)]);
  explainedLoad(cands, c);
  exposedBy(cands, c);
  return cands.sort((a, b) => scoreOf(b) - scoreOf(a) || supportOf(b) - supportOf(a));
}

/**
 * Old code that fails only now, right after a flag or configuration change to the same service, was
 * exposed by that change: the change is the cause to undo. (Recent code keeps the blame: it had not
 * run long enough to be proven.)
 */
function exposedBy(cands: Candidate[], c: Collected): void {
  const HOUR = 3600_000;
  const triggers = cands.filter((x) => x.causeKind === 'config-change' && x.service && x.pro.some((p) => p.weight >= 1.5) && (x.event || x.suspect) && Math.abs((x.event?.time ?? x.suspect!.time) - c.onset) <= 5 * 60_000);
  for (const x of cands) {
    if (x.causeKind !== 'code-change' || x.mechanism !== 'code-in-frames' || !x.suspect || x.leak) continue;
    const age = c.onset - x.suspect.time;
    const t = triggers.find((y) => y.service === x.service && y !== x);
    if (t && age > 6 * HOUR) x.con.push({ weight: 0.9, reason: `${t.sentence.slice(0, 80)} at the onset exposed it; the code had run ${Math.round(age / HOUR)} h without failing` });
  }
}

/**
 * A service overloaded or failing because a caller of it changed (a job that now scans everything, a
 * query that now runs per row) is the change's doing: capacity candidates for it lose to a
 * well-founded change in one of its callers.
 */
function explainedLoad(cands: Candidate[], c: Collected): void {
  const callersOf = (svc: string): Set<string> => {
    const out = new Set<string>();
    for (const e of c.findings.callGraph) if (e.to === svc) out.add(e.from);
    for (const l of c.findings.loci) if (l.service === svc) for (const x of l.callers) out.add(x);
    return out;
  };
  const changes = cands.filter((x) => (x.suspect || x.event) && x.pro.some((p) => p.weight >= 1.5));
  for (const x of cands) {
    if (x.causeKind !== 'capacity' || !x.service) continue;
    const callers = callersOf(x.service);
    const cause = changes.find((y) => y.service && y.service !== x.service && callers.has(y.service));
    if (cause) x.con.push({ weight: 1.0, reason: `the load on ${x.service} comes from ${cause.service}, which changed (${cause.sentence.slice(0, 80)})` });
  }
}

export function featuresOf(top: Candidate, second: Candidate | undefined, c: Collected): DecisionFeatures {
  const strongest = Math.max(0, ...top.pro.map((p) => p.weight));
  const locus = c.topLocus;
  const agrees = locus ? (locus.service === top.service || locus.service === top.dependency ? 1 : 0) : 0.5;
  return {
    score: scoreOf(top),
    margin: scoreOf(top) - (second ? Math.max(0, scoreOf(second)) : 0),
    strongest,
    against: againstOf(top),
    pieces: top.pro.length,
    locusAgrees: agrees,
    locusShare: locus ? Math.max(locus.errorShare, locus.latencyShare) : 0,
    hasTraces: c.findings.counts.spans > 0 ? 1 : 0,
  };
}

export function decide(c: Collected, valuesOf: (id: string) => { timestamps: number[]; values: number[] } | undefined = () => undefined): { decision?: Decision; candidates: Candidate[] } {
  const candidates = allCandidates(c, valuesOf);
  const [top, second] = candidates;
  if (!top || scoreOf(top) < MIN_DECISION_SCORE) return { candidates };
  const features = featuresOf(top, second, c);
  return {
    candidates,
    decision: {
      causeKind: top.causeKind,
      mechanism: top.mechanism,
      ...(top.service ? { service: top.service } : {}),
      ...(top.suspect ? { suspect: top.suspect } : {}),
      ...(top.host ? { host: top.host } : {}),
      ...(top.dependency ? { dependency: top.dependency } : {}),
      ...(top.leak ? { leak: true } : {}),
      features,
      candidate: top,
      others: candidates.slice(1),
      sentence: top.sentence,
    },
  };
}
