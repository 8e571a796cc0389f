// The metrics section: the markers' legend, a reset for a zoom dragged on the charts, and the small
// multiples. Charts are drawn once the section is in the page (they need its width), and only while
// it is open.
import type { InvestigationView } from '../../protocol/investigation';
import { button, h } from './dom';
import { card } from './sections';
import { disposeCharts, renderChart, renderMarkerLegend, zoomAll, type ChartContext } from './charts';
import { saveUi, uiState } from './state';

export function metricsSection(v: InvestigationView): { section: HTMLElement; mount(): void } {
  const grid = h('div', { class: 'charts' });
  const reset = button('Reset zoom', () => {
    zoomAll(undefined, ctx);
    ctx.onZoom(undefined);
  }, { class: 'secondary', 'data-action': 'reset-zoom' });
  const zoomKept = uiState().zoom;
  // A kept zoom only applies while it lies inside the range read.
  const zoom = zoomKept && zoomKept.start >= v.extent.start && zoomKept.end <= v.extent.end ? zoomKept : undefined;
  reset.hidden = !zoom;
  const ctx: ChartContext = {
    markers: v.markers,
    range: { start: v.extent.start, end: v.extent.end },
    ...(zoom ? { zoom } : {}),
    onZoom: (z) => {
      reset.hidden = !z;
      saveUi({ zoom: z });
    },
  };
  const section = card('metrics', 'Metrics', [
    renderMarkerLegend(v.markers),
    h('p', { class: 'muted hint' }, 'Hover a chart to read every chart at that moment; drag to zoom them all, double-click to zoom out.'),
    grid,
  ], [reset]);
  let mounted = false;
  const mount = () => {
    if (mounted || grid.closest('.card-body')?.hasAttribute('hidden')) return;
    mounted = true;
    if (v.charts.length === 0) {
      grid.append(h('p', { class: 'muted' }, 'No metric series in this range.'));
      return;
    }
    // Two columns when each can be at least 420 px wide, else one; never wider than 900 px.
    const columns = grid.clientWidth >= 2 * 420 + 16 ? 2 : 1;
    const width = Math.max(300, Math.min(900, Math.floor((grid.clientWidth - 16 * (columns - 1)) / columns)));
    for (const c of v.charts) renderChart(grid, c, ctx, width);
  };
  section.addEventListener('section-toggle', (e) => {
    if ((e as CustomEvent<{ open: boolean }>).detail.open) mount();
  });
  return { section, mount };
}

export { disposeCharts };
