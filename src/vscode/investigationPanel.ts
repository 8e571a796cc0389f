// One investigation panel per alert: gathers signals with visible progress, shows the hypothesis and
// its evidence, and turns the webview's requests (by id only) into host actions. Panels survive a
// reload through a WebviewPanelSerializer; the webview keeps only UI state.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import type { Alert, Hypothesis } from '../core/model';
import type { IncidentBundle } from '../core/bundle';
import { errorMessage } from '../core/errors';
import { isIpcMessage, is, type IpcMessage, type NotificationType } from '../protocol/ipc';
import {
  viewType, readyCommand, stateNotification, goToCodeCommand, openDiffCommand, runActionCommand, markWrongCommand, rerunCommand, traceRequest,
  type InvestigationView, type PanelUiState, type StepView,
} from '../protocol/investigation';
// The investigation engine loads on first use (a separate chunk): activation does not pay for it.
const engine = () =>
  Promise.all([import('../agent/investigate'), import('../agent/investigationView'), import('../sources/git')]).then(([inv, view, git]) => ({
    investigate: inv.investigate,
    buildInvestigationView: view.buildInvestigationView,
    traceViewFor: view.traceViewFor,
    GitChangeSource: git.GitChangeSource,
  }));
import type { Services } from './services';
import { settings } from './config';
import { openCommitDiff } from './gitContent';

interface Investigation {
  alert: Alert;
  view: InvestigationView;
  bundle?: IncidentBundle;
  hypothesis?: Hypothesis;
}

export function panelKey(alert: Pick<Alert, 'sourceName' | 'id'>): string {
  return `${alert.sourceName}/${alert.id}`;
}

class InvestigationPanel implements vscode.Disposable {
  private investigation: Investigation;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly cancel = new vscode.CancellationTokenSource();
  private readonly readyWaiters: (() => void)[] = [];

  constructor(
    private readonly s: Services,
    readonly panel: vscode.WebviewPanel,
    alert: Alert,
    private readonly onDispose: () => void,
  ) {
    this.investigation = { alert, view: gatheringView(alert, []) };
    const distRoot = vscode.Uri.joinPath(s.extension.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distRoot] };
    panel.iconPath = vscode.Uri.joinPath(s.extension.extensionUri, 'media', 'incident-lens.svg');
    panel.webview.html = renderHtml(panel.webview, distRoot, { alertId: alert.id, sourceName: alert.sourceName });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get alert(): Alert {
    return this.investigation.alert;
  }
  get current(): Investigation {
    return this.investigation;
  }

