// The model panel's browser code: renders the host's view model (drifted features first, a small chart
// per feature with its threshold, the model's outputs, realized or estimated performance, the registry,
// Evidently's results, serving metrics, the commits to the model's code) and asks for actions by index
// and id, commits by sha. Data is refetched from the host after a reload.
import { IpcClient, type IpcMessage } from '../../protocol/ipc';
import { modelOpenCommitCommand, modelReadyCommand, modelRefreshCommand, modelRunActionCommand, modelStateNotification, type FeatureDriftView, type ModelPanelUiState, type ModelView } from '../../protocol/model';
import { formatTime } from '../../core/time';
import { clear, h } from '../investigation/dom';
import { disposeChunkCharts, renderChunkChart } from './chunkCharts';

interface VsCodeApi {
  postMessage(m: IpcMessage): void;
  getState(): ModelPanelUiState | undefined;
  setState(s: ModelPanelUiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const initial = JSON.parse(document.body.dataset.initialState ?? '{}') as ModelPanelUiState;
vscode.setState({ ...initial, ...(vscode.getState() ?? {}) });
const ipc = new IpcClient((m) => vscode.postMessage(m));
let view: ModelView | undefined;
const app = document.getElementById('app') as HTMLElement;

ipc.onNotification(modelStateNotification, (next) => {
  view = next;
  render();
});
window.addEventListener('message', (event: MessageEvent) => ipc.receive(event.data));

const num = (x: number | undefined | null, digits = 3) => (x === undefined || x === null || !Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits));

function button(label: string, onClick: () => void, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

function render(): void {
  disposeChunkCharts();
  clear(app);
  if (!view) {
    app.append(h('p', { class: 'muted', 'aria-busy': 'true' }, 'Reading the model’s data…'));
    return;
  }
  const v = view;
  app.append(header(v));
  if (v.phase === 'loading') {
    app.append(h('p', { class: 'muted', 'aria-busy': 'true' }, 'Reading the model’s data…'));
    return;
  }
  if (v.phase === 'error') app.append(h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'The model’s data could not be read: '), v.error ?? 'unknown error', ' ', button('Try again', () => ipc.send(modelRefreshCommand, {}))));
  for (const p of v.problems.filter((x) => x.part !== 'data')) app.append(h('div', { class: 'warn-box' }, h('strong', null, `${p.part}: `), p.message));
  if (v.phase === 'ready') app.append(driftSection(v), actionsSection(v), outputsSection(v), performanceSection(v));
  for (const section of [commitsSection(v), registrySection(v), evidentlySection(v), servingSection(v)]) if (section) app.append(section);
  if (v.notes.length) app.append(h('section', { class: 'card' }, h('h2', null, 'Notes'), h('ul', null, v.notes.map((n) => h('li', null, n)))));
  app.dataset.ready = 'true';
}

function header(v: ModelView): HTMLElement {
  return h(
    'header',
    { class: 'header' },
    h('h1', null, 'Model ', h('span', { class: 'mono' }, v.model.name)),
    h('div', { class: 'meta' },
      h('span', null, `owner ${v.model.owner}`),
      v.model.service ? h('span', null, `service ${v.model.service}`) : null,
      v.model.problem ? h('span', null, `${v.model.problem} model`) : null,
      v.model.declared ? h('span', { class: 'mono' }, v.model.declared) : null,
      v.computedAt ? h('span', null, `computed ${formatTime(v.computedAt)}`) : null,
      button('Refresh', () => ipc.send(modelRefreshCommand, {}), { class: 'secondary' }),
    ),
    v.alert ? h('p', { class: `summary-annotation alert-${v.alert.severity}` }, h('strong', null, `${v.alert.name}: `), v.alert.summary) : null,
  );
}

function chartWidth(grid: HTMLElement, columns: number): number {
  return Math.max(240, Math.min(520, grid.clientWidth / columns - 16));
}

