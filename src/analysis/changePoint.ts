// Dating when a metric started to change, so cause ranking can order series by who moved first.
// Binary segmentation on the mean (L2 cost, BIC-style penalty from a robust noise estimate) finds the
// strongest sustained shift; a one-sided CUSUM then walks back to where the shift began, so a ramp is
// dated at its foot rather than its middle. Isolated spikes are clipped first, since they are not onsets.
import type { MetricSeries } from '../core/model';
import { median } from './series/robust';

export interface Onset {
  /** Index into the caller's arrays of the first point of the change. */
  index: number;
  time: number;
  /** Size of the shift of the mean, in the series' units (always >= 0). */
  magnitude: number;
  direction: 'up' | 'down';
  /** The shift in noise units (robust standard deviations): how clear the change is. */
  strength: number;
}

export interface FindOnsetOptions {
  /**
   * Only points before this bound are used. A value at or above the first timestamp is a time bound
   * (timestamps are epoch ms); a smaller one is an index bound (exclusive).
   */
  before?: number;
  /** Only points at or after this time are used. */
  after?: number;
  /** A shift smaller than this many robust standard deviations is not a change. Default 3. */
  minStrength?: number;
  /** Shortest segment, in points, so that a blip is not an onset. Default 5. */
  minSegment?: number;
}


/** Noise level from the median absolute first difference: unaffected by steps and trends. */
export function robustNoiseSigma(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const diffs: number[] = [];
  for (let i = 1; i < values.length; i++) diffs.push(Math.abs(values[i] - values[i - 1]));
  return (1.4826 * median(diffs)) / Math.SQRT2;
}

/** Replaces a point that sits far from both its neighbourhoods' median with that median. */
function clipSpikes(x: number[], sigma: number): number[] {
  if (sigma <= 0 || x.length < 5) return x;
  const out = x.slice();
  for (let i = 0; i < x.length; i++) {
    const lo = Math.max(0, i - 2);
    const hi = Math.min(x.length, i + 3);
    const med = median(x.slice(lo, hi));
    if (Math.abs(x[i] - med) > 6 * sigma) out[i] = med;
  }
  return out;
}

interface Split {
  at: number; // first index of the right segment
  gain: number;
}

function bestSplit(pre: Float64Array, pre2: Float64Array, lo: number, hi: number, minSeg: number): Split | undefined {
  const n = hi - lo;
  if (n < 2 * minSeg) return undefined;
  const sum = pre[hi] - pre[lo];
  const cost = pre2[hi] - pre2[lo] - (sum * sum) / n;
  let best: Split | undefined;
  for (let k = lo + minSeg; k <= hi - minSeg; k++) {
    const s1 = pre[k] - pre[lo];
    const s2 = sum - s1;
    const n1 = k - lo;
    const n2 = hi - k;
    const c = pre2[hi] - pre2[lo] - (s1 * s1) / n1 - (s2 * s2) / n2;
    const gain = cost - c;
    if (!best || gain > best.gain) best = { at: k, gain };
  }
  return best;
}

/** Change points (first index of each new segment) by binary segmentation with a penalty. */
function binarySegmentation(x: number[], sigma: number, minSeg: number): number[] {
  const n = x.length;
  const pre = new Float64Array(n + 1);
  const pre2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pre[i + 1] = pre[i] + x[i];
    pre2[i + 1] = pre2[i] + x[i] * x[i];
  }
  // BIC-like: a split must explain more than ~3 log n noise variances.
  const penalty = 3 * Math.log(Math.max(n, 3)) * sigma * sigma;
  const cps: number[] = [];
  const stack: [number, number][] = [[0, n]];
  while (stack.length > 0) {
    const [lo, hi] = stack.pop()!;
    const s = bestSplit(pre, pre2, lo, hi, minSeg);
    if (!s || s.gain <= penalty) continue;
    cps.push(s.at);
    stack.push([lo, s.at], [s.at, hi]);
  }
  return cps.sort((a, b) => a - b);
}

/**
 * When did the strongest sustained change in the series begin? Undefined when the series is too
 * short or shows no shift of at least `minStrength` noise units. NaN and Infinity are skipped.
 */
