// The deployment-risk panel: renders the host's assessment in a webview with the investigation panel's
// strict CSP, and answers its typed messages (assess again, another target, open a commit or a file
// the assessment named, nothing else). Loaded when the panel first opens.
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { DeploymentRiskAssessment } from '../core/deployRisk';
import { errorMessage } from '../core/errors';
import { IpcHost } from '../protocol/ipc';
import { deployRiskOpenCommit, deployRiskOpenFile, deployRiskPickTarget, deployRiskReady, deployRiskReassess, deployRiskState, type DeployRiskView } from '../protocol/deployRisk';
import { engine, workspaceRoot, type DeployRiskController, type DeployRiskDeps, type DeployTarget } from './deployRisk';
import { openCommitDiff } from './gitContent';

export class DeployRiskPanel {
  private ready = false;
  private view: DeployRiskView = { phase: 'assessing', targetLabel: '' };
  private target: DeployTarget | undefined;
  private runs = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly ipc: IpcHost;

  constructor(
    private readonly deps: DeployRiskDeps,
    readonly panel: vscode.WebviewPanel,
    private readonly controller: DeployRiskController,
    private readonly onDispose: () => void,
  ) {
    const distRoot = vscode.Uri.joinPath(deps.extension.extensionUri, 'dist', 'webview-risk');
    const shared = vscode.Uri.joinPath(deps.extension.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [distRoot] };
    panel.iconPath = vscode.Uri.joinPath(shared, 'incident-lens.svg');
    panel.webview.html = renderHtml(panel.webview, distRoot);
    this.ipc = new IpcHost(
      (m) => void panel.webview.postMessage(m),
      (method, err) => deps.logger.warn(`deployment risk panel: ${method}: ${errorMessage(err)}`),
    )
      .onCommand(deployRiskReady, () => {
        this.ready = true;
        this.publish();
      })
      .onCommand(deployRiskReassess, async () => {
        if (this.target) await this.controller.assess(this.target);
      })
      .onCommand(deployRiskPickTarget, async () => {
        const t = await this.controller.pickTarget();
        if (t) await this.controller.assess(t);
      })
      .onCommand(deployRiskOpenCommit, ({ sha }) => this.openCommit(sha))
      .onCommand(deployRiskOpenFile, ({ path: rel, line }) => this.openFile(rel, line));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.ipc.dispatch(m).catch((err: unknown) => void vscode.window.showErrorMessage(`Incident Lens: ${errorMessage(err)}`))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  async run(target: DeployTarget, work: () => Thenable<DeploymentRiskAssessment>): Promise<DeploymentRiskAssessment | undefined> {
    const run = ++this.runs;
    this.target = target;
    this.panel.title = `Deployment Risk: ${target.label.slice(0, 40)}`;
    this.view = { phase: 'assessing', targetLabel: target.label, progress: 'Reading the history, labelling it from later fixes and scoring the commits…' };
    this.publish();
    try {
      const assessment = await work();
      if (run !== this.runs) return assessment;
      this.view = { phase: 'ready', targetLabel: target.label, assessment };
      this.publish();
      return assessment;
    } catch (err) {
      if (run !== this.runs) return undefined;
      this.deps.logger.warn(`deployment risk of ${target.rev}: ${errorMessage(err)}`);
      this.view = { phase: 'error', targetLabel: target.label, error: errorMessage(err) };
      this.publish();
      return undefined;
    }
  }

  private publish(): void {
    if (this.ready) this.ipc.notify(deployRiskState, this.view);
  }

  /** Opens a commit the assessment named: the diff of one of its files. */
  private async openCommit(sha: string): Promise<void> {
    const a = this.view.assessment;
    const root = workspaceRoot();
    if (!a || !root || !a.commits.some((c) => c.sha === sha)) return;
    const e = await engine();
    const history = new e.GitHistorySource({ repo: root, trusted: vscode.workspace.isTrusted });
    const files = (await history.changedNewLines(undefined, sha).catch(() => [])).map((f) => f.path);
    const file = files.length > 1 ? await this.deps.prompter.pick(files.map((f) => ({ label: f, value: f })), { title: `Open which file of ${sha.slice(0, 10)}?` }) : files[0];
    if (file) await openCommitDiff(root, sha, file);
  }

  /** Opens a file the assessment named, inside the workspace only. */
  private async openFile(rel: string, line?: number): Promise<void> {
    const a = this.view.assessment;
    const root = workspaceRoot();
    if (!a || !root) return;
    const named = a.files.includes(rel) || a.factors.some((f) => f.evidence.some((e) => e.ref?.kind === 'file' && e.ref.id === rel));
    const file = path.resolve(root, rel);
    if (!named || !file.startsWith(path.resolve(root) + path.sep)) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const at = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: true });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.onDispose();
  }
}

function renderHtml(webview: vscode.Webview, distRoot: vscode.Uri): string {
  // The investigation panel's pattern: a fresh nonce per render, no inline script, no eval.
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(distRoot, name)).toString();
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('deployRisk.css')}">
<title>Deployment Risk</title>
</head>
<body>
<div id="app" aria-live="polite"></div>
<script nonce="${nonce}" src="${asset('deployRisk.js')}"></script>
</body>
</html>`;
}
