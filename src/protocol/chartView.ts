// Charts as an SRE reads them: small multiples, one chart per metric (its name and unit), a few lines
// each, and a legend that names only the labels telling those lines apart. The lines of a chart share
// one time axis (a grid at the coarsest step among them), so the cursor reads every line at one time.
// A pure mapper over the bundle and the findings: it decides what to draw, never what moved.
import type { Hypothesis, MetricSeries } from '../core/model';
import type { Investigation, SeriesFinding } from '../core/investigation';
import type { ChartSeriesView, ChartView } from './investigation';

export const maxCharts = 10;
export const maxSeriesPerChart = 4;
const maxPoints = 600;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function stepOf(s: MetricSeries): number {
  const n = Math.min(s.timestamps.length, 200);
  const diffs: number[] = [];
  for (let i = 1; i < n; i++) diffs.push(s.timestamps[i] - s.timestamps[i - 1]);
  return median(diffs.filter((d) => d > 0));
}

function sameTimestamps(list: MetricSeries[]): boolean {
  const first = list[0].timestamps;
  return list.every((s) => s.timestamps.length === first.length && s.timestamps.every((t, i) => t === first[i]));
}

/** Puts the series on one time axis: their own when they share it, else a grid at the coarsest step (the last value in each slot). */
export function alignSeries(list: MetricSeries[]): { timestamps: number[]; values: (number | null)[][] } {
  const clean = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  if (list.length === 0) return { timestamps: [], values: [] };
  if (sameTimestamps(list)) {
    const ts = list[0].timestamps;
    const stride = Math.max(1, Math.ceil(ts.length / maxPoints));
    const idx: number[] = [];
    for (let i = 0; i < ts.length; i += stride) idx.push(i);
    return { timestamps: idx.map((i) => ts[i]), values: list.map((s) => idx.map((i) => clean(s.values[i]))) };
  }
  let start = Infinity;
  let end = -Infinity;
  for (const s of list) {
    if (!s.timestamps.length) continue;
    start = Math.min(start, s.timestamps[0]);
    end = Math.max(end, s.timestamps[s.timestamps.length - 1]);
  }
  if (!Number.isFinite(start)) return { timestamps: [], values: list.map(() => []) };
  const step = Math.max(1, ...list.map(stepOf), Math.ceil((end - start) / maxPoints));
  const slots = Math.floor((end - start) / step) + 1;
  const timestamps = Array.from({ length: slots }, (_, i) => start + i * step);
  const values = list.map((s) => {
    const row: (number | null)[] = new Array(slots).fill(null);
    const n = Math.min(s.timestamps.length, s.values.length);
    for (let i = 0; i < n; i++) {
      const v = clean(s.values[i]);
      if (v === null) continue;
      row[Math.min(slots - 1, Math.floor((s.timestamps[i] - start) / step))] = v;
    }
    return row;
  });
  return { timestamps, values };
}

function labelText(labels: [string, string][], max = 90): string {
  const text = labels.map(([k, v]) => `${k}=${v}`).join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The labels every series shares and, per series, those that differ. */
export function splitLabels(list: MetricSeries[]): { common: [string, string][]; distinct: [string, string][][] } {
  const keys = new Set<string>();
  for (const s of list) for (const k of Object.keys(s.labels ?? {})) if (k !== '__name__') keys.add(k);
  const common: [string, string][] = [];
  const varying: string[] = [];
  for (const k of [...keys].sort()) {
    const values = new Set(list.map((s) => s.labels?.[k]));
    if (values.size === 1 && list.every((s) => s.labels?.[k] !== undefined)) common.push([k, list[0].labels[k]]);
    else varying.push(k);
  }
  const distinct = list.map((s) => varying.filter((k) => s.labels?.[k] !== undefined).map((k): [string, string] => [k, s.labels[k]]));
  return { common, distinct };
}

function evidenceIdsFor(h: Hypothesis, ref: string): string[] {
  return h.evidence.filter((e) => e.ref === ref).map((e) => e.id);
}

interface Ranked {
  series: MetricSeries;
  index: number;
  rank: number;
}

/** Charts: cited series first, then the alert's own expression, its service's, the ones that moved, the rest. */
export function chartsFor(inv: Investigation): ChartView[] {
  const h = inv.hypothesis;
  const cited = new Set(h.evidence.filter((e) => e.kind === 'metric').map((e) => e.ref));
  const service = h.service ?? inv.alert.service;
  const findings = new Map<string, SeriesFinding>(inv.findings.series.map((f) => [f.id, f]));
  const rankOf = (s: MetricSeries): number => {
    if (cited.has(s.id)) return 0;
    if (s.role === 'alert') return 1;
    const moved = !!findings.get(s.id)?.excursion;
    if (s.service && s.service === service) return moved ? 2 : 3;
    return moved ? 4 : 5;
  };
  // Group by metric: the same name and unit (and service, when the series name one) share a chart.
  const groups = new Map<string, Ranked[]>();
  inv.bundle.metrics.forEach((series, index) => {
    const key = `${series.name}|${series.unit ?? ''}|${series.role === 'alert' ? 'alert' : ''}`;
    const g = groups.get(key);
    const item = { series, index, rank: rankOf(series) };
    if (g) g.push(item);
    else groups.set(key, [item]);
  });
  const charts: { rank: number; index: number; view: ChartView }[] = [];
  for (const [key, items] of groups) {
    items.sort((a, b) => a.rank - b.rank || a.index - b.index);
    const shown = items.slice(0, maxSeriesPerChart).map((i) => i.series);
    const { timestamps, values } = alignSeries(shown);
    const { common, distinct } = splitLabels(shown);
    const first = shown[0];
    const services = new Set(shown.map((s) => s.service).filter(Boolean));
    const lines: ChartSeriesView[] = shown.map((s, i) => ({
      id: s.id,
      label: distinct[i].length ? labelText(distinct[i], 60) : first.name,
      values: values[i],
      // The alert's own expression also answers the alert's evidence ("6 alerts firing…").
      evidenceIds: [...evidenceIdsFor(h, s.id), ...(s.role === 'alert' ? h.evidence.filter((e) => e.kind === 'alert').map((e) => e.id) : [])],
      moved: !!findings.get(s.id)?.excursion,
    }));
    const subtitleLabels = common.filter(([k]) => !(k === 'service' && services.size === 1));
    const threshold = shown.find((s) => s.threshold)?.threshold;
    const anomalies = shown.flatMap((s) => findings.get(s.id)?.regions ?? []).sort((a, b) => a.start - b.start);
    charts.push({
      rank: items[0].rank,
      index: items[0].index,
      view: {
        id: `chart:${key}`,
        title: first.name,
        ...(subtitleLabels.length ? { subtitle: labelText(subtitleLabels) } : {}),
        ...(services.size === 1 ? { service: first.service } : {}),
        ...(first.unit ? { unit: first.unit } : {}),
        ...(first.role ? { role: first.role } : {}),
        timestamps,
        series: lines,
        omitted: items.length - shown.length,
        ...(threshold ? { threshold } : {}),
        anomalies,
        evidenceIds: lines.flatMap((l) => l.evidenceIds),
      },
    });
  }
  return charts
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .slice(0, maxCharts)
    .map((c) => c.view);
}
