// The unit of a PromQL expression's value, told from the metric naming conventions
// (https://prometheus.io/docs/practices/naming/: `_seconds`, `_bytes`, `_total`...) or the metadata's
// unit, carried through functions and operators: a rate of a seconds counter is a fraction of time, a
// ratio of two byte gauges is a ratio, a histogram quantile has its observations' unit.

import { normaliseUnit } from '../core/units';
import { comparisons, parsePromql, stripParens, type PromqlNode } from './promqlExpr';

/**
 * A unit in the algebra of the expression: a plain number, a unit (optionally per second, times a
 * scale so that `x_bytes * 100 / y_bytes` reads as a percentage), or unknown.
 */
type Dim = { kind: 'scalar'; value?: number } | { kind: 'unit'; base: string; perSecond: boolean; scale: number; bucket?: boolean } | { kind: 'unknown' };

const unknownDim: Dim = { kind: 'unknown' };

function unitDim(base: string, perSecond = false, scale = 1, bucket = false): Dim {
  return { kind: 'unit', base, perSecond, scale, bucket };
}

/**
 * The unit a metric's name declares by convention (`_seconds`, `_bytes`, `_ratio`...), and whether it
 * is a count of events (`_total`, a histogram's `_count`). Gauges without a unit suffix have none.
 */
export function unitFromMetricName(name: string): { unit?: string; counter: boolean; bucket: boolean } {
  let n = name.replace(/:/g, '_');
  const counter = /_total$/.test(n);
  const bucket = /_bucket$/.test(n);
  const count = /_count$/.test(n);
  n = n.replace(/_(total|bucket|sum|count|created)$/, '');
  const last = /_([a-z]+)$/.exec(n)?.[1];
  const words: Record<string, string> = { seconds: 's', milliseconds: 'ms', bytes: 'bytes', ratio: 'ratio', percent: 'percent', celsius: 'celsius', volts: 'volts', amperes: 'amperes', joules: 'joules', watts: 'watts', meters: 'meters', grams: 'grams', hertz: 'hertz' };
  const unit = count ? 'count' : last && words[last] ? words[last] : counter ? 'count' : undefined;
  return { unit, counter: counter || count, bucket };
}

const sameUnitFunctions = new Set([
  'abs', 'ceil', 'floor', 'round', 'clamp', 'clamp_min', 'clamp_max', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'label_replace', 'label_join',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'quantile_over_time', 'last_over_time', 'mad_over_time', 'stddev_over_time', 'stdvar_over_time',
  'predict_linear', 'holt_winters', 'double_exponential_smoothing', 'scalar', 'vector', 'exp', 'sqrt', 'sgn',
]);
const countFunctions = new Set(['count_over_time', 'changes', 'resets', 'absent', 'absent_over_time', 'present_over_time', 'count_values']);

function dimOf(n: PromqlNode, metaUnit: (name: string) => string | undefined): Dim {
  switch (n.type) {
    case 'number':
      return { kind: 'scalar', value: n.value };
    case 'string':
      return unknownDim;
    case 'selector': {
      if (!n.name) return unknownDim;
      const conv = unitFromMetricName(n.name);
      const unit = normaliseUnit(metaUnit(n.name)) ?? conv.unit;
      return unit ? unitDim(unit, false, 1, conv.bucket) : unknownDim;
    }
    case 'paren':
    case 'range':
    case 'offset':
    case 'unary':
      return dimOf(n.expr, metaUnit);
    case 'aggregate': {
      if (n.op === 'count' || n.op === 'count_values' || n.op === 'group') return unitDim('count');
      const vector = n.args[n.args.length - 1];
      return vector ? dimOf(vector, metaUnit) : unknownDim;
    }
    case 'call': {
      const f = n.func.toLowerCase();
      if (f === 'time' || f === 'timestamp') return unitDim('s');
      if (countFunctions.has(f)) return unitDim('count');
      if (f === 'histogram_fraction') return unitDim('ratio');
      const vector = n.args.find((a) => stripParens(a).type !== 'number' && stripParens(a).type !== 'string') ?? n.args[0];
      const inner = vector ? dimOf(vector, metaUnit) : unknownDim;
      if (f === 'histogram_quantile' || f === 'histogram_avg') return inner.kind === 'unit' ? unitDim(inner.base, false, inner.scale) : unknownDim;
      if (f === 'rate' || f === 'irate' || f === 'deriv') {
        if (inner.kind !== 'unit' || inner.perSecond) return unknownDim;
        // A rate of a seconds counter is seconds per second: the fraction of time spent (CPU, I/O).
        if (inner.base === 's' && !inner.bucket) return unitDim('ratio', false, inner.scale);
        return unitDim(inner.base, true, inner.scale, inner.bucket);
      }
      if (f === 'increase' || f === 'delta' || f === 'idelta' || sameUnitFunctions.has(f)) return inner;
      return unknownDim;
    }
    case 'binary': {
      const l = dimOf(n.left, metaUnit);
      const r = dimOf(n.right, metaUnit);
      if (comparisons.has(n.op)) return n.bool ? { kind: 'scalar' } : l;
      if (n.op === 'and' || n.op === 'unless') return l;
      if (n.op === 'or') return sameDim(l, r) ? l : unknownDim;
      if (l.kind === 'scalar' && r.kind === 'scalar') return { kind: 'scalar' };
      switch (n.op) {
        case '+':
        case '-':
          if (l.kind === 'scalar') return r;
          if (r.kind === 'scalar') return l;
          return sameDim(l, r) && l.kind === 'unit' && r.kind === 'unit' && l.scale === r.scale ? l : unknownDim;
        case '*': {
          const scalar = l.kind === 'scalar' ? l : r.kind === 'scalar' ? r : undefined;
          const other = scalar === l ? r : l;
          if (!scalar || other.kind !== 'unit' || scalar.value === undefined) return unknownDim;
          return { ...other, scale: other.scale * scalar.value };
        }
        case '/':
          if (r.kind === 'scalar' && l.kind === 'unit' && r.value) return { ...l, scale: l.scale / r.value };
          if (sameDim(l, r) && l.kind === 'unit' && r.kind === 'unit') return unitDim('ratio', false, l.scale / r.scale);
          return unknownDim;
        default:
          return unknownDim;
      }
    }
  }
}

function sameDim(a: Dim, b: Dim): boolean {
  return a.kind === 'unit' && b.kind === 'unit' && a.base === b.base && a.perSecond === b.perSecond;
}

/**
 * The unit of an expression's value, when the metric names (or their metadata) and the functions tell
 * it: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))` is a ratio, `histogram_quantile(0.95,
 * rate(x_seconds_bucket[5m]))` seconds, `rate(x_bytes_total[1m])` bytes/s. Unknown gives undefined.
 */
export function inferUnit(text: string, metaUnit: (name: string) => string | undefined = () => undefined): string | undefined {
  let d: Dim;
  try {
    d = dimOf(parsePromql(text), metaUnit);
  } catch {
    return undefined;
  }
  if (d.kind !== 'unit') return undefined;
  const near = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  let base = d.base;
  if (base === 'ratio' && near(d.scale, 100)) base = 'percent';
  else if (base === 'percent' && near(d.scale, 0.01)) base = 'ratio';
  else if (base === 's' && near(d.scale, 1000)) base = 'ms';
  else if (!near(d.scale, 1)) return undefined;
  if (!d.perSecond) return base === 'count' ? undefined : base;
  if (base === 'count') return '/s';
  if (base === 'bytes') return 'bytes/s';
  return `${base}/s`;
}
