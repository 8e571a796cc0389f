import * as assert from 'node:assert/strict';
import { DEFAULT_ANOMALY_OPTIONS, detectAnomalies } from '../../../src/analysis/anomaly';
import { NAB_SETTING_GRID } from '../../../src/eval/nab/settingGrid';

/** Deterministic standard normal noise (mulberry32 + Box-Muller). */
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

function noiseRegions(options: object, series: number, n: number): number {
  let regions = 0;
  for (let seed = 0; seed < series; seed++) {
    const z = noise(1000 + seed);
    const values = Array.from({ length: n }, () => 50 + 4 * z());
    const timestamps = values.map((_, i) => 1_700_000_000_000 + i * 15_000);
    regions += detectAnomalies({ id: 's', name: 's', labels: {}, timestamps, values }, options).regions.length;
  }
  return regions;
}

describe('NAB setting grid', () => {
  it('holds the product default, so the benchmark measures what ships', () => {
    const d = NAB_SETTING_GRID.find((g) => g.options.rangeSigmas === DEFAULT_ANOMALY_OPTIONS.rangeSigmas && g.options.minFeature === DEFAULT_ANOMALY_OPTIONS.minFeature);
    assert.ok(d, `default ${JSON.stringify(DEFAULT_ANOMALY_OPTIONS)} not in the grid`);
    assert.equal(new Set(NAB_SETTING_GRID.map((g) => g.setting)).size, NAB_SETTING_GRID.length, 'setting labels are unique');
  });

  it('only offers settings that keep plain Gaussian noise quiet, whichever the cross-validation picks', () => {
    for (const g of NAB_SETTING_GRID) {
      // 100 investigation-sized series and 4 long ones: about as many regions as a user would tolerate.
      const short = noiseRegions(g.options, 100, 300);
      const long = noiseRegions(g.options, 4, 8000);
      assert.ok(short <= 2, `${g.setting}: ${short} regions in 100 noise series of 300 points`);
      assert.ok(long <= 2, `${g.setting}: ${long} regions in 32,000 points of noise`);
    }
  });
});
