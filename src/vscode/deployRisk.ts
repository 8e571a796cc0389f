// "Incident Lens: Assess Deployment Risk": the assessment of HEAD or a picked branch, tag or commit
// against what is deployed, in a panel (one, reused) and, for the current branch, in the status bar.
// The assessment is computed host-side (src/agent/deployRisk/) from git, the live alerts and metrics,
// incident memory, the policy and the SLO file; the panel only renders it. Nothing here blocks a
// deploy: the panel and the status bar say what the assessment advises, a person decides.
import * as vscode from 'vscode';
import type { DeploymentRiskAssessment } from '../core/deployRisk';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import { deployRiskViewType } from '../protocol/deployRisk';
import type { ChangeRiskAnalysis } from '../agent/deployRisk/changeRisk';
import type { AlertService } from './alertService';
import type { IncidentMemoryController } from './incidentMemory';
import type { Prompter } from './prompter';
import type { DeployRiskPanel } from './deployRiskPanel';
import { secretKey } from './alertService';
import { settings } from './config';

// Git, the model, the factors and the panel load on first use (separate chunks): activation does not pay for them.
export const engine = () =>
  Promise.all([import('../agent/deployRisk/assess'), import('../sources/changeHistory'), import('../sources/git'), import('../sources/argocd'), import('../sources/http'), import('../agent/deployRisk/szzCache')]).then(([assess, history, git, argocd, http, szz]) => ({ ...assess, ...history, ...git, ...argocd, ...http, ...szz }));

export interface DeployTarget {
  rev: string;
  label: string;
}

export interface DeployRiskDeps {
  extension: vscode.ExtensionContext;
  logger: Logger;
  alerts: AlertService;
  memory: IncidentMemoryController;
  prompter: Prompter;
}

const levelIcon = { low: '$(pass)', medium: '$(warning)', high: '$(error)' } as const;

