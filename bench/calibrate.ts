// Confidence calibration: fits the logistic weights of src/agent/hypothesis/confidence.ts on labelled
// incidents of several families, and scores each family with weights fitted on the others only
// (leave one family out), beside the weights that ship.
//   npm run bench -- calibrate [--data DIR[,DIR...]] [--suites 3] [--per-kind 10] [--lambda 30] [--runners 0.5] [--write]
// A comma list for --lambda or --runners scores every setting held out first; the first one is fitted.
// Families are read from each case's scenario ("lab:…", "postmortem:…", else "generator"). The default
// data is the project's corpus (test/corpus) plus generated suites with seeds 900.. (the scenarios
// benchmark scores other seeds). Each family weighs the same in the fit, whatever its size. Besides the
// decision taken, the next two candidates count as decisions that could have been taken (half weight):
// nearly every decision is right, and a fit on those alone would learn nothing about wrong ones.
// --write puts the weights fitted on all families into confidence.ts, with where they came from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnoseBundle } from '../src/agent/diagnose';
import { CONFIDENCE_WEIGHTS, FEATURE_KEYS, MAX_CONFIDENCE, MIN_CONFIDENCE, type DecisionFeatures } from '../src/agent/hypothesis/confidence';
import type { RunnerUp } from '../src/agent/hypothesis/build';
import type { Hypothesis } from '../src/core/model';
import { generateSuite } from '../src/eval/scenarios/generator';
import { withoutTruth, type LabelledBundle } from '../src/eval/truth';
import { parseBenchArgs, printResult, round } from './common';
import { loadLabelledBundles } from './lib/bundles';
import { scoreCase, summarize, type CaseScore } from './lib/scoring';

const args = parseBenchArgs();
const dirs = (args.data ?? path.join(__dirname, '..', 'test', 'corpus')).split(',').map((d) => path.resolve(d));
const suites = Number(args.flags.suites ?? 3);
const perKind = Number(args.flags['per-kind'] ?? 10);
const lambdas = String(args.flags.lambda ?? '30').split(',').map(Number);
const runnerWeights = String(args.flags.runners ?? '0.5').split(',').map(Number);
let lambda = lambdas[0];
const THRESHOLD = 0.5;

interface Row {
  family: string;
  x?: number[];
  y: number;
  /** Weight in the fit: decisions 1, runners-up 0.5 (then scaled so that every family sums the same). */
  w: number;
  decision: boolean;
  truthUnknown: boolean;
}

const rows: Row[] = [];
const vector = (f: DecisionFeatures): number[] => FEATURE_KEYS.map((k) => f[k]);

function addCase(b: LabelledBundle): void {
  const diagnostics: { features?: DecisionFeatures; runnersUp?: RunnerUp[] } = {};
  const h = diagnoseBundle(withoutTruth(b), { confidenceThreshold: 0, diagnostics });
  const s = scoreCase(b, h);
  const truthUnknown = b.truth.causeKind === 'unknown';
  rows.push({ family: s.family, ...(diagnostics.features ? { x: vector(diagnostics.features) } : {}), y: diagnostics.features && s.correct ? 1 : 0, w: 1, decision: true, truthUnknown });
  for (const r of diagnostics.runnersUp ?? []) {
    const asChosen = { ...h, abstained: false, causeKind: r.causeKind, service: r.service, host: r.host, suspectCommit: r.commit ? { sha: r.commit } : undefined } as Hypothesis;
    rows.push({ family: s.family, x: vector(r.features), y: scoreCase(b, asChosen).correct ? 1 : 0, w: runnerWeights[0], decision: false, truthUnknown });
  }
}

for (const dir of dirs) {
  const { bundles } = loadLabelledBundles(dir);
  if (!bundles.length) {
    console.error(`calibrate: no labelled bundles under ${dir}`);
    process.exit(2);
  }
  for (const { bundle } of bundles) addCase(bundle);
}
for (let seed = 900; seed < 900 + suites; seed++) for (const b of generateSuite(seed, perKind)) addCase(b);

