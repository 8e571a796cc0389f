// Scenario benchmark: how often the hypothesis names the right service and commit on incidents from our
// own scenario generator, how often it correctly names no commit when no change is to blame, and how long
// one hypothesis takes. Labelled bundles from elsewhere are scored by `npm run bench -- cases --data DIR`.
//   npm run bench -- scenarios [--seed N] [--per-kind N]
import { parseBenchArgs, printResult, round } from './common';
import { generateSuite } from '../src/eval/scenarios/generator';
import { diagnoseBundle } from '../src/agent/diagnose';
import { withoutTruth } from '../src/eval/truth';
import { ABSTAIN_DEFINITION, scoreCase, type CaseScore } from './lib/scoring';

const args = parseBenchArgs();
const seed = Number(args.flags.seed ?? 7);
const perKind = Number(args.flags['per-kind'] ?? 25);

const bundles = generateSuite(seed, perKind);
const origin = `generated suite, seed ${seed}, ${perKind} per kind (bundle seeds ${seed * 1000}..${seed * 1000 + perKind - 1}; the confidence bias was calibrated on suites 900..904, i.e. bundle seeds 900000..904xxx, not these)`;

console.log(`scenarios: ${origin}`);
const scores: CaseScore[] = [];
const times: number[] = [];
for (const b of bundles) {
  const blind = withoutTruth(b); // the hypothesis never sees the answer
  const t0 = performance.now();
  const h = diagnoseBundle(blind);
  times.push(performance.now() - t0);
  scores.push(scoreCase(b, h));
}

const rate = (xs: (boolean | undefined)[]): number | undefined => {
  const v = xs.filter((x): x is boolean => x !== undefined);
  return v.length ? v.filter(Boolean).length / v.length : undefined;
};
const fmt = (x: number | undefined): string => (x === undefined ? '   -' : x.toFixed(2).padStart(4));
const kinds = [...new Set(scores.map((s) => s.scenario))];
console.log('\nkind                  n  svcTop1 commit1 commit3 abstOK correct meanConf');
for (const k of kinds) {
  const ks = scores.filter((s) => s.scenario === k);
  console.log(
    `${k.padEnd(20)} ${String(ks.length).padStart(3)}   ${fmt(rate(ks.map((s) => s.serviceTop1)))}    ${fmt(rate(ks.map((s) => s.commitTop1)))}    ${fmt(rate(ks.map((s) => s.commitTop3)))}   ${fmt(rate(ks.map((s) => s.abstainCorrect)))}    ${fmt(rate(ks.map((s) => s.correct)))}    ${fmt(ks.reduce((a, s) => a + s.confidence, 0) / ks.length)}`,
  );
}

// Reliability: within each band of stated confidence, how often the named cause was right.
console.log('\nreliability (stated confidence vs share correct; abstentions count as not correct):');
const bands = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001];
for (let i = 0; i < bands.length - 1; i++) {
  const inBand = scores.filter((s) => s.confidence >= bands[i] && s.confidence < bands[i + 1]);
  if (!inBand.length) continue;
  const stated = inBand.reduce((a, s) => a + s.confidence, 0) / inBand.length;
  console.log(`  [${bands[i].toFixed(2)}, ${Math.min(1, bands[i + 1]).toFixed(2)})  n=${String(inBand.length).padStart(4)}  stated ${stated.toFixed(3)}  actual ${(inBand.filter((s) => s.correct).length / inBand.length).toFixed(3)}`);
}
const ece = scores.reduce((a, s) => a + Math.abs(s.confidence - (s.correct ? 1 : 0)), 0) / scores.length;
const brier = scores.reduce((a, s) => a + (s.confidence - (s.correct ? 1 : 0)) ** 2, 0) / scores.length;
console.log(`  mean |confidence - correct| ${ece.toFixed(3)}, Brier ${brier.toFixed(3)}`);

const sorted = [...times].sort((a, b) => a - b);
const p50 = sorted[Math.floor(sorted.length / 2)];
const result = {
  bench: 'scenarios',
  cases: scores.length,
  serviceTop1: round(rate(scores.map((s) => s.serviceTop1)) ?? 0, 3),
  commitTop1: round(rate(scores.map((s) => s.commitTop1)) ?? 0, 3),
  commitTop3: round(rate(scores.map((s) => s.commitTop3)) ?? 0, 3),
  abstainCorrect: round(rate(scores.map((s) => s.abstainCorrect)) ?? 0, 3),
  p50Ms: Math.round(p50),
};
console.log(`\ndefinitions:
  code-caused = truth names a commit (deploy-exception, latency-regression, bad-config, memory-leak, alert-storm)
  serviceTop1 = share of bundles whose truth names a service where the hypothesis (not abstaining) names that service
  commitTop1  = share of code-caused bundles where hypothesis.suspectCommit is the truth's commit (abstaining counts as a miss)
  commitTop3  = share of code-caused bundles where the truth's commit is among the first 3 of hypothesis.suspectCommits
  ${ABSTAIN_DEFINITION}
  p50Ms       = median wall time of one buildHypothesis call (bundle already parsed)
aims: commitTop1 >= 0.90, abstainCorrect >= 0.90`);
printResult(result);
