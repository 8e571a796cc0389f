import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { RecentAlerts } from '../../../src/agent/recentAlerts';

const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const alert = (id: string, sourceName = 'am', over: Partial<Alert> = {}): Alert => ({ id, name: `A${id}`, state: 'firing', severity: 'critical', labels: {}, annotations: {}, startsAt: t0 - 60_000, sourceName, sourceKind: 'alertmanager', ...over });

describe('recently resolved alerts', () => {
  it('keeps an alert its source stopped listing, as resolved since it was missed, for a while', () => {
    const recent = new RecentAlerts(15 * 60_000);
    assert.deepEqual(recent.update([alert('1'), alert('2')], t0).map((a) => a.state), ['firing', 'firing']);
    const after = recent.update([alert('2')], t0 + 30_000);
    const gone = after.find((a) => a.id === '1');
    assert.ok(gone);
    assert.equal(gone.state, 'resolved');
    assert.equal(gone.endsAt, t0 + 30_000);
    assert.ok(recent.update([alert('2')], t0 + 10 * 60_000).some((a) => a.id === '1' && a.state === 'resolved'), 'still shown 10 min later');
    assert.ok(!recent.update([alert('2')], t0 + 16 * 60_000).some((a) => a.id === '1'), 'gone after 15 min');
  });

  it('resolves nothing of a source that failed to answer, and shows a re-fired alert once, firing', () => {
    const recent = new RecentAlerts();
    recent.update([alert('1', 'am'), alert('9', 'grafana')], t0);
    const failed = recent.update([alert('1', 'am')], t0 + 15_000, new Set(['grafana']));
    assert.ok(!failed.some((a) => a.id === '9'), 'the failed source\'s alert is not invented as resolved');
    recent.update([alert('1', 'am'), alert('9', 'grafana')], t0 + 30_000);
    recent.update([alert('9', 'grafana')], t0 + 45_000);
    const refired = recent.update([alert('1', 'am'), alert('9', 'grafana')], t0 + 60_000);
    assert.deepEqual(refired.filter((a) => a.id === '1').map((a) => a.state), ['firing']);
  });
});