const families = [...new Set(rows.map((r) => r.family))].sort();
console.log(`calibrate: ${rows.filter((r) => r.decision).length} cases (${families.map((f) => `${f} ${rows.filter((r) => r.decision && r.family === f).length}`).join(', ')}), ${rows.filter((r) => !r.decision).length} runner-up decisions (weight ${runnerWeights[0]}); L2 ${lambda} towards the hand-set slopes`);

type Weights = number[]; // [bias, ...FEATURE_KEYS]
const shipped: Weights = [CONFIDENCE_WEIGHTS.bias, ...FEATURE_KEYS.map((k) => CONFIDENCE_WEIGHTS[k])];
/** The slopes' prior: the hand-set weights (stronger, more separated evidence raises confidence). */
const PRIOR_SLOPES: Record<keyof DecisionFeatures, number> = { score: 0.7, margin: 0.9, strongest: 0.6, against: -0.6, pieces: 0.1, nearTies: -0.8, locusAgrees: 0.8, locusShare: 0.5, hasTraces: 0.2 };
const PRIOR: Weights = [-2.2, ...FEATURE_KEYS.map((k) => PRIOR_SLOPES[k])];

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const linear = (x: number[], w: Weights): number => w[0] + x.reduce((a, xi, i) => a + xi * w[i + 1], 0);
/** As confidence.ts states it: capped and rounded. */
const stated = (x: number[] | undefined, w: Weights): number => (x ? Math.round(Math.min(MAX_CONFIDENCE, Math.max(MIN_CONFIDENCE, sigmoid(linear(x, w)))) * 1000) / 1000 : 0);

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i]));
}

/** Penalized logistic regression by Newton's method; each family's rows sum to the same weight. */
function fit(train: Row[]): Weights {
  const usable = train.filter((r) => r.x && r.w > 0);
  const fams = [...new Set(usable.map((r) => r.family))];
  const famTotal = new Map(fams.map((f) => [f, usable.filter((r) => r.family === f).reduce((a, r) => a + r.w, 0)]));
  const weightOf = (r: Row): number => (r.w / famTotal.get(r.family)!) * 100; // 100 per family
  let w = [...PRIOR];
  const d = w.length;
  for (let it = 0; it < 50; it++) {
    const g = new Array(d).fill(0);
    const h = Array.from({ length: d }, () => new Array(d).fill(0));
    for (const r of usable) {
      const xs = [1, ...r.x!];
      const p = sigmoid(linear(r.x!, w));
      const rw = weightOf(r);
      for (let i = 0; i < d; i++) {
        g[i] += rw * (p - r.y) * xs[i];
        for (let j = 0; j < d; j++) h[i][j] += rw * p * (1 - p) * xs[i] * xs[j];
      }
    }
    for (let i = 1; i < d; i++) {
      g[i] += 2 * lambda * (w[i] - PRIOR[i]);
      h[i][i] += 2 * lambda;
    }
    h[0][0] += 1e-6;
    const step = solve(h, g);
    w = w.map((wi, i) => wi - step[i]);
    if (Math.max(...step.map(Math.abs)) < 1e-7) break;
  }
  return w;
}

/** The cases' scores as the bench `cases` would count them, at the given weights. */
function scoresOf(test: Row[], w: Weights): CaseScore[] {
  return test
    .filter((r) => r.decision)
    .map((r) => {
      const confidence = stated(r.x, w);
      const abstained = !r.x || confidence < THRESHOLD;
      return { scenario: r.family, family: r.family, codeCaused: false, correct: abstained ? r.truthUnknown : r.y === 1, confidence, abstained };
    });
}

