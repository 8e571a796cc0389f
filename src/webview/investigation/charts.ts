// Metric charts with uPlot, drawn the way an SRE reads them: one chart per metric with a few lines, a
// legend of only the labels that differ (ours, not uPlot's), values with units on the axis and in the
// readout, x labels spaced so they never collide, and on every chart the same markers (alert, onset,
// deploys, resolution, actions) with hover labels, the rule's threshold and shaded anomaly regions.
// All charts share one cursor and one zoom: hover one and every readout shows that moment; drag to
// zoom them together, double-click to go back to the whole range.
import uPlot from 'uplot';
import type { ChartView, MarkerView } from '../../protocol/investigation';
import { axisLabel, formatClock } from '../../core/time';
import { formatValue, unitLabel } from '../../core/units';
import { cssVar, h } from './dom';

export interface ChartContext {
  markers: MarkerView[];
  /** The range read: every chart shows all of it. */
  range: { start: number; end: number };
  /** A zoom kept from before (ms). */
  zoom?: { start: number; end: number };
  onZoom(zoom: { start: number; end: number } | undefined): void;
}

interface LiveChart {
  u: uPlot;
  view: ChartView;
  holder: HTMLElement;
  readout: HTMLElement;
  values: HTMLElement[];
}

const syncKey = 'incident-lens-charts';
const charts: LiveChart[] = [];
let syncingZoom = false;

export function disposeCharts(): void {
  for (const c of charts.splice(0)) c.u.destroy();
}

function palette(): string[] {
  return [
    cssVar('--vscode-charts-blue', '#3794ff'),
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-yellow', '#cca700'),
  ];
}

function markerColor(kind: MarkerView['kind']): string {
  switch (kind) {
    case 'deploy':
      return cssVar('--vscode-charts-purple', '#b180d7');
    case 'onset':
      return cssVar('--vscode-charts-orange', '#d18616');
    case 'resolved':
    case 'action':
      return cssVar('--vscode-charts-green', '#89d185');
    default:
      return cssVar('--vscode-charts-red', '#f14c4c');
  }
}

function applyZoom(source: uPlot | undefined, min: number, max: number): void {
  syncingZoom = true;
  try {
    for (const c of charts) if (c.u !== source) c.u.setScale('x', { min, max });
  } finally {
    syncingZoom = false;
  }
}

/** Zooms every chart to a range (ms), or back to the whole range. */
export function zoomAll(zoom: { start: number; end: number } | undefined, ctx: ChartContext): void {
  const r = zoom ?? ctx.range;
  applyZoom(undefined, r.start / 1000, r.end / 1000);
}

function placeMarkerFlags(u: uPlot, layer: HTMLElement, markers: MarkerView[]): void {
  const width = u.over.clientWidth;
  for (const flag of Array.from(layer.children) as HTMLElement[]) {
    const t = Number(flag.dataset.time);
    const x = u.valToPos(t / 1000, 'x');
    flag.hidden = !(x >= 0 && x <= width);
    flag.style.left = `${Math.round(x)}px`;
  }
  if (layer.children.length === 0) {
    for (const m of markers) {
      const flag = h('div', { class: `marker-flag marker-${m.kind}`, title: m.label, 'aria-label': m.label, 'data-time': m.time, 'data-kind': m.kind });
      layer.append(flag);
    }
    placeMarkerFlags(u, layer, markers);
  }
}

function readoutTime(t: number): string {
  return formatClock(t);
}

