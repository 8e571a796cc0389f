import * as assert from 'node:assert/strict';
import { chooseSettings, leaveOneOut, type SettingChoice } from '../../../bench/lib/settingsSelection';

interface Design {
  broadRule: boolean;
  narrowRule: boolean;
  threshold: number;
  fixed: string;
}

const space: SettingChoice<Design>[] = [
  { name: 'broadRule', values: [false, true] },
  { name: 'narrowRule', values: [false, true] },
  { name: 'threshold', values: [0, 1, 2, 3], rich: 2 },
];
const base: Design = { broadRule: false, narrowRule: false, threshold: 0, fixed: 'kept' };

/**
 * A made-up benchmark of four systems: the broad rule helps all of them, the narrow rule helps
 * only system d (and costs a, a little), threshold 2 is best everywhere.
 */
function score(s: Design, system: string): number {
  let x = 0.5;
  if (s.broadRule) x += 0.2;
  if (s.narrowRule) x += system === 'd' ? 0.3 : system === 'a' ? -0.01 : 0;
  x -= 0.05 * Math.abs(s.threshold - 2);
  return x;
}

describe('settings selection (leave one system out)', () => {
  it('switches on what helps the training systems and leaves other settings alone', () => {
    const chosen = chooseSettings(base, space, (s) => (score(s, 'a') + score(s, 'b')) / 2, { minGain: 0.001 });
    assert.deepEqual(chosen.settings, { broadRule: true, narrowRule: false, threshold: 2, fixed: 'kept' });
  });

  it('keeps a rule that helps only one system off when that system is held out, and reports the lower held-out score', () => {
    const result = leaveOneOut(['a', 'b', 'c', 'd'], base, space, score, { minGain: 0.001 });
    assert.equal(result.inSample.settings.narrowRule, true, 'on all four, d alone pays for the narrow rule');
    assert.equal(result.heldOut.d.settings.narrowRule, false, 'without d, nothing supports it');
    assert.equal(result.heldOut.a.settings.narrowRule, true);
    assert.ok(Math.abs(result.heldOut.d.score - 0.7) < 1e-9, `d held out scores without the rule: ${result.heldOut.d.score}`);
    assert.ok(result.heldOutMean < result.inSample.mean, 'the out-of-sample mean is the lower, honest one');
  });

  it('does not take a rule whose gain is below minGain', () => {
    const tiny = (s: Design) => 0.5 + (s.broadRule ? 0.0005 : 0);
    assert.equal(chooseSettings(base, space, tiny, { minGain: 0.001 }).settings.broadRule, false);
    assert.equal(chooseSettings(base, space, tiny, { minGain: 0.0001 }).settings.broadRule, true);
  });

  it('chooses a held-out system\'s settings without its own score', () => {
    // d alone would be far better with threshold 3; the others prefer 2.
    const peeking = (s: Design, system: string) => score(s, system) + (system === 'd' && s.threshold === 3 ? 1 : 0);
    const result = leaveOneOut(['a', 'b', 'c', 'd'], base, space, peeking, { minGain: 0.001 });
    assert.equal(result.inSample.settings.threshold, 3, 'in-sample, d pulls the choice');
    assert.equal(result.heldOut.d.settings.threshold, 2, 'held out, d has no say');
    for (const g of ['a', 'b', 'c']) assert.equal(result.heldOut[g].settings.threshold, 3);
  });
});
