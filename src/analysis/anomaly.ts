// Streaming anomaly scores for metric series. Each point's score uses only the series' own past.
//
// Features, each a robust "how unusual is this" number:
//   spike   the value against a slow, winsorised exponentially weighted level and spread
//   step    the first difference against its own slow spread
//   shift   a fast level against the slow one (a sustained level change)
//   noise   fast against slow mean absolute difference (the series got noisier or calmer)
//   season  the value against the same phase of recent periods (and its fast mean), once the past
//           shows a clear period and that period explains the series better than its plain level
//   context how unpredictable the point is from the one before: each point becomes a symbol (its
//           level and its step, each rounded to whole robust deviations), and a first-order Markov
//           model of the symbols, learnt as the series goes, scores the point's surprisal
//           -log P(symbol | previous symbol), smoothed over a few points.
// Calibration: a feature value scores by how long it has been since the series last saw one as large
// (its return period, capped at 1000 points, kept in O(1) amortised time by a monotone stack; a new
// record adds its margin over the last one), so one threshold means about the same rarity on any
// series whatever its scale or noise. What recurs at the same phase of the period, or at the same
// clock time a day earlier, is capped at that lag. The two most surprising features are combined, a
// fresh alarm damps weaker repeats of the same event for a while, and the result is squashed into
// [0, 1).
// Range novelty (the "spatial anomaly" of Numenta's NAB detector, made noise-aware): a value, or its
// fast level, beyond everything the series has done so far by more than `rangeSigmas` times its own
// point-to-point noise scores near 1 on its own. The noise scale, not a fraction of the range, sets
// the margin, so records of plain noise (which keep coming at a rate of about 1/t) stay quiet while a
// smooth series that leaves its range is flagged at once.
import type { MetricSeries } from '../core/model';
import { autocorrelationAt, estimatePeriod } from './periodicity';

export interface AnomalyDetectorOptions {
  /** Points scored 0 while the model learns. Default 60. */
  warmup?: number;
  /** Span (points) of the slow level and spreads: the "normal" a value is compared with. */
  slowSpan?: number;
  /** Span (points) of the fast level: a sustained shift shows as fast far from slow. */
  fastSpan?: number;
  /**
   * Points after an alarm during which a score not clearly above the alarm's is halved: the same
   * event keeps scoring high, and only its first alarm is news. Short, so that a second event soon
   * after a first still shows.
   */
  refractory?: number;
  /** Smallest feature value (log1p of a robust z-score) that counts as unusual at all. */
  minFeature?: number;
  /** Weight of the second most surprising feature, added to the first. */
  secondWeight?: number;
  /** Points either side of "one period ago" searched for the same event recurring. */
  seasonTolerance?: number;
  /** Weight of the noise-level feature. */
  noiseWeight?: number;
  /** Weight of the two seasonal features. */
  seasonWeight?: number;
  /**
   * Range novelty: how far (in the series' point-to-point noise, a robust standard deviation of the
   * step divided by sqrt 2) a value or its fast level must pass the range seen so far. 0 turns the
   * rule off.
   */
  rangeSigmas?: number;
}

/**
 * One configuration for every series. The settings that bench/nab.ts cross-validates (minFeature,
 * rangeSigmas) were chosen on the NAB subset in /work/shared/data/nab, as were the design constants
 * below, so NAB figures of this configuration are in-sample; the bench prints the cross-validated
 * ones beside them. rangeSigmas was also held to what keeps Gaussian noise quiet (the unit tests).
 */
export const DEFAULT_ANOMALY_OPTIONS: Readonly<Required<AnomalyDetectorOptions>> = {
  warmup: 60,
  slowSpan: 1500,
  fastSpan: 8,
  refractory: 100,
  minFeature: 1.6,
  secondWeight: 0.5,
  seasonTolerance: 6,
  noiseWeight: 2,
  seasonWeight: 1,
  rangeSigmas: 2.5,
};

/**
 * The score at which detectAnomalies starts a region. NAB's optimiser puts the standard profile's
 * threshold near 0.69-0.70, which tolerates a false alarm now and then on pure noise; regions are
 * shown to people, so the default is a little stricter.
 */
