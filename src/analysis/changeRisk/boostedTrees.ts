// Gradient-boosted regression trees for binary log-loss (Friedman 2001, with the second-order leaf
// values of XGBoost): features cut into quantile bins once, depth-limited trees, shrinkage and
// deterministic row subsampling. Small and dependency-free: a few thousand to a few tens of thousands
// of commits with a few dozen features. Every tree is plain data, and a score splits exactly into
// per-feature contributions along each tree's path (Saabas), which is what the factors show.

export interface BoostingOptions {
  rounds: number;
  depth: number;
  learningRate: number;
  /** Fewest rows in a leaf. */
  minLeaf: number;
  /** Share of rows each tree sees (1 = all), drawn by a seeded generator. */
  subsample: number;
  /** Quantile bins per feature; at most 255. */
  bins?: number;
  seed?: number;
}

/** Nodes in preorder; a leaf has feature -1. `value` is the shrunk Newton value at every node. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface BoostedTrees {
  /** Log-odds of the training base rate. */
  base: number;
  trees: RegressionTree[];
}

const LAMBDA = 1; // L2 on leaf values: keeps a leaf of few rows from taking an extreme value

export function fitBoostedTrees(x: readonly (readonly number[])[], y: readonly number[], opts: BoostingOptions): BoostedTrees {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const positives = y.filter((v) => v > 0).length;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, n)));
  const base = Math.log(rate / (1 - rate));
  if (!n || !d) return { base, trees: [] };
  const { edges, binned } = binColumns(x, Math.min(255, opts.bins ?? 32));
  const f = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: RegressionTree[] = [];
  let state = (opts.seed ?? 1) >>> 0 || 1;
  const random = (): number => {
    // xorshift32: the same rows for the same seed, on every machine
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  const rows = new Int32Array(n);
  for (let t = 0; t < opts.rounds; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-f[i]));
      g[i] = p - (y[i] > 0 ? 1 : 0);
      h[i] = Math.max(p * (1 - p), 1e-6);
    }
    let m = 0;
    for (let i = 0; i < n; i++) if (opts.subsample >= 1 || random() < opts.subsample) rows[m++] = i;
    const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    growNode(tree, rows, 0, m, 0, { g, h, binned, edges, n, d, opts });
    trees.push(tree);
    for (let i = 0; i < n; i++) f[i] += treeValue(tree, x[i]);
  }
  return { base, trees };
}

interface GrowContext {
  g: Float64Array;
  h: Float64Array;
  binned: Uint8Array;
  edges: number[][];
  n: number;
  d: number;
  opts: BoostingOptions;
}

function growNode(tree: RegressionTree, rows: Int32Array, from: number, to: number, depth: number, c: GrowContext): number {
  let gSum = 0;
  let hSum = 0;
  for (let k = from; k < to; k++) {
    gSum += c.g[rows[k]];
    hSum += c.h[rows[k]];
  }
  const id = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push((-gSum / (hSum + LAMBDA)) * c.opts.learningRate);
  const count = to - from;
  if (depth >= c.opts.depth || count < 2 * c.opts.minLeaf) return id;
  const parentScore = (gSum * gSum) / (hSum + LAMBDA);
  let bestGain = 1e-12;
  let bestFeature = -1;
  let bestBin = -1;
  for (let j = 0; j < c.d; j++) {
    const nb = c.edges[j].length + 1;
    if (nb < 2) continue;
    const gh = new Float64Array(nb);
    const hh = new Float64Array(nb);
    const ch = new Int32Array(nb);
    const col = j * c.n;
    for (let k = from; k < to; k++) {
      const i = rows[k];
      const b = c.binned[col + i];
      gh[b] += c.g[i];
      hh[b] += c.h[i];
      ch[b]++;
    }
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < nb - 1; b++) {
      gl += gh[b];
      hl += hh[b];
      cl += ch[b];
      if (cl < c.opts.minLeaf) continue;
      if (count - cl < c.opts.minLeaf) break;
      const gr = gSum - gl;
      const hr = hSum - hl;
      const gain = (gl * gl) / (hl + LAMBDA) + (gr * gr) / (hr + LAMBDA) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestFeature = j;
        bestBin = b;
      }
    }
  }
  if (bestFeature < 0) return id;
  // Partition rows[from, to) in place: bins <= bestBin first.
  const col = bestFeature * c.n;
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    if (c.binned[col + rows[lo]] <= bestBin) lo++;
    else {
      const tmp = rows[lo];
      rows[lo] = rows[hi];
      rows[hi] = tmp;
      hi--;
    }
  }
  tree.feature[id] = bestFeature;
  tree.threshold[id] = c.edges[bestFeature][bestBin];
  tree.left[id] = growNode(tree, rows, from, lo, depth + 1, c);
  tree.right[id] = growNode(tree, rows, lo, to, depth + 1, c);
  return id;
}

/** Quantile cut points per column (value <= edge goes left) and each row's bin, column-major. */
function binColumns(x: readonly (readonly number[])[], bins: number): { edges: number[][]; binned: Uint8Array } {
  const n = x.length;
  const d = x[0].length;
  const edges: number[][] = [];
  const binned = new Uint8Array(n * d);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = x[i][j];
    const sorted = Float64Array.from(column).sort();
    const e: number[] = [];
    for (let b = 1; b < bins; b++) {
      const q = sorted[Math.min(n - 1, Math.floor((b * n) / bins))];
      // A cut at the maximum would send everything left.
      if (q < sorted[n - 1] && (!e.length || q > e[e.length - 1])) e.push(q);
    }
    edges.push(e);
    for (let i = 0; i < n; i++) binned[j * n + i] = binIndex(e, column[i]);
  }
  return { edges, binned };
}

function binIndex(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function treeValue(t: RegressionTree, row: readonly number[]): number {
  let k = 0;
  while (t.feature[k] >= 0) k = row[t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
  return t.value[k];
}

/** Log-odds of a row. */
export function boostedLogOdds(model: BoostedTrees, row: readonly number[]): number {
  let z = model.base;
  for (const t of model.trees) z += treeValue(t, row);
  return z;
}

/**
 * The log-odds split into a bias and one contribution per feature: along each tree's path, the change
 * of the node value at a split is credited to the split's feature. bias + sum(contributions) = log-odds.
 */
export function boostedContributions(model: BoostedTrees, row: readonly number[], features: number): { bias: number; contributions: number[] } {
  const contributions = new Array<number>(features).fill(0);
  let bias = model.base;
  for (const t of model.trees) {
    let k = 0;
    bias += t.value[0];
    while (t.feature[k] >= 0) {
      const next = row[t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
      contributions[t.feature[k]] += t.value[next] - t.value[k];
      k = next;
    }
  }
  return { bias, contributions };
}
