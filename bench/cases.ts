// Cases benchmark: scores the diagnosis on any folder of labelled incident bundles (`*.json` or
// `*.json.gz` with a `truth`, searched recursively), exactly as `incident-lens investigate --json` would
// answer on each: how often it is fully right, names the right service and commit, names no commit when
// none is to blame, and how well its confidence is calibrated.
//   npm run bench -- cases [--data DIR] [--threshold X]
// Without --data it scores the project's own independent corpus (test/corpus: the fault-injection lab and
// the cases modelled on public postmortems).
import * as path from 'node:path';
import { parseBenchArgs, printResult, round } from './common';
import { diagnoseBundle } from '../src/agent/diagnose';
import { withoutTruth } from '../src/eval/truth';
import { loadLabelledBundles } from './lib/bundles';
import { CASE_DEFINITIONS, reliabilityLines, scoreCase, summarize, type CaseScore } from './lib/scoring';

const args = parseBenchArgs();
const dir = path.resolve(args.data ?? path.join(__dirname, '..', 'test', 'corpus'));
const threshold = args.flags.threshold === undefined ? undefined : Number(args.flags.threshold);
const { bundles, skipped } = loadLabelledBundles(dir);
if (!bundles.length) {
  console.error(`cases: no labelled bundles under ${dir}`);
  process.exit(2);
}
console.log(`cases: ${bundles.length} labelled bundles under ${dir}${skipped.length ? ` (${skipped.length} other JSON files skipped)` : ''}`);

const scores: (CaseScore & { file: string; answer: string })[] = [];
const times: number[] = [];
for (const { file, bundle } of bundles) {
  const t0 = performance.now();
  const h = diagnoseBundle(withoutTruth(bundle), { confidenceThreshold: threshold });
  times.push(performance.now() - t0);
  const answer = h.abstained ? `abstained (${h.confidence.toFixed(2)})` : `${h.causeKind}${h.service ? ` ${h.service}` : ''}${h.host ? ` host ${h.host}` : ''}${h.suspectCommit ? ` ${h.suspectCommit.sha.slice(0, 8)}` : ''} @${h.confidence.toFixed(2)}`;
  scores.push({ ...scoreCase(bundle, h), file, answer });
}

const t = (ok: boolean | undefined): string => (ok === undefined ? ' ' : ok ? '+' : '-');
console.log('\ncase                                        ok svc commit  answer');
for (const s of scores) console.log(`${s.file.padEnd(44).slice(0, 44)} ${s.correct ? ' ✓' : ' ✗'}  ${t(s.serviceTop1)}    ${t(s.commitTop1 ?? s.abstainCorrect)}    ${s.answer}`);

const families = [...new Set(scores.map((s) => s.family))];
console.log('\nfamily        n  fullyCorrect svcTop1 commitTop1 noCommitOK brier  ece  wrongConf');
const fmt = (x: number): string => x.toFixed(2).padStart(5);
for (const f of families) {
  const sum = summarize(scores.filter((s) => s.family === f));
  console.log(`${f.padEnd(12)} ${String(sum.cases).padStart(3)}  ${fmt(sum.fullyCorrect)}        ${fmt(sum.serviceTop1)}   ${fmt(sum.commitTop1)}      ${fmt(sum.correctNoCommit)}    ${fmt(sum.brier)} ${fmt(sum.ece)}  ${sum.wrongConfident}`);
}
console.log('\nreliability (stated confidence vs share fully correct; abstentions count as not correct):');
for (const line of reliabilityLines(scores)) console.log(line);
const sorted = [...times].sort((a, b) => a - b);
console.log(`\nmedian time per case ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms`);
console.log(CASE_DEFINITIONS);
console.log('aims on the independent corpus (>= 30 cases): fullyCorrect >= 0.85, wrongConfident 0, brier <= 0.12');

const all = summarize(scores);
printResult({
  bench: 'cases',
  cases: all.cases,
  fullyCorrect: round(all.fullyCorrect, 3),
  serviceTop1: round(all.serviceTop1, 3),
  commitTop1: round(all.commitTop1, 3),
  correctNoCommit: round(all.correctNoCommit, 3),
  brier: round(all.brier, 3),
  ece: round(all.ece, 3),
  wrongConfident: all.wrongConfident,
});
