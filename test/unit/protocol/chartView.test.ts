import * as assert from 'node:assert/strict';
import type { MetricSeries } from '../../../src/core/model';
import { alignSeries, splitLabels } from '../../../src/protocol/chartView';
import { chartExtent } from '../../../src/protocol/investigationView';
import type { ChartView } from '../../../src/protocol/investigation';

const series = (labels: Record<string, string>, timestamps: number[], values: number[]): MetricSeries => ({ id: JSON.stringify(labels), name: 'CPU by mode', labels, timestamps, values, unit: 'ratio' });

describe('chart view helpers', () => {
  it('puts lines with different timestamps on one grid, keeping each value in its slot', () => {
    const a = series({ mode: 'user' }, [0, 15_000, 30_000, 45_000], [1, 2, 3, 4]);
    const b = series({ mode: 'system' }, [0, 30_000], [10, 30]);
    const { timestamps, values } = alignSeries([a, b]);
    assert.deepEqual(timestamps, [0, 30_000]);
    assert.deepEqual(values, [[2, 4], [10, 30]]);
    const same = alignSeries([a, { ...a, id: 'x', values: [5, 6, 7, Number.NaN] }]);
    assert.deepEqual(same.timestamps, a.timestamps);
    assert.deepEqual(same.values[1], [5, 6, 7, null], 'a missing value is a gap, not a zero');
  });

  it('names a line by the labels that differ and the chart by those they share', () => {
    const { common, distinct } = splitLabels([
      series({ instance: '10.0.0.5:9100', mode: 'user', __name__: 'x' }, [], []),
      series({ instance: '10.0.0.5:9100', mode: 'iowait' }, [], []),
    ]);
    assert.deepEqual(common, [['instance', '10.0.0.5:9100']]);
    assert.deepEqual(distinct, [[['mode', 'user']], [['mode', 'iowait']]]);
  });

  it('shows where the data and markers are, not an empty hour before a service started reporting', () => {
    const range = { start: 0, end: 3600_000 };
    const chart = { timestamps: [3_400_000, 3_500_000] } as ChartView;
    const extent = chartExtent([chart], [{ time: 3_300_000, label: 'deploy', kind: 'deploy' }], range);
    assert.ok(extent.start > 3_200_000 && extent.start < 3_300_000, JSON.stringify(extent));
    assert.ok(extent.end > 3_500_000 && extent.end <= range.end);
    assert.deepEqual(chartExtent([], [], range), range);
  });
});
