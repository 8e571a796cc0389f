// One model panel per model: opened from a drift alert (or by model name), it shows the model's
// overview computed once by the agent's model monitoring, mapped by src/protocol/modelView.ts. The
// webview asks by id only (run proposed action #n, open commit <sha>); actions go through the same
// remediation controller, policy, approval prompt and ledger as every other action. The panel has the
// investigation panel's strict CSP and survives a reload through a serializer.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import type { Alert, ProposedAction } from '../core/model';
import type { ModelOverview } from '../core/modelMonitoring';
import { errorMessage } from '../core/errors';
import { IpcHost } from '../protocol/ipc';
import { modelOpenCommitCommand, modelReadyCommand, modelRefreshCommand, modelRunActionCommand, modelStateNotification, modelViewType, type ModelPanelUiState } from '../protocol/model';
import { modelView } from '../protocol/modelView';
import type { Services } from './services';
import { openCommitDiff } from './gitContent';

/** Where the panel gets a model's overview and its proposals (the agent's ModelDriftAlertSource). */
export interface ModelOverviewProvider {
  overviewOf(model: string, signal?: AbortSignal): Promise<ModelOverview | undefined>;
  actionsOf(overview: ModelOverview): ProposedAction[];
  /** The models the workspace declares. */
  modelNames(): string[];
}

class ModelPanel implements vscode.Disposable {
  private ready = false;
  private overview: ModelOverview | undefined;
  private actions: ProposedAction[] = [];
  private error: string | undefined;
  private readonly ipc: IpcHost;
  private readonly disposables: vscode.Disposable[] = [];
  private loading: Promise<void> | undefined;

  constructor(
    private readonly s: Services,
    private readonly provider: () => ModelOverviewProvider | undefined,
    readonly panel: vscode.WebviewPanel,
    readonly model: string,
    public alert: Alert | undefined,
    private readonly onDispose: () => void,
  ) {
    const distRoot = vscode.Uri.joinPath(s.extension.extensionUri, 'dist', 'model-webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distRoot] };
    panel.iconPath = vscode.Uri.joinPath(s.extension.extensionUri, 'media', 'incident-lens.svg');
    panel.webview.html = renderHtml(panel.webview, distRoot, { model, ...(alert ? { alertId: alert.id } : {}) });
    this.ipc = new IpcHost(
      (m) => void panel.webview.postMessage(m),
      (method, err) => s.logger.warn(`model panel: ${method}: ${errorMessage(err)}`),
    )
      .onCommand(modelReadyCommand, () => {
        this.ready = true;
        this.publish();
      })
      .onCommand(modelRefreshCommand, () => this.load())
      .onCommand(modelRunActionCommand, ({ index, actionId }) => this.runAction(index, actionId))
      .onCommand(modelOpenCommitCommand, ({ sha }) => this.openCommit(sha));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.ipc.dispatch(m).catch((err: unknown) => void vscode.window.showErrorMessage(`Incident Lens: ${errorMessage(err)}`))),
      panel.onDidDispose(() => this.dispose()),
    );
    void this.load();
  }

  /** Resolves when the overview is shown (or failed). */
  whenReady(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  load(): Promise<void> {
    this.loading = (async () => {
      const provider = this.provider();
      if (!provider) {
        this.error = 'The workspace declares no model (.incident-lens/models.yaml), or the sources have not started yet.';
        this.publish();
        return;
      }
      try {
        this.overview = await provider.overviewOf(this.model);
        this.error = this.overview ? undefined : `No model named "${this.model}" is declared in .incident-lens/models.yaml.`;
        this.actions = this.overview ? provider.actionsOf(this.overview) : [];
      } catch (err) {
        this.error = errorMessage(err);
      }
      this.publish();
    })();
    return this.loading;
  }

  publish(): void {
    if (!this.ready) return;
    this.ipc.notify(modelStateNotification, modelView(this.overview, { model: this.model, alert: this.alert, actions: this.actions, gate: this.s.remediation.gate(), error: this.error }));
  }

  private async runAction(index: number, actionId: string): Promise<void> {
    const proposed = this.actions[index];
    // The webview names an action by index and id; both must agree with what the host proposed.
    if (!proposed || proposed.actionId !== actionId) return;
    const alert = this.alert ?? syntheticAlert(this.model, this.overview);
    await this.s.remediation.run(alert, proposed);
    void this.load();
  }

  private async openCommit(sha: string): Promise<void> {
    const commit = this.overview?.commits.find((c) => c.sha === sha);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!commit || !folder || commit.files.length === 0) return;
    await openCommitDiff(folder, commit.sha, commit.files[0]);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.onDispose();
  }
}

/** An action started from a panel opened by model name still needs an alert for its ledger origin and target. */
function syntheticAlert(model: string, o: ModelOverview | undefined): Alert {
  return { id: `model:${model}`, name: 'ModelPanel', state: 'firing', severity: 'info', labels: { model, ...(o ? { owner: o.spec.owner } : {}) }, annotations: {}, startsAt: Date.now(), sourceName: 'models', sourceKind: 'model-drift', ...(o?.spec.service ? { service: o.spec.service } : {}) };
}

function renderHtml(webview: vscode.Webview, distRoot: vscode.Uri, state: ModelPanelUiState): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(distRoot, name)).toString();
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const initial = JSON.stringify(state).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('uPlot.min.css')}">
<link rel="stylesheet" href="${asset('investigation.css')}">
<link rel="stylesheet" href="${asset('model.css')}">
<title>Model</title>
</head>
<body data-initial-state="${initial}">
<div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${asset('model.js')}"></script>
</body>
</html>`;
}

export class ModelPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();
  private services: Services | undefined;

  constructor(private readonly provider: () => ModelOverviewProvider | undefined) {}

  attach(s: Services): vscode.Disposable {
    this.services = s;
    return vscode.window.registerWebviewPanelSerializer(modelViewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const ui = state as Partial<ModelPanelUiState> | undefined;
        if (typeof ui?.model !== 'string') {
          panel.webview.html = '<!DOCTYPE html><html><body><p>This model panel has nothing to show.</p></body></html>';
          return;
        }
        await s.alerts.refresh();
        this.adopt(panel, ui.model, ui.alertId ? s.alerts.find(ui.alertId) : undefined);
      },
    });
  }

  /** The declared models, for a picker; empty when the workspace declares none. */
  modelNames(): string[] {
    return this.provider()?.modelNames() ?? [];
  }

  get(model: string): ModelPanel | undefined {
    return this.panels.get(model);
  }

  /** The panel of the model an alert is about. */
  openForAlert(alert: Alert): ModelPanel {
    return this.open(alert.labels.model ?? alert.service ?? alert.name, alert);
  }

  open(model: string, alert?: Alert): ModelPanel {
    const existing = this.panels.get(model);
    if (existing) {
      if (alert) existing.alert = alert;
      existing.panel.reveal();
      void existing.load();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(modelViewType, `Model: ${model}`, vscode.ViewColumn.Active, { enableScripts: true, enableFindWidget: true });
    return this.adopt(panel, model, alert);
  }

  private adopt(panel: vscode.WebviewPanel, model: string, alert: Alert | undefined): ModelPanel {
    const s = this.services;
    if (!s) throw new Error('model panels used before activation finished');
    const p = new ModelPanel(s, this.provider, panel, model, alert, () => this.panels.delete(model));
    this.panels.set(model, p);
    return p;
  }

  refreshGates(): void {
    for (const p of this.panels.values()) p.publish();
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }
}
