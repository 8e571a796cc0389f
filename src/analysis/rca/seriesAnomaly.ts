// How strongly one metric series departs from its own baseline inside an incident window, and when
// it started to. Robust statistics only (median / MAD): baselines of production metrics are
// full of spikes, gaps and flat stretches.
import type { MetricSeries } from '../../core/model';
import { medianOfSorted as median } from '../series/robust';

export type Direction = 'up' | 'down' | 'both';

export interface SeriesAnomalyOptions {
  /** Points at or after this time are the incident; earlier points are the baseline. */
  testStart: number;
  testEnd: number;
  /** Which way is bad; by default guessed from the series name and unit (see directionOf). */
  direction?: Direction;
  /**
   * Where the normal level comes from: 'history' (default) is the points before testStart;
   * 'windowStart' is the first third of the window, with history used only for the relative
   * spread (for history recorded at another time or under another configuration).
   */
  levelFrom?: 'history' | 'windowStart';
  /** z at which a point counts as anomalous for the onset (default 3). */
  onsetZ?: number;
  /** z below which a departure is noise: strength 0 (default 2). */
  noiseZ?: number;
  /** z at which strength reaches 1 (default 50). */
  fullZ?: number;
}

export interface SeriesAnomaly {
  seriesId: string;
  /**
   * 0..1 on a log scale between noiseZ and fullZ, so that strengths stay comparable across
   * orders of magnitude (z 5 vs z 100 must not both read as "1").
   */
  strength: number;
  /** Robust z of the typical anomalous point (mean of the two largest in the bad direction). */
  z: number;
  /** testPeak over the baseline median (NaN when the baseline median is 0). */
  ratio: number;
  baselineMedian: number;
  testPeak: number;
  direction: Direction;
  /** Start of the excursion in which the series first passed onsetZ. */
  onset?: number;
  baselinePoints: number;
  /** True when there was too little history and the first test points stood in for a baseline. */
  borrowedBaseline: boolean;
}

const MIN_BASELINE = 3;
/** Within this many units of spread, a point is back at its normal level. */
const FOOT_Z = 1;

/**
 * Which way a series goes wrong: latency, durations and errors rise; availability and success
 * fall; anything else (traffic, saturation) counts both ways.
 */
export function directionOf(s: Pick<MetricSeries, 'name' | 'unit' | 'labels'>): Direction {
  const text = `${s.name ?? ''} ${s.unit ?? ''} ${s.labels?.metric ?? ''}`.toLowerCase();
  if (/availab|success|apdex|uptime|goodput|\bok\b/.test(text)) return 'down';
  if (/latenc|duration|\btime\b|_seconds|\bms\b|error|fail|fault|5xx|exception|timeout|reject|drop/.test(text)) return 'up';
  return 'both';
}


function sortedCopy(xs: number[]): Float64Array {
  const a = Float64Array.from(xs);
  a.sort();
  return a;
}

/**
 * A robust standard deviation: 1.4826 x the median absolute deviation, or the 90th percentile
 * of absolute deviations / 1.645 when that is larger. The second catches series that sit flat
 * most of the time but dip routinely (availability at 100% with regular small dips), whose MAD
 * is 0; a rare spike (under 10% of points) still moves neither.
 */
function robustSpread(xs: number[], center: number): number {
  const dev = sortedCopy(xs.map((v) => Math.abs(v - center)));
  if (dev.length === 0) return 0;
  const q90 = dev[Math.min(dev.length - 1, Math.floor(0.9 * (dev.length - 1)))];
  return Math.max(1.4826 * median(dev), q90 / 1.645);
}

/** 100 or 1 when every value is a share of that ceiling (a success ratio), else undefined. */
function proportionCap(base: number[], test: { v: number }[]): number | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of base) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const p of test) {
    if (p.v < lo) lo = p.v;
    if (p.v > hi) hi = p.v;
  }
  if (lo < 0) return undefined;
  if (hi <= 1) return 1;
  if (hi <= 100) return 100;
  return undefined;
}

function isCountLike(v: number): boolean {
  return v >= 0 && Number.isInteger(v);
}