function driftSection(v: ModelView): HTMLElement {
  const drifted = v.features.filter((f) => f.drifted);
  const analysis = v.chunks.filter((c) => c.period === 'analysis').length;
  const rows = v.features.map((f) =>
    h('tr', { class: f.drifted ? 'drifted' : undefined, 'data-feature': f.feature },
      h('td', { class: 'mono' }, f.feature),
      h('td', null, f.type),
      h('td', null, f.series.label),
      h('td', null, f.drifted ? h('span', { class: 'badge drift' }, `${f.alertCount} of ${analysis}`) : '0'),
      h('td', null, f.firstAlert ?? '–'),
      h('td', null, f.explained !== undefined ? `${Math.round(f.explained * 100)}%` : '–')));
  const grid = h('div', { class: 'small-multiples' });
  const section = h('section', { class: 'card', id: 'drift' },
    h('h2', null, drifted.length ? `Data drift: ${drifted.map((f) => f.feature).join(', ')}` : 'Data drift: none'),
    h('p', { class: 'muted' }, `Each chunk against the whole reference; threshold from the ${v.chunks.filter((c) => c.period === 'reference').length} reference chunks (shaded). “Explains” is how much of the chunk-to-chunk change in performance goes with the feature's drift (R²): an association, not a proof of cause.`),
    h('table', { class: 'features' }, h('thead', null, h('tr', null, ['feature', 'type', 'statistic', 'drifted chunks', 'first', 'explains'].map((c) => h('th', null, c)))), h('tbody', null, rows)),
    grid);
  requestAnimationFrame(() => {
    const width = chartWidth(grid, grid.clientWidth > 1000 ? 3 : grid.clientWidth > 640 ? 2 : 1);
    for (const f of v.features) renderFeature(grid, v, f, width);
  });
  return section;
}

function renderFeature(grid: HTMLElement, v: ModelView, f: FeatureDriftView, width: number): void {
  renderChunkChart(grid, `${f.feature} · ${f.series.label}`, v.chunks, [f.series], { width, id: `feature-${f.feature}`, drifted: f.drifted });
}

function outputsSection(v: ModelView): HTMLElement {
  const section = h('section', { class: 'card', id: 'prediction' }, h('h2', null, v.prediction?.drifted ? `Prediction drift: ${v.prediction.alertCount} chunks` : 'Prediction drift: none'));
  const grid = h('div', { class: 'small-multiples' });
  section.append(grid);
  if (!v.prediction) grid.append(h('p', { class: 'muted' }, 'No prediction column is declared.'));
  else requestAnimationFrame(() => renderFeature(grid, v, v.prediction!, chartWidth(grid, 1)));
  return section;
}

function performanceSection(v: ModelView): HTMLElement {
  const section = h('section', { class: 'card', id: 'performance' },
    h('h2', null, v.decayChunks.length ? `Performance below its threshold in ${v.decayChunks.join(', ')}` : 'Performance within its threshold'));
  const grid = h('div', { class: 'small-multiples' });
  section.append(grid);
  if (v.performance.length === 0) grid.append(h('p', { class: 'muted' }, 'No target column is declared: performance cannot be measured or estimated.'));
  const byMetric = new Map<string, typeof v.performance>();
  for (const p of v.performance) byMetric.set(p.method, [...(byMetric.get(p.method) ?? []), p]);
  if (v.performance.some((p) => p.basis === 'estimated')) section.append(h('p', { class: 'muted' }, 'Dashed: estimated from the calibrated scores where labels have not arrived (confidence-based estimation), not measured.'));
  requestAnimationFrame(() => {
    const width = chartWidth(grid, grid.clientWidth > 900 ? 2 : 1);
    for (const [metric, list] of byMetric) {
      const ordered = [...list].sort((a) => (a.basis === 'realized' ? -1 : 1));
      renderChunkChart(grid, ordered[0].label, v.chunks, ordered, { width, id: `performance-${metric}`, drifted: ordered[0].alerts.some(Boolean) });
    }
  });
  return section;
}

function actionsSection(v: ModelView): HTMLElement {
  return h('section', { class: 'card', id: 'actions' },
    h('h2', null, 'Proposed actions'),
    v.actionsNote ? h('p', { class: 'warn-box' }, v.actionsNote) : null,
    v.actions.length === 0 ? h('p', { class: 'muted' }, 'No action is declared for this model (models.yaml: actions.retrain, actions.rollback, or a registry).') :
      h('ul', { class: 'actions' }, v.actions.map((a) => h('li', null,
        button(a.title, () => ipc.send(modelRunActionCommand, { index: a.index, actionId: a.actionId }), { disabled: !a.enabled, title: a.disabledReason ?? a.why, 'data-action-id': a.actionId }),
        h('span', { class: 'muted' }, ` ${a.why}`)))));
}