export const DEFAULT_REGION_THRESHOLD = 0.72;

/** The score of a range-novelty point: above any threshold NAB's optimiser or a region would use. */
export const RANGE_NOVELTY_SCORE = 0.99;
/**
 * Points a series has to show its range before leaving it counts: a smooth series still exploring
 * (and a wandering one, early on) widens its range all the time. Below NAB's probation period (15% of
 * a file, at least 186 points), so the benchmark does not see this setting.
 */
const RANGE_LEARN = 150;

const HISTORY = 2048;
/**
 * Feature values of the first points come from a model that has barely learnt (a spread estimated
 * from a handful of points), so they are not compared with later ones: a start-up "record" would
 * otherwise make a real event soon after the warm-up look ordinary.
 */
const RETURN_PERIOD_LEARN = 30;
/** Within the refractory period a new alarm must beat the last one by this much (score units). */
const REALARM_MARGIN = 0.01;
const SEASON_WARMUP = 60;
/** A record's excess over the previous record, in log units, adds this much surprise. */
const RECORD_BONUS = 3;
/** Surprise (nats) that maps to a score of 1 - 1/e. */
const SURPRISE_SCALE = 8;
const MAX_STACK = 8192;
const FEATURES = 7;
/** Level and step are each rounded to -3..3 robust deviations, so 49 symbols. */
const CONTEXT_LEVELS = 3;
const CONTEXT_AXIS = 2 * CONTEXT_LEVELS + 1;
const CONTEXT_SYMBOLS = CONTEXT_AXIS * CONTEXT_AXIS;
/** Span (points) over which the surprisal is averaged: one odd point is less telling than a run. */
const CONTEXT_SPAN = 4;
/** Weight of the context surprisal (nats) against the log1p(z) features. */
const CONTEXT_WEIGHT = 0.5;
/** Every this many points the transition counts shrink, so the model follows a changed regime. */
const CONTEXT_FORGET_EVERY = 1000;
const CONTEXT_FORGET = 0.9;
/** A feature value at least this fraction of the one a period ago (same phase) is a recurrence. */
const SEASONAL_RECURRENCE = 0.9;
/**
 * Beyond this many points "not seen for this long" is as rare as it gets, so only a record's margin
 * ranks it further; without the cap a long series' records outrank a short series' by length alone.
 */
const RETURN_PERIOD_CAP = 1000;
const PERIOD_SEARCH = 256;
const PERIOD_RECHECK = 1024;
/**
 * A re-check replaces the period only if the new one's autocorrelation beats the current one's by
 * this much: in a series with several near-periods the choice would otherwise flip, and every flip
 * restarts the seasonal model.
 */
const PERIOD_SWITCH_MARGIN = 0.05;
/**
 * The seasonal features count only while the seasonal residual's spread is below this fraction of
 * the plain level's spread, that is while the period predicts the series better than its mean does.
 */
const SEASON_EXPLAINS = 0.6;
const DAY_MS = 86_400_000;
/** Recent time steps kept to estimate the sampling interval (their median). */
const STEP_RING = 15;

/** Exponentially weighted level and mean absolute deviation whose updates are clipped at 4 spreads. */
class RobustEwm {
  level = 0;
  spread = 0;
  count = 0;
  constructor(private readonly span: number) {}
  /** Residual of x against the state before x, in (normal-equivalent) standard deviations. */
  z(x: number, floor: number): number {
    if (this.count === 0) return 0;
    return (x - this.level) / this.scale(floor);
  }
  scale(floor: number): number {
    return Math.max(this.spread * 1.2533, floor);
  }
  update(x: number): void {
    this.count++;
    if (this.count === 1) {
      this.level = x;
      return;
    }
    // Learn fast at first (1/n), then at the configured span.
    const a = Math.max(1 / this.count, 2 / (this.span + 1));
    let r = x - this.level;
    const lim = 4 * this.spread * 1.2533;
    if (this.count > 10 && lim > 0 && Math.abs(r) > lim) r = Math.sign(r) * lim;
    this.level += a * r;
    this.spread += a * (Math.abs(r) - this.spread);
  }
}

