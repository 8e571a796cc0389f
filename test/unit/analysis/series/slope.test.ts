import * as assert from 'node:assert/strict';
import { slopeChange } from '../../../../src/analysis/series/slope';
import { mulberry32 as rng } from '../../../../src/eval/random';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function series(n: number, f: (i: number) => number): { t: number[]; v: number[] } {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    t.push(T0 + i * MIN);
    v.push(f(i));
  }
  return { t, v };
}

/** The knee search as it was written first: two exact line fits for every knee (the reference). */
function referenceKnee(t: number[], v: number[]): number | undefined {
  const fit = (from: number, to: number): number => {
    const n = to - from;
    let st = 0;
    let sv = 0;
    for (let i = from; i < to; i++) {
      st += t[i];
      sv += v[i];
    }
    const mt = st / n;
    const mv = sv / n;
    let stt = 0;
    let stv = 0;
    for (let i = from; i < to; i++) {
      stt += (t[i] - mt) ** 2;
      stv += (t[i] - mt) * (v[i] - mv);
    }
    const b = stt > 0 ? stv / stt : 0;
    const a = mv - b * mt;
    let sse = 0;
    for (let i = from; i < to; i++) sse += (v[i] - (a + b * t[i])) ** 2;
    return sse;
  };
  const m = t.length;
  const minSeg = Math.max(5, Math.floor(m / 10));
  let best: { k: number; sse: number } | undefined;
  for (let k = minSeg; k <= m - minSeg; k++) {
    const sse = fit(0, k) + fit(k, m);
    if (!best || sse < best.sse) best = { k, sse };
  }
  return best?.k;
}

describe('slopeChange', () => {
  it('dates a climb at its knee, with its rise per hour', () => {
    const r = rng(1);
    const { t, v } = series(180, (i) => 500e6 + (i < 120 ? 0 : (i - 120) * 2e6) + r() * 1e6);
    const s = slopeChange(t, v, t[t.length - 1]);
    assert.ok(s, 'a climb is found');
    assert.ok(Math.abs(s.start - t[120]) <= 3 * MIN, `knee at ${(s.start - T0) / MIN} min, expected about 120`);
    assert.ok(s.perHour > 100e6 && s.perHour < 140e6, String(s.perHour));
    assert.equal(s.sinceStart, undefined);
  });

  it('finds nothing in a flat noisy series, and a climb all along starts at the first point', () => {
    const r = rng(2);
    const flat = series(180, () => 100 + r() * 5);
    assert.equal(slopeChange(flat.t, flat.v, flat.t[179]), undefined);
    const along = series(180, (i) => 100 + i * 2 + r());
    const s = slopeChange(along.t, along.v, along.t[179]);
    assert.ok(s?.sinceStart, JSON.stringify(s));
    assert.equal(s.start, T0);
  });

  it('judges the longest stretch between restarts (a fall of more than 40%)', () => {
    const { t, v } = series(200, (i) => (i < 40 ? 300 + i * 10 : 100 + (i - 40 < 100 ? 0 : (i - 140) * 8)));
    const s = slopeChange(t, v, t[199]);
    assert.ok(s, 'the climb after the restart is found');
    assert.ok(Math.abs(s.start - t[140]) <= 3 * MIN, `knee at ${(s.start - T0) / MIN} min, expected about 140`);
  });

  it('chooses the knee that exact fits of every knee choose, on series of many shapes and levels', () => {
    const r = rng(3);
    let found = 0;
    for (let c = 0; c < 300; c++) {
      const n = 20 + Math.floor(r() * 400);
      const level = 10 ** (Math.floor(r() * 13) - 3);
      const knee = Math.floor(r() * n);
      const slope = (r() * 3 * level) / n;
      const noise = r() < 0.1 ? 0 : r() * level * 0.05;
      // No fall of 40% (a restart would cut the series: the reference fits it whole).
      const { t, v } = series(n, (i) => level + (i > knee ? (i - knee) * slope : 0) + noise * (r() - 0.5));
      const got = slopeChange(t, v, t[n - 1]);
      // The reference's knee, on the points slopeChange judges (the same stride and units).
      const stride = Math.max(1, Math.floor(n / 200));
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = 0; i < n; i += stride) {
        ts.push((t[i] - t[0]) / 3600_000);
        vs.push(v[i]);
      }
      const k = referenceKnee(ts, vs);
      if (got && !got.sinceStart && k !== undefined) {
        found++;
        assert.equal(got.start, t[0] + ts[k] * 3600_000, `case ${c}: n ${n}, level ${level}`);
      }
    }
    assert.ok(found > 30, `knees were found and compared (${found})`);
  });
});
