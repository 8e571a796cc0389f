import * as assert from 'node:assert/strict';
import { indexTraces } from '../../../../src/analysis/findings/traceIndex';
import type { Span } from '../../../../src/core/model';

function span(traceId: string, spanId: string, parentSpanId?: string, extra: Partial<Span> = {}): Span {
  return { traceId, spanId, parentSpanId, name: spanId, service: 'svc', startTime: 0, endTime: 10, status: 'ok', ...extra } as Span;
}

function children(t: ReturnType<typeof indexTraces> extends Map<string, infer T> ? T : never, i: number): string[] {
  const out: string[] = [];
  for (let k = t.childStart[i]; k < t.childStart[i + 1]; k++) out.push(t.spans[t.childList[k]].spanId);
  return out;
}

describe('indexTraces', () => {
  it('resolves parents and children inside each trace, in input order', () => {
    const idx = indexTraces([span('t1', 'b', 'a'), span('t2', 'x'), span('t1', 'a'), span('t1', 'c', 'a'), span('t1', 'd', 'b')]);
    assert.deepEqual([...idx.keys()], ['t1', 't2']);
    const t1 = idx.get('t1')!;
    assert.deepEqual(t1.spans.map((s) => s.spanId), ['b', 'a', 'c', 'd']);
    assert.deepEqual([...t1.parent], [1, -1, 1, 0]);
    assert.deepEqual(children(t1, 1), ['b', 'c']);
    assert.deepEqual(children(t1, 0), ['d']);
    assert.deepEqual(children(t1, 2), []);
  });

  it('does not link a span id across traces; a missing parent is -1; a self-parent points at itself and is no child', () => {
    const idx = indexTraces([span('t1', 'a'), span('t2', 'b', 'a'), span('t3', 's', 's'), span('t3', 'k', 's')]);
    assert.deepEqual([...idx.get('t2')!.parent], [-1]);
    const t3 = idx.get('t3')!;
    assert.deepEqual([...t3.parent], [0, 0]);
    assert.deepEqual(children(t3, 0), ['k']);
    assert.deepEqual([...indexTraces([span('t4', 'z', 'z')]).get('t4')!.parent], [0]);
  });

  it('skips spans without ids or finite times, and a duplicate id resolves to its last copy', () => {
    const idx = indexTraces([span('t1', 'p'), span('t1', 'p', undefined, { name: 'second' }), span('t1', 'c', 'p'), { ...span('t1', 'bad'), startTime: NaN }, { traceId: 't1' } as Span]);
    const t1 = idx.get('t1')!;
    assert.equal(t1.spans.length, 3);
    assert.equal(t1.spans[t1.parent[2]].name, 'second');
  });
});