/** Surprisal of each point under a first-order Markov model of (level, step) symbols. */
class ContextNovelty {
  private readonly counts = new Float64Array(CONTEXT_SYMBOLS * CONTEXT_SYMBOLS);
  private readonly totals = new Float64Array(CONTEXT_SYMBOLS);
  /** The symbol of a point at the level with no step. */
  private prev = CONTEXT_LEVELS * CONTEXT_AXIS + CONTEXT_LEVELS;
  private seen = 0;
  /** Exponentially weighted mean surprisal (nats) of the last few points. */
  smoothed = 0;

  /** zLevel, zStep: signed robust z-scores of the value and of its first difference. */
  update(zLevel: number, zStep: number): number {
    const q = (z: number): number => Math.max(-CONTEXT_LEVELS, Math.min(CONTEXT_LEVELS, Math.round(z))) + CONTEXT_LEVELS;
    const symbol = q(zLevel) * CONTEXT_AXIS + q(zStep);
    const key = this.prev * CONTEXT_SYMBOLS + symbol;
    // Add-half smoothing: an unseen transition is rare, not impossible.
    const surprisal = -Math.log((this.counts[key] + 0.5) / (this.totals[this.prev] + 0.5 * CONTEXT_SYMBOLS));
    this.counts[key]++;
    this.totals[this.prev]++;
    this.prev = symbol;
    if (++this.seen % CONTEXT_FORGET_EVERY === 0) {
      for (let i = 0; i < this.counts.length; i++) this.counts[i] *= CONTEXT_FORGET;
      for (let i = 0; i < this.totals.length; i++) this.totals[i] *= CONTEXT_FORGET;
    }
    this.smoothed += (surprisal - this.smoothed) * (2 / (CONTEXT_SPAN + 1));
    return this.smoothed;
  }
}

/** How long since a value at least this large was seen, in O(1) amortised time per value. */
class ReturnPeriod {
  private vals: number[] = [];
  private times: number[] = [];
  /** For a record, log of how far it beats the previous record (set by observe). */
  recordExcess = 0;
  /** Returns the return period of v at time t: t itself when v is a record. */
  observe(v: number, t: number): number {
    let beaten = 0;
    while (this.vals.length > 0 && this.vals[this.vals.length - 1] < v) {
      beaten = Math.max(beaten, this.vals.pop()!);
      this.times.pop();
    }
    const record = this.vals.length === 0;
    const period = record ? t : t - this.times[this.times.length - 1];
    this.recordExcess = record && beaten > 0 ? Math.log(v / beaten) : 0;
    this.vals.push(v);
    this.times.push(t);
    // Bounded memory on endless streams: forget the oldest (largest) values.
    if (this.vals.length > MAX_STACK) {
      this.vals = this.vals.slice(MAX_STACK / 2);
      this.times = this.times.slice(MAX_STACK / 2);
    }
    return period;
  }
}

/** The largest and smallest value of a signal so far, and whether a new value leaves that range. */
class RangeNovelty {
  private min = Infinity;
  private max = -Infinity;
  /** True when x passes the range by more than margin; then (and always) x widens the range. */
  observe(x: number, margin: number, armed: boolean): boolean {
    const novel = armed && this.max > this.min && (x > this.max + margin || x < this.min - margin);
    if (x > this.max) this.max = x;
    if (x < this.min) this.min = x;
    return novel;
  }
}

/** Sampling interval as the median of recent time steps, so a gap or a duplicate does not move it. */
class SamplingInterval {
  private readonly steps = new Float64Array(STEP_RING);
  private count = 0;
  private lastT: number | undefined;
  ms = 0;
  observe(t: number): void {
    if (this.lastT !== undefined && t > this.lastT) {
      this.steps[this.count++ % STEP_RING] = t - this.lastT;
      if (this.count <= STEP_RING || this.count % STEP_RING === 0) {
        const sorted = Array.from(this.steps.subarray(0, Math.min(this.count, STEP_RING))).sort((a, b) => a - b);
        this.ms = sorted[sorted.length >> 1];
      }
    }
    this.lastT = t;
  }
}

