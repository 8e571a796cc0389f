// The spans of an investigation grouped by trace, with each span's parent and children resolved inside
// its trace: built once and shared by the topology, the trace findings and the localization, so none of
// them builds a map or a key string per span again.
import type { Span } from '../../core/model';

export interface TraceSpans {
  traceId: string;
  /** The trace's valid spans, in input order. */
  spans: Span[];
  /**
   * Index in `spans` of the span whose id is this span's parentSpanId (the last span with that id, as a
   * map would keep), -1 when there is none in the trace. A span that names itself as its parent points
   * at itself: callers skip `parent[i] === i`.
   */
  parent: Int32Array;
  /** Children of span i, in input order: childList[childStart[i]] .. childList[childStart[i + 1] - 1]. Self-parents are no children. */
  childStart: Int32Array;
  childList: Int32Array;
}

export function isValidSpan(s: Span | undefined): s is Span {
  return !!s && typeof s.spanId === 'string' && typeof s.traceId === 'string' && Number.isFinite(s.startTime) && Number.isFinite(s.endTime);
}

/** Valid spans by trace, in order of first appearance. */
export function indexTraces(spans: readonly Span[]): Map<string, TraceSpans> {
  const lists = new Map<string, Span[]>();
  for (const s of spans) {
    if (!isValidSpan(s)) continue;
    const list = lists.get(s.traceId);
    if (list) list.push(s);
    else lists.set(s.traceId, [s]);
  }
  const out = new Map<string, TraceSpans>();
  const byId = new Map<string, number>();
  for (const [traceId, list] of lists) {
    const n = list.length;
    const parent = new Int32Array(n).fill(-1);
    const childStart = new Int32Array(n + 1);
    if (n > 1) {
      byId.clear();
      for (let i = 0; i < n; i++) byId.set(list[i].spanId, i);
      for (let i = 0; i < n; i++) {
        const pid = list[i].parentSpanId;
        if (!pid) continue;
        const p = byId.get(pid);
        if (p === undefined) continue;
        parent[i] = p;
        if (p !== i) childStart[p + 1]++;
      }
    } else if (n === 1 && list[0].parentSpanId && list[0].parentSpanId === list[0].spanId) parent[0] = 0;
    for (let i = 0; i < n; i++) childStart[i + 1] += childStart[i];
    const childList = new Int32Array(childStart[n]);
    if (childList.length) {
      const fill = childStart.slice(0, n);
      for (let i = 0; i < n; i++) {
        const p = parent[i];
        if (p >= 0 && p !== i) childList[fill[p]++] = i;
      }
    }
    out.set(traceId, { traceId, spans: list, parent, childStart, childList });
  }
  return out;
}
