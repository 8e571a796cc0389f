// Suspect code in the editor: a CodeLens over the offending lines, a gutter decoration, and a hover
// with the evidence and a link back to the panel. Cleared when the alert resolves or on dismiss.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Alert, Hypothesis } from '../core/model';
import type { AlertService } from './alertService';

interface Marker {
  alert: Alert;
  hypothesis: Hypothesis;
  uri: vscode.Uri;
  range: vscode.Range;
}

export class SuspectCodeMarkers implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly markers = new Map<string, Marker>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly decoration: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, alerts: AlertService) {
    this.decoration = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'suspect.svg'),
      gutterIconSize: 'contain',
      backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
      isWholeLine: true,
      overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.disposables.push(
      this.decoration,
      vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, this),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
      // Markers go away with their alert.
      alerts.onDidChange((snap) => {
        let removed = false;
        for (const [key, m] of this.markers) {
          const live = snap.alerts.find((a) => a.id === m.alert.id && a.sourceName === m.alert.sourceName);
          if (!live || live.state === 'resolved') {
            this.markers.delete(key);
            removed = true;
          }
        }
        if (removed) this.refresh();
      }),
    );
  }

  get count(): number {
    return this.markers.size;
  }

  show(alert: Alert, h: Hypothesis, workspaceRoot: string | undefined): void {
    const loc = h.location ?? h.suspectCommit?.location;
    if (!loc || h.abstained || !workspaceRoot) return;
    const file = path.resolve(workspaceRoot, loc.path);
    // Only files inside the workspace: a path from telemetry must not point elsewhere.
    if (!file.startsWith(path.resolve(workspaceRoot) + path.sep)) return;
    const start = Math.max(0, loc.startLine - 1);
    const end = Math.max(start, loc.endLine - 1);
    this.markers.set(`${alert.sourceName}/${alert.id}`, { alert, hypothesis: h, uri: vscode.Uri.file(file), range: new vscode.Range(start, 0, end, Number.MAX_SAFE_INTEGER) });
    this.refresh();
  }

  dismiss(): void {
    this.markers.clear();
    this.refresh();
  }

  latest(): Marker | undefined {
    return [...this.markers.values()].pop();
  }

  /** Opens the suspect location of a hypothesis (or of the latest investigation) at its lines. */
  async goTo(h?: Hypothesis, sha?: string): Promise<vscode.TextEditor | undefined> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const hyp = h ?? this.latest()?.hypothesis;
    const commit = sha ? hyp?.suspectCommits.find((c) => c.sha === sha) : undefined;
    const loc = commit?.location ?? hyp?.location ?? hyp?.suspectCommit?.location;
    if (!loc || !root) {
      void vscode.window.showInformationMessage('The current investigation names no suspect code.');
      return undefined;
    }
    const file = path.resolve(root, loc.path);
    if (!file.startsWith(path.resolve(root) + path.sep)) return undefined;
    const range = new vscode.Range(Math.max(0, loc.startLine - 1), 0, Math.max(0, loc.endLine - 1), 0);
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const editor = await vscode.window.showTextDocument(doc, { selection: range, preview: false, viewColumn: vscode.ViewColumn.One });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
      return editor;
    } catch {
      void vscode.window.showWarningMessage(`${loc.path} is not in this workspace (it may have been moved or deleted since the commit).`);
      return undefined;
    }
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const m of this.markers.values()) {
      if (m.uri.fsPath !== doc.uri.fsPath) continue;
      const pct = Math.min(99, Math.round(m.hypothesis.confidence * 100));
      lenses.push(
        new vscode.CodeLens(m.range.with(undefined, m.range.start), {
          title: `$(flame) Incident: ${m.alert.name} - suspect, ${pct}% confidence`,
          tooltip: m.hypothesis.summary,
          command: 'incidentLens.investigate',
          arguments: [m.alert],
        }),
        new vscode.CodeLens(m.range.with(undefined, m.range.start), { title: 'Dismiss', command: 'incidentLens.dismissSuspectCode' }),
      );
    }
    return lenses;
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    for (const m of this.markers.values()) {
      if (m.uri.fsPath !== doc.uri.fsPath || !m.range.contains(pos)) continue;
      const md = new vscode.MarkdownString(undefined, true);
      md.isTrusted = { enabledCommands: ['incidentLens.investigate'] };
      md.appendMarkdown('**Incident Lens: suspect code**\n\n');
      md.appendText(`${m.hypothesis.summary}\n\n`);
      for (const e of m.hypothesis.evidence.slice(0, 5)) {
        md.appendMarkdown('- ');
        md.appendText(`${e.title}: ${e.why}`);
        md.appendMarkdown('\n');
      }
      const args = encodeURIComponent(JSON.stringify([m.alert.id]));
      md.appendMarkdown(`\n[Open the investigation](command:incidentLens.investigate?${args})`);
      return new vscode.Hover(md, m.range);
    }
    return undefined;
  }

  private refresh(): void {
    this.changed.fire();
    this.decorate();
  }

  private decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const ranges = [...this.markers.values()].filter((m) => m.uri.fsPath === editor.document.uri.fsPath).map((m) => m.range);
      editor.setDecorations(this.decoration, ranges);
    }
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
