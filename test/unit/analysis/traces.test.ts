import * as assert from 'node:assert/strict';
import type { Span } from '../../../src/core/model';
import { analyzeTraces, buildWaterfall, criticalPath, failingTraces, slowestTraces } from '../../../src/analysis/traces';

function span(p: Partial<Span> & { spanId: string }): Span {
  return {
    traceId: 't1',
    name: p.spanId,
    service: 'svc',
    startTime: 0,
    endTime: 10,
    status: 'unset',
    attributes: {},
    ...p,
  };
}

/** frontend -> checkout -> payments, only payments fails; the callers fail because of it. */
function chainTrace(traceId: string, base: number, failing: boolean): Span[] {
  return [
    span({ traceId, spanId: `${traceId}-a`, service: 'frontend', name: 'GET /cart', startTime: base, endTime: base + 100, status: failing ? 'error' : 'ok', attributes: { 'http.route': '/cart' } }),
    span({ traceId, spanId: `${traceId}-b`, parentSpanId: `${traceId}-a`, service: 'checkout', name: 'PlaceOrder', startTime: base + 10, endTime: base + 90, status: failing ? 'error' : 'ok' }),
    span({
      traceId,
      spanId: `${traceId}-c`,
      parentSpanId: `${traceId}-b`,
      service: 'payments',
      name: 'Charge',
      startTime: base + 20,
      endTime: base + 80,
      status: failing ? 'error' : 'ok',
      attributes: failing ? { 'code.file.path': 'src/charge.ts', 'code.function.name': 'charge', 'code.line.number': 42 } : {},
      events: failing
        ? [{ name: 'exception', time: base + 79, attributes: { 'exception.type': 'CardDeclined', 'exception.message': 'card <b>declined</b>', 'exception.stacktrace': 'at charge (src/charge.ts:42)' } }]
        : [],
    }),
  ];
}

