import * as assert from 'node:assert/strict';
import { formatNumber, formatReportedValue, formatValue, normaliseUnit, unitLabel } from '../../../src/core/units';

describe('units: values as people read them', () => {
  it('durations scale to µs, ms, s, min and h', () => {
    assert.equal(formatValue(1.2, 's'), '1.2 s');
    assert.equal(formatValue(0.34, 's'), '340 ms');
    assert.equal(formatValue(0.000012, 's'), '12 µs');
    assert.equal(formatValue(150, 's'), '2.5 min');
    assert.equal(formatValue(7200, 's'), '2 h');
    assert.equal(formatValue(340, 'ms'), '340 ms');
    assert.equal(formatValue(2500, 'ms'), '2.5 s');
    assert.equal(formatValue(1.234, 'seconds'), '1.23 s');
  });

  it('bytes in binary multiples, and per second', () => {
    assert.equal(formatValue(1.5 * 1024 ** 3, 'bytes'), '1.5 GiB');
    assert.equal(formatValue(512, 'By'), '512 B');
    assert.equal(formatValue(12 * 1024 ** 2, 'bytes/s'), '12 MiB/s');
  });

  it('a ratio is a percentage that never rounds a near miss onto 100 % or 0 %', () => {
    assert.equal(formatValue(0.9997, 'ratio'), '99.97 %');
    assert.equal(formatValue(0.87, 'ratio'), '87 %');
    assert.equal(formatValue(0.99999, 'ratio'), '99.999 %');
    assert.equal(formatValue(0.00004, 'ratio'), '0.004 %');
    assert.equal(formatValue(1, 'ratio'), '100 %');
    assert.equal(formatValue(0, 'ratio'), '0 %');
    assert.equal(formatValue(87, 'percent'), '87 %');
    assert.equal(formatValue(0.5, '1'), '50 %', "OpenTelemetry's dimensionless unit");
  });

  it('rates and counts', () => {
    assert.equal(formatValue(12, 'req/s'), '12 req/s');
    assert.equal(formatValue(0.25, '/s'), '0.25/s');
    assert.equal(formatValue(1.5, 'cores'), '1.5 cores');
    assert.equal(formatValue(1, 'cores'), '1 core');
    assert.equal(formatValue(12, 'count'), '12');
    assert.equal(formatValue(3, '{request}'), '3', 'an OpenTelemetry annotation counts things');
    assert.equal(formatValue(21.5, 'celsius'), '21.5 celsius', 'other units follow the number');
  });

  it('plain numbers: four significant digits, suffixes for large ones, never exponent notation', () => {
    assert.equal(formatNumber(0.999727272727273), '0.9997');
    assert.equal(formatNumber(123456), '123k');
    assert.equal(formatNumber(2_500_000), '2.5M');
    assert.equal(formatNumber(0.000012346), '0.00001235');
    assert.equal(formatNumber(-3.14159), '−3.142');
    assert.equal(formatNumber(1e-12), '0');
    assert.equal(formatNumber(NaN), 'no data');
    assert.equal(formatNumber(Infinity), '∞');
    for (const v of [1e-7, 3e21, 9.99727272727273e-1, 12345678901]) assert.doesNotMatch(formatNumber(v), /e[+-]?\d/, String(v));
  });

  it("an alert's value as the backend printed it: numbers get the unit, text stays text", () => {
    assert.equal(formatReportedValue('9.99727272727273e-01', 'ratio'), '99.97 %');
    assert.equal(formatReportedValue('9.99727272727273e-01'), '0.9997');
    assert.equal(formatReportedValue('5e+00'), '5');
    assert.equal(formatReportedValue('+Inf', 's'), '∞');
    assert.equal(formatReportedValue('12.3%', 'ratio'), '12.3%', "the receiver's own text is already formatted");
    assert.equal(formatReportedValue(''), undefined);
    assert.equal(formatReportedValue(undefined), undefined);
  });

  it('normalises the spellings of OpenTelemetry, Prometheus and our older series', () => {
    assert.equal(normaliseUnit('By'), 'bytes');
    assert.equal(normaliseUnit('seconds'), 's');
    assert.equal(normaliseUnit('per second'), '/s');
    assert.equal(normaliseUnit('{request}/s'), 'req/s');
    assert.equal(normaliseUnit('{packet}/s'), '/s');
    assert.equal(normaliseUnit(''), undefined);
    assert.equal(normaliseUnit('constructor'), 'constructor', 'a unit is data, never a key of Object');
    assert.deepEqual(['ratio', 'percent', 'By', 'seconds', 'count', undefined].map(unitLabel), ['%', '%', 'bytes', 's', undefined, undefined], 'axis labels');
  });
});
