import * as assert from 'node:assert/strict';
import { anyGlobMatches, globMatch } from '../../../src/policy/glob';

/** Textbook dynamic-programming wildcard matcher: slow, obviously right, the reference. */
function reference(glob: string, value: string): boolean {
  const m = glob.length;
  const n = value.length;
  let prev = new Array<boolean>(n + 1).fill(false);
  prev[0] = true;
  for (let i = 1; i <= m; i++) {
    const cur = new Array<boolean>(n + 1).fill(false);
    const g = glob[i - 1];
    cur[0] = prev[0] && g === '*';
    for (let j = 1; j <= n; j++) {
      if (g === '*') cur[j] = cur[j - 1] || prev[j];
      else cur[j] = prev[j - 1] && (g === '?' || g === value[j - 1]);
    }
    prev = cur;
  }
  return prev[n];
}

// A small deterministic generator, so a failure names a reproducible case.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('globMatch', () => {
  it('matches like the reference matcher on 20,000 random patterns and values', () => {
    const rand = rng(9);
    const pick = (alphabet: string, max: number) => Array.from({ length: Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    for (let k = 0; k < 20_000; k++) {
      const glob = pick('ab-*?', 8);
      const value = pick('ab-', 12);
      assert.equal(globMatch(glob, value), reference(glob, value), `${JSON.stringify(glob)} vs ${JSON.stringify(value)}`);
    }
  });

  it('treats every other character literally', () => {
    assert.equal(globMatch('a.b', 'a.b'), true);
    assert.equal(globMatch('a.b', 'axb'), false);
    assert.equal(globMatch('[abc]', '[abc]'), true);
    assert.equal(globMatch('(x|y)+', '(x|y)+'), true);
    assert.equal(globMatch('^$\\', '^$\\'), true);
  });

  it('is case-insensitive when asked', () => {
    assert.equal(globMatch('prod*', 'PROD-EU'), false);
    assert.equal(globMatch('prod*', 'PROD-EU', { ignoreCase: true }), true);
    assert.equal(anyGlobMatches(['staging', 'PROD*'], 'prod', { ignoreCase: true }), true);
    assert.equal(anyGlobMatches(['x'], undefined), false);
  });

  it('the pattern that was exponential gives the right answers on long input', () => {
    const long = 'a-'.repeat(8000);
    assert.equal(globMatch('*-*-*-prod', long), false);
    assert.equal(globMatch('*-*-*-prod', `${long}prod`), true);
    assert.equal(globMatch('*a*a*a*a*a*b', 'a'.repeat(16000)), false);
  });
});
