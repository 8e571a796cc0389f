import * as assert from 'node:assert/strict';
import { StreamingAnomalyDetector, detectAnomalies, type AnomalyRegion } from '../../../src/analysis/anomaly';
import { findOnset, rankSeriesByOnset } from '../../../src/analysis/changePoint';
import type { MetricSeries } from '../../../src/core/model';

/** Deterministic standard normal noise (mulberry32 + Box-Muller), so failures reproduce. */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

function series(id: string, values: number[], stepMs = 60_000, t0 = 1_700_000_000_000): MetricSeries {
  return { id, name: id, labels: {}, timestamps: values.map((_, i) => t0 + i * stepMs), values };
}

function stepSeries(n: number, k: number, jump: number, seed: number, level = 100, sd = 1): number[] {
  const z = noise(seed);
  return Array.from({ length: n }, (_, i) => level + (i >= k ? jump : 0) + sd * z());
}

describe('streaming anomaly detector', () => {
  it('raises no region on a flat noisy series', () => {
    const z = noise(1);
    const values = Array.from({ length: 5000 }, () => 50 + 2 * z());
    const { scores, regions } = detectAnomalies(series('flat', values));
    assert.equal(regions.length, 0, `regions ${JSON.stringify(regions.slice(0, 3))}`);
    assert.ok(scores.every((s) => s >= 0 && s <= 1));
  });

  it('raises a region at a level shift, starting right at it', () => {
    const values = stepSeries(3000, 2000, 15, 2);
    const { regions } = detectAnomalies(series('step', values));
    assert.ok(regions.length >= 1);
    const hit = regions.find((r) => r.start >= 1995 && r.start <= 2010);
    assert.ok(hit, `regions ${JSON.stringify(regions)}`);
  });

  it('puts an isolated spike in a region whose peak is the spike', () => {
    const z = noise(3);
    const values = Array.from({ length: 3000 }, (_, i) => (i === 2500 ? 130 : 100 + z()));
    const { regions } = detectAnomalies(series('spike', values));
    assert.ok(regions.some((r) => r.peakIndex === 2500), `regions ${JSON.stringify(regions)}`);
  });

  it('learns a daily pattern, stays quiet on it, and flags the day the pattern breaks', () => {
    const z = noise(6);
    const period = 96; // 15-minute points
    const values = Array.from({ length: 4000 }, (_, i) => {
      const phase = (i % period) / period;
      const busy = phase > 0.35 && phase < 0.75 ? 60 : 10; // a square-ish daily load
      return (i >= 3000 && i < 3096 ? 10 : busy) + z();
    });
    const { regions } = detectAnomalies(series('daily', values, 900_000));
    const late = regions.filter((r) => r.start >= 1000);
    assert.ok(late.length >= 1 && late.every((r) => r.start >= 3000 && r.start < 3100), `regions ${JSON.stringify(late)}`);
  });

  it('flags a second event that follows a first one closely, as its own region', () => {
    const z = noise(7);
    // A spike at 2000, then a level shift 150 points later: two incidents, two regions.
    const values = Array.from({ length: 3000 }, (_, i) => 100 + (i === 2000 ? 40 : 0) + (i >= 2150 ? 12 : 0) + z());
    const { regions } = detectAnomalies(series('two', values));
    assert.ok(regions.some((r) => r.start <= 2000 && r.end >= 2000), `regions ${JSON.stringify(regions)}`);
    assert.ok(regions.some((r) => r.start >= 2145 && r.start <= 2160), `regions ${JSON.stringify(regions)}`);
  });

  it('raises a region on long pure noise less than once per 20,000 points', () => {
    // A rarity threshold cannot make noise silent forever, only rare: ten series of 8000 points.
    let regions = 0;
    for (let seed = 100; seed < 110; seed++) {
      const z = noise(seed);
      const values = Array.from({ length: 8000 }, () => 20 + 3 * z());
      regions += detectAnomalies(series('noise', values)).regions.length;
    }
    assert.ok(regions <= 4, `${regions} regions in 80,000 points of noise`);
  });

  it('survives NaN, Infinity, gaps and irregular timestamps, and still sees the change after them', () => {
    const z = noise(4);
    const timestamps: number[] = [];
    const values: number[] = [];
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      t += i % 97 === 0 ? 3_600_000 : 10_000 + Math.floor(5000 * Math.abs(z())); // gaps and jitter
      timestamps.push(t);
      values.push(i % 50 === 7 ? NaN : i % 333 === 5 ? Infinity : (i >= 2400 ? 140 : 100) + z());
    }
    const { scores, regions } = detectAnomalies({ id: 'messy', name: 'messy', labels: {}, timestamps, values });
    assert.equal(scores.length, 3000);
    assert.ok(scores.every((s) => Number.isFinite(s) && s >= 0 && s <= 1));
    assert.equal(scores[7], 0, 'a NaN point is missing, not anomalous');
    assert.ok(regions.some((r) => r.start >= 2395 && r.start <= 2410), `regions ${JSON.stringify(regions)}`);
  });

  it('scores each point from the past only: a prefix scores the same as the whole', () => {
    const values = stepSeries(3000, 1500, 10, 5);
    const full = detectAnomalies(series('s', values)).scores;
    const prefix = detectAnomalies(series('s', values.slice(0, 1600))).scores;
    assert.deepEqual(prefix, full.slice(0, 1600));
    const d = new StreamingAnomalyDetector();
    const streamed = values.map((v, i) => d.update(i, v));
    assert.deepEqual(streamed, full);
  });

  it('flags a smooth series the moment it leaves the range it has kept, before the level features would', () => {
    const z = noise(31);
    // A slow, bounded wander with little noise; from 2500 a slow ramp carries it out of its range.
    const values = Array.from({ length: 3000 }, (_, i) => 10 * Math.sin(i / 50) * Math.sin(i / 161) + 0.05 * z() + (i >= 2500 ? Math.min(8, (i - 2500) * 0.05) : 0));
    const max = Math.max(...values.slice(0, 2500));
    const firstOut = values.findIndex((v, i) => i >= 2500 && v > max);
    const late = (opts: object): number | undefined => detectAnomalies(series('wander', values), opts).regions.find((r) => r.start >= 2500)?.start;
    const withRange = late({});
    assert.ok(withRange !== undefined && withRange >= firstOut && withRange <= firstOut + 5, `left the range at ${firstOut}, region at ${withRange}`);
    const without = late({ rangeSigmas: 0 });
    assert.ok(without === undefined || without > firstOut + 15, `without range novelty the region starts at ${without}`);
  });

  it('stays quiet on investigation-sized series of plain noise', () => {
    let regions = 0;
    for (let seed = 200; seed < 300; seed++) {
      const z = noise(seed);
      regions += detectAnomalies(series('noise', Array.from({ length: 300 }, () => 40 + 5 * z()), 15_000)).regions.length;
    }
    assert.ok(regions <= 1, `${regions} regions in 100 noise series of 300 points`);
  });

  it('takes a nightly job that grows a little each day as normal, by the clock, without a detectable period', () => {
    const perDay = 288; // 5-minute points
    let withClock = 0;
    let withoutClock = 0;
    for (const seed of [41, 51, 61, 71]) {
      const z = noise(seed);
      const u = noise(seed + 1);
      // One point a day at 03:00 jumps by ~12 noise units, a little more each day.
      const values = Array.from({ length: 10 * perDay }, (_, i) => 20 + z() + (i % perDay === 36 ? 12 + 0.4 * Math.floor(i / perDay) + 0.2 * u() : 0));
      const afterTwoDays = (r: AnomalyRegion): boolean => r.start >= 3 * perDay;
      withClock += detectAnomalies(series('nightly', values, 300_000)).regions.filter(afterTwoDays).length;
      // The same values with timestamps 1 ms apart: no day to compare with.
      withoutClock += detectAnomalies({ id: 'n', name: 'n', labels: {}, timestamps: values.map((_, i) => i), values }).regions.filter(afterTwoDays).length;
    }
    assert.equal(withClock, 0);
    assert.ok(withoutClock >= 3, `without a clock ${withoutClock} regions: the test no longer exercises the clock`);
  });

  it('handles empty and constant series', () => {
    assert.deepEqual(detectAnomalies(series('empty', [])), { scores: [], regions: [] });
    const { regions } = detectAnomalies(series('const', new Array(2000).fill(3)));
    assert.equal(regions.length, 0);
  });
});