export class DeployRiskController implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<ChangeRiskAnalysis>>();
  private szzCache: InstanceType<Awaited<ReturnType<typeof engine>>['FileSzzCache']> | undefined;
  private readonly statusBar: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private panel: DeployRiskPanel | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusRun = 0;
  /** The newest assessment of the current branch, for the status bar and tests. */
  lastBranchAssessment: DeploymentRiskAssessment | undefined;

  constructor(private readonly deps: DeployRiskDeps) {
    this.statusBar = vscode.window.createStatusBarItem('incidentLens.deployRisk', vscode.StatusBarAlignment.Left, 49);
    this.statusBar.name = 'Incident Lens: deployment risk of the current branch';
    this.statusBar.command = 'incidentLens.assessDeploymentRisk';
    this.disposables.push(this.statusBar);
  }

  /** Registers the panel serializer and starts watching the branch (after activation has returned). */
  attach(): vscode.Disposable[] {
    const root = workspaceRoot();
    if (root) {
      // A commit, checkout or reset moves HEAD or a branch ref: the status bar follows.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '.git/{HEAD,refs/heads/**,refs/tags/**}'));
      const again = () => this.scheduleStatus(2000);
      this.disposables.push(watcher, watcher.onDidChange(again), watcher.onDidCreate(again), watcher.onDidDelete(again));
    }
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleStatus(500)));
    return [
      vscode.window.registerWebviewPanelSerializer(deployRiskViewType, {
        deserializeWebviewPanel: async (panel) => {
          await this.adopt(panel);
          await this.assess({ rev: 'HEAD', label: await this.headLabel() });
        },
      }),
    ];
  }

  /** Assesses the current branch for the status bar, `delayMs` from now (debounced). */
  scheduleStatus(delayMs = 0): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => void this.refreshStatus(), delayMs);
  }

  private async refreshStatus(): Promise<void> {
    const run = ++this.statusRun;
    if (!workspaceRoot()) {
      this.statusBar.hide();
      return;
    }
    try {
      const label = await this.headLabel();
      const a = await this.compute('HEAD');
      if (run !== this.statusRun) return;
      this.showStatus(a, label);
    } catch (err) {
      if (run !== this.statusRun) return;
      this.deps.logger.info(`deployment risk: status bar not updated: ${errorMessage(err)}`);
      this.statusBar.hide();
    }
  }

  private showStatus(a: DeploymentRiskAssessment, label: string): void {
    this.lastBranchAssessment = a;
    const advice = a.recommendation.action === 'deploy-now' ? 'deploy now' : a.recommendation.action === 'delay' ? 'delay' : 'deploy in a window';
    this.statusBar.text = `${levelIcon[a.level]} Deploy risk: ${a.level}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendText(`Deploying ${label} now: risk ${Math.round(a.score * 100)}% (${a.level}), ${a.commits.length} commit${a.commits.length === 1 ? '' : 's'} since ${a.base.label}.\nAdvice: ${advice}. ${a.recommendation.reason}\nAdvice only: nothing is blocked. Click for the assessment.`);
    this.statusBar.tooltip = tip;
    this.statusBar.backgroundColor = a.level === 'high' ? new vscode.ThemeColor('statusBarItem.errorBackground') : a.level === 'medium' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.statusBar.show();
  }

  private async headLabel(): Promise<string> {
    const root = workspaceRoot();
    if (!root) return 'HEAD';
    try {
      const { GitHistorySource } = await engine();
      const branch = await new GitHistorySource({ repo: root, trusted: vscode.workspace.isTrusted }).currentBranch();
      return branch ? `HEAD (${branch})` : 'HEAD (detached)';
    } catch {
      return 'HEAD';
    }
  }

  /** One assessment with everything the editor knows. */
  async compute(rev: string, opts: { base?: string; signal?: AbortSignal } = {}): Promise<DeploymentRiskAssessment> {
    const root = workspaceRoot();
    if (!root) throw new Error('open a folder with a git repository to assess a deployment');
    const e = await engine();
    const trusted = vscode.workspace.isTrusted;
    const history = new e.GitHistorySource({ repo: root, trusted });
    const changes = new e.GitChangeSource({ workspace: root, trusted, deployTagPattern: settings.deployTagPattern(), deployLog: settings.deployRecords() });
    // A fix's blame never changes: kept in the extension's storage, so a later session blames only new fixes.
    this.szzCache ??= new e.FileSzzCache((this.deps.extension.storageUri ?? this.deps.extension.globalStorageUri).fsPath);
    const argo = settings.argoCd();
    let argoCd: Parameters<typeof e.assessDeploymentRisk>[0]['argoCd'];
    if (argo) {
      const secrets = this.deps.extension.secrets;
      argoCd = {
        source: new e.ArgoCdSource({ name: argo.name, url: argo.url, authorization: async () => e.authorizationFromSecret((await secrets.get(secretKey(argo.name))) ?? undefined) }),
        application: argo.application,
        ...(argo.appNamespace ? { appNamespace: argo.appNamespace } : {}),
      };
    }
    return e.assessDeploymentRisk(
      {
        workspace: root,
        trusted,
        history,
        deploys: (s) => changes.listDeploys(s),
        ...(argoCd ? { argoCd } : {}),
        incidents: () => this.deps.memory.records(),
        alerts: async () => this.deps.alerts.snapshot.alerts,
        metrics: () => this.deps.alerts.sources?.signalSources().metrics ?? [],
        serviceMap: settings.serviceMap(),
        environment: settings.environment(),
        cache: this.cache,
        szzCache: this.szzCache,
      },
      { rev, ...(opts.base ? { base: opts.base } : {}), signal: opts.signal },
    );
  }

  /** The command: HEAD, or a target picked first when asked to pick. */
  async command(arg?: unknown): Promise<void> {
    if (!workspaceRoot()) {
      void vscode.window.showWarningMessage('Incident Lens: open a folder with a git repository to assess a deployment.');
      return;
    }
    const target = typeof arg === 'string' && arg.trim() ? { rev: arg.trim(), label: arg.trim() } : await this.pickTarget();
    if (target) await this.assess(target);
  }

  /** HEAD first, then branches, tags and recent commits. */
  async pickTarget(): Promise<DeployTarget | undefined> {
    const root = workspaceRoot();
    if (!root) return undefined;
    const e = await engine();
    const history = new e.GitHistorySource({ repo: root, trusted: vscode.workspace.isTrusted });
    const [head, refs, commits] = await Promise.all([this.headLabel(), history.listRefs(100).catch(() => []), history.recentCommits('HEAD', 30).catch(() => [])]);
    const items = [
      { label: `$(git-commit) ${head}`, description: 'what is checked out', value: { rev: 'HEAD', label: head } },
      ...refs.map((r) => ({ label: `${r.kind === 'branch' ? '$(git-branch)' : '$(tag)'} ${r.name}`, description: `${r.kind} · ${r.sha.slice(0, 8)}`, detail: r.subject, value: { rev: r.name, label: `${r.kind} ${r.name}` } })),
      ...commits.map((c) => ({ label: `$(git-commit) ${c.sha.slice(0, 10)}`, description: `${c.author} · ${new Date(c.time).toLocaleString()}`, detail: c.subject, value: { rev: c.sha, label: `commit ${c.sha.slice(0, 10)} ${c.subject.slice(0, 60)}` } })),
    ];
    return this.deps.prompter.pick(items, { title: 'Assess the deployment of…', placeholder: 'HEAD, a branch, a tag or a commit' });
  }

  async assess(target: DeployTarget): Promise<DeploymentRiskAssessment | undefined> {
    const panel = this.panel ?? (await this.adopt(vscode.window.createWebviewPanel(deployRiskViewType, 'Deployment Risk', vscode.ViewColumn.Active, { enableScripts: true, enableFindWidget: true })));
    panel.panel.reveal();
    return panel.run(target, () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Assessing the deployment of ${target.label}` }, async () => {
        const a = await this.compute(target.rev);
        if (target.rev === 'HEAD') this.showStatus(a, target.label);
        return a;
      }),
    );
  }

  private async adopt(webviewPanel: vscode.WebviewPanel): Promise<DeployRiskPanel> {
    const { DeployRiskPanel } = await import('./deployRiskPanel');
    const p = new DeployRiskPanel(this.deps, webviewPanel, this, () => {
      if (this.panel === p) this.panel = undefined;
    });
    this.panel = p;
    return p;
  }

  dispose(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.panel?.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}
