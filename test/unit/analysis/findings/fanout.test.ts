import * as assert from 'node:assert/strict';
import type { Span } from '../../../../src/core/model';
import { traceFindings } from '../../../../src/analysis/findings/traceFindings';
import { buildTopology } from '../../../../src/analysis/findings/topology';

const ONSET = Date.UTC(2026, 3, 1, 12, 0);

/** One request to inventory that runs `queries` statements on PostgreSQL (OpenTelemetry db spans). */
function request(i: number, start: number, queries: number, statement = (q: number) => `SELECT * FROM items WHERE id = ${q}`): Span[] {
  const traceId = i.toString(16).padStart(32, '0');
  const root: Span = { traceId, spanId: `r${i}`, name: 'GET /items', service: 'inventory', kind: 'server', startTime: start, endTime: start + 50, status: 'ok', attributes: {} };
  const calls: Span[] = Array.from({ length: queries }, (_, q) => ({
    traceId,
    spanId: `c${i}-${q}`,
    parentSpanId: root.spanId,
    name: statement(q),
    service: 'inventory',
    kind: 'client',
    startTime: start + 1 + q,
    endTime: start + 2 + q,
    status: 'ok',
    attributes: { 'db.system': 'postgresql', 'server.address': '10.0.0.5' },
  }));
  return [root, ...calls];
}

describe('fan-out per trace: an N+1 query or a retry loop', () => {
  it('calls per request against before the onset: 2 statements became 20', () => {
    const spans = [...Array.from({ length: 8 }, (_, i) => request(i, ONSET - 600_000 + i * 1000, 2)), ...Array.from({ length: 8 }, (_, i) => request(100 + i, ONSET + 60_000 + i * 1000, 20))].flat();
    const f = traceFindings(spans, ONSET, buildTopology(spans, ['inventory']));
    assert.deepEqual(f.fanout.map((x) => [x.service, x.callee, x.before, x.after, x.traces]), [['inventory', 'postgresql', 2, 20, 8]]);
  });

  it('no fan-out when the calls per request did not change', () => {
    const spans = [...Array.from({ length: 8 }, (_, i) => request(i, ONSET - 600_000 + i * 1000, 20)), ...Array.from({ length: 8 }, (_, i) => request(100 + i, ONSET + 60_000 + i * 1000, 20))].flat();
    assert.deepEqual(traceFindings(spans, ONSET, buildTopology(spans, ['inventory'])).fanout, []);
  });

  it('with no trace from before the onset, only the same statement repeated in every request counts', () => {
    const repeated = Array.from({ length: 8 }, (_, i) => request(i, ONSET + 60_000 + i * 1000, 15)).flat();
    const f = traceFindings(repeated, ONSET, buildTopology(repeated, ['inventory']));
    assert.deepEqual(f.fanout.map((x) => [x.service, x.callee, x.before, x.after]), [['inventory', 'postgresql', undefined, 15]]);
    // Fifteen different statements per request are a busy handler, not an N+1.
    const distinct = Array.from({ length: 8 }, (_, i) => request(i, ONSET + 60_000 + i * 1000, 15, (q) => `SELECT * FROM table_${String.fromCharCode(97 + q)}`)).flat();
    assert.deepEqual(traceFindings(distinct, ONSET, buildTopology(distinct, ['inventory'])).fanout, []);
  });
});
