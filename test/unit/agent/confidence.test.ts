import * as assert from 'node:assert/strict';
import { confidenceOf, MAX_CONFIDENCE, type DecisionFeatures } from '../../../src/agent/hypothesis/confidence';

const strong: DecisionFeatures = { score: 6, margin: 4, strongest: 2, against: 0, pieces: 5, nearTies: 0, locusAgrees: 1, locusShare: 1, hasTraces: 1 };

describe('the confidence of a decision (shipped weights)', () => {
  it('is never certain: overwhelming evidence stops at the cap', () => {
    assert.equal(confidenceOf({ ...strong, score: 60, margin: 50 }), MAX_CONFIDENCE);
    assert.ok(MAX_CONFIDENCE < 1);
  });

  it('falls when rivals score as high (near ties), when evidence counts against it, and when the failures start elsewhere', () => {
    const base = { ...strong, score: 2.9, margin: 0.1, strongest: 1 };
    const p = confidenceOf(base);
    assert.ok(confidenceOf({ ...base, nearTies: 2 }) < p - 0.1, 'two near ties');
    assert.ok(confidenceOf({ ...base, against: 2 }) < p, 'evidence against');
    assert.ok(confidenceOf({ ...base, locusAgrees: 0 }) < p, 'the failures start elsewhere');
    assert.ok(confidenceOf({ ...base, margin: 3 }) > p, 'a clear lead');
  });
});
