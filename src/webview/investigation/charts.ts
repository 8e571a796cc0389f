// Metric charts with uPlot: the alert start, deploys and onset as vertical markers, detected anomaly
// regions shaded, values on hover through uPlot's cursor legend.
import uPlot from 'uplot';
import type { ChartView, MarkerView } from '../../protocol/investigation';
import { cssVar, h } from './dom';

const charts: uPlot[] = [];

export function disposeCharts(): void {
  for (const c of charts.splice(0)) c.destroy();
}

function markerColor(kind: MarkerView['kind']): string {
  if (kind === 'deploy') return cssVar('--vscode-charts-purple', '#b180d7');
  if (kind === 'onset') return cssVar('--vscode-charts-orange', '#d18616');
  return cssVar('--vscode-charts-red', '#f14c4c');
}

export function renderChart(container: HTMLElement, chart: ChartView, markers: MarkerView[], width: number): void {
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const line = chart.evidenceIds.length ? cssVar('--vscode-charts-red', '#f14c4c') : cssVar('--vscode-charts-blue', '#3794ff');
  const anomalyFill = cssVar('--vscode-editorError-foreground', '#f14c4c');
  const xs = chart.timestamps.map((t) => t / 1000);
  const opts: uPlot.Options = {
    width,
    height: 160,
    title: chart.title,
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 60 },
    ],
    series: [{}, { label: chart.unit ? `${chart.title} (${chart.unit})` : chart.title, stroke: line, width: 1.5, spanGaps: false }],
    hooks: {
      drawClear: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.globalAlpha = 0.15;
          ctx.fillStyle = anomalyFill;
          for (const r of chart.anomalies) {
            const x0 = u.valToPos(r.start / 1000, 'x', true);
            const x1 = u.valToPos(r.end / 1000, 'x', true);
            ctx.fillRect(Math.min(x0, x1), u.bbox.top, Math.max(2, Math.abs(x1 - x0)), u.bbox.height);
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.setLineDash([4, 3]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          for (const m of markers) {
            const x = u.valToPos(m.time / 1000, 'x', true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = markerColor(m.kind);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
  const holder = h('div', { class: 'chart', 'data-chart-id': chart.id, 'data-evidence': chart.evidenceIds.join(' ') });
  container.append(holder);
  charts.push(new uPlot(opts, [xs, chart.values as (number | null)[]], holder));
}

export function renderMarkerLegend(markers: MarkerView[]): HTMLElement {
  return h(
    'div',
    { class: 'marker-legend' },
    markers.map((m) => h('span', { class: `marker marker-${m.kind}` }, m.label)),
  );
}