export class StreamingAnomalyDetector {
  private readonly opts: Required<AnomalyDetectorOptions>;
  private readonly slow: RobustEwm;
  private readonly fast: RobustEwm;
  private readonly diff: RobustEwm;
  private season: RobustEwm;
  private seasonFast = 0;
  private period = 0;
  private readonly history = new Float64Array(HISTORY);
  private readonly featureHistory = Array.from({ length: FEATURES }, () => new Float64Array(HISTORY));
  private readonly returnPeriods = Array.from({ length: FEATURES }, () => new ReturnPeriod());
  private readonly valueRange = new RangeNovelty();
  private readonly levelRange = new RangeNovelty();
  private readonly interval = new SamplingInterval();
  private prev: number | undefined;
  private seen = 0;
  private valueScale = 0;
  private noiseFast = 0;
  private noiseSlow = 0;
  private lastAlarmAt = -Infinity;
  private lastAlarmScore = 0;
  private seasonZ = 0;
  private seasonShift = 0;
  private readonly features = new Float64Array(FEATURES);
  private readonly context = new ContextNovelty();
  private readonly scratch = new Float64Array(HISTORY);

  constructor(opts: AnomalyDetectorOptions = {}) {
    this.opts = { ...DEFAULT_ANOMALY_OPTIONS, ...opts };
    this.slow = new RobustEwm(this.opts.slowSpan);
    this.fast = new RobustEwm(this.opts.fastSpan);
    this.diff = new RobustEwm(this.opts.slowSpan);
    this.season = new RobustEwm(this.opts.slowSpan);
  }