describe('analyzeTraces', () => {
  it('names the leaf of an erroring chain as the error origin, with its exception and code location', () => {
    const spans = [...chainTrace('t1', 0, true), ...chainTrace('t2', 1000, true), ...chainTrace('t3', 2000, false)];
    const a = analyzeTraces(spans);
    assert.equal(a.errorOrigins.length, 1);
    const o = a.errorOrigins[0];
    assert.equal(o.service, 'payments');
    assert.equal(o.name, 'Charge');
    assert.equal(o.count, 2);
    assert.equal(o.traceCount, 2);
    assert.equal(o.sampleTraceId, 't1');
    assert.equal(o.sampleSpanId, 't1-c');
    assert.equal(o.exceptionType, 'CardDeclined');
    assert.equal(o.exceptionMessage, 'card <b>declined</b>');
    assert.equal(o.stacktrace, 'at charge (src/charge.ts:42)');
    assert.deepEqual(o.code, { filepath: 'src/charge.ts', function: 'charge', lineno: 42 });
    assert.deepEqual(a.failing.map((t) => t.traceId).sort(), ['t1', 't2']);
    assert.equal(a.failing[0].errorCount, 3);
  });

  it('reads exception and legacy code attributes from span attributes when there is no event', () => {
    const a = analyzeTraces([
      span({ spanId: 'x', status: 'error', attributes: { 'exception.message': 'boom', 'code.filepath': 'a.py', 'code.function': 'f', 'code.lineno': '7' } }),
    ]);
    assert.equal(a.errorOrigins[0].exceptionMessage, 'boom');
    assert.deepEqual(a.errorOrigins[0].code, { filepath: 'a.py', function: 'f', lineno: 7 });
  });

  it('reports per-route counts, error rates and percentiles', () => {
    const spans: Span[] = [];
    for (let i = 1; i <= 100; i++) {
      spans.push(span({ traceId: `r${i}`, spanId: `s${i}`, service: 'api', name: 'GET', startTime: 0, endTime: i, status: i % 10 === 0 ? 'error' : 'ok', attributes: { 'http.route': '/items/:id' } }));
    }
    spans.push(span({ traceId: 'r0', spanId: 'q', service: 'api', name: 'SELECT', startTime: 0, endTime: 5 }));
    const a = analyzeTraces(spans);
    const items = a.routes.find((r) => r.route === '/items/:id')!;
    assert.equal(items.count, 100);
    assert.equal(items.errorCount, 10);
    assert.equal(items.errorRate, 0.1);
    assert.equal(items.p50Ms, 50);
    assert.equal(items.p95Ms, 95);
    assert.equal(items.p99Ms, 99);
    // no route attribute: the span name stands in
    assert.ok(a.routes.some((r) => r.service === 'api' && r.route === 'SELECT' && r.count === 1));
  });

  it('attributes self time so that a synchronous tree sums to the root duration', () => {
    const spans = [
      span({ spanId: 'root', service: 'web', startTime: 0, endTime: 100 }),
      span({ spanId: 'db1', parentSpanId: 'root', service: 'db', startTime: 10, endTime: 40 }),
      span({ spanId: 'db2', parentSpanId: 'root', service: 'db', startTime: 30, endTime: 60 }), // overlaps db1
      span({ spanId: 'cache', parentSpanId: 'root', service: 'cache', startTime: 70, endTime: 80 }),
      span({ spanId: 'db2-inner', parentSpanId: 'db2', service: 'db', startTime: 35, endTime: 45 }),
    ];
    const a = analyzeTraces(spans);
    const self = Object.fromEntries(a.selfTime.map((s) => [s.service, s.selfMs]));
    // web: 100 minus the union [10,60] and [70,80] = 40
    assert.equal(self.web, 40);
    // db: 30 + (30 - 10) + 10, cache: 10
    assert.equal(self.db, 60);
    assert.equal(self.cache, 10);
    const rows = buildWaterfall(spans);
    assert.equal(rows.find((r) => r.spanId === 'root')!.selfMs, 40);
    assert.equal(rows.find((r) => r.spanId === 'db2')!.selfMs, 20);
    const shares = a.selfTime.reduce((x, s) => x + s.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-9);
  });

  it('builds the cross-service call graph with calls, errors and p95', () => {
    const spans = [...chainTrace('t1', 0, true), ...chainTrace('t2', 1000, false)];
    const a = analyzeTraces(spans);
    const edges = Object.fromEntries(a.callGraph.map((e) => [`${e.from}->${e.to}`, e]));
    assert.deepEqual(Object.keys(edges).sort(), ['checkout->payments', 'frontend->checkout']);
    assert.equal(edges['checkout->payments'].calls, 2);
    assert.equal(edges['checkout->payments'].errors, 1);
    assert.equal(edges['checkout->payments'].p95Ms, 60);
  });

  it('survives cycles, self-parents, orphans, duplicates and inverted times', () => {
    const spans = [
      span({ spanId: 'a', parentSpanId: 'b', startTime: 0, endTime: 50 }),
      span({ spanId: 'b', parentSpanId: 'a', startTime: 5, endTime: 40 }),
      span({ spanId: 'self', parentSpanId: 'self', startTime: 1, endTime: 2 }),
      span({ spanId: 'orphan', parentSpanId: 'gone', startTime: 3, endTime: 4 }),
      span({ spanId: 'b', startTime: 100, endTime: 200 }), // duplicate id
      span({ spanId: 'neg', parentSpanId: 'a', startTime: 30, endTime: 10 }),
      { bogus: true } as unknown as Span,
    ];
    const a = analyzeTraces(spans);
    assert.equal(a.spanCount, 5);
    const text = a.warnings.join('\n');
    assert.match(text, /cycle/);
    assert.match(text, /duplicate/);
    assert.match(text, /missing parent/);
    assert.match(text, /inverted/);
    assert.match(text, /without a traceId/);
    const rows = buildWaterfall(spans);
    assert.deepEqual(rows.map((r) => r.spanId).sort(), ['a', 'b', 'neg', 'orphan', 'self']);
    // the cycle is cut at its earliest member, which becomes a root
    const rowA = rows.find((r) => r.spanId === 'a')!;
    assert.equal(rowA.depth, 0);
    assert.equal(rowA.parentSpanId, undefined);
    assert.equal(rows.find((r) => r.spanId === 'b')!.parentSpanId, 'a');
    assert.equal(rows.find((r) => r.spanId === 'neg')!.durationMs, 0);
    assert.ok(criticalPath(spans).length > 0);
  });

  it('handles a 50,000-deep chain without overflowing the stack', () => {
    const spans: Span[] = [];
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      spans.push(span({ spanId: `s${i}`, parentSpanId: i > 0 ? `s${i - 1}` : undefined, startTime: i, endTime: 2 * n - i, status: i === n - 1 ? 'error' : 'unset' }));
    }
    // and close the loop at the top to make it a cycle too
    spans[0] = { ...spans[0], parentSpanId: `s${n - 1}` };
    const a = analyzeTraces(spans);
    assert.equal(a.spanCount, n);
    assert.equal(a.errorOrigins[0].sampleSpanId, `s${n - 1}`);
    const rows = buildWaterfall(spans);
    assert.equal(rows.length, n);
    assert.equal(rows[n - 1].depth, n - 1);
    assert.equal(criticalPath(spans).length, n);
  });
});

