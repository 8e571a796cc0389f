// Series as an SRE reads them: cumulative counters become per-second rates (resets handled), classic
// histogram buckets become a 95th-percentile series per label set, and `_sum` over `_count` becomes the
// mean. Gauges stay as they are. Each derived series says what it was derived from, so evidence can
// point at it and a chart can show it.
import type { MetricSeries } from '../../core/model';
import { looksCumulative, seriesMeaning, type SeriesMeaning } from './semantics';

export interface DerivedSeries extends MetricSeries {
  /** How it was made from the bundle's own series. */
  derivation: 'raw' | 'rate' | 'p95' | 'mean';
  /** Ids of the bundle series it comes from. */
  sources: string[];
  meaning: SeriesMeaning;
}

function cleanPoints(s: MetricSeries): { t: number[]; v: number[] } {
  const ts = s.timestamps;
  const vs = s.values;
  const n = Math.min(ts?.length ?? 0, vs?.length ?? 0);
  // Most series are clean already: check, then copy in one go.
  let clean = Array.isArray(ts) && Array.isArray(vs);
  for (let i = 0; i < n && clean; i++) {
    const ti = ts[i];
    const vi = vs[i];
    if (typeof ti !== 'number' || typeof vi !== 'number' || !Number.isFinite(ti) || !Number.isFinite(vi) || (i > 0 && ti < ts[i - 1])) clean = false;
  }
  if (clean) return { t: ts.slice(0, n), v: vs.slice(0, n) };
  const t: number[] = [];
  const v: number[] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const ti = ts[i];
    const vi = vs[i];
    if (typeof ti !== 'number' || typeof vi !== 'number' || !Number.isFinite(ti) || !Number.isFinite(vi)) continue;
    if (t.length && ti < t[t.length - 1]) sorted = false;
    t.push(ti);
    v.push(vi);
  }
  if (!sorted) {
    const order = t.map((_, i) => i).sort((a, b) => t[a] - t[b]);
    return { t: order.map((i) => t[i]), v: order.map((i) => v[i]) };
  }
  return { t, v };
}

/** Per-second rate of a cumulative counter; a fall is a reset, counted from zero. */
export function counterRate(t: number[], v: number[]): { t: number[]; v: number[] } {
  const rt: number[] = [];
  const rv: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const dt = (t[i] - t[i - 1]) / 1000;
    if (!(dt > 0)) continue;
    const dv = v[i] >= v[i - 1] ? v[i] - v[i - 1] : v[i];
    rt.push(t[i]);
    rv.push(dv / dt);
  }
  return { t: rt, v: rv };
}

function labelsWithout(labels: Record<string, string>, drop: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (k !== drop) out[k] = v;
  return out;
}

function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
}

function parseLe(v: string | undefined): number {
  if (v === undefined) return NaN;
  if (/^\+?inf$/i.test(v.trim())) return Infinity;
  return Number(v);
}

