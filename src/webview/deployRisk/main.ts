// The deployment-risk panel's browser code: renders the host's view model, every string as text,
// and sends back only typed requests (assess again, pick another target, open a commit or a file the
// evidence names). Nothing here decides anything: the host computed the assessment.
import type { DeploymentRiskAssessment, RiskEvidence, RiskFactor } from '../../core/deployRisk';
import { IpcClient, type IpcMessage } from '../../protocol/ipc';
import { deployRiskOpenCommit, deployRiskOpenFile, deployRiskPickTarget, deployRiskReady, deployRiskReassess, deployRiskState, type DeployRiskView } from '../../protocol/deployRisk';
import { clear, h } from '../investigation/dom';
import { formatTime } from '../../core/time';

interface VsCodeApi {
  postMessage(m: IpcMessage): void;
  getState(): { open?: string[] } | undefined;
  setState(s: { open?: string[] }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ipc = new IpcClient((m) => vscode.postMessage(m));
const app = document.getElementById('app') as HTMLElement;
// UI state only: which factors are expanded.
const open = new Set<string>(vscode.getState()?.open ?? ['change-risk']);
let view: DeployRiskView | undefined;

// Commit messages, author names, paths and alert names are untrusted text: control characters and the
// invisible formatting ones (bidi overrides that reverse what follows, zero-width characters) are shown
// as their code points instead of acting on the page.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
function visible<T>(value: T): T {
  if (typeof value === 'string') return value.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`) as T;
  if (Array.isArray(value)) return value.map(visible) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visible(v)])) as T;
  return value;
}

ipc.onNotification(deployRiskState, (next) => {
  view = visible(next);
  render();
});
window.addEventListener('message', (event: MessageEvent) => ipc.receive(event.data));

const actionLabel: Record<DeploymentRiskAssessment['recommendation']['action'], string> = {
  'deploy-now': 'Deploy now',
  'deploy-in-window': 'Deploy in a window',
  delay: 'Delay',
};

function button(label: string, onClick: () => void, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function render(): void {
  clear(app);
  delete app.dataset.ready;
  const toolbar = h('div', { class: 'toolbar' }, button('Assess again', () => ipc.send(deployRiskReassess, {}), { 'data-action': 'reassess', disabled: view?.phase === 'assessing' }), button('Another target…', () => ipc.send(deployRiskPickTarget, {}), { class: 'secondary', 'data-action': 'pick-target' }));
  app.append(h('header', { class: 'header' }, h('h1', null, 'Deployment risk: ', view?.targetLabel ?? ''), toolbar));
  if (!view || view.phase === 'assessing') {
    app.append(h('div', { class: 'skeleton', 'aria-busy': 'true' }, h('div', { class: 'skeleton-line' }), h('div', { class: 'skeleton-block' }), h('p', { class: 'muted' }, view?.progress ?? 'Reading the history and scoring the commits…')));
    return;
  }
  if (view.phase === 'error' || !view.assessment) {
    app.append(h('div', { class: 'error-box', role: 'alert' }, h('strong', null, 'The assessment failed: '), view.error ?? 'unknown error'));
    app.dataset.ready = 'error';
    return;
  }
  const a = view.assessment;
  app.append(summary(a), factorsSection(a), commitsSection(a), modelSection(a));
  app.dataset.ready = 'true';
  app.dataset.level = a.level;
  app.dataset.score = a.score.toFixed(4);
}

function summary(a: DeploymentRiskAssessment): HTMLElement {
  const r = a.recommendation;
  // Set through the CSSOM: the CSP allows no inline style attribute.
  const fill = h('span', { class: `fill ${a.level}` });
  fill.style.width = pct(a.score);
  return h(
    'section',
    { class: 'card summary', id: 'summary' },
    h('div', { class: 'meta muted' }, `${a.target.rev === a.target.sha ? '' : `${a.target.rev} `}${a.target.sha.slice(0, 10)} against ${a.base.sha ? `${a.base.sha.slice(0, 10)} (${a.base.label})` : a.base.label}`, a.services.length ? ` · services ${a.services.join(', ')}` : '', ` · ${a.commits.length} commit${a.commits.length === 1 ? '' : 's'}, ${a.files.length} file${a.files.length === 1 ? '' : 's'}`),
    h('div', { class: 'score-row' },
      h('span', { class: `level level-${a.level}`, 'data-level': a.level }, a.level.toUpperCase()),
      h('span', { class: 'score' }, `risk ${pct(a.score)}`),
      h('span', { class: 'bar', role: 'img', 'aria-label': `risk ${pct(a.score)}` }, fill),
    ),
    h('div', { class: `recommendation rec-${r.action}`, 'data-action': r.action },
      h('strong', { class: 'rec-action' }, actionLabel[r.action]),
      h('p', { class: 'rec-reason' }, r.reason),
      r.window ? h('p', { class: 'rec-window' }, `Suggested window: ${formatTime(r.window.start)} to ${formatTime(r.window.end)} (${r.window.why})`) : null,
      h('p', { class: 'muted advice' }, 'Advice only: nothing is blocked, a person decides.'),
    ),
    a.notes.length ? h('ul', { class: 'notes muted' }, a.notes.map((n) => h('li', null, n))) : null,
  );
}

function evidenceItem(e: RiskEvidence): HTMLElement {
  const li = h('li', null, e.text);
  if (e.ref?.kind === 'commit') li.append(' ', button('open commit', () => ipc.send(deployRiskOpenCommit, { sha: e.ref!.id }), { class: 'link' }));
  if (e.ref?.kind === 'file') li.append(' ', button('open file', () => ipc.send(deployRiskOpenFile, { path: e.ref!.id, ...(e.ref!.line ? { line: e.ref!.line } : {}) }), { class: 'link' }));
  return li;
}

function factorRow(f: RiskFactor): HTMLElement[] {
  const measured = f.value !== undefined;
  const expanded = open.has(f.kind);
  const toggle = button(expanded ? '▾' : '▸', () => {
    if (open.has(f.kind)) open.delete(f.kind);
    else open.add(f.kind);
    vscode.setState({ open: [...open] });
    render();
  }, { class: 'link toggle', 'aria-expanded': expanded ? 'true' : 'false', 'aria-label': `${expanded ? 'Hide' : 'Show'} the evidence of ${f.title}` });
  const row = h('tr', { class: `factor${measured ? '' : ' unmeasured'}${f.gate ? ' gate' : ''}`, 'data-kind': f.kind },
    h('td', null, toggle, ' ', f.title),
    h('td', { class: 'num' }, f.weight ? pct(f.weight) : f.gate ? 'gate' : '—'),
    h('td', { class: 'num' }, measured ? f.value!.toFixed(2) : 'n/a'),
    h('td', null, measured ? f.summary : `not measured: ${f.notMeasured ?? 'no data'}`),
  );
  const rows = [row];
  if (expanded && f.evidence.length) rows.push(h('tr', { class: 'evidence-row' }, h('td', { colspan: '4' }, h('ul', { class: 'evidence' }, f.evidence.map(evidenceItem)))));
  return rows;
}

function factorsSection(a: DeploymentRiskAssessment): HTMLElement {
  return h('section', { class: 'card', id: 'factors' },
    h('h2', null, 'Factors'),
    h('p', { class: 'muted' }, 'The score is the weighted mean of the measured factors. The weights are set by hand, not fitted: no labelled deploy outcomes exist to fit them on. A gate decides the recommendation by itself.'),
    h('table', { class: 'factors' }, h('thead', null, h('tr', null, h('th', null, 'Factor'), h('th', null, 'Weight'), h('th', null, 'Value'), h('th', null, 'What it found'))), h('tbody', null, a.factors.flatMap(factorRow))),
  );
}

function commitsSection(a: DeploymentRiskAssessment): HTMLElement {
  if (!a.commits.length) return h('section', { class: 'card', id: 'commits' }, h('h2', null, 'Commits'), h('p', { class: 'muted' }, 'Nothing to ship.'));
  return h('section', { class: 'card', id: 'commits' },
    h('h2', null, 'Commits'),
    h('table', { class: 'commits' },
      h('thead', null, h('tr', null, h('th', null, 'Commit'), h('th', null, 'Defect probability'), h('th', null, 'Riskier than'), h('th', null, 'Why'))),
      h('tbody', null, a.commits.map((c) => h('tr', { 'data-sha': c.sha },
        h('td', null, button(c.sha.slice(0, 10), () => ipc.send(deployRiskOpenCommit, { sha: c.sha }), { class: 'link mono' }), ' ', c.subject, h('span', { class: 'muted' }, ` · ${c.author}`), c.docsOnly ? h('span', { class: 'muted' }, ' · documentation only') : null),
        h('td', { class: 'num' }, pct(c.risk)),
        h('td', { class: 'num' }, `${pct(c.percentile)} of commits`),
        h('td', null, h('ul', { class: 'reasons' }, c.reasons.map((r) => h('li', null, r)))),
      ))),
    ),
  );
}

function modelSection(a: DeploymentRiskAssessment): HTMLElement {
  const m = a.model;
  return h('section', { class: 'card muted', id: 'model' },
    h('h2', null, 'Change-risk model'),
    m ? h('p', null, `${m.design}. ${m.provenance}.${m.validationAuc !== undefined ? ` Validation AUC on this history: ${m.validationAuc.toFixed(3)}.` : ''}`) : h('p', null, 'no model'),
    h('p', null, `Assessed ${formatTime(a.assessedAt)}.`),
  );
}

render();
ipc.send(deployRiskReady, {});
