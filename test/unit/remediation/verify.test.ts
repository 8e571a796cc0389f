import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Verification } from '../../../src/remediation/plan';
import { ErrorRatioVerifier, VerifierSet, conditionHolds, pollVerification, type Verifier } from '../../../src/remediation/verify';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { EmbeddedSource } from '../../../src/sources/otlp/embeddedSource';
import { serverSpan } from '../otlp/helpers';
import { removeDir, tempDir } from './helpers';

describe('verification polling', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('verify')));
  afterEach(() => removeDir(dir));

  const v = (over: Partial<Verification> = {}): Verification => ({ description: 'queue depth under 10', signal: { kind: 'promql', query: 'queue_depth' }, condition: { op: '<', value: 10 }, timeoutMs: 2000, intervalMs: 50, ...over });
  // Reads a real file another process (here: a timer) changes, whatever the signal says.
  const fileVerifier = (file: string): Verifier => ({
    read: async () => {
      const text = fs.readFileSync(file, 'utf8').trim();
      const n = Number(text);
      if (text === '' || Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
      return n;
    },
  });

  it('polls until the value crosses the threshold', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, '250');
    const timer = setTimeout(() => fs.writeFileSync(file, '3'), 200);
    try {
      const r = await pollVerification(v(), fileVerifier(file));
      assert.equal(r.ok, true);
      assert.equal(r.lastValue, 3);
      assert.ok(r.samples.some((s) => s.value === 250), 'it saw the bad value first');
    } finally {
      clearTimeout(timer);
    }
  });

  it('says what it measured with units: a ratio reads as a percentage, not 0.004 < 0.05', async () => {
    const file = path.join(dir, 'ratio');
    fs.writeFileSync(file, '0.2');
    const timer = setTimeout(() => fs.writeFileSync(file, '0.004'), 150);
    try {
      const ratio = v({ description: 'payments error ratio back under 5%', condition: { op: '<', value: 0.05 }, unit: 'ratio' });
      const r = await pollVerification(ratio, fileVerifier(file));
      assert.equal(r.reason, 'payments error ratio back under 5%: 0.4 % < 5 %');
      fs.writeFileSync(file, '0.25');
      const failed = await pollVerification({ ...ratio, timeoutMs: 120 }, fileVerifier(file));
      assert.match(failed.reason, /did not hold within 120 ms \(last value 25 %, wanted < 5 %\)/);
    } finally {
      clearTimeout(timer);
    }
  });

  it('a verifier that cannot read keeps being retried, and the failure says no value was read', async () => {
    const r = await pollVerification(v({ timeoutMs: 300 }), fileVerifier(path.join(dir, 'missing')));
    assert.equal(r.ok, false);
    assert.match(r.reason, /no value could be read/);
    assert.ok(r.samples.length >= 2 && r.samples.every((s) => /ENOENT/.test(s.error ?? '')));
  });

  it('garbage values are errors, not numbers', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, 'NaN');
    const r = await pollVerification(v({ timeoutMs: 200 }), fileVerifier(file));
    assert.equal(r.ok, false);
    assert.match(r.samples[0].error ?? '', /not a number/);
  });

  it('stops when cancelled', async () => {
    const file = path.join(dir, 'depth');
    fs.writeFileSync(file, '99');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await pollVerification(v({ timeoutMs: 60_000, intervalMs: 20_000 }), fileVerifier(file), { signal: abort.signal });
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

describe('verifiers', () => {
  it('reads a service\'s error ratio from the embedded store, and says when there are no traces', async () => {
    const store = new TelemetryStore({ maxBytes: 8 * 1024 * 1024 });
    const now = Date.now();
    store.addSpans([...Array.from({ length: 30 }, (_, i) => serverSpan({ service: 'payments', end: now - 1000 - i * 100, error: i % 10 === 0 })), serverSpan({ service: 'checkout', end: now - 500, error: true })]);
    const source = new EmbeddedSource(store);
    try {
      const verifier = new ErrorRatioVerifier(source, () => now);
      assert.equal(await verifier.read({ kind: 'error-ratio', service: 'payments' }), 0.1);
      await assert.rejects(verifier.read({ kind: 'error-ratio', service: 'storefront' }), /no traces of storefront/);
      await assert.rejects(verifier.read({ kind: 'promql', query: 'up' }), /reads error ratios/);
    } finally {
      source.dispose();
    }
  });

  it('routes each signal to the verifier of its kind and names what is missing', async () => {
    const set = new VerifierSet({ 'error-ratio': { read: async () => 0.5 } });
    assert.equal(await set.read({ kind: 'error-ratio', service: 'x' }), 0.5);
    await assert.rejects(set.read({ kind: 'promql', query: 'up' }), /no Prometheus-compatible metric source/);
  });
});
