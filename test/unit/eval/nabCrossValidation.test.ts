import * as assert from 'node:assert/strict';
import { NAB_PROFILES, optimizeThreshold, scoreCorpus, type NabFileScores } from '../../../src/eval/nab/corpus';
import { crossValidate, familyFolds, roundRobinFolds, type CandidateRun } from '../../../src/eval/nab/crossValidation';

const standard = NAB_PROFILES.find((p) => p.name === 'standard')!;
const N = 200;
const timestamps = Array.from({ length: N }, (_, i) => i * 60_000);
// One window on rows 100..119 in every file with an anomaly; the probation period is rows 0..29.
const window = [[timestamps[100], timestamps[119]] as const];

/** A file whose scores are 0 except the given rows, which get the given score. */
function file(name: string, hits: Record<number, number>, withWindow = true): NabFileScores {
  return { name, timestamps, anomalyScores: timestamps.map((_, i) => hits[i] ?? 0), windows: withWindow ? window : [] };
}

describe('NAB cross-validation', () => {
  it('leave-one-family-out makes one fold per data folder', () => {
    const folds = familyFolds(['b/x.csv', 'a/y.csv', 'b/z.csv']);
    assert.deepEqual(folds, [
      { name: 'a', heldOut: ['a/y.csv'] },
      { name: 'b', heldOut: ['b/x.csv', 'b/z.csv'] },
    ]);
  });

  it('k-fold deals sorted files round-robin, so each fold holds every family', () => {
    const names = ['a/1.csv', 'a/2.csv', 'a/3.csv', 'b/1.csv', 'b/2.csv', 'b/3.csv'];
    const folds = roundRobinFolds([...names].reverse(), 3);
    assert.deepEqual(folds.map((f) => f.heldOut), [['a/1.csv', 'b/1.csv'], ['a/2.csv', 'b/2.csv'], ['a/3.csv', 'b/3.csv']]);
    assert.throws(() => roundRobinFolds(names, 1), /k >= 2/);
    assert.throws(() => roundRobinFolds(names, 7), /at least 7 files/);
  });

  it('scores a held-out family with what the other families chose, even when it would prefer another setting', () => {
    // Setting "early" detects at the window start in family a but raises false alarms in family b;
    // setting "late" detects late everywhere and never raises a false alarm.
    const falseAlarms = { 40: 0.95, 50: 0.95, 60: 0.95, 70: 0.95, 80: 0.95, 90: 0.95 };
    const early: CandidateRun = {
      setting: 'early',
      files: [file('a/1.csv', { 100: 0.9 }), file('a/2.csv', { 100: 0.9 }), file('b/1.csv', { 100: 0.9, ...falseAlarms }), file('b/2.csv', { 100: 0.9, ...falseAlarms })],
    };
    const late: CandidateRun = {
      setting: 'late',
      files: [file('a/1.csv', { 115: 0.8 }), file('a/2.csv', { 115: 0.8 }), file('b/1.csv', { 115: 0.8 }), file('b/2.csv', { 115: 0.8 })],
    };
    const r = crossValidate([early, late], familyFolds(early.files.map((f) => f.name)), standard);
    const foldA = r.folds.find((f) => f.fold === 'a')!;
    const foldB = r.folds.find((f) => f.fold === 'b')!;
    // Held out a, the choice is made on b, where "early" pays for its false alarms: "late" wins.
    assert.equal(foldA.setting, 'late');
    // Held out b, the choice is made on a, where "early" is best, and b then pays for it.
    assert.equal(foldB.setting, 'early');
    const lateOnA = scoreCorpus(late.files.slice(0, 2), foldA.threshold, standard.costMatrix).total;
    assert.ok(Math.abs(foldA.heldOutRaw - lateOnA) < 1e-9);
    assert.ok(Math.abs(r.raw - (foldA.heldOutRaw + foldB.heldOutRaw)) < 1e-9);
    // The cross-validated score is below the best in-sample choice: the held-out families paid.
    const inSampleEarly = optimizeThreshold(early.files, standard.costMatrix).score;
    const inSampleLate = optimizeThreshold(late.files, standard.costMatrix).score;
    assert.ok(r.raw < Math.max(inSampleEarly, inSampleLate), `cv ${r.raw} vs in-sample ${inSampleEarly} / ${inSampleLate}`);
    // Normalised like NAB: Null (every window missed) is 0, Perfect (every window at its start) 100.
    assert.equal(r.nullScore, -4);
    assert.equal(r.perfect, 4);
    assert.ok(Math.abs(r.normalized - (100 * (r.raw + 4)) / 8) < 1e-9);
  });

  it('takes the threshold from the training folds, not from the held-out files', () => {
    // Training files reward a threshold near 0.9; the held-out file's only detection scores 0.5.
    const run: CandidateRun = {
      setting: 'only',
      files: [file('a/1.csv', { 100: 0.9, 150: 0.5 }), file('a/2.csv', { 100: 0.9, 160: 0.5 }), file('b/1.csv', { 105: 0.5 })],
    };
    const r = crossValidate([run], familyFolds(run.files.map((f) => f.name)), standard);
    const foldB = r.folds.find((f) => f.fold === 'b')!;
    assert.ok(foldB.threshold > 0.5);
    assert.equal(foldB.heldOutRaw, -standard.costMatrix.fnWeight, 'the held-out window is missed at the training threshold');
  });

  it('rejects folds that do not hold out every file exactly once, and candidates over other files', () => {
    const a: CandidateRun = { setting: 'a', files: [file('x/1.csv', {}), file('y/1.csv', {})] };
    assert.throws(() => crossValidate([a], [{ name: 'x', heldOut: ['x/1.csv'] }], standard), /y\/1\.csv is held out by 0 folds/);
    assert.throws(
      () => crossValidate([a], [{ name: 'x', heldOut: ['x/1.csv', 'y/1.csv'] }, { name: 'y', heldOut: ['y/1.csv'] }], standard),
      /y\/1\.csv is held out by 2 folds/,
    );
    const b: CandidateRun = { setting: 'b', files: [file('x/1.csv', {}), file('z/1.csv', {})] };
    assert.throws(() => crossValidate([a, b], familyFolds(['x/1.csv', 'y/1.csv']), standard), /does not cover the same files/);
    assert.throws(() => crossValidate([], [], standard), /at least one candidate/);
  });
});
