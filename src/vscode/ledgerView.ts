// The Audit Ledger view: the counts that measure trust, each expandable to the entries it counts, and
// every entry, newest first, expandable to its details (argv, reasons, the verification's reason).
// "Filter Audit Ledger by Alert…" narrows both to one alert. Entry text comes from alerts and commands:
// it is shown as plain text (labels, descriptions and Markdown tooltips with everything escaped).
import * as vscode from 'vscode';
import type { LedgerEntry } from '../remediation/ledger';
import type { CountKey, EntrySummary } from '../remediation/ledgerEntries';
import { formatAgo, formatTime } from '../core/time';
import type { RemediationController } from './remediation';

type Row =
  | { type: 'empty'; label: string }
  | { type: 'filter'; alertId: string; alertName?: string }
  | { type: 'count'; key: CountKey | 'falsePositiveRate' | 'all'; label: string; value: string; icon: string; entries: EntrySummary[] }
  | { type: 'entry'; entry: EntrySummary }
  | { type: 'detail'; text: string };

const maxListed = 500;

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export class LedgerView implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  private filterAlertId: string | undefined;

  constructor(private readonly remediation: RemediationController) {
    this.sub = remediation.onDidChangeLedger(() => this.changed.fire());
  }

  get filter(): string | undefined {
    return this.filterAlertId;
  }

  setFilter(alertId: string | undefined): void {
    this.filterAlertId = alertId;
    void vscode.commands.executeCommand('setContext', 'incidentLens.ledgerFiltered', !!alertId);
    this.changed.fire();
  }

  /** The alerts the ledger names, with how many entries each has. */
  async alertsNamed(): Promise<{ id: string; name?: string; entries: number }[]> {
    const { summaries } = await this.load();
    const byId = new Map<string, { id: string; name?: string; entries: number }>();
    for (const s of summaries) {
      if (!s.alertId) continue;
      const a = byId.get(s.alertId) ?? { id: s.alertId, entries: 0 };
      a.entries++;
      a.name ??= s.alertName;
      byId.set(s.alertId, a);
    }
    return [...byId.values()];
  }

  private async load(): Promise<{ entries: LedgerEntry[]; summaries: EntrySummary[] }> {
    const entries = await this.remediation.entries();
    if (!entries.length) return { entries, summaries: [] };
    const { summarizeEntries } = await import('../remediation/ledgerEntries');
    return { entries, summaries: summarizeEntries(entries) };
  }

  async getChildren(row?: Row): Promise<Row[]> {
    if (row) {
      if (row.type === 'count') return row.entries.slice(0, maxListed).map((entry) => ({ type: 'entry', entry }));
      if (row.type === 'entry') return row.entry.details.map((text) => ({ type: 'detail', text }));
      return [];
    }
    const { entries, summaries } = await this.load();
    if (!entries.length) return [{ type: 'empty', label: 'No ledger yet: suggestions, approvals and actions appear here.' }];
    const { countedEntries } = await import('../remediation/ledgerEntries');
    const shown = this.filterAlertId ? summaries.filter((s) => s.alertId === this.filterAlertId) : summaries;
    const seqs = new Set(shown.map((s) => s.seq));
    const raw = entries.filter((e) => seqs.has(e.seq));
    const bySeq = new Map(shown.map((s) => [s.seq, s]));
    const counted = (key: CountKey) => raw.filter(countedEntries[key]).map((e) => bySeq.get(e.seq)!).reverse();
    const suggestions = counted('suggestions');
    const approvals = counted('approvals');
    const shownH = counted('hypothesesShown');
    const wrong = counted('hypothesesWrong');
    const rows: Row[] = [];
    if (this.filterAlertId) rows.push({ type: 'filter', alertId: this.filterAlertId, alertName: shown.find((s) => s.alertName)?.alertName });
    const count = (key: CountKey, label: string, icon: string, list: EntrySummary[], value = String(list.length)): Row => ({ type: 'count', key, label, value, icon, entries: list });
    rows.push(
      count('suggestions', 'Suggestions', 'lightbulb', suggestions),
      count('approvals', 'Approvals', 'check', approvals, `${approvals.length} (${suggestions.length ? Math.round((100 * approvals.length) / suggestions.length) : 0}% of suggestions)`),
      count('rejections', 'Rejections', 'close', counted('rejections')),
      count('actions', 'Actions run', 'play', counted('actions')),
      count('recoveries', 'Recoveries', 'pass', counted('recoveries')),
      count('rollbacks', 'Rollbacks', 'discard', counted('rollbacks')),
      {
        type: 'count',
        key: 'falsePositiveRate',
        label: 'False-positive rate',
        value: shownH.length === 0 ? 'no hypothesis shown yet' : `${Math.round((wrong.length / shownH.length) * 100)}% (${wrong.length} of ${shownH.length} marked wrong)`,
        icon: 'thumbsdown',
        entries: [...wrong, ...shownH].sort((a, b) => b.seq - a.seq),
      },
      { type: 'count', key: 'all', label: 'All entries', value: `${shown.length}, newest first`, icon: 'list-ordered', entries: [...shown].reverse() },
    );
    return rows;
  }

  getTreeItem(row: Row): vscode.TreeItem {
    switch (row.type) {
      case 'empty':
        return new vscode.TreeItem(row.label);
      case 'filter': {
        const item = new vscode.TreeItem(`Alert: ${row.alertName ?? row.alertId}`);
        item.description = 'filter (click to clear)';
        item.iconPath = new vscode.ThemeIcon('filter');
        item.command = { command: 'incidentLens.clearLedgerFilter', title: 'Clear the filter' };
        return item;
      }
      case 'count': {
        const item = new vscode.TreeItem(row.label, row.entries.length ? (row.key === 'all' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
        item.id = `ledger-count:${row.key}:${this.filterAlertId ?? ''}`;
        item.description = row.value;
        item.iconPath = new vscode.ThemeIcon(row.icon);
        item.tooltip = row.entries.length ? `Expand to see the ${row.entries.length} entries counted here` : undefined;
        item.accessibilityInformation = { label: `${row.label}: ${row.value}` };
        return item;
      }
      case 'entry': {
        const e = row.entry;
        const item = new vscode.TreeItem(`#${e.seq} ${e.title}`, e.details.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.description = `${formatTime(e.time)} (${formatAgo(e.time, Date.now())})${e.alertName ? ` · ${e.alertName}` : ''}`;
        const md = new vscode.MarkdownString();
        md.isTrusted = false;
        md.supportHtml = false;
        md.appendMarkdown(`**#${e.seq} ${escapeMarkdown(e.type)}** — ${escapeMarkdown(formatTime(e.time))}\n\n${escapeMarkdown(e.title)}\n\n`);
        if (e.alertId) md.appendMarkdown(`Alert: ${escapeMarkdown(e.alertName ?? '')} (${escapeMarkdown(e.alertId)})\n\n`);
        for (const d of e.details) md.appendMarkdown(`- ${escapeMarkdown(d)}\n`);
        item.tooltip = md;
        item.iconPath = new vscode.ThemeIcon(e.type === 'rejection' ? 'close' : e.type === 'approval' ? 'check' : e.type === 'verification' ? 'pulse' : e.type.startsWith('hypothesis') ? 'lightbulb' : 'circle-small');
        item.contextValue = 'ledgerEntry';
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(row.text);
        item.tooltip = row.text;
        return item;
      }
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