describe('change onset', () => {
  it('dates a step at index k within a couple of points', () => {
    for (const [k, jump, seed] of [[300, 8, 11], [700, -6, 12], [150, 4, 13]]) {
      const values = stepSeries(1000, k, jump, seed);
      const s = series('s', values);
      const onset = findOnset(s.timestamps, s.values);
      assert.ok(onset, `no onset for step at ${k}`);
      assert.ok(Math.abs(onset.index - k) <= 2, `step at ${k}, onset at ${onset.index}`);
      assert.equal(onset.direction, jump > 0 ? 'up' : 'down');
      assert.ok(Math.abs(onset.magnitude - Math.abs(jump)) < 1, `magnitude ${onset.magnitude}`);
      assert.equal(onset.time, s.timestamps[onset.index]);
    }
  });

  it('dates a ramp at its foot, not its middle', () => {
    const z = noise(21);
    const values = Array.from({ length: 800 }, (_, i) => 100 + (i >= 400 ? Math.min(40, (i - 400) * 0.4) : 0) + z());
    const onset = findOnset(values.map((_, i) => i), values);
    assert.ok(onset);
    assert.ok(onset.index >= 395 && onset.index <= 425, `ramp from 400, onset at ${onset.index}`);
  });

  it('finds no onset in a flat noisy series, nor in one with isolated spikes', () => {
    const z = noise(22);
    const flat = Array.from({ length: 2000 }, () => 10 + z());
    assert.equal(findOnset(flat.map((_, i) => i), flat), undefined);
    const spiky = flat.map((v, i) => (i % 300 === 150 ? v + 50 : v));
    assert.equal(findOnset(spiky.map((_, i) => i), spiky), undefined);
  });

  it('respects the before bound, as an index or as a time', () => {
    const values = stepSeries(1000, 800, 10, 23);
    const s = series('s', values);
    assert.ok(findOnset(s.timestamps, s.values));
    assert.equal(findOnset(s.timestamps, s.values, { before: 700 }), undefined);
    assert.equal(findOnset(s.timestamps, s.values, { before: s.timestamps[700] }), undefined);
    const withBound = findOnset(s.timestamps, s.values, { before: s.timestamps[900] });
    assert.ok(withBound && Math.abs(withBound.index - 800) <= 2);
  });

  it('skips NaN and Infinity and keeps indices in the caller\'s arrays', () => {
    const values = stepSeries(600, 400, 10, 24).map((v, i) => (i % 10 === 3 ? NaN : i === 50 ? -Infinity : v));
    const onset = findOnset(values.map((_, i) => i * 1000), values);
    assert.ok(onset && Math.abs(onset.index - 400) <= 3, `onset ${JSON.stringify(onset)}`);
  });

  it('ranks series by who moved first, leaving out the ones that did not move', () => {
    const a = series('db.latency', stepSeries(1000, 600, 10, 31));
    const b = series('api.errors', stepSeries(1000, 640, 5, 32));
    const c = series('cpu', stepSeries(1000, 0, 0, 33));
    const d = series('queue.depth', stepSeries(1000, 610, -20, 34));
    const ranked = rankSeriesByOnset([b, c, a, d]);
    assert.deepEqual(ranked.map((r) => r.seriesId), ['db.latency', 'queue.depth', 'api.errors']);
    assert.ok(ranked.every((r) => r.score >= 3));
    const windowed = rankSeriesByOnset([a, b, d], { start: a.timestamps[620], end: a.timestamps[999] });
    assert.deepEqual(windowed.map((r) => r.seriesId), ['api.errors']);
  });
});
