import * as assert from 'node:assert/strict';
import { fitLogistic, rocAuc } from '../../../../src/analysis/changeRisk/logistic';
import { boostedContributions, boostedLogOdds, fitBoostedTrees } from '../../../../src/analysis/changeRisk/boostedTrees';
import { candidateDesigns, changeLogOdds, chooseDesign, explainScore, fitChangeRiskModel, laPredictScores, scoreChange, validationBlocks } from '../../../../src/analysis/changeRisk/model';
import { shippedLogistic, shippedModelFor } from '../../../../src/analysis/changeRisk/shippedModel';
import type { ChangeMetrics } from '../../../../src/analysis/changeRisk/metrics';

/** A seeded generator, so every run sees the same synthetic commits. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function commit(over: Partial<ChangeMetrics> = {}): ChangeMetrics {
  return { ns: 1, nd: 1, nf: 1, entropy: 0, la: 10, ld: 2, lt: 200, fix: 0, ndev: 3, age: 30, nuc: 10, exp: 100, rexp: 10, sexp: 20, ...over };
}

/** Commits whose defect odds rise with log(la) and fall with experience, in time order. */
function history(n: number, seed: number): { metrics: ChangeMetrics[]; labels: number[] } {
  const r = seeded(seed);
  const metrics: ChangeMetrics[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const la = Math.floor(Math.exp(r() * 7));
    const exp = Math.floor(Math.exp(r() * 8));
    const m = commit({ la, ld: Math.floor(la * r()), exp, nf: 1 + Math.floor(r() * 5), lt: 50 + Math.floor(r() * 3000) });
    const z = -1 + 0.9 * (Math.log1p(la) - 3.5) - 0.4 * (Math.log1p(exp) - 4);
    metrics.push(m);
    labels.push(r() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { metrics, labels };
}

describe('change-risk model', function () {
  it('ROC AUC counts a tie between a positive and a negative as half', function () {
    assert.equal(rocAuc([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2]), 1);
    assert.equal(rocAuc([1, 0, 1, 0], [0.1, 0.9, 0.2, 0.8]), 0);
    assert.equal(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5);
    // (0.8 vs 0.8: half) + (0.8 vs 0.1: 1) + (0.3 vs 0.8: 0) + (0.3 vs 0.1: 1) = 2.5 of 4 pairs
    assert.equal(rocAuc([1, 0, 1, 0], [0.8, 0.8, 0.3, 0.1]), 0.625);
    assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])), 'one class only has no AUC');
  });

  it('logistic regression without penalty finds the closed-form answer of a binary feature', function () {
    // x = 0: 1 defect in 4; x = 1: 3 in 4. MLE: bias = logit(1/4), weight = logit(3/4) - logit(1/4).
    const x = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const fit = fitLogistic(x, y, { l2: 1e-9 });
    assert.ok(Math.abs(fit.bias - Math.log(1 / 3)) < 1e-6, `bias ${fit.bias}`);
    assert.ok(Math.abs(fit.weights[0] - 2 * Math.log(3)) < 1e-5, `weight ${fit.weights[0]}`);
  });

  it('the LApredict baseline ranks commits by lines added', function () {
    const { metrics, labels } = history(400, 1);
    const scores = laPredictScores(metrics.slice(0, 300), labels.slice(0, 300), metrics.slice(300));
    assert.equal(rocAuc(labels.slice(300), scores), rocAuc(labels.slice(300), metrics.slice(300).map((m) => m.la)));
  });

  it('boosted trees learn a threshold and their path contributions add up to the score', function () {
    const r = seeded(3);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 600; i++) {
      const row = [r() * 10, r() * 10];
      x.push(row);
      y.push(row[0] > 6 ? 1 : 0);
    }
    const model = fitBoostedTrees(x, y, { rounds: 40, depth: 2, learningRate: 0.3, minLeaf: 10, subsample: 1 });
    const test = [[2, 5], [8, 5], [5.5, 1], [6.5, 9]];
    const odds = test.map((row) => boostedLogOdds(model, row));
    assert.ok(odds[1] > 0 && odds[3] > 0 && odds[0] < 0 && odds[2] < 0, `log-odds ${odds.join(', ')}`);
    for (const row of test) {
      const { bias, contributions } = boostedContributions(model, row, 2);
      assert.ok(Math.abs(bias + contributions[0] + contributions[1] - boostedLogOdds(model, row)) < 1e-9);
      assert.ok(Math.abs(contributions[0]) > Math.abs(contributions[1]), 'the feature that decides carries the score');
    }
  });

  it('a fitted model scores a large change by an inexperienced author above a small one by a veteran, and says why', function () {
    const { metrics, labels } = history(1500, 5);
    const design = { relativeChurn: true, l2: 1, trees: 'shallow' as const, treeWeight: 0.3 };
    const model = fitChangeRiskModel(metrics, labels, design, 'synthetic');
    const big = commit({ la: 900, ld: 300, exp: 3, nf: 4 });
    const small = commit({ la: 3, ld: 1, exp: 2500 });
    assert.ok(scoreChange(model, big) > scoreChange(model, small) + 0.2, `${scoreChange(model, big)} vs ${scoreChange(model, small)}`);
    const why = explainScore(model, big);
    const total = why.bias + why.contributions.reduce((a, c) => a + c.contribution, 0);
    assert.ok(Math.abs(total - changeLogOdds(model, big)) < 1e-9, 'bias and contributions add up to the log-odds');
    assert.ok(/la/.test(why.contributions[0].feature), `the top reason is the added lines, not ${why.contributions[0].feature}`);
  });

  it('design selection validates on time-ordered blocks inside the rows it is given', function () {
    assert.deepEqual(validationBlocks(800), [{ from: 500, to: 600 }, { from: 600, to: 700 }, { from: 700, to: 800 }]);
    const { metrics, labels } = history(900, 9);
    const ranked = chooseDesign(metrics, labels);
    assert.equal(ranked.length, candidateDesigns.length);
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1].auc >= ranked[i].auc, 'best first');
    assert.ok(ranked[0].auc > 0.65, `the chosen design finds the signal (${ranked[0].auc})`);
    // Labels that are pure noise give no design a real edge: validation says so instead of inventing one.
    const noise = seeded(11);
    const noisy = chooseDesign(metrics, labels.map(() => (noise() < 0.3 ? 1 : 0)));
    assert.ok(noisy[0].auc < 0.62, `noise validates near 0.5 (${noisy[0].auc})`);
  });

  it('the shipped public-data model standardises with the repository\'s own commits', function () {
    const { metrics } = history(200, 13);
    const model = shippedModelFor(metrics);
    assert.equal(model.provenance, shippedLogistic.provenance);
    assert.ok(/public data/.test(model.provenance));
    assert.ok(scoreChange(model, commit({ la: 2000, ld: 400, nf: 12, ns: 3, nd: 6, entropy: 3 })) > scoreChange(model, commit({ la: 2, ld: 1 })));
    // Standardised on another repository's commits, the same change reads differently: the repository is the yardstick.
    const bigRepo = metrics.map((m) => ({ ...m, la: m.la * 50 }));
    assert.ok(scoreChange(shippedModelFor(bigRepo), commit({ la: 300 })) < scoreChange(model, commit({ la: 300 })));
  });
});
