// Distances between a reference sample and a current one, as plain numeric code. Definitions follow
// the reference implementations NannyML and Evidently call (scipy): ks_2samp's D, wasserstein_distance,
// jensenshannon with base 2, chi2_contingency's statistic (Yates' correction when it has one degree of
// freedom). PSI has no scipy function: ours is stated in psi() itself. Missing values (NaN) are
// dropped before any of them, as NannyML does.

/** Finite values only, sorted ascending: the form every continuous statistic below reads. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[j++] = values[i];
  return out.sort();
}

/**
 * The two-sample Kolmogorov–Smirnov statistic D = sup |F_ref(x) − F_cur(x)| over every x, both
 * samples sorted. Ties are stepped over together, so D is the same as scipy's ks_2samp.
 */
export function ksStatistic(refSorted: Float64Array, curSorted: Float64Array): number {
  const n = refSorted.length;
  const m = curSorted.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = refSorted[i] <= curSorted[j] ? refSorted[i] : curSorted[j];
    while (i < n && refSorted[i] === x) i++;
    while (j < m && curSorted[j] === x) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
}

/** The first Wasserstein distance between two empirical distributions: ∫ |F_ref − F_cur| dx. */
export function wassersteinDistance(refSorted: Float64Array, curSorted: Float64Array): number {
  const n = refSorted.length;
  const m = curSorted.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let area = 0;
  let x = Math.min(refSorted[0], curSorted[0]);
  while (i < n || j < m) {
    const next = j >= m || (i < n && refSorted[i] <= curSorted[j]) ? refSorted[i] : curSorted[j];
    area += Math.abs(i / n - j / m) * (next - x);
    x = next;
    while (i < n && refSorted[i] === x) i++;
    while (j < m && curSorted[j] === x) j++;
  }
  return area;
}

/** Jensen–Shannon distance (the square root of the divergence) in bits, as scipy's jensenshannon(p, q, base=2). */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`jensenShannonDistance: ${p.length} and ${q.length} bins`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  if (!(sp > 0) || !(sq > 0)) return Number.NaN;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const mid = (a + b) / 2;
    if (a > 0) js += a * Math.log2(a / mid);
    if (b > 0) js += b * Math.log2(b / mid);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Counts per category, keyed by the category's text. */
export function categoryCounts(values: ArrayLike<string | null | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === '') continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/** The union of categories in a fixed order (reference first, then new ones), and each side's counts on it. */
export function alignCategories(ref: Map<string, number>, cur: Map<string, number>): { categories: string[]; ref: number[]; cur: number[] } {
  const categories = [...ref.keys()];
  for (const k of cur.keys()) if (!ref.has(k)) categories.push(k);
  return { categories, ref: categories.map((c) => ref.get(c) ?? 0), cur: categories.map((c) => cur.get(c) ?? 0) };
}

/**
 * Pearson's chi-squared statistic of the 2×k contingency table (reference counts, current counts),
 * with Yates' continuity correction when the table has one degree of freedom (scipy's default), and
 * its p-value.
 */
export function chiSquaredContingency(refCounts: readonly number[], curCounts: readonly number[]): { statistic: number; dof: number; pValue: number } {
  const k = refCounts.length;
  const rowRef = refCounts.reduce((a, b) => a + b, 0);
  const rowCur = curCounts.reduce((a, b) => a + b, 0);
  const total = rowRef + rowCur;
  const cols: number[] = [];
  for (let i = 0; i < k; i++) cols.push(refCounts[i] + curCounts[i]);
  const used = cols.map((c, i) => ({ c, i })).filter((x) => x.c > 0);
  const dof = used.length - 1;
  if (total === 0 || rowRef === 0 || rowCur === 0 || dof <= 0) return { statistic: 0, dof: Math.max(0, dof), pValue: 1 };
  let stat = 0;
  for (const { c, i } of used) {
    for (const [observed, row] of [
      [refCounts[i], rowRef],
      [curCounts[i], rowCur],
    ] as const) {
      const expected = (row * c) / total;
      let diff = Math.abs(observed - expected);
      if (dof === 1) diff = Math.max(0, diff - 0.5);
      stat += (diff * diff) / expected;
    }
  }
  return { statistic: stat, dof, pValue: chiSquaredSurvival(stat, dof) };
}

/**
 * Population stability index over the reference's decile bins (the reference's own quantiles as
 * edges, the outer bins open-ended), each share floored at 1e-4 so an empty bin stays finite:
 * Σ (cur − ref) · ln(cur / ref). Categorical features use their categories as bins (psiOfCounts).
 */
export function psi(refSorted: Float64Array, curSorted: Float64Array, bins = 10): number {
  if (refSorted.length === 0 || curSorted.length === 0) return Number.NaN;
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) edges.push(quantileSorted(refSorted, b / bins));
  const unique = [...new Set(edges)];
  const refCounts = histogramOpen(refSorted, unique);
  const curCounts = histogramOpen(curSorted, unique);
  return psiOfCounts(refCounts, curCounts);
}

export function psiOfCounts(refCounts: readonly number[], curCounts: readonly number[]): number {
  const floor = 1e-4;
  const nr = refCounts.reduce((a, b) => a + b, 0);
  const nc = curCounts.reduce((a, b) => a + b, 0);
  if (nr === 0 || nc === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < refCounts.length; i++) {
    const r = Math.max(floor, refCounts[i] / nr);
    const c = Math.max(floor, curCounts[i] / nc);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/** Counts in (−∞, e0], (e0, e1], …, (e_last, ∞) of a sorted sample. */
function histogramOpen(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (b < edges.length && sorted[i] > edges[b]) b++;
    counts[b]++;
  }
  return counts;
}

/** numpy's default (linear) quantile of a sorted sample. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Upper tail of the chi-squared distribution: Q(dof/2, x/2), the regularised upper incomplete gamma. */
export function chiSquaredSurvival(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  return upperIncompleteGammaRegularised(dof / 2, x / 2);
}

// Numerical Recipes' series (x < a + 1) and continued fraction (otherwise); accurate to ~1e-12.
function upperIncompleteGammaRegularised(a: number, x: number): number {
  const gln = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let n = 0; n < 500; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - gln));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + a * Math.log(x) - gln) * h);
}

// Lanczos approximation (g = 7, n = 9).
function logGamma(z: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
