// The detector settings the NAB benchmark's cross-validation chooses among. Two settings, three values
// each: how far past its range a value must go (rangeSigmas) and how unusual a feature must be to count
// at all (minFeature). Every point of the grid keeps plain Gaussian noise quiet (a unit test checks it),
// so whatever the cross-validation picks could ship as the product's default.
import type { AnomalyDetectorOptions } from '../../analysis/anomaly';

export interface DetectorSetting {
  /** Short label for reports, e.g. 'rangeSigmas=2.5 minFeature=1.6'. */
  setting: string;
  options: AnomalyDetectorOptions;
}

function grid(): DetectorSetting[] {
  const out: DetectorSetting[] = [];
  for (const rangeSigmas of [2, 2.5, 3]) {
    for (const minFeature of [1.6, 1.7, 1.8]) out.push({ setting: `rangeSigmas=${rangeSigmas} minFeature=${minFeature}`, options: { rangeSigmas, minFeature } });
  }
  return out;
}

export const NAB_SETTING_GRID: readonly DetectorSetting[] = grid();
