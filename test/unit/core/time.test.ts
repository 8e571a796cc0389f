import * as assert from 'node:assert/strict';
import { axisLabel, formatAgo, formatClock, formatRelative, formatSpan, formatTime } from '../../../src/core/time';

describe('time formats for people', () => {
  const t = Date.UTC(2024, 4, 1, 12, 3, 22);

  it('writes local time with its zone, in the zone asked for', () => {
    assert.equal(formatTime(t, { timeZone: 'UTC' }), '2024-05-01 12:03:22 UTC');
    assert.equal(formatTime(t, { timeZone: 'Europe/Berlin' }), '2024-05-01 14:03:22 CEST');
    assert.equal(formatClock(t, { timeZone: 'Asia/Kolkata' }), '17:33:22 GMT+5:30');
    assert.equal(formatTime(Number.NaN), 'unknown time');
  });

  it('never says "0 min": short spans are seconds or milliseconds, long ones drop what does not matter', () => {
    assert.equal(formatSpan(450), '450 ms');
    assert.equal(formatSpan(19_000), '19 s');
    assert.equal(formatSpan(-19_000), '19 s');
    assert.equal(formatSpan(250_000), '4 min 10 s');
    assert.equal(formatSpan(12 * 60_000 + 5_000), '12 min');
    assert.equal(formatSpan(2 * 3600_000 + 5 * 60_000), '2 h 5 min');
    assert.equal(formatSpan(3 * 86400_000 + 4 * 3600_000), '3 d 4 h');
    for (let ms = 0; ms < 120_000; ms += 777) assert.doesNotMatch(formatSpan(ms), /^0 (min|s)/);
  });

  it('says where a moment is relative to a named one', () => {
    assert.equal(formatRelative(t - 19_000, t, 'the onset'), '19 s before the onset');
    assert.equal(formatRelative(t + 180_000, t, 'the alert'), '3 min after the alert');
    assert.equal(formatRelative(t + 400, t, 'the onset'), 'at the onset');
    assert.equal(formatAgo(t - 300_000, t), '5 min ago');
    assert.equal(formatAgo(t + 120_000, t), 'in 2 min');
  });

  it('labels chart axes with the clock, and the date where the day changes', () => {
    assert.equal(axisLabel(t, 3600_000, t - 60_000, { timeZone: 'UTC' }), '12:03');
    assert.equal(axisLabel(t, 3600_000, t - 86400_000, { timeZone: 'UTC' }), '05-01 12:03');
    assert.equal(axisLabel(t, 5 * 60_000, undefined, { timeZone: 'UTC' }), '12:03:22');
  });
});
