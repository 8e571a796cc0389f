// The drift statistics against values scipy 1.17.1 printed for the same samples (ks_2samp,
// wasserstein_distance, jensenshannon(base=2), chi2_contingency, Mann–Whitney U for ROC AUC).
import * as assert from 'node:assert/strict';
import { chiSquaredContingency, jensenShannonDistance, ksStatistic, psi, sortedFinite, wassersteinDistance } from '../../../../src/analysis/drift/statistics';
import { estimatedRocAuc, IsotonicCalibrator, realizedMetric, rocAuc } from '../../../../src/analysis/drift/performance';

const a = [1, 2, 2, 3, 4, 5, 5, 5, 7, 9.5];
const b = [2, 2, 3, 3, 3, 6, 8, 8, 10, 11, 12];
const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not ${expected}`);

describe('drift statistics', () => {
  it('KS D of two samples with ties equals scipy ks_2samp', () => {
    close(ksStatistic(sortedFinite(a), sortedFinite(b)), 0.35454545454545455);
    assert.equal(ksStatistic(sortedFinite(a), sortedFinite(a)), 0);
    assert.equal(ksStatistic(sortedFinite([1, 2]), sortedFinite([3, 4])), 1);
  });

  it('drops missing values before comparing, as NannyML does', () => {
    close(ksStatistic(sortedFinite([...a, NaN, NaN]), sortedFinite([NaN, ...b])), 0.35454545454545455);
  });

  it('Wasserstein distance equals scipy wasserstein_distance', () => {
    close(wassersteinDistance(sortedFinite(a), sortedFinite(b)), 1.940909090909091);
    close(wassersteinDistance(sortedFinite([0, 0]), sortedFinite([5, 5])), 5);
  });

  it('Jensen–Shannon distance in bits equals scipy jensenshannon(base=2)', () => {
    close(jensenShannonDistance([10, 20, 30, 40], [40, 30, 20, 10]), 0.3918681606471551);
    assert.equal(jensenShannonDistance([1, 0], [0, 1]), 1);
  });

  it('chi-squared of a 2×3 table, and of a 2×2 one with Yates correction, equal scipy chi2_contingency', () => {
    const wide = chiSquaredContingency([30, 10, 5], [20, 25, 15]);
    close(wide.statistic, 11.520833333333336, 1e-10);
    assert.equal(wide.dof, 2);
    close(wide.pValue, 0.0031497989087744247, 1e-10);
    const square = chiSquaredContingency([30, 10], [20, 25]);
    close(square.statistic, 6.949930555555551, 1e-10);
    close(square.pValue, 0.00838224869725173, 1e-9);
  });

  it('PSI is 0 for the same distribution and grows with a shift', () => {
    const ref = sortedFinite(Array.from({ length: 1000 }, (_, i) => i));
    assert.ok(psi(ref, ref) < 1e-12);
    const shifted = sortedFinite(Array.from({ length: 1000 }, (_, i) => i + 300));
    const far = sortedFinite(Array.from({ length: 1000 }, (_, i) => i + 800));
    assert.ok(psi(ref, shifted) > 0.2, `PSI of a 30% shift: ${psi(ref, shifted)}`);
    assert.ok(psi(ref, far) > psi(ref, shifted));
  });
});

describe('performance per chunk', () => {
  const scores = [0.1, 0.4, 0.35, 0.8, 0.8, 0.2, 0.9, 0.8];
  const labels = [0, 0, 1, 1, 0, 0, 1, 1];

  it('ROC AUC counts tied scores one half (Mann–Whitney U / n₁n₀ from scipy: 0.8125)', () => {
    close(rocAuc(scores, labels), 0.8125);
    assert.ok(Number.isNaN(rocAuc([0.2, 0.3], [1, 1])), 'one class only has no ROC AUC');
  });

  it('accuracy, F1, precision and recall from the decisions', () => {
    const label = [0, 1, 0, 1, 1, 0, 1, 1];
    assert.equal(realizedMetric('accuracy', { label, target: labels }), 5 / 8);
    assert.equal(realizedMetric('precision', { label, target: labels }), 3 / 5);
    assert.equal(realizedMetric('recall', { label, target: labels }), 3 / 4);
    close(realizedMetric('f1', { label, target: labels }), (2 * 3) / (2 * 3 + 2 + 1));
    assert.equal(realizedMetric('mae', { score: [1, 2, 4], target: [1, 3, 1] }), 4 / 3);
  });

  it('isotonic calibration pools violators and interpolates between fitted points', () => {
    const cal = new IsotonicCalibrator([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    // (0.2 → 1, 0.3 → 0) violate the order and are pooled to 0.5.
    assert.equal(cal.calibrate(0.1), 0);
    assert.equal(cal.calibrate(0.2), 0.5);
    assert.equal(cal.calibrate(0.3), 0.5);
    assert.equal(cal.calibrate(0.4), 1);
    close(cal.calibrate(0.35), 0.75);
    assert.equal(cal.calibrate(-1), 0, 'clipped below');
    assert.equal(cal.calibrate(2), 1, 'clipped above');
  });

  it('the CBPE estimate of ROC AUC is high for confident probabilities and 0.5 for uninformative ones', () => {
    close(estimatedRocAuc([0.5, 0.5, 0.5, 0.5]), 0.5);
    assert.ok(estimatedRocAuc([0.01, 0.02, 0.98, 0.99]) > 0.97);
    assert.ok(estimatedRocAuc([0.3, 0.4, 0.6, 0.7]) < estimatedRocAuc([0.1, 0.2, 0.8, 0.9]));
  });
});
