// Hashes of a line's one-position skeletons: the line with one token left out. Lines that agree
// everywhere but at one position share a skeleton, which is how the miner sees that a position
// takes several values.

function hashToken(token: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * For each position q, two 32-bit hashes (at 2q and 2q+1) naming the line with q left out, and
 * q's `key=`, so values of different keys never share a slot. Rolling prefix and suffix hashes
 * keep this linear in the line.
 */
export function skeletonKeys(tokens: string[], tokenKeys: string[]): Int32Array {
  const n = tokens.length;
  const h1 = new Int32Array(n);
  const h2 = new Int32Array(n);
  for (let i = 0; i < n; i++) { h1[i] = hashToken(tokens[i], 2166136261); h2[i] = hashToken(tokens[i], 374761393); }
  const pre1 = new Int32Array(n + 1);
  const pre2 = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    pre1[i + 1] = Math.imul(pre1[i], 1000003) + h1[i];
    pre2[i + 1] = Math.imul(pre2[i], 999983) + h2[i];
  }
  const keys = new Int32Array(2 * n);
  let suf1 = n;
  let suf2 = n;
  for (let q = n - 1; q >= 0; q--) {
    const key = tokenKeys[q];
    const k1 = key ? hashToken(key, 2166136261) : 0;
    const k2 = key ? hashToken(key, 374761393) : 0;
    keys[2 * q] = (Math.imul(pre1[q] ^ Math.imul(suf1, 0x5bd1e995), 0x27d4eb2d) ^ k1 ^ q) & 0x3fffffff;
    keys[2 * q + 1] = Math.imul(pre2[q] + Math.imul(suf2, 0x165667b1), 0x2545f491) ^ k2 ^ Math.imul(q, 0x9e3779b1);
    suf1 = Math.imul(suf1, 1000033) + h1[q];
    suf2 = Math.imul(suf2, 999979) + h2[q];
  }
  return keys;
}