  /**
   * Feeds one point and returns its anomaly score in [0, 1). A NaN or infinite value is missing: it
   * scores 0 and changes nothing. Points are taken in arrival order; the time only sets how many
   * points make a day (for "same time yesterday"), so gaps and irregular spacing do no harm.
   */
  update(t: number, v: number): number {
    if (!Number.isFinite(v)) return 0;
    this.seen++;
    this.interval.observe(t);
    const o = this.opts;
    this.valueScale += (Math.abs(v) - this.valueScale) / Math.min(this.seen, o.slowSpan);
    // A floor on every spread keeps a perfectly flat series from dividing by zero.
    const floor = Math.max(1e-9, 1e-3 * this.valueScale);

    const zLevel = this.slow.z(v, floor);
    const zSpike = Math.abs(zLevel);
    const d = this.prev === undefined ? 0 : v - this.prev;
    const zStepSigned = this.diff.z(d, floor);
    const zStep = Math.abs(zStepSigned);
    const contextSurprisal = this.context.update(zLevel, zStepSigned);
    this.fast.update(v);
    const zShift = this.slow.count > 0 ? Math.abs(this.fast.level - this.slow.level) / this.slow.scale(floor) : 0;
    this.slow.update(v);
    this.diff.update(d);
    this.prev = v;

    const absD = Math.abs(d);
    this.noiseFast += (absD - this.noiseFast) * (2 / (o.fastSpan * 4 + 1));
    const noiseSlowBefore = this.noiseSlow;
    this.noiseSlow += (absD - this.noiseSlow) / Math.min(this.seen, o.slowSpan);
    const noiseChange = noiseSlowBefore > floor ? Math.abs(Math.log((this.noiseFast + floor) / (noiseSlowBefore + floor))) : 0;

    this.updateSeasonal(v, floor);
    const features = this.features;
    features[0] = Math.log1p(zSpike);
    features[1] = Math.log1p(zStep);
    features[2] = Math.log1p(2 * zShift);
    features[3] = o.noiseWeight * noiseChange;
    features[4] = o.seasonWeight * Math.log1p(this.seasonZ);
    features[5] = o.seasonWeight * Math.log1p(2 * this.seasonShift);
    features[6] = CONTEXT_WEIGHT * contextSurprisal;

    // Lags at which a recurrence is normal: the detected period, and one day by the clock.
    const dayLag = this.interval.ms > 0 ? Math.round(DAY_MS / this.interval.ms) : 0;
    let best = 0;
    let second = 0;
    const slot = this.seen % HISTORY;
    for (let k = 0; k < FEATURES; k++) {
      const value = features[k];
      const tracker = this.returnPeriods[k];
      const learning = this.seen <= RETURN_PERIOD_LEARN;
      let period = learning ? 0 : tracker.observe(value, this.seen - RETURN_PERIOD_LEARN);
      let bonus = learning ? 0 : RECORD_BONUS * tracker.recordExcess;
      // What recurs at this phase of the period or at this time yesterday (a nightly job, a square
      // wave's edge) is normal: it scores as rare as its lag, and a record is no record.
      const recurrenceLag = this.recurrenceLag(k, value, this.period) || this.recurrenceLag(k, value, dayLag);
      if (recurrenceLag > 0) {
        period = Math.min(period, recurrenceLag);
        bonus = 0;
      }
      this.featureHistory[k][slot] = value;
      const surprise = value < o.minFeature || period <= 0 ? 0 : Math.log(Math.min(period, RETURN_PERIOD_CAP)) + bonus;
      if (surprise > best) {
        second = best;
        best = surprise;
      } else if (surprise > second) second = surprise;
    }

    // Range novelty, after the updates above so that every point widens the ranges, warm-up included.
    const noise = this.diff.scale(floor) / Math.SQRT2;
    const armed = o.rangeSigmas > 0 && this.seen > Math.max(o.warmup, RANGE_LEARN);
    const valueNovel = this.valueRange.observe(v, o.rangeSigmas * noise, armed);
    const levelNovel = this.levelRange.observe(this.fast.level, o.rangeSigmas * noise * Math.sqrt(2 / (o.fastSpan + 1)), armed);
    if (this.seen <= o.warmup) return 0;
    let raw = 1 - Math.exp(-(best + o.secondWeight * second) / SURPRISE_SCALE);
    if ((valueNovel || levelNovel) && !this.valueRecurs(v, this.period) && !this.valueRecurs(v, dayLag)) raw = Math.max(raw, RANGE_NOVELTY_SCORE);

    // The same event keeps scoring high; within the refractory period only a stronger score re-alarms.
    const since = this.seen - this.lastAlarmAt;
    const fresh = since > o.refractory || raw > this.lastAlarmScore + REALARM_MARGIN;
    const score = fresh ? raw : raw * 0.5;
    if (fresh && raw >= 0.3) {
      this.lastAlarmAt = this.seen;
      this.lastAlarmScore = raw;
    }
    return score;
  }

  /** `lag` when feature k had a value at least this large about `lag` points ago, else 0. */
  private recurrenceLag(k: number, value: number, lag: number): number {
    const tolerance = this.opts.seasonTolerance;
    // A lag within the search tolerance would match the event's own neighbourhood.
    if (lag <= 2 * tolerance) return 0;
    const ring = this.featureHistory[k];
    for (let back = lag - tolerance; back <= lag + tolerance; back++) {
      if (back < HISTORY && back < this.seen && ring[(this.seen - back) % HISTORY] >= SEASONAL_RECURRENCE * value) return lag;
    }
    return 0;
  }

  /**
   * Whether a value nearly as far from the level as v (on the same side) was seen about `lag` points
   * ago: a daily peak that grows a little is still the daily peak, not a new range.
   */
  private valueRecurs(v: number, lag: number): boolean {
    const tolerance = this.opts.seasonTolerance;
    if (lag <= 2 * tolerance) return false;
    const level = this.slow.level;
    for (let back = lag - tolerance; back <= lag + tolerance; back++) {
      if (back >= HISTORY || back >= this.seen) continue;
      const past = this.history[(this.seen - back) % HISTORY] - level;
      if ((v > level && past >= SEASONAL_RECURRENCE * (v - level)) || (v < level && past <= SEASONAL_RECURRENCE * (v - level))) return true;
    }
    return false;
  }