export function findOnset(timestamps: readonly number[], values: readonly number[], opts: FindOnsetOptions = {}): Onset | undefined {
  const n = Math.min(timestamps.length, values.length);
  const minStrength = opts.minStrength ?? 3;
  const minSeg = Math.max(1, opts.minSegment ?? 5);
  let end = n;
  if (opts.before !== undefined && Number.isFinite(opts.before)) {
    if (n > 0 && opts.before >= timestamps[0]) {
      end = 0;
      while (end < n && timestamps[end] < opts.before) end++;
    } else end = Math.max(0, Math.min(n, Math.floor(opts.before)));
  }
  const idx: number[] = [];
  const x: number[] = [];
  for (let i = 0; i < end; i++) {
    if (!Number.isFinite(values[i]) || !Number.isFinite(timestamps[i])) continue;
    if (opts.after !== undefined && timestamps[i] < opts.after) continue;
    idx.push(i);
    x.push(values[i]);
  }
  if (x.length < 2 * minSeg) return undefined;
  let sigma = robustNoiseSigma(x);
  // A noiseless series still needs a scale; use a sliver of its level so exact steps are found.
  if (!(sigma > 0)) sigma = Math.max(1e-12, 1e-6 * Math.max(...x.map(Math.abs)));
  const clean = clipSpikes(x, sigma);
  const cps = binarySegmentation(clean, sigma, minSeg);
  if (cps.length === 0) return undefined;

  // The strongest shift between adjacent segments.
  const bounds = [0, ...cps, clean.length];
  const segMean = (a: number, b: number): number => {
    let s = 0;
    for (let i = a; i < b; i++) s += clean[i];
    return s / (b - a);
  };
  let best: { k: number; before: number; after: number; strength: number } | undefined;
  for (let j = 1; j < bounds.length - 1; j++) {
    const m1 = segMean(bounds[j - 1], bounds[j]);
    const m2 = segMean(bounds[j], bounds[j + 1]);
    const strength = Math.abs(m2 - m1) / sigma;
    if (!best || strength > best.strength) best = { k: j, before: m1, after: m2, strength };
  }
  if (!best || best.strength < minStrength) return undefined;

  const dir = best.after > best.before ? 1 : -1;
  // A ramp comes out of binary segmentation as a staircase of short segments stepping the same way:
  // walk back over them so the change is measured from the level before the ramp.
  const shortSeg = Math.max(3 * minSeg, Math.floor(0.1 * clean.length));
  let k0 = best.k;
  while (k0 >= 2 && bounds[k0] - bounds[k0 - 1] <= shortSeg) {
    const prevStep = segMean(bounds[k0 - 1], bounds[k0]) - segMean(bounds[k0 - 2], bounds[k0 - 1]);
    if (Math.sign(prevStep) !== dir) break;
    k0--;
  }
  const segStart = bounds[k0 - 1];
  const cp = bounds[k0];
  const segEnd = bounds[best.k + 1];
  const before = segMean(segStart, cp);
  const shift = Math.abs(best.after - before);
  // Baseline: the median of the earlier segment's first half, before any ramp has begun.
  const baseline = median(clean.slice(segStart, Math.max(segStart + 1, segStart + ((cp - segStart) >> 1))));
  // The slack grows with the shift so that noise does not accumulate before a big step, but stays
  // small enough to catch the foot of a ramp.
  const slack = Math.max(0.5 * sigma, shift / 8);
  const alarm = Math.max(4 * sigma, shift / 2);
  let g = 0;
  let lastZero = segStart;
  let onset = cp;
  for (let i = segStart; i < segEnd; i++) {
    g = Math.max(0, g + dir * (clean[i] - baseline) - slack);
    if (g === 0) lastZero = i + 1;
    // Excursions that end before the change are noise; the run that carries through it is the onset.
    else if (g > alarm && i >= cp) {
      onset = Math.min(lastZero, cp);
      break;
    }
  }
  // A few noisy points that happen to lean the new way just before a step are not its start: move
  // the onset before the change point only when those points clearly left the baseline.
  if (onset < cp) {
    let lean = 0;
    for (let i = onset; i < cp; i++) lean += dir * (clean[i] - baseline);
    if (lean / (cp - onset) < Math.max(sigma, shift / 8)) onset = cp;
  }
  const at = Math.min(onset, clean.length - 1);
  return {
    index: idx[at],
    time: timestamps[idx[at]],
    magnitude: shift,
    direction: dir > 0 ? 'up' : 'down',
    strength: shift / sigma,
  };
}

export interface RankedOnset {
  seriesId: string;
  /** Time of the onset (epoch ms). */
  onset: number;
  magnitude: number;
  /** Strength of the change in robust noise units: larger is clearer. */
  score: number;
  direction: 'up' | 'down';
}

/**
 * Series that changed within the window, earliest onset first (who moved first is the likelier
 * cause); equal onsets put the clearer change first. Series without a clear change are left out.
 */
export function rankSeriesByOnset(series: readonly MetricSeries[], window?: { start: number; end: number }): RankedOnset[] {
  const out: RankedOnset[] = [];
  for (const s of series) {
    const onset = findOnset(s.timestamps, s.values, window ? { after: window.start, before: window.end + 1 } : {});
    if (!onset) continue;
    out.push({ seriesId: s.id, onset: onset.time, magnitude: onset.magnitude, score: onset.strength, direction: onset.direction });
  }
  return out.sort((a, b) => a.onset - b.onset || b.score - a.score || a.seriesId.localeCompare(b.seriesId));
}