export function renderChart(container: HTMLElement, chart: ChartView, ctx: ChartContext, width: number): void {
  const fg = cssVar('--vscode-foreground', '#ccc');
  const gridColor = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const anomalyFill = cssVar('--vscode-editorError-foreground', '#f14c4c');
  const thresholdColor = cssVar('--vscode-charts-red', '#f14c4c');
  const colors = palette();
  const font = `${cssVar('--vscode-font-size', '12px')} ${cssVar('--vscode-font-family', 'sans-serif')}`;
  const xs = chart.timestamps.map((t) => t / 1000);
  const rangeMs = ctx.range.end - ctx.range.start;
  const unit = chart.unit;
  const hasData = chart.series.some((s) => s.values.some((v) => v !== null));

  const values: HTMLElement[] = [];
  const legend = h(
    'div',
    { class: 'chart-legend' },
    chart.series.map((s, i) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.background = colors[i % colors.length];
      const val = h('span', { class: 'legend-value' });
      values.push(val);
      return h('span', { class: `legend-item${s.evidenceIds.length ? ' cited' : ''}${s.moved ? ' moved' : ''}`, 'data-series-id': s.id, title: s.id }, swatch, h('span', { class: 'legend-label' }, chart.series.length > 1 || s.label !== chart.title ? s.label : ''), val);
    }),
    chart.omitted ? h('span', { class: 'muted' }, `+${chart.omitted} more series not shown`) : null,
  );
  const readout = h('span', { class: 'chart-readout muted' });
  const unitText = unitLabel(unit);
  const holder = h(
    'div',
    { class: 'chart', 'data-chart-id': chart.id, 'data-evidence': chart.evidenceIds.join(' '), 'data-series-ids': chart.series.map((s) => s.id).join(' ') },
    h('div', { class: 'chart-head' },
      h('div', { class: 'chart-title' }, chart.title, unitText ? h('span', { class: 'muted' }, ` (${unitText})`) : null, chart.role === 'alert' ? h('span', { class: 'badge alert-expr' }, 'alert expression') : null),
      readout),
    chart.subtitle ? h('div', { class: 'chart-subtitle muted' }, chart.subtitle) : null,
    legend,
  );
  // A fixed width (CSSOM, not an inline style attribute): two charts side by side in a wide panel.
  holder.style.width = `${width}px`;
  container.append(holder);
  if (!hasData) {
    holder.append(h('p', { class: 'muted no-data' }, 'No data in this range.'));
    return;
  }
  const markerLayer = h('div', { class: 'marker-layer' });
  const threshold = chart.threshold;

  const opts: uPlot.Options = {
    width,
    height: 170,
    legend: { show: false },
    cursor: {
      sync: { key: syncKey, setSeries: false },
      drag: { x: true, y: false, setScale: true },
      points: { size: 5 },
      bind: {
        // Double-click goes back to the whole range on every chart, not to this chart's data extent.
        dblclick: () => () => {
          zoomAll(undefined, ctx);
          ctx.onZoom(undefined);
          return null;
        },
      },
    },
    scales: {
      x: { time: true, auto: false, range: (_u, min, max) => [min, max] },
      y: {
        range: (_u, min, max) => {
          let lo = Number.isFinite(min) ? min : 0;
          let hi = Number.isFinite(max) ? max : 1;
          if (threshold) {
            lo = Math.min(lo, threshold.value);
            hi = Math.max(hi, threshold.value);
          }
          if (lo >= 0 && lo < hi * 0.5) lo = 0;
          if (hi === lo) hi = lo + (Math.abs(lo) || 1);
          const pad = (hi - lo) * 0.08;
          return [lo === 0 ? 0 : lo - pad, hi + pad];
        },
      },
    },
    axes: [
      {
        stroke: fg,
        font,
        grid: { stroke: gridColor, width: 1 },
        ticks: { stroke: gridColor },
        // Wide enough for "05-01 14:05" so labels never run into each other.
        space: 90,
        values: (_u, splits) => splits.map((s, i) => axisLabel(s * 1000, rangeMs, i > 0 ? splits[i - 1] * 1000 : undefined)),
      },
      {
        stroke: fg,
        font,
        grid: { stroke: gridColor, width: 1 },
        ticks: { stroke: gridColor },
        size: 70,
        space: 30,
        values: (_u, splits) => splits.map((v) => formatValue(v, unit)),
      },
    ],
    series: [
      {},
      ...chart.series.map((s, i) => ({
        label: s.label,
        stroke: colors[i % colors.length],
        width: s.evidenceIds.length ? 2.5 : 1.5,
        spanGaps: false,
        points: { show: false },
      })),
    ],
    hooks: {
      ready: [
        (u) => {
          u.over.append(markerLayer);
          placeMarkerFlags(u, markerLayer, ctx.markers);
        },
      ],
      setScale: [
        (u, key) => {
          if (key !== 'x') return;
          placeMarkerFlags(u, markerLayer, ctx.markers);
          if (syncingZoom) return;
          const { min, max } = u.scales.x;
          if (min === undefined || max === undefined) return;
          applyZoom(u, min, max);
          const full = Math.abs(min * 1000 - ctx.range.start) < 1000 && Math.abs(max * 1000 - ctx.range.end) < 1000;
          ctx.onZoom(full ? undefined : { start: Math.round(min * 1000), end: Math.round(max * 1000) });
        },
      ],
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          if (idx === null || idx === undefined) {
            readout.textContent = '';
            for (const v of values) v.textContent = '';
            return;
          }
          // The cursor's own time (the same on every synced chart), not the nearest point's.
          const left = u.cursor.left ?? -1;
          const t = left >= 0 ? u.posToVal(left, 'x') * 1000 : (u.data[0][idx] ?? 0) * 1000;
          readout.textContent = readoutTime(Math.round(t / 1000) * 1000);
          chart.series.forEach((_s, i) => {
            const v = u.data[i + 1][idx];
            values[i].textContent = v === null || v === undefined ? ' –' : ` ${formatValue(v, unit)}`;
          });
        },
      ],
      drawClear: [
        (u) => {
          const ctx2 = u.ctx;
          ctx2.save();
          ctx2.globalAlpha = 0.15;
          ctx2.fillStyle = anomalyFill;
          for (const r of chart.anomalies) {
            const x0 = u.valToPos(r.start / 1000, 'x', true);
            const x1 = u.valToPos(r.end / 1000, 'x', true);
            ctx2.fillRect(Math.min(x0, x1), u.bbox.top, Math.max(2, Math.abs(x1 - x0)), u.bbox.height);
          }
          ctx2.restore();
        },
      ],
      draw: [
        (u) => {
          const c = u.ctx;
          c.save();
          c.lineWidth = 1.5 * devicePixelRatio;
          c.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          for (const m of ctx.markers) {
            const x = u.valToPos(m.time / 1000, 'x', true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            c.strokeStyle = markerColor(m.kind);
            c.beginPath();
            c.moveTo(x, u.bbox.top);
            c.lineTo(x, u.bbox.top + u.bbox.height);
            c.stroke();
          }
          if (threshold) {
            const y = u.valToPos(threshold.value, 'y', true);
            if (y >= u.bbox.top && y <= u.bbox.top + u.bbox.height) {
              c.strokeStyle = thresholdColor;
              c.setLineDash([8 * devicePixelRatio, 4 * devicePixelRatio]);
              c.beginPath();
              c.moveTo(u.bbox.left, y);
              c.lineTo(u.bbox.left + u.bbox.width, y);
              c.stroke();
              c.setLineDash([]);
              c.fillStyle = thresholdColor;
              c.font = `${11 * devicePixelRatio}px ${cssVar('--vscode-font-family', 'sans-serif')}`;
              // At the left: the right end is where the markers crowd.
              c.textAlign = 'left';
              c.fillText(`threshold ${threshold.op} ${formatValue(threshold.value, unit)}`, u.bbox.left + 4 * devicePixelRatio, y - 4 * devicePixelRatio);
            }
          }
          c.restore();
        },
      ],
    },
  };
  const plot = h('div', { class: 'chart-plot' });
  holder.append(plot);
  const u = new uPlot(opts, [xs, ...chart.series.map((s) => s.values)] as uPlot.AlignedData, plot);
  const zoom = ctx.zoom ?? ctx.range;
  u.setScale('x', { min: zoom.start / 1000, max: zoom.end / 1000 });
  charts.push({ u, view: chart, holder, readout, values });
}

/** Emphasises one series of a chart (an evidence link pointed at it). */
export function emphasiseSeries(chartId: string, seriesId: string): void {
  for (const c of charts) {
    if (c.view.id !== chartId) continue;
    for (const el of c.holder.querySelectorAll<HTMLElement>('.legend-item')) el.classList.toggle('emphasised', el.dataset.seriesId === seriesId);
  }
}

export function renderMarkerLegend(markers: MarkerView[]): HTMLElement {
  return h('div', { class: 'marker-legend' }, markers.map((m) => h('span', { class: `marker marker-${m.kind}`, title: m.label }, m.label)));
}