describe('criticalPath and waterfall', () => {
  const spans = [
    span({ spanId: 'root', service: 'web', startTime: 0, endTime: 100 }),
    span({ spanId: 'fast', parentSpanId: 'root', service: 'auth', startTime: 0, endTime: 30 }),
    span({ spanId: 'slow', parentSpanId: 'root', service: 'search', startTime: 10, endTime: 90 }),
    span({ spanId: 'slow-db', parentSpanId: 'slow', service: 'db', startTime: 20, endTime: 85, status: 'error' }),
    span({ spanId: 'tail', parentSpanId: 'root', service: 'render', startTime: 90, endTime: 100 }),
  ];

  it('follows the last-finishing child chain, skipping parallel work that finished earlier', () => {
    assert.deepEqual(
      criticalPath(spans).map((s) => s.spanId),
      ['root', 'slow', 'slow-db', 'tail'],
    );
  });

  it('gives UI rows in depth-first order with offsets, flags and parents', () => {
    const rows = buildWaterfall(spans.map((s) => ({ ...s, startTime: s.startTime + 5000, endTime: s.endTime + 5000 })));
    assert.deepEqual(rows.map((r) => [r.spanId, r.depth]), [['root', 0], ['fast', 1], ['slow', 1], ['slow-db', 2], ['tail', 1]]);
    const db = rows.find((r) => r.spanId === 'slow-db')!;
    assert.equal(db.startOffsetMs, 20);
    assert.equal(db.durationMs, 65);
    assert.equal(db.isErrorOrigin, true);
    assert.equal(db.onCriticalPath, true);
    assert.equal(db.parentSpanId, 'slow');
    assert.equal(rows.find((r) => r.spanId === 'fast')!.onCriticalPath, false);
  });

  it('ranks slowest and failing traces', () => {
    const all = [...chainTrace('quick', 0, false).map((s) => ({ ...s, endTime: s.startTime + 1 })), ...chainTrace('broken', 500, true), ...spans];
    assert.deepEqual(slowestTraces(all, 2).map((t) => t.traceId), ['broken', 't1']);
    const failing = failingTraces(all, 5);
    assert.deepEqual(failing.map((t) => [t.traceId, t.errorCount]), [['broken', 3], ['t1', 1]]);
    assert.equal(failing[0].rootService, 'frontend');
    assert.equal(failing[0].rootName, 'GET /cart');
  });

  it('rejects input that is not an array with a clear error', () => {
    assert.throws(() => analyzeTraces(null as unknown as Span[]), /array of spans/);
  });
});
