import * as assert from 'node:assert/strict';
import type { MetricSeries } from '../../../src/core/model';
import { rankRootCauses } from '../../../src/analysis/rootCause';
import { seriesAnomaly } from '../../../src/analysis/rca/seriesAnomaly';

const STEP = 60_000;
const T0 = 1_700_000_000_000;
const POINTS = 120;
const WINDOW = { start: T0 + 100 * STEP, end: T0 + 119 * STEP };

/** Deterministic noise, so the tests cannot flake. */
function noise(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32 - 0.5;
  };
}

/** A latency series around `level` with 5% noise that jumps by `factor` from point `shiftAt` on. */
function latency(service: string, level: number, shiftAt?: number, factor = 3, seed = 7): MetricSeries {
  const rnd = noise(seed + service.length * 31);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < POINTS; i++) {
    timestamps.push(T0 + i * STEP);
    const shifted = shiftAt !== undefined && i >= shiftAt;
    values.push(level * (1 + 0.1 * rnd()) * (shifted ? factor : 1));
  }
  return { id: `${service}:latency`, name: 'latency p95', labels: {}, service, timestamps, values, unit: 's' };
}

describe('rankRootCauses', () => {
  it('ranks the callee that moved first above the callers that followed', () => {
    const series = [
      latency('frontend', 0.2, 106),
      latency('api', 0.1, 104),
      latency('db', 0.05, 102),
      latency('cache', 0.01), // healthy sibling of db
    ];
    const edges = [
      { from: 'frontend', to: 'api' },
      { from: 'api', to: 'db' },
      { from: 'api', to: 'cache' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW });
    assert.equal(ranked[0].service, 'db');
    assert.equal(ranked[0].onset, T0 + 102 * STEP);
    assert.ok(ranked[0].anomaly > 0.5);
    assert.ok(ranked[0].reasons.some((r) => /among the first services to move/.test(r)));
    assert.ok(ranked[0].reasons.some((r) => /could explain anomalous caller\(s\) api/.test(r)));
    const order = ranked.map((r) => r.service);
    assert.ok(order.indexOf('api') < order.indexOf('cache'));
    const total = ranked.reduce((x, r) => x + r.score, 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
  });

  it('blames the caller when it moved first and its callee followed (the callee is a victim)', () => {
    const series = [latency('frontend', 0.2, 110), latency('api', 0.1, 102), latency('db', 0.05, 108)];
    const edges = [
      { from: 'frontend', to: 'api' },
      { from: 'api', to: 'db' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW });
    assert.equal(ranked[0].service, 'api');
  });

  it('prefers the anomalous callee whose own callees are healthy over a weakly anomalous leaf below it', () => {
    // search is 4x slower; its dependency "index" wobbles by 15%: it cannot explain search.
    const series = [latency('web', 0.2, 102, 2), latency('search', 0.05, 102, 4), latency('index', 0.01, 102, 1.15), latency('images', 0.02)];
    const edges = [
      { from: 'web', to: 'search' },
      { from: 'web', to: 'images' },
      { from: 'search', to: 'index' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW });
    assert.equal(ranked[0].service, 'search');
    assert.ok(ranked[0].reasons.some((r) => /callee\(s\) look healthy or far less anomalous/.test(r)));
  });

  it('keeps an anomaly that no caller feels below the one that explains the symptom', () => {
    // archive is far more anomalous than search, but its only caller (reports) is healthy, so it
    // explains nothing the users see; search explains web.
    const series = [latency('web', 0.2, 103, 1.2), latency('search', 0.05, 103, 1.3), latency('reports', 0.3), latency('archive', 1, 103, 10)];
    const edges = [
      { from: 'web', to: 'search' },
      { from: 'web', to: 'reports' },
      { from: 'reports', to: 'archive' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW });
    assert.equal(ranked[0].service, 'search');
    assert.ok(ranked.find((r) => r.service === 'archive')!.anomaly >= ranked[0].anomaly);
  });

  it('weights down a service seen only through its callers', () => {
    const series = [latency('web', 0.2, 103, 2), latency('search', 0.05, 103, 4), latency('search-lb', 0.06, 103, 4)];
    const edges = [
      { from: 'web', to: 'search' },
      { from: 'web', to: 'search-lb' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW, inferredServices: ['search-lb'] });
    assert.equal(ranked[0].service, 'search');
    assert.ok(ranked.find((r) => r.service === 'search-lb')!.reasons.some((r) => /seen only through its callers/.test(r)));
  });

  it('finds nothing strongly anomalous in a healthy system', () => {
    const series = [latency('web', 0.2), latency('api', 0.1), latency('db', 0.05)];
    const ranked = rankRootCauses({ series, edges: [{ from: 'web', to: 'api' }, { from: 'api', to: 'db' }], window: WINDOW });
    assert.equal(ranked.length, 3);
    for (const r of ranked) assert.ok(r.anomaly < 0.3, `${r.service} anomaly ${r.anomaly}`);
  });

  it('uses the alert time when no window is given', () => {
    const series = [latency('web', 0.2, 104), latency('db', 0.05, 102)];
    const ranked = rankRootCauses({ series, edges: [{ from: 'web', to: 'db' }], alertTime: T0 + 105 * STEP }, { preAlertMs: 10 * STEP });
    assert.equal(ranked[0].service, 'db');
  });

  it('rejects malformed input clearly and ignores series without a service', () => {
    assert.throws(() => rankRootCauses(null as never), /needs \{ series/);
    assert.throws(() => rankRootCauses({ series: [], edges: [], window: { start: 10, end: 5 } }), /window\.end is before/);
    const orphan = { ...latency('x', 1, 100), service: undefined };
    const ranked = rankRootCauses({ series: [orphan, latency('db', 0.05, 102)], edges: [], window: WINDOW });
    assert.deepEqual(ranked.map((r) => r.service), ['db']);
    assert.deepEqual(rankRootCauses({ series: [], edges: [] }), []);
  });
});

describe('seriesAnomaly', () => {
  it('reads a drop in availability from 100% as an anomaly, and a routine dip as noise', () => {
    const ts = Array.from({ length: 40 }, (_, i) => T0 + i * STEP);
    const flat = ts.map((_, i) => (i % 5 === 0 ? 99.8 : 100)); // routine small dips
    const dropped = flat.map((v, i) => (i >= 35 ? 97 : v));
    const opts = { testStart: ts[32], testEnd: ts[39] };
    const bad = seriesAnomaly({ id: 'a', name: 'availability', labels: {}, timestamps: ts, values: dropped }, opts)!;
    const ok = seriesAnomaly({ id: 'a', name: 'availability', labels: {}, timestamps: ts, values: flat }, opts)!;
    assert.equal(bad.direction, 'down');
    assert.ok(bad.strength > 0.6, `drop strength ${bad.strength}`);
    assert.equal(bad.onset, ts[35]);
    assert.ok(ok.strength < 0.2, `dip strength ${ok.strength}`);
  });

  it('treats small request counts as Poisson noise, not as a 0 -> 3 explosion', () => {
    const ts = Array.from({ length: 30 }, (_, i) => T0 + i * STEP);
    const values = ts.map((_, i) => (i < 25 ? 0 : 3));
    const a = seriesAnomaly({ id: 'r', name: 'requests', labels: {}, timestamps: ts, values }, { testStart: ts[25], testEnd: ts[29] })!;
    assert.equal(a.direction, 'both');
    assert.ok(a.z <= 3.01, `z ${a.z}`);
  });
});

describe('rankRootCauses onset dating', () => {
  it('dates a slow ramp at its foot, so a ramping callee still counts as moving first', () => {
    // db (noisy) ramps slowly from point 100; api steps up at 105. The ramp crosses 3 sigma only
    // after 105, but it began earlier: change-point dating puts db first.
    const rnd = noise(99);
    const db = latency('db', 0.05);
    db.values = db.values.map((_, i) => 0.05 * (1 + 0.3 * rnd()) * (i < 100 ? 1 : 1 + Math.min(2, (i - 100) / 9)));
    const series = [latency('web', 0.2, 106), latency('api', 0.1, 105), db];
    const edges = [
      { from: 'web', to: 'api' },
      { from: 'api', to: 'db' },
    ];
    const ranked = rankRootCauses({ series, edges, window: { start: T0 + 96 * STEP, end: T0 + 119 * STEP } });
    const dbRank = ranked.find((r) => r.service === 'db')!;
    assert.ok(dbRank.onset! <= T0 + 103 * STEP, `db onset at point ${(dbRank.onset! - T0) / STEP}`);
    assert.equal(ranked[0].service, 'db');
  });
});

describe('rankRootCauses and the alert time', () => {
  it('weights down a service that first moved after the alert fired', () => {
    // web calls two equally broken backends, and its own (slow, aggregated) metric moved last, at
    // 112. The alert fired at 105: "queue", which moved at 110, cannot have caused it; "auth",
    // which moved at 103, can. Without the alert time the two are a toss-up.
    const series = [latency('web', 0.2, 112, 2), latency('auth', 0.05, 103), latency('queue', 0.05, 110)];
    const edges = [
      { from: 'web', to: 'auth' },
      { from: 'web', to: 'queue' },
    ];
    const ranked = rankRootCauses({ series, edges, window: WINDOW, alertTime: T0 + 105 * STEP });
    assert.equal(ranked[0].service, 'auth');
    assert.ok(ranked.find((r) => r.service === 'queue')!.reasons.some((r) => /after the alert fired/.test(r)));
  });
});
