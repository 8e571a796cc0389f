// One investigation panel per alert. The panel renders: the InvestigationService owns the run, the
// view mapper (src/protocol/investigationView.ts) turns it into the view model, and the webview's
// requests (by id only) reach typed handlers here. Panels survive a reload through a
// WebviewPanelSerializer; the webview keeps only UI state.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import type { Alert } from '../core/model';
import type { Investigation } from '../core/investigation';
import { errorMessage } from '../core/errors';
import { IpcHost } from '../protocol/ipc';
import {
  viewType, readyCommand, stateNotification, goToCodeCommand, openDiffCommand, runActionCommand, markWrongCommand, rerunCommand, cancelCommand, traceRequest,
  type PanelUiState,
} from '../protocol/investigation';
import { investigationView, traceViewFor } from '../protocol/investigationView';
import { runKey, type InvestigationRun } from '../agent/investigationService';
import type { Services } from './services';
import { openCommitDiff } from './gitContent';
import { AgentPanelSession } from './agentPanel';

export const panelKey = runKey;

class InvestigationPanel implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ipc: IpcHost;
  private progressDone: (() => void) | undefined;
  /** The agent section: follow-up questions about this incident. */
  readonly agent: AgentPanelSession;

  constructor(
    private readonly s: Services,
    readonly panel: vscode.WebviewPanel,
    readonly alert: Alert,
    private readonly onDispose: () => void,
  ) {
    const distRoot = vscode.Uri.joinPath(s.extension.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distRoot] };
    panel.iconPath = vscode.Uri.joinPath(s.extension.extensionUri, 'media', 'incident-lens.svg');
    panel.webview.html = renderHtml(panel.webview, distRoot, { alertId: alert.id, sourceName: alert.sourceName });
    this.ipc = new IpcHost(
      (m) => void panel.webview.postMessage(m),
      (method, err) => s.logger.warn(`investigation panel: ${method}: ${errorMessage(err)}`),
    )
      .onCommand(readyCommand, () => {
        this.ready = true;
        this.publish();
        this.agent.publish();
      })
      .onCommand(goToCodeCommand, async ({ sha }) => void (await this.s.suspectCode.goTo(this.investigation?.hypothesis, sha)))
      .onCommand(openDiffCommand, ({ sha, path }) => this.openDiff(sha, path))
      .onCommand(runActionCommand, ({ index, actionId }) => this.runAction(index, actionId))
      .onCommand(markWrongCommand, async () => {
        const inv = this.investigation;
        if (inv) await this.s.remediation.markWrong(inv.alert, inv.hypothesis);
      })
      .onCommand(rerunCommand, () => void this.s.investigations.rerun(this.alert))
      .onCommand(cancelCommand, () => this.s.investigations.cancel(this.key))
      .onRequest(traceRequest, ({ traceId }) => {
        const inv = this.investigation;
        return inv ? traceViewFor(inv, traceId) : undefined;
      });
    this.agent = new AgentPanelSession(s, s.agent, alert, () => this.investigation);
    this.agent.attach(this.ipc);
    this.disposables.push(
      this.agent,
      panel.webview.onDidReceiveMessage((m) =>
        this.ipc.dispatch(m).catch((err: unknown) => void vscode.window.showErrorMessage(`Incident Lens: ${errorMessage(err)}`)),
      ),
      panel.onDidDispose(() => this.dispose()),
      s.investigations.onDidChange((run) => {
        if (run.key !== this.key) return;
        this.publish(run);
        this.trackProgress(run);
      }),
    );
    this.trackProgress(s.investigations.start(alert));
  }

  get key(): string {
    return runKey(this.alert);
  }

  /** The finished investigation this panel shows, if any. */
  get investigation(): Investigation | undefined {
    return this.s.investigations.current(this.key);
  }

  /** Resolves when the hypothesis is shown (or the investigation failed). */
  async whenReady(): Promise<void> {
    await this.s.investigations.whenDone(this.key);
  }

  /** A window progress indicator while the run gathers. */
  private trackProgress(run: InvestigationRun): void {
    if (run.phase !== 'gathering') {
      this.progressDone?.();
      this.progressDone = undefined;
      return;
    }
    if (this.progressDone) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Investigating ${this.alert.name}` }, () => new Promise<void>((resolve) => (this.progressDone = resolve)));
  }

  publish(run = this.s.investigations.get(this.key)): void {
    if (!this.ready || !run) return; // the webview asks for the state in its `ready` handshake
    this.ipc.notify(stateNotification, investigationView(run, this.s.remediation.gate()));
  }

  private async openDiff(sha: string, path: string | undefined): Promise<void> {
    const commit = this.investigation?.hypothesis.suspectCommits.find((c) => c.sha === sha);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!commit || !folder) return;
    const file = path && commit.files.includes(path) ? path : (commit.location?.path ?? commit.files[0]);
    if (file) await openCommitDiff(folder, commit.sha, file);
  }

  private async runAction(index: number, actionId: string): Promise<void> {
    const inv = this.investigation;
    const actions = inv?.hypothesis.proposedActions ?? [];
    // The webview names an action by index and id; both must agree with what the host proposed.
    if (!inv || index < 0 || index >= actions.length || actions[index].actionId !== actionId) return;
    await this.s.remediation.run(inv.alert, actions[index], inv.hypothesis);
  }

  dispose(): void {
    this.progressDone?.();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.onDispose();
  }
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
<link rel="stylesheet" href="${asset('agent.css')}">
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
    const s = this.services;
    if (!s) throw new Error('investigation panels used before activation finished');
    const key = panelKey(alert);
    const p = new InvestigationPanel(s, panel, alert, () => {
      this.panels.delete(key);
      s.investigations.forget(key);
    });
    this.panels.set(key, p);
    return p;
  }

  /** The agent's settings changed: each panel's agent section picks them up. */
  refreshAgent(): void {
    for (const p of this.panels.values()) p.agent.refresh();
  }

  /** Re-renders every panel (the action gate changed: trust, autonomy). */
  refreshGates(): void {
    for (const p of this.panels.values()) p.publish();
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
