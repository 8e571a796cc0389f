// Incident memory in the editor: every finished investigation is recorded (src/agent/incidentMemory.ts,
// a bounded file in the extension's storage), the audit ledger's outcomes are folded in when it
// changes, the "Similar Incidents" view shows past incidents like the latest investigation with what
// fixed them, and a CodeLens on a file with incident history says how many it had lately.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Investigation } from '../core/investigation';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { IncidentMemory, IncidentRecord, SimilarIncident } from '../agent/incidentMemory';

const DAY = 86_400_000;
/** How far back the CodeLens counts. */
export const codeLensDays = 30;

type Node =
  | { kind: 'incident'; similar: SimilarIncident }
  | { kind: 'detail'; label: string; description?: string; icon: string; file?: { path: string; line?: number } }
  | { kind: 'empty'; label: string };

function ago(ms: number): string {
  const d = Math.round(ms / DAY);
  if (d >= 1) return `${d} day${d === 1 ? '' : 's'} ago`;
  const h = Math.round(ms / 3_600_000);
  return h >= 1 ? `${h} h ago` : 'just now';
}

export class IncidentMemoryController implements vscode.TreeDataProvider<Node>, vscode.CodeLensProvider, vscode.Disposable {
  private memory: Promise<IncidentMemory> | undefined;
  private latest: Investigation | undefined;
  private readonly treeChanged = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.treeChanged.event;
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly logger: Logger,
    /** The audit ledger's file, read when it changes (what was done and whether it worked). */
    private readonly ledgerPath: () => string,
  ) {
    this.disposables.push(vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this));
  }

  /** The store loads on first use (a separate chunk): activation does not pay for it. */
  private open(): Promise<IncidentMemory> {
    this.memory ??= import('../agent/incidentMemory').then(({ IncidentMemory }) => {
      const dir = (this.context.storageUri ?? this.context.globalStorageUri).fsPath;
      const memory = new IncidentMemory({ dir });
      memory.all();
      if (memory.loadProblem) this.logger.warn(memory.loadProblem);
      return memory;
    });
    return this.memory;
  }

  async records(): Promise<IncidentRecord[]> {
    try {
      return (await this.open()).all();
    } catch (err) {
      this.logger.warn(`incident memory: ${errorMessage(err)}`);
      return [];
    }
  }

  /** The InvestigationService's onFinished hook: remember the incident, show the similar ones. */
  async record(inv: Investigation): Promise<void> {
    try {
      (await this.open()).record(inv);
      this.latest = inv;
      await this.foldLedger();
    } catch (err) {
      this.logger.warn(`incident memory: not recorded: ${errorMessage(err)}`);
    }
    this.treeChanged.fire(undefined);
    this.lensChanged.fire();
    // Not awaited: the message waits for the user, the recording does not.
    void this.tellSimilar(inv).catch((err: unknown) => this.logger.warn(`incident memory: ${errorMessage(err)}`));
  }

  /** Says once, without a modal, that this incident happened before and what was done then. */
  private async tellSimilar(inv: Investigation): Promise<void> {
    const [top, ...more] = await this.similarToLatest();
    if (!top || this.latest !== inv) return;
    const fix = top.fixedBy[0];
    const message = `Incident Lens: ${inv.alert.name} looks like ${top.record.alertName} on ${top.record.services[0] ?? 'the same service'} ${ago(Date.now() - top.record.startedAt)}${fix ? `, which ${fix.actionId} fixed` : ''}${more.length ? ` (and ${more.length} more)` : ''}.`;
    const choice = await vscode.window.showInformationMessage(message, 'Show Similar Incidents');
    if (choice) await vscode.commands.executeCommand('incidentLens.similarIncidents.focus');
  }

  /** The ledger changed: re-read outcomes and marked-wrong flags. */
  async ledgerChanged(): Promise<void> {
    await this.foldLedger();
    this.treeChanged.fire(undefined);
  }

  private async foldLedger(): Promise<void> {
    try {
      const { readLedger } = await import('../remediation/ledger');
      (await this.open()).applyLedger(readLedger(this.ledgerPath()));
    } catch (err) {
      this.logger.warn(`incident memory: the ledger was not read: ${errorMessage(err)}`);
    }
  }

  /** Past incidents like the latest investigation. */
  async similarToLatest(): Promise<SimilarIncident[]> {
    if (!this.latest) return [];
    try {
      return (await this.open()).similar(this.latest, { limit: 8 });
    } catch (err) {
      this.logger.warn(`incident memory: ${errorMessage(err)}`);
      return [];
    }
  }

  // ---------- the Similar Incidents view ----------

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      if (!this.latest) return [{ kind: 'empty', label: 'Investigate an alert to see similar past incidents.' }];
      const similar = await this.similarToLatest();
      if (!similar.length) return [{ kind: 'empty', label: `No past incident like ${this.latest.alert.name} yet.` }];
      return similar.map((s) => ({ kind: 'incident', similar: s }));
    }
    if (node.kind !== 'incident') return [];
    const { record: r, reasons, fixedBy } = node.similar;
    const details: Node[] = [{ kind: 'detail', label: r.markedWrong ? 'Hypothesis (marked wrong)' : 'Hypothesis', description: r.hypothesis.summary, icon: r.markedWrong ? 'thumbsdown' : 'lightbulb' }];
    for (const f of fixedBy) details.push({ kind: 'detail', label: `Fixed by ${f.actionId}`, description: `${f.outcome}, ${ago(Date.now() - f.time)}`, icon: f.outcome === 'recovered' ? 'pass' : 'play' });
    if (!fixedBy.length) details.push({ kind: 'detail', label: 'No recorded action fixed it', icon: 'circle-slash' });
    for (const why of reasons) details.push({ kind: 'detail', label: why, icon: 'link' });
    for (const p of r.files.slice(0, 5)) details.push({ kind: 'detail', label: p, icon: 'file-code', file: { path: p, ...(r.hypothesis.location?.path === p ? { line: r.hypothesis.location.startLine } : {}) } });
    return details;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'empty') return new vscode.TreeItem(node.label);
    if (node.kind === 'incident') {
      const { record: r, score } = node.similar;
      const item = new vscode.TreeItem(`${r.alertName} · ${r.services[0] ?? 'unknown service'}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${ago(Date.now() - r.startedAt)} · ${Math.round(score * 100)}% alike`;
      item.iconPath = new vscode.ThemeIcon('history');
      const tip = new vscode.MarkdownString(undefined, true);
      tip.isTrusted = false;
      tip.appendText(`${r.hypothesis.summary}\n\nAlike: ${node.similar.reasons.join('; ')}`);
      item.tooltip = tip;
      item.contextValue = 'similarIncident';
      return item;
    }
    const item = new vscode.TreeItem(node.label);
    item.description = node.description;
    item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.description) item.tooltip = node.description;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (node.file && root) {
      const file = path.resolve(root, node.file.path);
      // Only files inside the workspace: paths come from telemetry.
      if (file.startsWith(path.resolve(root) + path.sep)) {
        const line = Math.max(0, (node.file.line ?? 1) - 1);
        item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(file), { selection: new vscode.Range(line, 0, line, 0) }] };
      }
    }
    return item;
  }

  // ---------- CodeLens ----------

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    if (!folder) return [];
    const rel = path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/');
    if (rel.startsWith('..')) return [];
    let incidents: IncidentRecord[];
    try {
      incidents = (await this.open()).incidentsForFile(rel, codeLensDays);
    } catch {
      return [];
    }
    if (!incidents.length) return [];
    const newest = incidents.reduce((a, b) => (b.startedAt > a.startedAt ? b : a));
    const title = `$(history) ${incidents.length} incident${incidents.length === 1 ? '' : 's'} in ${codeLensDays} days`;
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title, tooltip: `Latest: ${newest.alertName} ${ago(Date.now() - newest.startedAt)}: ${newest.hypothesis.summary.slice(0, 200)}`, command: 'incidentLens.showIncidentHistory', arguments: [rel] })];
  }

  /** The incidents of one file, listed (the CodeLens's command). */
  async showFileHistory(rel: unknown): Promise<void> {
    if (typeof rel !== 'string') return;
    const incidents = (await this.open()).incidentsForFile(rel, codeLensDays).sort((a, b) => b.startedAt - a.startedAt);
    await vscode.window.showQuickPick(
      incidents.map((r) => {
        const fixed = r.actions.find((x) => x.outcome === 'recovered');
        return { label: `${r.alertName} · ${r.services[0] ?? ''}`, description: ago(Date.now() - r.startedAt), detail: `${r.markedWrong ? '(hypothesis marked wrong) ' : ''}${r.hypothesis.summary}${fixed ? ` Fixed by ${fixed.actionId}.` : ''}` };
      }),
      { title: `Incidents at ${rel} in the last ${codeLensDays} days`, matchOnDetail: true },
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.treeChanged.dispose();
    this.lensChanged.dispose();
  }
}
