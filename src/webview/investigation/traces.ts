// The failing and slowest traces, and the waterfall of one of them with its error origin and
// critical path. The trace shown is UI state; its rows come from the host by request.
import type { IpcClient } from '../../protocol/ipc';
import { traceRequest, type InvestigationView, type TraceView } from '../../protocol/investigation';
import { formatValue } from '../../core/units';
import { button, h } from './dom';
import { card, expand } from './sections';
import { saveUi, uiState } from './state';

let currentTrace: TraceView | undefined;

const ms = (v: number) => formatValue(v, 'ms');

/** The trace the view opens on: the one the user chose before, if the host still has it, else the view's. */
export function setDefaultTrace(v: InvestigationView): void {
  currentTrace = v.trace;
}

function waterfall(t: TraceView | undefined, highlightSpan?: string): HTMLElement {
  if (!t) return h('div', { id: 'waterfall', class: 'muted' }, 'No trace to show.');
  const rows = t.rows.slice(0, 300).map((r) => {
    const bar = h('div', { class: `bar ${r.status === 'error' ? 'error' : ''} ${r.onCriticalPath ? 'critical' : ''}` });
    const left = t.totalMs > 0 ? (r.startOffsetMs / t.totalMs) * 100 : 0;
    const width = t.totalMs > 0 ? Math.max(0.3, (r.durationMs / t.totalMs) * 100) : 100;
    // Geometry through CSSOM: the CSP forbids inline style attributes, not style properties.
    bar.style.marginLeft = `${left}%`;
    bar.style.width = `${width}%`;
    const label = h('div', { class: 'span-label' }, `${r.service} `, h('span', { class: 'mono' }, r.name));
    label.style.paddingLeft = `${Math.min(r.depth, 20) * 12}px`;
    return h('div', { class: `wf-row${r.isErrorOrigin ? ' origin' : ''}${r.spanId === highlightSpan ? ' focused' : ''}`, 'data-span-id': r.spanId, 'data-evidence': `${t.traceId}/${r.spanId}` },
      label,
      h('div', { class: 'span-track' }, bar),
      h('div', { class: 'span-time' }, ms(r.durationMs), r.isErrorOrigin ? h('span', { class: 'badge error' }, 'error origin') : null, r.onCriticalPath ? h('span', { class: 'badge crit' }, 'critical path') : null));
  });
  return h('div', { id: 'waterfall', class: 'waterfall', 'aria-label': `Trace ${t.traceId}`, 'data-trace-id': t.traceId }, h('div', { class: 'muted' }, `Trace ${t.traceId} · ${ms(t.totalMs)}`), rows);
}

export async function showTrace(ipc: IpcClient, traceId: string, highlightSpan?: string, scroll = true): Promise<void> {
  if (!currentTrace || currentTrace.traceId !== traceId) {
    try {
      currentTrace = (await ipc.request(traceRequest, { traceId })) ?? currentTrace;
    } catch (err) {
      document.getElementById('waterfall')?.replaceChildren(`Could not load trace ${traceId}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
  if (currentTrace?.traceId === traceId) saveUi({ traceId });
  const section = document.getElementById('traces');
  if (section) expand(section, true);
  const holder = document.getElementById('waterfall');
  if (holder && currentTrace) {
    holder.replaceWith(waterfall(currentTrace, highlightSpan));
    const target = (highlightSpan && document.querySelector(`#waterfall [data-span-id="${CSS.escape(highlightSpan)}"]`)) || document.getElementById('waterfall');
    if (scroll) target?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }
}

function traceList(ipc: IpcClient, title: string, traces: InvestigationView['slowTraces']): HTMLElement {
  return h('div', null, h('h3', null, title), traces.length === 0 ? h('p', { class: 'muted' }, 'None.') :
    h('ul', { class: 'trace-list' }, traces.map((t) => h('li', null, button(`${t.rootService} ${t.rootName}`, () => void showTrace(ipc, t.traceId), { class: 'link' }), h('span', { class: 'muted' }, ` ${ms(t.durationMs)} · ${t.spanCount} spans${t.errorCount ? ` · ${t.errorCount} errors` : ''}`)))));
}

export function tracesSection(v: InvestigationView, ipc: IpcClient): HTMLElement {
  const section = card('traces', 'Traces', [h('div', { class: 'trace-lists' }, traceList(ipc, 'Failing', v.failingTraces), traceList(ipc, 'Slowest', v.slowTraces)), waterfall(currentTrace)]);
  // The trace the user was reading before a tab switch comes back.
  const kept = uiState().traceId;
  if (kept && kept !== currentTrace?.traceId) queueMicrotask(() => void showTrace(ipc, kept, undefined, false));
  return section;
}