  /** Resolves when the hypothesis is shown (or the investigation failed). */
  whenReady(): Promise<void> {
    if (this.investigation.view.phase !== 'gathering') return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  private post<P>(type: NotificationType<P>, params: P): void {
    if (!this.ready) return; // the webview asks for the state in its `ready` handshake
    void this.panel.webview.postMessage({ method: type.method, params } satisfies IpcMessage);
  }

  private publish(view: InvestigationView): void {
    this.investigation.view = view;
    this.post(stateNotification, view);
    if (view.phase !== 'gathering') for (const r of this.readyWaiters.splice(0)) r();
  }

  async run(): Promise<void> {
    const alert = this.investigation.alert;
    const startedAt = Date.now();
    const steps: StepView[] = [
      { label: 'Metrics around the alert', state: 'running' },
      { label: 'Logs and patterns', state: 'running' },
      { label: 'Traces', state: 'running' },
      { label: 'Workspace changes and deploys', state: 'running' },
      { label: 'Hypothesis', state: 'pending' },
    ];
    this.publish(gatheringView(alert, steps, startedAt));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Investigating ${alert.name}` },
      async (progress) => {
        try {
          const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
          const signal = abortSignalFor(this.cancel.token);
          const { investigate, buildInvestigationView, GitChangeSource } = await engine();
          const result = await investigate(alert, {
            ...this.s.alerts.signalSources(),
            changes: folder ? new GitChangeSource({ workspace: folder, deployTagPattern: settings.deployTagPattern(), trusted: vscode.workspace.isTrusted }) : undefined,
          }, {
            confidenceThreshold: settings.confidenceThreshold(),
            serviceMap: settings.serviceMap(),
            signal,
            onProgress: (step: string) => {
              progress.report({ message: step });
              const idx = steps.findIndex((x) => step.toLowerCase().includes(x.label.split(' ')[0].toLowerCase()));
              if (idx >= 0) steps[idx] = { ...steps[idx], state: 'done' };
              this.publish(gatheringView(alert, steps.map((x) => ({ ...x })), startedAt));
            },
          });
          const done = steps.map((x): StepView => ({ ...x, state: 'done' }));
          for (const e of result.errors) {
            const i = done.findIndex((x) => x.label.toLowerCase().includes(guessStep(e.source)));
            if (i >= 0) done[i] = { ...done[i], state: 'failed', detail: e.message };
          }
          this.investigation.bundle = result.bundle;
          this.investigation.hypothesis = result.hypothesis;
          const view = buildInvestigationView({ alert, bundle: result.bundle, hypothesis: result.hypothesis, errors: result.errors, gate: this.s.remediation.gate(), startedAt, steps: done });
          this.publish(view);
          this.s.suspectCode.show(alert, result.hypothesis, folder);
          this.s.remediation.recordHypothesis(alert, result.hypothesis);
        } catch (err) {
          this.s.logger.error(`investigation of ${alert.name} failed: ${errorMessage(err)}`);
          this.publish({ ...gatheringView(alert, steps.map((x) => (x.state === 'running' ? { ...x, state: 'failed' } : x)), startedAt), phase: 'error', error: errorMessage(err) });
        }
      },
    );
  }

  refreshGate(): void {
    const inv = this.investigation;
    if (inv.bundle && inv.hypothesis) {
      const gate = this.s.remediation.gate();
      this.publish({ ...inv.view, actions: inv.view.actions.map((a) => ({ ...a, enabled: gate.enabled, disabledReason: gate.enabled ? undefined : gate.reason })), actionsNote: gate.enabled ? undefined : gate.reason });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isIpcMessage(raw)) return;
    const inv = this.investigation;
    try {
      if (is(readyCommand, raw)) {
        this.ready = true;
        this.post(stateNotification, inv.view);
      } else if (is(goToCodeCommand, raw)) {
        await this.s.suspectCode.goTo(inv.hypothesis, raw.params.sha);
      } else if (is(openDiffCommand, raw)) {
        const commit = inv.hypothesis?.suspectCommits.find((c) => c.sha === raw.params.sha);
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        if (!commit || !folder) return;
        const file = raw.params.path && commit.files.includes(raw.params.path) ? raw.params.path : (commit.location?.path ?? commit.files[0]);
        if (file) await openCommitDiff(folder, commit.sha, file);
      } else if (is(runActionCommand, raw)) {
        const proposed = inv.hypothesis?.proposedActions[raw.params.index];
        // The webview names an action by index and id; both must agree with what the host proposed.
        if (!proposed || proposed.actionId !== raw.params.actionId) return;
        await this.s.remediation.run(inv.alert, proposed, inv.hypothesis);
      } else if (is(markWrongCommand, raw)) {
        if (inv.hypothesis) await this.s.remediation.markWrong(inv.alert, inv.hypothesis);
      } else if (is(rerunCommand, raw)) {
        await this.run();
      } else if (raw.method === traceRequest.method && typeof raw.id === 'number') {
        const traceId = String((raw.params as { traceId?: unknown })?.traceId ?? '');
        const result = inv.bundle ? (await engine()).traceViewFor(inv.bundle.spans, traceId) : undefined;
        void this.panel.webview.postMessage({ method: traceRequest.method, id: raw.id, result } satisfies IpcMessage);
      }
    } catch (err) {
      void vscode.window.showErrorMessage(`Incident Lens: ${errorMessage(err)}`);
    }
  }

  dispose(): void {
    this.cancel.cancel();
    this.cancel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const r of this.readyWaiters.splice(0)) r();
    this.onDispose();
  }
}

function guessStep(source: string): string {
  const s = source.toLowerCase();
  if (s.includes('git') || s.includes('change')) return 'workspace';
  if (s.includes('log') || s.includes('loki') || s.includes('elastic')) return 'logs';
  if (s.includes('trace') || s.includes('jaeger') || s.includes('tempo')) return 'traces';
  return 'metrics';
}

function abortSignalFor(token: vscode.CancellationToken): AbortSignal {
  const ac = new AbortController();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

function gatheringView(alert: Alert, steps: StepView[], startedAt = Date.now()): InvestigationView {
  return { alert, phase: 'gathering', steps, charts: [], markers: [], logPatterns: [], slowTraces: [], failingTraces: [], actions: [], sourceErrors: [], startedAt };
}

function renderHtml(webview: vscode.Webview, distRoot: vscode.Uri, state: PanelUiState): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(distRoot, name)).toString();
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  // The initial UI state travels in a data attribute (HTML-escaped JSON), never as inline script.
  const initial = JSON.stringify(state).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('uPlot.min.css')}">
<link rel="stylesheet" href="${asset('investigation.css')}">
<title>Investigation</title>
</head>
<body data-initial-state="${initial}">
<div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${asset('investigation.js')}"></script>
</body>
</html>`;
}

export class InvestigationPanels implements vscode.Disposable {
  private readonly panels = new Map<string, InvestigationPanel>();
  private services: Services | undefined;

  attach(s: Services): vscode.Disposable {
    this.services = s;
    return vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const ui = state as Partial<PanelUiState> | undefined;
        await s.alerts.refresh();
        const alert = ui?.alertId ? s.alerts.snapshot.alerts.find((a) => a.id === ui.alertId && (!ui.sourceName || a.sourceName === ui.sourceName)) : undefined;
        if (!alert) {
          panel.webview.html = `<!DOCTYPE html><html><body><p>The alert this panel investigated is no longer active.</p></body></html>`;
          return;
        }
        this.adopt(panel, alert);
      },
    });
  }

  get(alert: Pick<Alert, 'sourceName' | 'id'>): InvestigationPanel | undefined {
    return this.panels.get(panelKey(alert));
  }

  active(): InvestigationPanel | undefined {
    for (const p of this.panels.values()) if (p.panel.active) return p;
    return [...this.panels.values()].pop();
  }

  open(alert: Alert): InvestigationPanel {
    const existing = this.get(alert);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(viewType, `Investigate: ${alert.name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
    });
    return this.adopt(panel, alert);
  }

  private adopt(panel: vscode.WebviewPanel, alert: Alert): InvestigationPanel {
    if (!this.services) throw new Error('investigation panels used before activation finished');
    const key = panelKey(alert);
    const p = new InvestigationPanel(this.services, panel, alert, () => this.panels.delete(key));
    this.panels.set(key, p);
    void p.run();
    return p;
  }

  refreshGates(): void {
    for (const p of this.panels.values()) p.refreshGate();
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