export function seriesAnomaly(s: MetricSeries, opts: SeriesAnomalyOptions): SeriesAnomaly | undefined {
  const onsetZ = opts.onsetZ ?? 3;
  const noiseZ = opts.noiseZ ?? 2;
  const fullZ = Math.max(noiseZ + 1, opts.fullZ ?? 50);
  const direction = opts.direction ?? directionOf(s);
  const ts = Array.isArray(s.timestamps) ? s.timestamps : [];
  const vs = Array.isArray(s.values) ? s.values : [];
  const pts: { t: number; v: number }[] = [];
  const n = Math.min(ts.length, vs.length);
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    const v = vs[i];
    if (typeof t === 'number' && typeof v === 'number' && Number.isFinite(t) && Number.isFinite(v)) pts.push({ t, v });
  }
  // Most sources return sorted points; sort only when they do not.
  for (let i = 1; i < pts.length; i++) {
    if (pts[i].t < pts[i - 1].t) {
      pts.sort((a, b) => a.t - b.t);
      break;
    }
  }
  let base: number[] = [];
  let test: { t: number; v: number }[] = [];
  for (const p of pts) {
    if (p.t < opts.testStart) base.push(p.v);
    else if (p.t <= opts.testEnd) test.push(p);
  }
  if (test.length === 0) return undefined;
  let borrowed = false;
  let level: number;
  let scale: number;
  const countLike = base.every(isCountLike) && test.every((p) => isCountLike(p.v));
  const cap = direction === 'down' ? proportionCap(base, test) : undefined;
  // The smallest change that counts as one unit of spread, as a share `rel` of the level. For a
  // success ratio the room that matters is the distance to its ceiling: 100% -> 99% is an error
  // rate going from 0 to 1%, not a 1% wiggle.
  const levelFloor = (rel: number, lvl: number) =>
    cap !== undefined ? rel * Math.max(cap - lvl, 0.01 * cap) : rel * Math.abs(lvl);
  if (base.length < MIN_BASELINE || opts.levelFrom === 'windowStart') {
    // The level comes from the first third of the window (at least one point), which is recent
    // and, in a window that opens before the incident, still normal.
    const k = Math.max(1, Math.floor(test.length / 3));
    if (test.length <= k) return undefined;
    const ref = test.slice(0, k).map((p) => p.v);
    test = test.slice(k);
    level = median(sortedCopy(ref));
    const refSpread = robustSpread(ref, level);
    if (base.length >= MIN_BASELINE) {
      // History tells how noisy the series is, relative to its level (a ratio's spread is
      // already on a fixed scale).
      const hMed = median(sortedCopy(base));
      const hSpread = robustSpread(base, hMed);
      const fromHistory = cap === undefined && hMed !== 0 ? (hSpread / Math.abs(hMed)) * Math.abs(level) : hSpread;
      scale = Math.max(fromHistory, refSpread, levelFloor(0.01, level));
    } else {
      // So few points cannot estimate a spread: assume at least 10% of the level.
      borrowed = true;
      scale = Math.max(refSpread, levelFloor(0.1, level));
    }
    base = ref;
  } else {
    level = median(sortedCopy(base));
    // Floors keep a flat baseline from turning noise into an infinite z.
    scale = Math.max(robustSpread(base, level), levelFloor(base.length < 10 ? 0.1 : 0.01, level));
  }
  // Counts (requests per interval) are at least Poisson-noisy: 0 -> 3 requests is not an event.
  if (countLike) scale = Math.max(scale, Math.sqrt(Math.max(1, Math.abs(level))));
  scale = Math.max(scale, 1e-9);
  const med = level;
  const bad = (v: number) => {
    const z = (v - med) / scale;
    return direction === 'up' ? z : direction === 'down' ? -z : Math.abs(z);
  };
  const zs = test.map((p) => bad(p.v));
  const top = zs.slice().sort((a, b) => b - a);
  const z = Math.max(0, top.length > 1 ? (top[0] + top[1]) / 2 : top[0]);
  // The first crossing of onsetZ dates a slow ramp late; walk back to the start of the excursion
  // that led to it (the point after the series was last within one unit of its level).
  let onset: number | undefined;
  for (let i = 0; i < test.length; i++) {
    if (zs[i] >= onsetZ) {
      let j = i;
      while (j > 0 && zs[j - 1] >= FOOT_Z) j--;
      onset = test[j].t;
      break;
    }
  }
  let peak = test[0].v;
  let peakZ = -Infinity;
  for (let i = 0; i < test.length; i++) {
    if (zs[i] > peakZ) {
      peakZ = zs[i];
      peak = test[i].v;
    }
  }
  return {
    seriesId: s.id,
    strength: Math.min(1, Math.max(0, (Math.log1p(z) - Math.log1p(noiseZ)) / (Math.log1p(fullZ) - Math.log1p(noiseZ)))),
    z,
    ratio: med !== 0 ? peak / med : NaN,
    baselineMedian: med,
    testPeak: peak,
    direction,
    ...(onset !== undefined ? { onset } : {}),
    baselinePoints: base.length,
    borrowedBaseline: borrowed,
  };
}
