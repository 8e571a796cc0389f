import * as assert from 'node:assert/strict';
import { calcScoreByThreshold, calcSweepScore, probationaryLength, scaledSigmoid, scoreDataSet } from '../../../src/eval/nab/sweeper';
import { NAB_PROFILES, evaluateDetector, nullBaseline, optimizeThreshold, scoreCorpus, type NabFileScores } from '../../../src/eval/nab/corpus';

const standard = NAB_PROFILES.find((p) => p.name === 'standard')!.costMatrix;
const lowFP = NAB_PROFILES.find((p) => p.name === 'reward_low_FP_rate')!.costMatrix;
const lowFN = NAB_PROFILES.find((p) => p.name === 'reward_low_FN_rate')!.costMatrix;

// 100 rows at t = 0..99, one window on rows 60..69 (10 rows); the probation period is rows 0..14.
const N = 100;
const timestamps = Array.from({ length: N }, (_, i) => i * 1000);
const windows = [[60_000, 69_000] as const];

/** Scores with detections (score 1) at the given rows, everything else 0, at threshold 0.5. */
function scoreWith(detections: number[], cost = standard): number {
  const scores = timestamps.map((_, i) => (detections.includes(i) ? 1 : 0));
  return scoreDataSet(timestamps, scores, windows, 'f.csv', 0.5, cost).row!.score;
}

describe('NAB scorer port', () => {
  it('uses the scaled sigmoid of NAB: 0.98661 at the left edge, 0 at the right, -1 beyond 3', () => {
    assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
    assert.equal(scaledSigmoid(0), 0);
    assert.equal(scaledSigmoid(3.5), -1);
  });

  it('sets the probation period to 15% of the rows, capped at 750', () => {
    assert.equal(probationaryLength(100), 15);
    assert.equal(probationaryLength(1243), 186);
    assert.equal(probationaryLength(22695), 750);
  });

  it('gives a full point for a detection at the start of the window', () => {
    assert.ok(Math.abs(scoreWith([60]) - 1.0) < 1e-9);
  });

  it('gives little for a detection at the last row of the window', () => {
    // position -(69 - 69 + 1) / 10 = -0.1: (2 sigmoid(0.5) - 1) / 0.98661
    assert.ok(Math.abs(scoreWith([69]) - 0.24824154977542992) < 1e-9);
  });

  it('counts only the first detection in a window', () => {
    // row 62: position -0.8, worth 0.97711; the later row 65 adds nothing
    assert.ok(Math.abs(scoreWith([62, 65]) - 0.9771068409226045) < 1e-9);
    assert.ok(Math.abs(scoreWith([62]) - scoreWith([62, 65])) < 1e-12);
  });

  it('charges a missed window A_FN and a false positive before any window the full fpWeight', () => {
    assert.equal(scoreWith([]), -1);
    assert.ok(Math.abs(scoreWith([30]) - (-1 - 0.11)) < 1e-9);
    assert.equal(scoreWith([], lowFN), -2);
  });

  it('weights a false positive after a window by its distance from that window', () => {
    // |69 - 79| / (10 - 1) past the window's right edge
    assert.ok(Math.abs(scoreWith([79]) - (-1 - 0.10915277288169534)) < 1e-9);
    assert.ok(Math.abs(scoreWith([79], lowFP) - (-1 - 0.21830554576339067)) < 1e-9);
    // right after the window an FP costs less than further away: |69 - 70| / 9 gives 0.11 * -0.2712
    assert.ok(Math.abs(scoreWith([70]) - (-1 + 0.11 * (2 / (1 + Math.exp(5 / 9)) - 1))) < 1e-9);
    assert.ok(scoreWith([70]) > scoreWith([79]));
  });

  it('ignores detections in the probation period', () => {
    assert.equal(scoreWith([5, 10]), -1);
    const list = calcSweepScore(timestamps, timestamps.map(() => 1), windows, 'f.csv', standard);
    assert.equal(list.filter((p) => p.windowName === 'probationary').length, 15);
  });

  it('lists scores by threshold from no detection down to every row', () => {
    const scores = timestamps.map((_, i) => (i === 62 ? 0.9 : i === 30 ? 0.95 : 0.1));
    const rows = calcScoreByThreshold(calcSweepScore(timestamps, scores, windows, 'f.csv', standard), standard);
    assert.deepEqual(rows.map((r) => r.threshold), [1.1, 0.95, 0.9, 0.1]);
    assert.equal(rows[0].score, -1);
    assert.ok(Math.abs(rows[1].score - -1.11) < 1e-9);
    assert.ok(Math.abs(rows[2].score - (0.9771068409226045 - 0.11)) < 1e-9);
    assert.equal(rows[2].tp, 1);
    assert.equal(rows[2].fp, 1);
  });

  it('picks the threshold with the best corpus total and normalises Null to 0 and Perfect to 100', () => {
    const file: NabFileScores = { name: 'f.csv', timestamps, anomalyScores: timestamps.map((_, i) => (i === 62 ? 0.9 : i === 30 ? 0.95 : 0.1)), windows: [...windows] };
    const best = optimizeThreshold([file], standard);
    assert.equal(best.threshold, 0.9);
    assert.ok(Math.abs(best.score - (0.9771068409226045 - 0.11)) < 1e-9);
    assert.equal(nullBaseline([file], standard), -1);
    const std = evaluateDetector([file]).find((r) => r.profile === 'standard')!;
    // 100 * (0.8671 - (-1)) / (1 - (-1))
    assert.ok(Math.abs(std.normalized - (100 * (0.9771068409226045 - 0.11 + 1)) / 2) < 1e-6);
    const perfect: NabFileScores = { ...file, anomalyScores: timestamps.map((_, i) => (i === 60 ? 1 : 0)) };
    assert.ok(Math.abs(evaluateDetector([perfect])[0].normalized - 100) < 1e-9);
  });

  it('scores each file of a corpus at one threshold', () => {
    const a: NabFileScores = { name: 'a.csv', timestamps, anomalyScores: timestamps.map((_, i) => (i === 60 ? 1 : 0)), windows: [...windows] };
    const b: NabFileScores = { name: 'b.csv', timestamps, anomalyScores: timestamps.map(() => 0), windows: [...windows] };
    const r = scoreCorpus([a, b], 0.5, standard);
    assert.deepEqual(r.files.map((f) => Math.round(f.score * 1e9) / 1e9), [1, -1]);
    assert.equal(r.total, 0);
  });

  it('rejects a window whose end is not a row timestamp with a clear error', () => {
    assert.throws(() => calcSweepScore(timestamps, timestamps.map(() => 0), [[60_000, 69_500]], 'f.csv', standard), /window end/);
  });
});
