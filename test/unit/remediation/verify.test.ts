import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Verification } from '../../../src/remediation/plan';
import { conditionHolds, pollVerification } from '../../../src/remediation/verify';
import { removeDir, tempDir } from './helpers';

describe('verification polling', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('verify')));
  afterEach(() => removeDir(dir));

  const v = (file: string, over: Partial<Verification> = {}): Verification => ({ description: 'queue depth under 10', query: file, condition: { op: '<', value: 10 }, timeoutMs: 2000, intervalMs: 50, ...over });
  // Reads a real file another process (here: a timer) changes.
  const fileVerifier = async (x: Verification) => {
    const text = fs.readFileSync(x.query, 'utf8').trim();
    const n = Number(text);
    if (text === '' || Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
    return n;
  };

  it('polls until the value crosses the threshold', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, '250');
    const timer = setTimeout(() => fs.writeFileSync(file, '3'), 200);
    try {
      const r = await pollVerification(v(file), fileVerifier);
      assert.equal(r.ok, true);
      assert.equal(r.lastValue, 3);
      assert.ok(r.samples.some((s) => s.value === 250), 'it saw the bad value first');
    } finally {
      clearTimeout(timer);
    }
  });

  it('a verifier that cannot read keeps being retried, and the failure says no value was read', async () => {
    const r = await pollVerification(v(path.join(dir, 'missing'), { timeoutMs: 300 }), fileVerifier);
    assert.equal(r.ok, false);
    assert.match(r.reason, /no value could be read/);
    assert.ok(r.samples.length >= 2 && r.samples.every((s) => /ENOENT/.test(s.error ?? '')));
  });

  it('garbage values are errors, not numbers', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, 'NaN');
    const r = await pollVerification(v(file, { timeoutMs: 200 }), fileVerifier);
    assert.equal(r.ok, false);
    assert.match(r.samples[0].error ?? '', /not a number/);
  });

  it('stops when cancelled', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, '99');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await pollVerification(v(file, { timeoutMs: 60_000, intervalMs: 20_000 }), fileVerifier, { signal: abort.signal });
    assert.equal(r.ok, false);
    assert.match(r.reason, /cancelled/);
  });

  it('comparison operators', () => {
    assert.deepEqual(
      [conditionHolds(1, '<', 2), conditionHolds(2, '<', 2), conditionHolds(2, '<=', 2), conditionHolds(3, '>', 2), conditionHolds(2, '>', 2), conditionHolds(2, '>=', 2)],
      [true, false, true, true, false, true],
    );
  });
});
