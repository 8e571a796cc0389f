// One investigation panel per alert, titled with the alert and its service. The panel renders: the
// InvestigationService owns the run, the view mapper (src/protocol/investigationView.ts) turns it into
// the view model, and the webview's requests (by id only) reach typed handlers here. The panel follows
// its alert live (resolved, silenced), shows what was done about it (from the audit ledger, and as
// actions run), re-queries another time range, opens links out by id and exports Markdown. Panels
// survive a reload through a WebviewPanelSerializer; the webview keeps only UI state.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { Alert } from '../core/model';
import type { Investigation } from '../core/investigation';
import { errorMessage } from '../core/errors';
import { IpcHost } from '../protocol/ipc';
import {
  viewType, readyCommand, stateNotification, goToCodeCommand, openDiffCommand, runActionCommand, markWrongCommand, rerunCommand, cancelCommand, traceRequest,
  setRangeCommand, openLinkCommand, copyMarkdownCommand, exportMarkdownCommand, openAlertCommand,
  type LinkView, type PanelUiState,
} from '../protocol/investigation';
import { defaultTraceId, investigationView, traceViewFor } from '../protocol/investigationView';
import { rangePresets, runKey, type InvestigationRun, type RangePreset } from '../agent/investigationService';
import { incidentTitle, relatedAlerts } from '../agent/incidents';
import { linksFor, type LinkSpec } from '../sources/links';
import type { Services } from './services';
import { openCommitDiff } from './gitContent';
import { AgentPanelSession } from './agentPanel';
import { exportMarkdown, markdownFor } from './investigationExport';

export const panelKey = runKey;

function panelTitle(alert: Alert): string {
  return alert.service ? `${alert.name} · ${alert.service}` : alert.name;
}

