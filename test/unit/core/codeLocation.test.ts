import * as assert from 'node:assert/strict';
import { formatLocation } from '../../../src/core/codeLocation';

describe('formatLocation', () => {
  it('names one line once and a range by its ends', () => {
    assert.equal(formatLocation({ path: 'services/payments/src/card-validation.js', startLine: 31, endLine: 31 }), 'services/payments/src/card-validation.js:31');
    assert.equal(formatLocation({ path: 'a.py', startLine: 27, endLine: 29 }), 'a.py:27-29');
  });
});
