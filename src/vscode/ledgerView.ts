// The Audit Ledger view: the ledger's counts, the measure of trust.
import * as vscode from 'vscode';
import type { RemediationController } from './remediation';

interface Row {
  label: string;
  value: string;
  icon: string;
}

export class LedgerView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly remediation: RemediationController) {
    this.sub = remediation.onDidChangeLedger(() => this.changed.fire());
  }

  async getChildren(row?: Row): Promise<Row[]> {
    if (row) return [];
    const c = await this.remediation.counts();
    if (!c) return [{ label: 'No ledger yet', value: '', icon: 'book' }];
    return [
      { label: 'Suggestions', value: String(c.suggestions), icon: 'lightbulb' },
      { label: 'Approvals', value: `${c.approvals} (${c.suggestions ? Math.round((100 * c.approvals) / c.suggestions) : 0}% of suggestions)`, icon: 'check' },
      { label: 'Rejections', value: String(c.rejections), icon: 'close' },
      { label: 'Actions run', value: String(c.actions), icon: 'play' },
      { label: 'Recoveries', value: String(c.recoveries), icon: 'pass' },
      { label: 'Rollbacks', value: String(c.rollbacks), icon: 'discard' },
      { label: 'False-positive rate', value: c.falsePositiveRate === null ? 'no hypothesis shown yet' : `${Math.round(c.falsePositiveRate * 100)}% (${c.hypothesesWrong} of ${c.hypothesesShown} marked wrong)`, icon: 'thumbsdown' },
    ];
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label);
    item.description = row.value;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
