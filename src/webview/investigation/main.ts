// The investigation panel's browser code. It renders the host's view model section by section
// (header.ts, hypothesis.ts, metrics.ts + charts.ts, logs.ts, traces.ts) and sends back requests by id
// only (go to code, open a diff, run proposed action #n, open link #k, re-query a range). UI state
// (collapsed sections, open details, scroll, log level, trace, zoom) lives in getState/setState
// (state.ts) and survives tab switches; data is sent again by the host after the `ready` handshake.
// While a re-query runs, the previous investigation stays on screen under a banner.
import type { Evidence } from '../../core/model';
import { IpcClient } from '../../protocol/ipc';
import { readyCommand, stateNotification, rerunCommand, type InvestigationView } from '../../protocol/investigation';
import { button, clear, h } from './dom';
import { holdScroll, vscodeApi, restoreScroll, saveUi, trackScroll, uiState } from './state';
import { header } from './header';
import { actionsSection, commitsSection, hypothesisSection } from './hypothesis';
import { disposeCharts, metricsSection } from './metrics';
import { emphasiseSeries } from './charts';
import { logsSection, showAllLevels } from './logs';
import { setDefaultTrace, showTrace, tracesSection } from './traces';
import { expand } from './sections';
import { createAgentSection } from './agent';

let view: InvestigationView | undefined;
/** The last finished view of this alert, shown while a re-query runs. */
let lastReady: InvestigationView | undefined;
let restoredScroll = false;
const ipc = new IpcClient((m) => vscodeApi.postMessage(m));
// The agent section lives as long as the panel (a question being typed survives re-renders).
const agentSection = createAgentSection(ipc);

/** The same finished investigation, only live parts changed (the alert's state, actions, the incident). */
function sameInvestigation(a: InvestigationView | undefined, b: InvestigationView): boolean {
  return !!a && a.phase === 'ready' && b.phase === 'ready' && a.readyAt === b.readyAt && a.startedAt === b.startedAt && a.range.start === b.range.start && a.range.end === b.range.end;
}

ipc.onNotification(stateNotification, (next) => {
  const sameAlert = view && view.alert.id === next.alert.id && view.alert.sourceName === next.alert.sourceName;
  if (!sameAlert) lastReady = undefined;
  const previous = view;
  view = next;
  if (next.phase === 'ready') lastReady = next;
  // A live change redraws only what it changes: the charts keep their cursor, zoom and scroll.
  if (sameInvestigation(previous, next) && updateLive(previous!, next)) return;
  if (next.phase === 'ready') setDefaultTrace(next);
  render();
});
window.addEventListener('message', (event: MessageEvent) => ipc.receive(event.data));

const app = document.getElementById('app') as HTMLElement;

function skeleton(text: string): HTMLElement {
  return h('div', { class: 'skeleton', 'aria-busy': 'true' }, h('div', { class: 'skeleton-line' }), h('div', { class: 'skeleton-line short' }), h('div', { class: 'skeleton-block' }), h('p', { class: 'muted' }, text));
}

function stepsList(v: InvestigationView): HTMLElement {
  return h('ol', { class: 'steps' }, v.steps.map((s) => h('li', { class: `step step-${s.state}`, 'data-step': s.step, 'data-state': s.state }, h('span', { class: 'step-icon' }, s.state === 'done' ? '✓' : s.state === 'failed' ? '✗' : s.state === 'running' ? '…' : '·'), ` ${s.label}`, s.detail ? h('span', { class: 'muted' }, ` — ${s.detail}`) : null)));
}

function scrollToTarget(el: Element | null): void {
  if (!el) return;
  el.scrollIntoView({ behavior: 'smooth', block: 'center' });
  el.classList.add('focused');
  setTimeout(() => el.classList.remove('focused'), 2500);
}

function openSection(id: string): void {
  const section = document.getElementById(id);
  if (section) expand(section, true);
}

