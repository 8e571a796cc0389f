// Small multiples over chunks with uPlot: one statistic per chart, its threshold as a dashed line,
// the reference chunks shaded, the chunks that broke the threshold marked. The x axis is the chunk
// index, labelled with the chunk's key (2021-06).
import uPlot from 'uplot';
import type { ModelChunkView, ModelSeriesView } from '../../protocol/model';
import { cssVar, h } from '../investigation/dom';

const charts: uPlot[] = [];

export function disposeChunkCharts(): void {
  for (const c of charts.splice(0)) c.destroy();
}

export function renderChunkChart(container: HTMLElement, title: string, chunks: ModelChunkView[], series: ModelSeriesView[], opts: { width: number; height?: number; id: string; drifted?: boolean }): void {
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const colors = [opts.drifted ? cssVar('--vscode-charts-red', '#f14c4c') : cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-purple', '#b180d7')];
  const thresholdColor = cssVar('--vscode-charts-orange', '#d18616');
  const refShade = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const xs = chunks.map((_, i) => i);
  const data: (number | null)[][] = [xs];
  const uSeries: uPlot.Series[] = [{}];
  series.forEach((s, i) => {
    data.push(s.values);
    uSeries.push({ label: s.label, stroke: colors[i % colors.length], width: 1.5, dash: i > 0 ? [6, 4] : undefined, points: { show: true, size: 5 } });
  });
  const main = series[0];
  const bound = main?.upper ?? main?.lower;
  if (bound !== undefined) {
    data.push(xs.map(() => bound));
    uSeries.push({ label: `threshold ${bound.toPrecision(3)}`, stroke: thresholdColor, width: 1, dash: [4, 3], points: { show: false } });
  }
  const firstAnalysis = chunks.findIndex((c) => c.period === 'analysis');
  const uopts: uPlot.Options = {
    width: opts.width,
    height: opts.height ?? 150,
    title,
    legend: { show: true, live: false },
    scales: { x: { time: false } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, splits) => splits.map((i) => chunks[Math.round(i)]?.key ?? ''), space: 60 },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 50 },
    ],
    series: uSeries,
    hooks: {
      drawClear: [
        (u) => {
          if (firstAnalysis <= 0) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.globalAlpha = 0.25;
          ctx.fillStyle = refShade;
          const x1 = u.valToPos(firstAnalysis - 0.5, 'x', true);
          ctx.fillRect(u.bbox.left, u.bbox.top, x1 - u.bbox.left, u.bbox.height);
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          if (!main) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = cssVar('--vscode-charts-red', '#f14c4c');
          ctx.lineWidth = 2 * devicePixelRatio;
          main.alerts.forEach((a, i) => {
            const v = main.values[i];
            if (!a || v === null) return;
            const x = u.valToPos(i, 'x', true);
            const y = u.valToPos(v, 'y', true);
            ctx.beginPath();
            ctx.arc(x, y, 6 * devicePixelRatio, 0, 2 * Math.PI);
            ctx.stroke();
          });
          ctx.restore();
        },
      ],
    },
  };
  const holder = h('div', { class: `chunk-chart${opts.drifted ? ' drifted' : ''}`, 'data-chart-id': opts.id });
  container.append(holder);
  charts.push(new uPlot(uopts, data as uPlot.AlignedData, holder));
}
