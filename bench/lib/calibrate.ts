// Fits the hypothesis confidence (a logistic function of the decision's features) to how often the
// decision is right on generated suites. Calibration seeds are 900..(900+suites-1): the scenarios
// benchmark uses other seeds. Run: npx tsx bench/lib/calibrate.ts [--suites 4] [--per-kind 10]
import { generateSuite } from '../../src/eval/scenarios/generator';
import { diagnoseBundle as buildHypothesis } from '../../src/agent/diagnose';
import { CONFIDENCE_WEIGHTS, FEATURE_KEYS, type DecisionFeatures } from '../../src/agent/hypothesis/confidence';
import { parseBenchArgs } from '../common';
import { scoreCase } from './scoring';

const args = parseBenchArgs();
const suites = Number(args.flags.suites ?? 4);
const perKind = Number(args.flags['per-kind'] ?? 10);
const keys = FEATURE_KEYS;

const rows: { x: number[]; y: number; kind: string }[] = [];
for (let seed = 900; seed < 900 + suites; seed++) {
  for (const b of generateSuite(seed, perKind)) {
    const { truth: _truth, ...blind } = b;
    const diagnostics: { features?: DecisionFeatures } = {};
    const h = buildHypothesis(blind, { confidenceThreshold: 0, diagnostics });
    if (!diagnostics.features) continue; // no decision at all: always abstains, nothing to calibrate
    const correct = scoreCase(b, h).correct;
    rows.push({ x: keys.map((k) => diagnostics.features![k]), y: correct ? 1 : 0, kind: b.truth.scenario });
  }
}
console.log(`${rows.length} decisions, ${rows.filter((r) => r.y).length} correct`);

// Plain gradient descent on the log loss with a little L2, from the current weights.
let w = [CONFIDENCE_WEIGHTS.bias, ...keys.map((k) => CONFIDENCE_WEIGHTS[k])];
const sig = (z: number): number => 1 / (1 + Math.exp(-z));
const predict = (x: number[], ww: number[]): number => sig(ww[0] + x.reduce((a, xi, i) => a + xi * ww[i + 1], 0));
for (let it = 0; it < 4000; it++) {
  const g = new Array(w.length).fill(0);
  for (const r of rows) {
    const e = predict(r.x, w) - r.y;
    g[0] += e;
    r.x.forEach((xi, i) => (g[i + 1] += e * xi));
  }
  w = w.map((wi, i) => wi - 0.5 * (g[i] / rows.length + (i ? 0.01 * wi : 0)));
}
const loss = (ww: number[]): number => rows.reduce((a, r) => a - (r.y ? Math.log(predict(r.x, ww) + 1e-12) : Math.log(1 - predict(r.x, ww) + 1e-12)), 0) / rows.length;
const before = [CONFIDENCE_WEIGHTS.bias, ...keys.map((k) => CONFIDENCE_WEIGHTS[k])];
console.log(`log loss: current weights ${loss(before).toFixed(4)}, fitted ${loss(w).toFixed(4)}`);
console.log(`fitted: { bias: ${w[0].toFixed(2)}, ${keys.map((k, i) => `${k}: ${w[i + 1].toFixed(2)}`).join(', ')} }`);
// With almost every decision right, a full fit collapses to a constant and stops ranking decisions.
// The shipped weights keep the hand-set slopes (stronger evidence, higher confidence) and take only the
// bias from the data: the offset that makes the mean stated confidence equal the share correct.
let lo = -10;
let hi = 10;
const target = rows.filter((r) => r.y).length / rows.length;
for (let it = 0; it < 60; it++) {
  const mid = (lo + hi) / 2;
  const mean = rows.reduce((a, r) => a + predict(r.x, [before[0] + mid, ...before.slice(1)]), 0) / rows.length;
  if (mean < target) lo = mid;
  else hi = mid;
}
const shifted = [before[0] + lo, ...before.slice(1)];
console.log(`bias-only fit: bias ${shifted[0].toFixed(2)} (from ${before[0]}), log loss ${loss(shifted).toFixed(4)}`);
if (args.flags.shifted) w = shifted;
const bands = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001];
for (let i = 0; i < bands.length - 1; i++) {
  const inBand = rows.filter((r) => predict(r.x, w) >= bands[i] && predict(r.x, w) < bands[i + 1]);
  if (inBand.length) console.log(`  [${bands[i]}, ${Math.min(1, bands[i + 1])})  n=${inBand.length}  stated ${(inBand.reduce((a, r) => a + predict(r.x, w), 0) / inBand.length).toFixed(3)}  actual ${(inBand.filter((r) => r.y).length / inBand.length).toFixed(3)}`);
}
