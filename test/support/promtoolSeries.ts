// promtool's unit-test series notation (Prometheus docs, "Unit Testing for Rules"): 'a+bxn' is a then
// n further samples stepping by b, 'axn' is a repeated n+1 times, '_' a missing sample, '_xn' n missing
// samples, 'stale' a staleness marker. Samples are `interval` apart from time 0. A staleness marker is a
// NaN value (what Prometheus stores for it), so readers treat the series as ended there.

import type { MetricSeries } from '../../src/core/model';

export function parseDuration(text: string): number {
  let ms = 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/g;
  let m: RegExpExecArray | null;
  let used = 0;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };
  while ((m = re.exec(text))) {
    ms += Number(m[1]) * unit[m[2]];
    used += m[0].length;
  }
  if (used !== text.length || !text.length) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return ms;
}

/** The values of one series line, in order; undefined is a missing sample, NaN a staleness marker. */
export function expandValues(text: string): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (!token) continue;
    if (token === '_') out.push(undefined);
    else if (token === 'stale') out.push(NaN);
    else {
      const missing = /^_x(\d+)$/.exec(token);
      if (missing) {
        for (let i = 0; i < Number(missing[1]); i++) out.push(undefined);
        continue;
      }
      const m = /^([-+]?[\d.e]+)(?:([-+])([\d.e]+))?x(\d+)$/.exec(token);
      if (m) {
        const a = Number(m[1]);
        const b = m[3] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * Number(m[3]);
        for (let i = 0; i <= Number(m[4]); i++) out.push(a + i * b);
        continue;
      }
      const n = Number(token);
      if (!Number.isFinite(n)) throw new Error(`cannot read series value ${JSON.stringify(token)}`);
      out.push(n);
    }
  }
  return out;
}

/** `name{a="x", b="y"}` into labels (with __name__). */
export function parseSelector(text: string): Record<string, string> {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (!m) throw new Error(`cannot read series ${JSON.stringify(text)}`);
  const labels: Record<string, string> = { __name__: m[1] };
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
  const body = m[2] ?? '';
  let at = 0;
  while (at < body.length && body.slice(at).trim()) {
    re.lastIndex = at;
    const lm = re.exec(body);
    if (!lm) throw new Error(`cannot read labels of ${JSON.stringify(text)}`);
    labels[lm[1]] = JSON.parse(`"${lm[2]}"`) as string;
    at = re.lastIndex;
  }
  return labels;
}

export function promtoolSeries(selector: string, values: string, intervalMs: number): MetricSeries {
  const labels = parseSelector(selector);
  const timestamps: number[] = [];
  const vals: number[] = [];
  expandValues(values).forEach((v, i) => {
    if (v === undefined) return;
    timestamps.push(i * intervalMs);
    vals.push(v);
  });
  return { id: selector, name: labels.__name__, labels, timestamps, values: vals };
}
