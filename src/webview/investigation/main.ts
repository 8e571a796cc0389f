// The investigation panel's browser code. It renders the host's view model and sends back requests
// by id only (go to code, open a diff, run proposed action #n). UI state (tab, log level) lives in
// getState/setState; data is refetched from the host after a reload.
import type { Evidence, SuspectCommit } from '../../core/model';
import { IpcClient, type IpcMessage } from '../../protocol/ipc';
import {
  readyCommand, stateNotification, goToCodeCommand, openDiffCommand, runActionCommand, markWrongCommand, rerunCommand, traceRequest,
  type InvestigationView, type PanelUiState, type TraceView, type LogPatternView,
} from '../../protocol/investigation';
import { clear, fmtMs, fmtTime, h } from './dom';
import { disposeCharts, renderChart, renderMarkerLegend } from './charts';
import { createAgentSection } from './agent';

interface VsCodeApi {
  postMessage(m: IpcMessage): void;
  getState(): PanelUiState | undefined;
  setState(s: PanelUiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const initial = JSON.parse(document.body.dataset.initialState ?? '{}') as PanelUiState;
let ui: PanelUiState = { ...initial, ...(vscode.getState() ?? {}) };
let view: InvestigationView | undefined;
let currentTrace: TraceView | undefined;
const ipc = new IpcClient((m) => vscode.postMessage(m));
const send = ipc.send.bind(ipc);
// The agent section lives as long as the panel (a question being typed survives re-renders).
const agentSection = createAgentSection(ipc);

function saveUi(patch: Partial<PanelUiState>): void {
  ui = { ...ui, ...patch };
  vscode.setState(ui);
}

ipc.onNotification(stateNotification, (next) => {
  view = next;
  currentTrace = view.trace;
  render();
});
window.addEventListener('message', (event: MessageEvent) => ipc.receive(event.data));

const app = document.getElementById('app') as HTMLElement;

function render(): void {
  disposeCharts();
  clear(app);
  if (!view) {
    app.append(skeleton('Starting the investigation…'));
    return;
  }
  app.append(header(view));
  if (view.phase === 'gathering') {
    app.append(stepsList(view), skeleton('Gathering signals…'));
    return;
  }
  if (view.phase === 'error') {
    app.append(stepsList(view), h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'The investigation failed: '), view.error ?? 'unknown error', ' ', button('Try again', () => send(rerunCommand, {}))));
    return;
  }
  if (view.sourceErrors.length) {
    app.append(h('div', { class: 'warn-box' }, h('strong', null, 'Some sources did not answer; the hypothesis uses the others. '), view.sourceErrors.map((e) => h('div', null, `${e.source}: ${e.message}`))));
  }
  app.append(hypothesisSection(view), agentSection, commitsSection(view), actionsSection(view), metricsSection(view), logsSection(view), tracesSection(view));
  app.dataset.ready = 'true';
}

function skeleton(text: string): HTMLElement {
  return h('div', { class: 'skeleton', 'aria-busy': 'true' }, h('div', { class: 'skeleton-line' }), h('div', { class: 'skeleton-line short' }), h('div', { class: 'skeleton-block' }), h('p', { class: 'muted' }, text));
}