/** An evidence link: scrolls to its chart, pattern, span or commit and highlights it. */
function focusEvidence(e: Evidence): void {
  const target = view?.evidenceTargets[e.id];
  if (!target) return;
  switch (target.kind) {
    case 'chart': {
      openSection('metrics');
      const chart = document.querySelector(`[data-chart-id="${CSS.escape(target.chartId)}"]`);
      emphasiseSeries(target.chartId, target.seriesId);
      scrollToTarget(chart);
      return;
    }
    case 'pattern': {
      openSection('logs');
      showAllLevels();
      const row = document.querySelector(`[data-pattern-id="${CSS.escape(target.patternId)}"]`);
      const details = row?.querySelector('details');
      if (details) details.open = true;
      scrollToTarget(row);
      return;
    }
    case 'span':
      void showTrace(ipc, target.traceId, target.spanId);
      return;
    case 'commit':
      openSection('commits');
      scrollToTarget(document.querySelector(`[data-sha="${CSS.escape(target.sha)}"]`));
      return;
    case 'alert':
      scrollToTarget(document.querySelector('header.header'));
      return;
  }
}

/** Replaces the header and the actions in place (and the charts when their markers changed). */
function updateLive(previous: InvestigationView, next: InvestigationView): boolean {
  const oldHeader = app.querySelector('header.header');
  const oldActions = document.getElementById('actions');
  if (!oldHeader || !oldActions) return false;
  oldHeader.replaceWith(header(next, ipc, false));
  oldActions.replaceWith(actionsSection(next, ipc));
  app.dataset.alertState = next.alert.state;
  if (JSON.stringify(previous.markers) !== JSON.stringify(next.markers)) {
    const oldMetrics = document.getElementById('metrics');
    if (oldMetrics) {
      disposeCharts();
      const metrics = metricsSection(next);
      oldMetrics.replaceWith(metrics.section);
      metrics.mount();
    }
  }
  return true;
}

function render(): void {
  const keepScroll = window.scrollY;
  holdScroll();
  disposeCharts();
  clear(app);
  app.dataset.ready = 'false';
  if (!view) {
    app.append(skeleton('Starting the investigation…'));
    return;
  }
  const requerying = view.phase === 'gathering' && lastReady !== undefined;
  // While re-querying, the last investigation stays readable; the header shows the live alert.
  const shown: InvestigationView = requerying ? { ...lastReady!, alert: view.alert, incident: view.incident ?? lastReady!.incident } : view;
  app.dataset.phase = view.phase;
  app.dataset.range = view.range.preset;
  app.dataset.alertState = view.alert.state;
  app.append(header({ ...shown, range: view.range }, ipc, view.phase === 'gathering'));
  if (view.phase === 'gathering' && !requerying) {
    app.append(stepsList(view), skeleton('Gathering signals…'));
    return;
  }
  if (requerying) app.append(h('div', { class: 'requery-box', role: 'status', 'aria-busy': 'true' }, h('strong', null, 'Re-querying the new range… '), stepsList(view)));
  if (view.phase === 'error') {
    app.append(stepsList(view), h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'The investigation failed: '), view.error ?? 'unknown error', ' ', button('Try again', () => ipc.send(rerunCommand, {}))));
    return;
  }
  if (shown.sourceErrors.length) {
    app.append(h('div', { class: 'warn-box' }, h('strong', null, 'Some sources did not answer; the hypothesis uses the others. '), shown.sourceErrors.map((e) => h('div', null, `${e.source}: ${e.message}`))));
  }
  const metrics = metricsSection(shown);
  // Sections in reading order; each is a card the user can collapse (kept across tab switches).
  const sections = [
    hypothesisSection(shown, ipc, focusEvidence),
    agentSection,
    commitsSection(shown, ipc),
    actionsSection(shown, ipc),
    metrics.section,
    logsSection(shown, shown.hypothesis?.onset),
    tracesSection(shown, ipc),
  ];
  app.append(...sections);
  metrics.mount();
  // The first render after a tab switch or reload goes back to where the user was; later ones stay put.
  if (restoredScroll) {
    if (keepScroll > 0) window.scrollTo(0, keepScroll);
  } else restoreScroll(uiState().scrollY ?? 0);
  restoredScroll = true;
  if (!requerying) app.dataset.ready = 'true';
}

trackScroll();
render();
ipc.send(readyCommand, {});
saveUi({});
