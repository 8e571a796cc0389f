import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../../src/core/logger';

describe('redactSecrets', () => {
  it('hides bearer tokens, passwords and credentials in URLs', () => {
    const out = redactSecrets('Authorization: Bearer abc.def.ghi token=s3cr3t http://admin:hunter2@grafana:3000/api');
    assert.ok(!out.includes('abc.def.ghi'), out);
    assert.ok(!out.includes('s3cr3t'), out);
    assert.ok(!out.includes('hunter2'), out);
    assert.ok(out.includes('grafana:3000/api'));
  });
  it('leaves ordinary text alone', () => {
    assert.equal(redactSecrets('checkout p95 latency 2.3s on route /pay'), 'checkout p95 latency 2.3s on route /pay');
  });
});