class InvestigationPanel implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ipc: IpcHost;
  private progressDone: (() => void) | undefined;
  /** The agent section: follow-up questions about this incident. */
  readonly agent: AgentPanelSession;
  private links: LinkSpec[] = [];
  private history: string | undefined;

  constructor(
    private readonly s: Services,
    readonly panel: vscode.WebviewPanel,
    readonly alert: Alert,
    related: Alert[],
    private readonly onDispose: () => void,
  ) {
    const distRoot = vscode.Uri.joinPath(s.extension.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distRoot] };
    panel.iconPath = vscode.Uri.joinPath(s.extension.extensionUri, 'media', 'incident-lens.svg');
    panel.title = panelTitle(alert);
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
      .onCommand(openDiffCommand, ({ sha, path: file }) => this.openDiff(sha, file))
      .onCommand(runActionCommand, ({ index, actionId }) => this.runAction(index, actionId))
      .onCommand(markWrongCommand, async () => {
        const inv = this.investigation;
        if (inv) await this.s.remediation.markWrong(inv.alert, inv.hypothesis);
      })
      .onCommand(rerunCommand, () => void this.s.investigations.rerun(this.liveAlert))
      .onCommand(cancelCommand, () => this.s.investigations.cancel(this.key))
      .onCommand(setRangeCommand, ({ preset, start, end }) => this.setRange(preset, start, end))
      .onCommand(openLinkCommand, ({ id }) => this.openLink(id))
      .onCommand(copyMarkdownCommand, () => this.copyMarkdown())
      .onCommand(exportMarkdownCommand, () => this.exportMarkdown())
      .onCommand(openAlertCommand, ({ key }) => this.openRelated(key))
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
        if (run.investigation) this.links = this.linksFor(run);
        this.publish(run);
        this.trackProgress(run);
      }),
    );
    const run = s.investigations.start(alert, { relatedAlerts: related });
    this.trackProgress(run);
    void this.loadRecordedActions();
    void this.loadHistory();
  }

  get key(): string {
    return runKey(this.alert);
  }

  /** The alert as its source lists it now. */
  get liveAlert(): Alert {
    return this.s.investigations.get(this.key)?.alert ?? this.alert;
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
    const links: LinkView[] = this.links.map((l) => ({ id: l.id, label: l.label, kind: l.kind, detail: l.target.type === 'url' ? l.target.url.split('?')[0] : l.target.path }));
    const incident = this.s.alerts.incidentOf(run.alert);
    const view = investigationView(run, this.s.remediation.gate(), {
      links,
      ...(this.history ? { history: this.history } : {}),
      ...(incident && incident.alerts.length > 1 ? { incidentTitle: incidentTitle(incident) } : {}),
    });
    this.ipc.notify(stateNotification, view);
  }

  private linksFor(run: InvestigationRun): LinkSpec[] {
    const inv = run.investigation;
    const alertSource = this.s.alerts.sources?.alertSourceNamed(run.alert.sourceName);
    return linksFor({
      alert: run.alert,
      window: run.range.window,
      ...(inv?.hypothesis.service ?? run.alert.service ? { service: inv?.hypothesis.service ?? run.alert.service } : {}),
      ...(inv ? { traceId: defaultTraceId(inv) } : {}),
      configs: this.s.alerts.sources?.configs ?? [],
      alertUiLink: alertSource?.uiLink?.(run.alert),
    });
  }

  /** What the ledger recorded for this alert before the panel opened (a reload, another window): those actions are not offered again. */
  private async loadRecordedActions(): Promise<void> {
    try {
      for (const a of await this.s.remediation.actionsTaken(this.alert.id)) {
        this.s.investigations.recordAction(this.key, { actionId: a.actionId, state: 'finished', status: a.status, ...(a.message ? { message: a.message } : {}), ...(a.verification ? { verification: a.verification } : {}), time: a.time });
      }
    } catch (err) {
      this.s.logger.warn(`investigation panel: reading the ledger: ${errorMessage(err)}`);
    }
  }

  /** "Fired 3 times in the last 7 days", from a Prometheus that evaluated the alert's rule. */
  private async loadHistory(): Promise<void> {
    const rule = this.alert.rule;
    const sources = this.s.alerts.sources;
    if (!sources || (rule && rule.language !== 'promql')) return;
    const prom = sources.metrics.find((m) => m.kind === 'prometheus' && m.name === rule?.sourceName) ?? (rule ? sources.metrics.find((m) => m.kind === 'prometheus') : undefined);
    if (!prom) return;
    try {
      const { alertFiringHistory, describeHistory } = await import('../sources/alertHistory');
      const h = await alertFiringHistory(prom, this.alert, Date.now());
      if (!h) return;
      this.history = describeHistory(h);
      this.publish();
    } catch (err) {
      this.s.logger.debug(`investigation panel: alert history from ${prom.name}: ${errorMessage(err)}`);
    }
  }

  private setRange(preset: string, start?: number, end?: number): void {
    if (!(rangePresets as readonly string[]).includes(preset)) return;
    try {
      this.s.investigations.setRange(this.key, { preset: preset as RangePreset, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) });
    } catch (err) {
      void vscode.window.showWarningMessage(`Incident Lens: ${errorMessage(err)}`);
    }
  }

  private async openLink(id: string): Promise<void> {
    const link = this.links.find((l) => l.id === id);
    if (!link) return;
    if (link.target.type === 'url') {
      await vscode.env.openExternal(vscode.Uri.parse(link.target.url, true));
      return;
    }
    // A workspace runbook: only a file inside the workspace folder opens.
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return;
    const file = path.resolve(root, link.target.path);
    if (!file.startsWith(root + path.sep)) return;
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    } catch (err) {
      void vscode.window.showWarningMessage(`The runbook ${link.target.path} could not be opened: ${errorMessage(err)}`);
    }
  }

  async copyMarkdown(): Promise<void> {
    const run = this.s.investigations.get(this.key);
    if (!run?.investigation) return;
    await vscode.env.clipboard.writeText(await markdownFor(this.s, run, this.links));
    void vscode.window.setStatusBarMessage('Investigation copied as Markdown', 4000);
  }

  async exportMarkdown(): Promise<void> {
    const run = this.s.investigations.get(this.key);
    if (run?.investigation) await exportMarkdown(this.s, run, this.links);
  }

  private openRelated(key: string): void {
    const alert = this.s.alerts.snapshot.alerts.find((a) => runKey(a) === key);
    if (alert) this.s.panels.open(alert);
  }

  private async openDiff(sha: string, file: string | undefined): Promise<void> {
    const commit = this.investigation?.hypothesis.suspectCommits.find((c) => c.sha === sha);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!commit || !folder) return;
    const chosen = file && commit.files.includes(file) ? file : (commit.location?.path ?? commit.files[0]);
    if (chosen) await openCommitDiff(folder, commit.sha, chosen);
  }

  private async runAction(index: number, actionId: string): Promise<void> {
    const inv = this.investigation;
    const actions = inv?.hypothesis.proposedActions ?? [];
    // The webview names an action by index and id; both must agree with what the host proposed.
    if (!inv || index < 0 || index >= actions.length || actions[index].actionId !== actionId) return;
    const run = this.s.investigations.get(this.key);
    if (run?.actions.some((a) => a.actionId === actionId && a.state === 'running')) return;
    this.s.investigations.recordAction(this.key, { actionId, state: 'running', time: Date.now() });
    const started = Date.now();
    try {
      const outcome = await this.s.remediation.run(this.liveAlert, actions[index], inv.hypothesis);
      this.s.investigations.recordAction(this.key, {
        actionId,
        state: 'finished',
        status: outcome?.status ?? 'not run',
        ...(outcome?.message ? { message: outcome.message } : {}),
        ...(outcome?.verification ? { verification: { ok: outcome.verification.ok, reason: outcome.verification.reason } } : {}),
        time: started,
      });
    } catch (err) {
      this.s.investigations.recordAction(this.key, { actionId, state: 'finished', status: 'failed', message: errorMessage(err), time: started });
      throw err;
    }
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
    return vscode.Disposable.from(
      vscode.window.registerWebviewPanelSerializer(viewType, {
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
      }),
      // Panels follow their alerts: resolved, silenced, a new value.
      s.alerts.onDidChange((snapshot) => s.investigations.followAlerts(snapshot.alerts)),
    );
  }

  get(alert: Pick<Alert, 'sourceName' | 'id'>): InvestigationPanel | undefined {
    return this.panels.get(panelKey(alert));
  }

  active(): InvestigationPanel | undefined {
    for (const p of this.panels.values()) if (p.panel.active) return p;
    return [...this.panels.values()].pop();
  }

  /** Opens (or shows) the alert's panel; the other alerts of its incident are explained with it. */
  open(alert: Alert): InvestigationPanel {
    const existing = this.get(alert);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(viewType, panelTitle(alert), vscode.ViewColumn.Active, {
      enableScripts: true,
      enableFindWidget: true,
    });
    return this.adopt(panel, alert);
  }

  private adopt(panel: vscode.WebviewPanel, alert: Alert): InvestigationPanel {
    const s = this.services;
    if (!s) throw new Error('investigation panels used before activation finished');
    const key = panelKey(alert);
    const related = relatedAlerts(s.alerts.snapshot.incidents, alert);
    const p = new InvestigationPanel(s, panel, alert, related, () => {
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