function commitsSection(v: ModelView): HTMLElement {
  return h('section', { class: 'card', id: 'commits' },
    h('h2', null, 'Commits to the model’s code'),
    v.commits.length === 0 ? h('p', { class: 'muted' }, 'No commit touched the training code, feature pipeline or config that models.yaml names.') :
      h('table', { class: 'commits' },
        h('thead', null, h('tr', null, ['sha', 'when', 'author', 'message', 'touched', ''].map((c) => h('th', null, c)))),
        h('tbody', null, v.commits.map((c) => h('tr', { 'data-sha': c.sha },
          h('td', { class: 'mono' }, c.short),
          h('td', null, formatTime(c.time)),
          h('td', null, c.author),
          h('td', null, c.subject),
          h('td', null, c.areas.join(', ')),
          h('td', { class: 'buttons' }, button('Open diff', () => ipc.send(modelOpenCommitCommand, { sha: c.sha }), { class: 'secondary', 'data-action': 'open-commit', title: c.files.join(', ') })))))));
}

function registrySection(v: ModelView): HTMLElement | null {
  const r = v.registry;
  if (!r) return null;
  return h('section', { class: 'card', id: 'registry' },
    h('h2', null, `Registry: ${r.pointer} → version ${r.serving ?? 'none'}${r.previous ? ` (before: ${r.previous})` : ''}`),
    h('table', null, h('thead', null, h('tr', null, ['version', 'aliases', 'stage', 'registered'].map((c) => h('th', null, c)))),
      h('tbody', null, r.versions.map((x) => h('tr', { class: x.version === r.serving ? 'top' : undefined }, h('td', null, x.version), h('td', null, x.aliases.join(', ')), h('td', null, x.stage ?? ''), h('td', null, x.createdAt ? formatTime(x.createdAt) : ''))))),
    r.runMetrics.length ? h('p', { class: 'muted' }, `Run metrics of the serving version: ${r.runMetrics.map(([k, x]) => `${k} ${num(x)}`).join(', ')}`) : null);
}

function evidentlySection(v: ModelView): HTMLElement | null {
  if (v.evidently.length === 0) return null;
  return h('section', { class: 'card', id: 'evidently' }, h('h2', null, 'Evidently'), v.evidently.map((e) =>
    h('div', null,
      h('p', null, h('span', { class: 'mono' }, e.file), ` (${e.format})${e.datasetDrift !== undefined ? `: dataset drift ${e.datasetDrift ? 'detected' : 'not detected'}` : ''}${e.driftedColumns !== undefined ? `, ${e.driftedColumns} drifted columns` : ''}`),
      h('table', null, h('thead', null, h('tr', null, ['column', 'method', 'score', 'threshold', 'drifted'].map((c) => h('th', null, c)))),
        h('tbody', null, e.columns.map((c) => h('tr', { class: c.drifted ? 'drifted' : undefined }, h('td', { class: 'mono' }, c.column), h('td', null, c.method), h('td', null, num(c.score)), h('td', null, num(c.threshold)), h('td', null, c.drifted ? 'yes' : 'no'))))))));
}

function servingSection(v: ModelView): HTMLElement | null {
  const s = v.serving;
  if (!s) return null;
  return h('section', { class: 'card', id: 'serving' }, h('h2', null, `Serving (${s.source}, last 6 h)`),
    h('ul', null,
      s.psi !== undefined ? h('li', null, `Predictions, later vs earlier half: PSI ${num(s.psi)}, Jensen–Shannon ${num(s.jensenShannon)}`) : null,
      s.meanLast !== undefined ? h('li', null, `Mean prediction ${num(s.meanLast)}`) : null,
      s.latencyP95Last !== undefined ? h('li', null, `p95 latency ${num(s.latencyP95Last)} s`) : null,
      s.errorRatioLast !== undefined ? h('li', null, `Error ratio ${num(s.errorRatioLast * 100)} %`) : null));
}

render();
ipc.send(modelReadyCommand, {});