  /** Residual against recent periods (spike and sustained), once the past shows a clear period. */
  private updateSeasonal(v: number, floor: number): void {
    this.history[this.seen % HISTORY] = v;
    // Look for a period often until one is found, then now and then in case it changes.
    const every = this.period > 0 ? PERIOD_RECHECK : PERIOD_SEARCH;
    if (this.seen >= 600 && this.seen % every === 0) {
      let period = estimatePeriod(this.history, this.seen, HISTORY, this.scratch);
      const changed = (p: number): boolean => Math.abs(p - this.period) > Math.max(2, 0.02 * this.period);
      if (this.period > 0 && period > 0 && changed(period)) {
        const fitNew = autocorrelationAt(this.history, this.seen, HISTORY, period);
        const fitOld = autocorrelationAt(this.history, this.seen, HISTORY, this.period);
        if (!(fitNew > fitOld + PERIOD_SWITCH_MARGIN)) period = this.period;
      }
      // A new period restarts the residual model; harmonics jitter by a point or two and keep it.
      if (changed(period)) {
        this.period = period;
        this.season = new RobustEwm(this.opts.slowSpan);
        this.seasonFast = 0;
      }
    }
    this.seasonZ = 0;
    this.seasonShift = 0;
    if (this.period <= 0) return;
    // Against the median of the same phase in the last three periods when the history holds them,
    // so one odd day does not make the next day look anomalous too.
    const back1 = this.history[(this.seen - this.period) % HISTORY];
    let expected = back1;
    if (3 * this.period < HISTORY && this.seen > 3 * this.period) {
      const back2 = this.history[(this.seen - 2 * this.period) % HISTORY];
      const back3 = this.history[(this.seen - 3 * this.period) % HISTORY];
      expected = Math.max(Math.min(back1, back2), Math.min(Math.max(back1, back2), back3));
    }
    const r = v - expected;
    // The residual model needs some points before its spread means anything, and it counts only
    // while the period explains the series better than the plain level does.
    const ready = this.season.count >= SEASON_WARMUP && this.season.spread < SEASON_EXPLAINS * this.slow.spread;
    if (ready) this.seasonZ = Math.abs(this.season.z(r, floor));
    this.seasonFast += (r - this.seasonFast) * (2 / (this.opts.fastSpan * 2 + 1));
    if (ready) this.seasonShift = Math.abs(this.seasonFast - this.season.level) / this.season.scale(floor);
    this.season.update(r);
  }
}

export interface AnomalyRegion {
  /** Index of the first and last point of the region (inclusive). */
  start: number;
  end: number;
  peakScore: number;
  peakIndex: number;
}

export interface DetectAnomaliesOptions extends AnomalyDetectorOptions {
  /** Score at or above which a point belongs to a region. Default DEFAULT_REGION_THRESHOLD. */
  threshold?: number;
  /** Points below the threshold that still join two regions into one. Default 5. */
  mergeGap?: number;
}

/** Scores a whole series with one streaming detector and groups high scores into regions. */
export function detectAnomalies(series: MetricSeries, opts: DetectAnomaliesOptions = {}): { scores: number[]; regions: AnomalyRegion[] } {
  const { timestamps, values } = series;
  const n = Math.min(timestamps.length, values.length);
  const detector = new StreamingAnomalyDetector(opts);
  const scores = new Array<number>(n);
  for (let i = 0; i < n; i++) scores[i] = detector.update(timestamps[i], values[i]);
  const threshold = opts.threshold ?? DEFAULT_REGION_THRESHOLD;
  const mergeGap = opts.mergeGap ?? 5;
  const regions: AnomalyRegion[] = [];
  let cur: AnomalyRegion | undefined;
  for (let i = 0; i < n; i++) {
    if (scores[i] < threshold) continue;
    if (cur && i - cur.end <= mergeGap + 1) {
      cur.end = i;
      if (scores[i] > cur.peakScore) {
        cur.peakScore = scores[i];
        cur.peakIndex = i;
      }
    } else {
      cur = { start: i, end: i, peakScore: scores[i], peakIndex: i };
      regions.push(cur);
    }
  }
  return { scores, regions };
}