if (lambdas.length > 1 || runnerWeights.length > 1) {
  // Choosing the penalty: each setting scored on the families it was not fitted on.
  console.log('\nL2     runner-up weight   held-out brier  ece    wrongConf');
  for (const l of lambdas) {
    for (const rw of runnerWeights) {
      lambda = l;
      for (const r of rows) if (!r.decision) r.w = rw;
      const pooledScores = families.flatMap((f) => scoresOf(rows.filter((r) => r.family === f), fit(rows.filter((r) => r.family !== f))));
      const s = summarize(pooledScores);
      console.log(`${String(l).padEnd(6)} ${String(rw).padEnd(18)} ${s.brier.toFixed(3)}           ${s.ece.toFixed(3)}  ${s.wrongConfident}`);
    }
  }
  lambda = lambdas[0];
  for (const r of rows) if (!r.decision) r.w = runnerWeights[0];
}

const line = (label: string, s: ReturnType<typeof summarize>): string =>
  `${label.padEnd(34)} ${String(s.cases).padStart(4)}   ${s.fullyCorrect.toFixed(3)}   ${s.brier.toFixed(3)}  ${s.ece.toFixed(3)}   ${s.wrongConfident}`;
console.log('\nweights / family                   cases  fullyOK  brier  ece    wrongConf(>=0.8)');
const heldOut: Record<string, { brier: number; ece: number; wrongConfident: number; fullyCorrect: number }> = {};
const pooled: CaseScore[] = [];
for (const f of families) {
  const test = rows.filter((r) => r.family === f);
  const w = fit(rows.filter((r) => r.family !== f));
  const scores = scoresOf(test, w);
  pooled.push(...scores);
  const s = summarize(scores);
  heldOut[f] = { fullyCorrect: round(s.fullyCorrect, 3), brier: round(s.brier, 3), ece: round(s.ece, 3), wrongConfident: s.wrongConfident };
  console.log(line(`fitted without ${f}, on ${f}`, s));
  console.log(line(`shipped weights, on ${f}`, summarize(scoresOf(test, shipped))));
}
const all = fit(rows);
const inSample = summarize(scoresOf(rows, all));
const held = summarize(pooled);
console.log(line('held out, all families pooled', held));
console.log(line('fitted on all, in-sample', inSample));
console.log(line('shipped weights, all', summarize(scoresOf(rows, shipped))));
const literal = `{\n  bias: ${Number(all[0].toFixed(3))},\n${FEATURE_KEYS.map((k, i) => `  ${k}: ${Number(all[i + 1].toFixed(3))},`).join('\n')}\n}`;
console.log(`\nfitted on all families: ${literal.replace(/\s+/g, ' ')}`);

if (args.flags.write) {
  const file = path.join(__dirname, '..', 'src', 'agent', 'hypothesis', 'confidence.ts');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('// BEGIN FITTED WEIGHTS');
  const end = text.indexOf('// END FITTED WEIGHTS');
  if (start < 0 || end < 0) throw new Error(`${file} has no FITTED WEIGHTS markers`);
  const provenance = `// Fitted by \`npm run bench -- calibrate --write\` on ${new Date().toISOString().slice(0, 10)}: ${families.map((f) => `${f} ${rows.filter((r) => r.decision && r.family === f).length}`).join(', ')} cases\n// (+${rows.filter((r) => !r.decision).length} runner-up decisions at weight ${runnerWeights[0]}), L2 ${lambda} towards the hand-set slopes. Held out by family (fitted\n// on the others): ${families.map((f) => `${f} Brier ${heldOut[f].brier}, wrong at >= 0.8: ${heldOut[f].wrongConfident}`).join('; ')}.\n`;
  fs.writeFileSync(file, `${text.slice(0, start)}// BEGIN FITTED WEIGHTS\n${provenance}export const CONFIDENCE_WEIGHTS: Record<'bias' | keyof DecisionFeatures, number> = ${literal};\n${text.slice(end)}`);
  console.log(`wrote the weights into ${file}`);
}

printResult({
  bench: 'calibrate',
  cases: rows.filter((r) => r.decision).length,
  families,
  heldOut,
  heldOutBrier: round(held.brier, 3),
  heldOutWrongConfident: held.wrongConfident,
  inSampleBrier: round(inSample.brier, 3),
});