function button(label: string, onClick: () => void, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

function header(v: InvestigationView): HTMLElement {
  const a = v.alert;
  return h(
    'header',
    { class: 'header' },
    h('h1', null, h('span', { class: `state state-${a.state}` }, a.state), ' ', a.name),
    h('div', { class: 'meta' },
      h('span', null, `severity ${a.severity}`),
      a.service ? h('span', null, `service ${a.service}`) : null,
      h('span', null, `since ${fmtTime(a.startsAt)}`),
      h('span', null, `source ${a.sourceName}`),
      a.value ? h('span', null, `value ${a.value}`) : null,
    ),
    a.annotations.summary ? h('p', { class: 'summary-annotation' }, a.annotations.summary) : null,
  );
}

function stepsList(v: InvestigationView): HTMLElement {
  return h('ol', { class: 'steps' }, v.steps.map((s) => h('li', { class: `step step-${s.state}` }, h('span', { class: 'step-icon' }, s.state === 'done' ? '✓' : s.state === 'failed' ? '✗' : s.state === 'running' ? '…' : '·'), ` ${s.label}`, s.detail ? h('span', { class: 'muted' }, ` — ${s.detail}`) : null)));
}

function focusEvidence(e: Evidence): void {
  const targets = document.querySelectorAll<HTMLElement>('[data-evidence]');
  for (const t of targets) {
    if ((t.dataset.evidence ?? '').split(' ').includes(e.id)) {
      t.scrollIntoView({ behavior: 'smooth', block: 'center' });
      t.classList.add('focused');
      setTimeout(() => t.classList.remove('focused'), 1800);
      return;
    }
  }
  if (e.kind === 'span' || e.kind === 'trace') void showTrace(e.ref.split('/')[0], e.ref.split('/')[1]);
  if (e.kind === 'commit') document.getElementById(`commit-${e.ref.slice(0, 12)}`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
}

function hypothesisSection(v: InvestigationView): HTMLElement {
  const hyp = v.hypothesis;
  if (!hyp) return h('section', null);
  // Never print 100%: a calibrated confidence is capped below certainty, and rounding should not hide that.
  const pct = Math.min(99, Math.round(hyp.confidence * 100));
  const fill = h('div', { class: `fill ${pct >= 70 ? 'high' : pct >= 40 ? 'mid' : 'low'}` });
  // Width through CSSOM: the CSP forbids inline style attributes, not style properties.
  fill.style.width = `${pct}%`;
  return h(
    'section',
    { class: 'card hypothesis', id: 'hypothesis' },
    h('h2', null, hyp.abstained ? 'No confident hypothesis' : 'Hypothesis'),
    h('p', { class: 'hypothesis-summary' }, hyp.summary),
    h('div', { class: 'confidence' },
      h('span', null, `Confidence ${pct}%`),
      h('div', { class: 'bar', role: 'meter', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill),
      h('span', { class: 'muted' }, ` · cause: ${hyp.causeKind}${hyp.service ? ` · service: ${hyp.service}` : ''}`),
    ),
    h('h3', null, 'Evidence'),
    h('ul', { class: 'evidence' }, hyp.evidence.map((e) => h('li', null, button(`[${e.id}] ${e.title}`, () => focusEvidence(e), { class: 'link', title: `Show ${e.kind} ${e.ref}` }), h('span', { class: 'muted' }, ` — ${e.why}`)))),
    hyp.alternatives.length ? h('details', null, h('summary', null, `Alternatives considered (${hyp.alternatives.length})`), h('ul', null, hyp.alternatives.map((a) => h('li', null, `${a.summary} (${Math.round(a.confidence * 100)}%): ${a.whyLower}`)))) : null,
    hyp.confirm.length || hyp.refute.length
      ? h('div', { class: 'checks' },
          h('div', null, h('h3', null, 'Would confirm'), h('ul', null, hyp.confirm.map((c) => h('li', null, c)))),
          h('div', null, h('h3', null, 'Would refute'), h('ul', null, hyp.refute.map((c) => h('li', null, c)))))
      : null,
    hyp.abstained ? h('details', { open: true }, h('summary', null, 'What was checked'), h('ul', null, hyp.checked.map((c) => h('li', null, c)))) : null,
    h('div', { class: 'row' }, button('Mark hypothesis wrong', () => send(markWrongCommand, {}), { class: 'secondary' })),
  );
}

function commitRow(c: SuspectCommit, isTop: boolean): HTMLElement {
  return h(
    'tr',
    { id: `commit-${c.sha.slice(0, 12)}`, class: isTop ? 'top' : undefined, 'data-evidence': c.sha },
    h('td', { class: 'mono' }, c.sha.slice(0, 8)),
    h('td', null, c.author),
    h('td', null, fmtTime(c.time)),
    h('td', null, c.message.split('\n')[0]),
    h('td', null, `${Math.round(c.score * 100)}%`),
    h('td', { class: 'files' }, c.files.slice(0, 4).join(', '), c.files.length > 4 ? ` +${c.files.length - 4}` : ''),
    h('td', { class: 'buttons' },
      button('Open diff', () => send(openDiffCommand, { sha: c.sha, path: c.location?.path }), { class: 'secondary', 'data-action': 'open-diff' }),
      c.location ? button('Go to code', () => send(goToCodeCommand, { sha: c.sha }), { 'data-action': 'go-to-code', title: `${c.location.path}:${c.location.startLine}-${c.location.endLine}` }) : null),
  );
}

function commitsSection(v: InvestigationView): HTMLElement {
  const commits = v.hypothesis?.suspectCommits ?? [];
  return h(
    'section',
    { class: 'card', id: 'commits' },
    h('h2', null, 'Suspect commits'),
    commits.length === 0
      ? h('p', { class: 'muted' }, 'No commit in the workspace stands out before the onset.')
      : h('table', { class: 'commits' },
          h('thead', null, h('tr', null, ['sha', 'author', 'time', 'message', 'score', 'files', ''].map((c) => h('th', null, c)))),
          h('tbody', null, commits.slice(0, 10).map((c, i) => commitRow(c, i === 0)))),
    v.hypothesis?.location
      ? h('p', { class: 'location' }, 'Offending lines: ', h('span', { class: 'mono' }, `${v.hypothesis.location.path}:${v.hypothesis.location.startLine}-${v.hypothesis.location.endLine}`))
      : null,
  );
}

function actionsSection(v: InvestigationView): HTMLElement {
  return h(
    'section',
    { class: 'card', id: 'actions' },
    h('h2', null, 'Proposed actions'),
    v.actionsNote ? h('p', { class: 'warn-box' }, v.actionsNote) : null,
    v.actions.length === 0
      ? h('p', { class: 'muted' }, 'No action proposed.')
      : h('ul', { class: 'actions' }, v.actions.map((a) =>
          h('li', null,
            button(a.title, () => send(runActionCommand, { index: a.index, actionId: a.actionId }), { disabled: !a.enabled, title: a.disabledReason ?? a.why, 'data-action-id': a.actionId }),
            h('span', { class: 'muted' }, ` ${a.why}`)))),
  );
}

function metricsSection(v: InvestigationView): HTMLElement {
  const section = h('section', { class: 'card', id: 'metrics' }, h('h2', null, 'Metrics'), renderMarkerLegend(v.markers));
  const grid = h('div', { class: 'charts' });
  section.append(grid);
  if (v.charts.length === 0) grid.append(h('p', { class: 'muted' }, 'No metric series around the alert.'));
  // Charts need the section in the document to know their width.
  requestAnimationFrame(() => {
    const width = Math.max(280, Math.min(720, grid.clientWidth / (grid.clientWidth > 900 ? 2 : 1) - 16));
    for (const c of v.charts) renderChart(grid, c, v.markers, width);
  });
  return section;
}

function patternRow(p: LogPatternView): HTMLElement {
  return h(
    'tr',
    { class: `level-${p.level}${p.isNew ? ' new' : ''}`, 'data-evidence': [p.id, ...p.evidenceIds].join(' '), 'data-level': p.level },
    h('td', null, p.isNew ? h('span', { class: 'badge new' }, 'NEW') : null, h('span', { class: `badge level` }, p.level)),
    h('td', null, `${p.countBefore} → ${p.countAfter}`),
    h('td', null, h('details', null, h('summary', { class: 'mono template' }, p.template), h('ul', { class: 'samples' }, p.samples.map((s) => h('li', { class: 'mono' }, s))))),
    h('td', null, p.service ?? ''),
  );
}

function logsSection(v: InvestigationView): HTMLElement {
  const levels = ['all', 'error', 'warn', 'info', 'debug'];
  const select = h('select', { 'aria-label': 'Log level' }, levels.map((l) => h('option', { value: l, selected: (ui.logLevel ?? 'all') === l }, l)));
  const body = h('tbody');
  const fill = () => {
    clear(body);
    const lv = ui.logLevel ?? 'all';
    const rank: Record<string, number> = { fatal: 5, error: 4, warn: 3, info: 2, debug: 1, trace: 0, unknown: 2 };
    const rows = v.logPatterns.filter((p) => lv === 'all' || (rank[p.level] ?? 2) >= (rank[lv] ?? 0));
    if (rows.length === 0) body.append(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No log pattern at this level.')));
    for (const p of rows) body.append(patternRow(p));
  };
  select.addEventListener('change', () => {
    saveUi({ logLevel: select.value });
    fill();
  });
  fill();
  return h('section', { class: 'card', id: 'logs' },
    h('div', { class: 'row' }, h('h2', null, 'Log patterns (before → after onset)'), h('label', null, 'Level ', select)),
    h('table', { class: 'patterns' }, h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'count'), h('th', null, 'template'), h('th', null, 'service'))), body));
}

function traceList(title: string, traces: InvestigationView['slowTraces']): HTMLElement {
  return h('div', null, h('h3', null, title), traces.length === 0 ? h('p', { class: 'muted' }, 'None.') :
    h('ul', { class: 'trace-list' }, traces.map((t) => h('li', null, button(`${t.rootService} ${t.rootName}`, () => void showTrace(t.traceId), { class: 'link' }), h('span', { class: 'muted' }, ` ${fmtMs(t.durationMs)} · ${t.spanCount} spans${t.errorCount ? ` · ${t.errorCount} errors` : ''}`)))));
}

async function showTrace(traceId: string, highlightSpan?: string): Promise<void> {
  if (!currentTrace || currentTrace.traceId !== traceId) {
    try {
      currentTrace = (await ipc.request(traceRequest, { traceId })) ?? currentTrace;
    } catch (err) {
      document.getElementById('waterfall')?.replaceChildren(`Could not load trace ${traceId}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
  const holder = document.getElementById('waterfall');
  if (holder && currentTrace) {
    holder.replaceWith(waterfall(currentTrace, highlightSpan));
    document.getElementById('waterfall')?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }
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
      h('div', { class: 'span-time' }, fmtMs(r.durationMs), r.isErrorOrigin ? h('span', { class: 'badge error' }, 'error origin') : null, r.onCriticalPath ? h('span', { class: 'badge crit' }, 'critical path') : null));
  });
  return h('div', { id: 'waterfall', class: 'waterfall', 'aria-label': `Trace ${t.traceId}` }, h('div', { class: 'muted' }, `Trace ${t.traceId} · ${fmtMs(t.totalMs)}`), rows);
}

function tracesSection(v: InvestigationView): HTMLElement {
  return h('section', { class: 'card', id: 'traces' }, h('h2', null, 'Traces'), h('div', { class: 'trace-lists' }, traceList('Failing', v.failingTraces), traceList('Slowest', v.slowTraces)), waterfall(currentTrace));
}

render();
send(readyCommand, {});
vscode.setState(ui);