/** The q-quantile from cumulative bucket increments, interpolating inside the bucket (as histogram_quantile does). */
function quantileOf(les: number[], counts: number[], q: number): number {
  const total = counts[counts.length - 1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  for (let i = 0; i < les.length; i++) {
    if (counts[i] >= rank) {
      if (!Number.isFinite(les[i])) return i > 0 ? les[i - 1] : NaN;
      const lo = i > 0 ? les[i - 1] : 0;
      const below = i > 0 ? counts[i - 1] : 0;
      const inBucket = counts[i] - below;
      return inBucket > 0 ? lo + ((les[i] - lo) * (rank - below)) / inBucket : les[i];
    }
  }
  return NaN;
}

/**
 * Every series of a bundle as it should be analysed. Bucket series collapse into one p95 series per
 * label set; counters and `_count` series become rates; `_sum` with a matching `_count` becomes a mean.
 */
export function deriveSeries(metrics: MetricSeries[]): DerivedSeries[] {
  const out: DerivedSeries[] = [];
  const buckets = new Map<string, { base: MetricSeries; labels: Record<string, string>; members: { le: number; s: MetricSeries }[] }>();
  const counts = new Map<string, MetricSeries>();
  const sums: { s: MetricSeries; key: string }[] = [];
  for (const s of metrics) {
    if (!s || !Array.isArray(s.values) || !Array.isArray(s.timestamps)) continue;
    const meaning = seriesMeaning(s);
    if (meaning.kind === 'bucket') {
      const labels = labelsWithout(s.labels, 'le');
      const key = `${meaning.baseName}{${labelKey(labels)}}`;
      let g = buckets.get(key);
      if (!g) buckets.set(key, (g = { base: s, labels, members: [] }));
      g.members.push({ le: parseLe(s.labels.le), s });
      continue;
    }
    const { t, v } = cleanPoints(s);
    const key = `${meaning.baseName}{${labelKey(s.labels ?? {})}}`;
    if (meaning.kind === 'histogram-count') counts.set(key, s);
    if (meaning.kind === 'histogram-sum') {
      sums.push({ s, key });
      continue;
    }
    // Clock readings (last schedule time, start time) only ever rise too, but they are not counters.
    const timeLike = /(time|timestamp)(_seconds)?$/.test(meaning.baseName) || meaning.isStartTime;
    // A gauge that only rises is a counter only when it counts something (requests, errors): memory
    // that only rises is a leak, not a counter.
    const cumulative = !timeLike && (meaning.kind === 'counter' || meaning.kind === 'histogram-count' || ((meaning.role === 'errors' || meaning.role === 'traffic') && looksCumulative(v)));
    if (cumulative) {
      const r = counterRate(t, v);
      out.push({ ...s, id: `rate(${s.id})`, timestamps: r.t, values: r.v, unit: s.unit ? `${s.unit}/s` : '/s', derivation: 'rate', sources: [s.id], meaning: meaning.kind === 'histogram-count' ? { ...meaning, role: 'traffic', direction: 'both' } : meaning });
    } else {
      out.push({ ...s, timestamps: t, values: v, derivation: 'raw', sources: [s.id], meaning });
    }
  }
  // Mean latency from _sum / _count.
  for (const { s, key } of sums) {
    const c = counts.get(key);
    const meaning = seriesMeaning(s);
    if (!c) {
      const { t, v } = cleanPoints(s);
      const r = counterRate(t, v);
      out.push({ ...s, id: `rate(${s.id})`, timestamps: r.t, values: r.v, derivation: 'rate', sources: [s.id], meaning });
      continue;
    }
    const a = cleanPoints(s);
    const b = cleanPoints(c);
    const bt = new Map(b.t.map((t, i) => [t, b.v[i]]));
    const mt: number[] = [];
    const mv: number[] = [];
    for (let i = 1; i < a.t.length; i++) {
      const c1 = bt.get(a.t[i]);
      const c0 = bt.get(a.t[i - 1]);
      if (c1 === undefined || c0 === undefined) continue;
      const dc = c1 >= c0 ? c1 - c0 : c1;
      const ds = a.v[i] >= a.v[i - 1] ? a.v[i] - a.v[i - 1] : a.v[i];
      if (dc > 0) {
        mt.push(a.t[i]);
        mv.push(ds / dc);
      }
    }
    out.push({ ...s, id: `mean(${s.id})`, name: `${meaning.baseName} mean`, timestamps: mt, values: mv, derivation: 'mean', sources: [s.id, c.id], meaning: { ...meaning, role: 'latency', direction: 'up', kind: 'gauge' } });
  }
  // p95 from classic histogram buckets.
  for (const g of buckets.values()) {
    const members = g.members.filter((m) => !Number.isNaN(m.le)).sort((a, b) => a.le - b.le);
    if (members.length < 2) continue;
    const pts = members.map((m) => cleanPoints(m.s));
    const times = pts[0].t;
    const at = pts.map((p) => new Map(p.t.map((t, i) => [t, p.v[i]])));
    const qt: number[] = [];
    const qv: number[] = [];
    for (let i = 1; i < times.length; i++) {
      const inc: number[] = [];
      let ok = true;
      for (const m of at) {
        const now = m.get(times[i]);
        const before = m.get(times[i - 1]);
        if (now === undefined || before === undefined) {
          ok = false;
          break;
        }
        inc.push(now >= before ? now - before : now);
      }
      if (!ok) continue;
      // Buckets are cumulative over le; keep them monotone against scrape skew.
      for (let k = 1; k < inc.length; k++) if (inc[k] < inc[k - 1]) inc[k] = inc[k - 1];
      const q = quantileOf(members.map((m) => m.le), inc, 0.95);
      if (Number.isFinite(q)) {
        qt.push(times[i]);
        qv.push(q);
      }
    }
    const meaning = seriesMeaning(g.base);
    const labelText = labelKey(g.labels);
    out.push({
      id: `p95(${meaning.baseName}{${labelText}})`,
      name: `${meaning.baseName} p95`,
      labels: g.labels,
      ...(g.base.service ? { service: g.base.service } : {}),
      unit: g.base.unit,
      timestamps: qt,
      values: qv,
      derivation: 'p95',
      sources: members.map((m) => m.s.id),
      meaning: { ...meaning, kind: 'gauge', role: 'latency', direction: 'up' },
    });
  }
  return out;
}
