// The Alerts view: incidents (alerts that share a cause, the one nearest the cause first) or groups of
// alerts (by service, severity or name), source errors beside them, resolved alerts dimmed for a while,
// a badge with the firing count, a filter, and refresh only while the view is visible.
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import { groupAlerts } from '../agent/alertGrouping';
import type { Incident } from '../agent/incidents';
import type { AlertService, AlertSnapshot, SourceProblem } from './alertService';
import { alertDescription, alertIcon, alertTooltip, incidentDescription, incidentHead, incidentTooltip } from './alertPresentation';
import { settings, type GroupBy } from './config';

export type AlertTreeNode =
  | { type: 'group'; key: string; label: string; alerts: Alert[]; firing: number }
  | { type: 'incident'; key: string; incident: Incident; alerts: Alert[] }
  | { type: 'alert'; alert: Alert; incident?: Incident }
  | { type: 'sourceError'; problem: SourceProblem }
  | { type: 'more'; parentKey: string; remaining: number };

/** Above this many alerts in one group, children are paged so the tree stays responsive. */
const pageSize = 500;

export class AlertsTreeProvider implements vscode.TreeDataProvider<AlertTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AlertTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filterText = '';
  private roots: AlertTreeNode[] = [];
  /** The grouping the roots were built with (rows leave out what their group already names). */
  private groupedBy: GroupBy = 'incident';
  private readonly expandedPages = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly alerts: AlertService) {
    this.disposables.push(alerts.onDidChange((s) => this.rebuild(s)));
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', 'incidentLens.filterActive', this.filterText.length > 0);
    this.rebuild(this.alerts.snapshot);
  }

  private matches(a: Alert): boolean {
    const f = this.filterText.toLowerCase();
    if (!f) return true;
    if (a.name.toLowerCase().includes(f) || (a.service ?? '').toLowerCase().includes(f)) return true;
    return Object.entries(a.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(f));
  }

  visibleAlerts(snapshot: AlertSnapshot = this.alerts.snapshot): Alert[] {
    return this.filterText ? snapshot.alerts.filter((a) => this.matches(a)) : snapshot.alerts;
  }

  rebuild(snapshot: AlertSnapshot): void {
    const errors: AlertTreeNode[] = snapshot.errors.map((problem) => ({ type: 'sourceError', problem }));
    const by = settings.groupBy();
    this.groupedBy = by;
    if (by === 'incident') {
      const nodes: AlertTreeNode[] = [];
      for (const incident of snapshot.incidents) {
        const alerts = this.filterText ? incident.alerts.filter((a) => this.matches(a)) : incident.alerts;
        if (alerts.length === 0) continue;
        // A lone alert is its own row: an "incident of one" would only add a level to click through.
        if (incident.alerts.length === 1) nodes.push({ type: 'alert', alert: alerts[0] });
        else nodes.push({ type: 'incident', key: `incident:${incident.id}`, incident, alerts });
      }
      this.roots = [...errors, ...nodes];
      this.changed.fire(undefined);
      return;
    }
    const visible = this.visibleAlerts(snapshot);
    if (by === 'none') {
      this.roots = [...errors, ...visible.map((alert): AlertTreeNode => ({ type: 'alert', alert }))];
    } else {
      this.roots = [...errors, ...groupAlerts(visible, by).map((g): AlertTreeNode => ({ type: 'group', key: g.key, label: g.label, alerts: g.alerts, firing: g.firing }))];
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: AlertTreeNode): AlertTreeNode[] {
    if (!node) return this.roots;
    if (node.type !== 'group' && node.type !== 'incident') return [];
    const shown = this.expandedPages.get(node.key) ?? pageSize;
    const incident = node.type === 'incident' ? node.incident : undefined;
    const children: AlertTreeNode[] = node.alerts.slice(0, shown).map((alert) => ({ type: 'alert', alert, ...(incident ? { incident } : {}) }));
    if (node.alerts.length > shown) children.push({ type: 'more', parentKey: node.key, remaining: node.alerts.length - shown });
    return children;
  }

  showMore(parentKey: string): void {
    this.expandedPages.set(parentKey, (this.expandedPages.get(parentKey) ?? pageSize) + pageSize);
    this.changed.fire(undefined);
  }

  resolveTreeItem(item: vscode.TreeItem, node: AlertTreeNode): vscode.TreeItem {
    if (node.type === 'alert') item.tooltip = alertTooltip(node.alert);
    else if (node.type === 'incident') item.tooltip = incidentTooltip(node.incident);
    return item;
  }

  getTreeItem(node: AlertTreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'group': {
        // Large groups start collapsed: an alert storm stays one line per group.
        const state = node.alerts.length > 20 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
        const item = new vscode.TreeItem(node.label || '(none)', state);
        item.id = `group:${settings.groupBy()}:${node.key}`;
        item.description = `${node.firing} firing · ${node.alerts.length} total`;
        item.contextValue = 'group';
        item.accessibilityInformation = { label: `Group ${node.label || 'none'}: ${node.firing} firing of ${node.alerts.length}` };
        item.iconPath = new vscode.ThemeIcon(node.firing > 0 ? 'folder-active' : 'folder');
        return item;
      }
      case 'incident': {
        const inc = node.incident;
        // Expanded while small: the alerts of one fault are what the user came to see.
        const state = node.alerts.length > 20 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
        const head = incidentHead(inc);
        const item = new vscode.TreeItem(`Incident: ${head}`, state);
        item.id = node.key;
        item.description = incidentDescription(inc);
        // The Markdown tooltip is built in resolveTreeItem, on hover: a refresh need not send 30 of them.
        item.contextValue = 'incident';
        item.accessibilityInformation = { label: `Incident ${head}: ${inc.alerts.length} alerts, ${inc.firing} firing` };
        item.iconPath = new vscode.ThemeIcon(inc.firing > 0 ? 'flame' : 'pass', new vscode.ThemeColor(inc.firing > 0 ? (inc.worstSeverity === 'critical' || inc.worstSeverity === 'error' ? 'errorForeground' : 'editorWarning.foreground') : 'disabledForeground'));
        // A click investigates the incident: its first alert, with the others explained together.
        item.command = { command: 'incidentLens.investigate', title: 'Investigate the incident', arguments: [node] };
        return item;
      }
      case 'alert': {
        const a = node.alert;
        const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.None);
        item.id = `alert:${node.incident ? `${node.incident.id}:` : ''}${a.sourceName}:${a.id}`;
        // The service first, unless the row's group already names it: the alerts of one incident often
        // share a name (HighErrorRatio on three services) and only the service tells them apart.
        item.description = a.service && this.groupedBy !== 'service' ? `${a.service} · ${alertDescription(a)}` : alertDescription(a);
        // The Markdown tooltip is built in resolveTreeItem, on hover: 10,000 rows need not pay for it.
        item.iconPath = alertIcon(a);
        item.contextValue = `alert.${a.state}`;
        item.accessibilityInformation = { label: `Alert ${a.name}, ${a.state}, ${a.severity}${a.service ? `, service ${a.service}` : ''}` };
        item.command = { command: 'incidentLens.investigate', title: 'Investigate', arguments: [node] };
        return item;
      }
      case 'sourceError': {
        const p = node.problem;
        const item = new vscode.TreeItem(`${p.source}: ${p.kind}`, vscode.TreeItemCollapsibleState.None);
        item.id = `error:${p.source}:${p.kind}`;
        item.description = p.message;
        item.tooltip = new vscode.MarkdownString().appendText(`${p.source} is not answering (${p.kind}).\n\n${p.message}`);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'sourceError';
        item.command = { command: 'incidentLens.configureSources', title: 'Configure', arguments: [p.source] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`Show ${Math.min(pageSize, node.remaining)} more of ${node.remaining}…`, vscode.TreeItemCollapsibleState.None);
        item.id = `more:${node.parentKey}:${node.remaining}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'incidentLens.showMoreAlerts', title: 'Show more', arguments: [node.parentKey] };
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
