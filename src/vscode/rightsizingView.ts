// The Right-Sizing view: workloads by savings, each with a sparkline of its CPU usage against its request
// (the chart), its CPU and memory recommendation beside KRR's, the notes where we differ, and the staged
// actions (scale down in stages, apply the requests in stages). It reads a Prometheus source; the analysis
// is src/analysis/kubernetes/rightsizing.ts, run once per refresh by src/agent/rightsizing.ts: this view
// only maps its result.
import * as vscode from 'vscode';
import type { ContainerRecommendation, RightsizeResult } from '../analysis/kubernetes/rightsizing';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { AlertService } from './alertService';

type Node = { kind: 'workload'; rec: ContainerRecommendation } | { kind: 'detail'; label: string; description?: string; tooltip?: string; command?: vscode.Command; icon?: string; contextValue?: string } | { kind: 'message'; label: string; icon: string };

const cpu = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v * 1000)}m`);
const mem = (v: number | undefined) => (v === undefined ? '?' : v >= 2 ** 30 ? `${(v / 2 ** 30).toFixed(2)} GiB` : `${Math.round(v / 2 ** 20)} MiB`);

/** A sparkline as an SVG data URI: usage (line) against the current request (dashed) and the recommendation. */
export function sparkline(values: number[], request?: number, recommended?: number): vscode.Uri | undefined {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return undefined;
  const top = Math.max(...v, request ?? 0, recommended ?? 0) || 1;
  const w = 32;
  const h = 16;
  const y = (x: number) => (h - 1 - (x / top) * (h - 2)).toFixed(1);
  const pts = v.map((x, i) => `${((i / (v.length - 1)) * w).toFixed(1)},${y(x)}`).join(' ');
  const line = (x: number | undefined, color: string, dash: string) => (x === undefined ? '' : `<line x1="0" x2="${w}" y1="${y(x)}" y2="${y(x)}" stroke="${color}" stroke-width="1" stroke-dasharray="${dash}"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${line(request, '#d16969', '2,2')}${line(recommended, '#4ec9b0', '1,1')}<polyline fill="none" stroke="#3794ff" stroke-width="1.2" points="${pts}"/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

export class RightsizingView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private result: RightsizeResult | undefined;
  private charts = new Map<ContainerRecommendation, number[]>();
  private error: string | undefined;
  private loading = false;

  constructor(
    private readonly alerts: AlertService,
    private readonly logger: Logger,
  ) {}

  get last(): RightsizeResult | undefined {
    return this.result;
  }

  private source() {
    const name = vscode.workspace.getConfiguration('incidentLens').get<string>('rightsizing.source', '');
    const metrics = this.alerts.sources?.metrics ?? [];
    return metrics.find((m) => m.kind === 'prometheus' && (!name || m.name === name));
  }

  async refresh(): Promise<void> {
    const prom = this.source() as (import('../sources/prometheus').PrometheusSource & { kind: 'prometheus' }) | undefined;
    if (!this.alerts.sources) {
      this.error = undefined;
      this.changed.fire(undefined);
      return;
    }
    if (!prom) {
      this.error = 'No Prometheus source is configured: add one to incidentLens.sources (right-sizing reads cAdvisor and kube-state-metrics series from it).';
      this.changed.fire(undefined);
      return;
    }
    const c = vscode.workspace.getConfiguration('incidentLens');
    const historyMs = Math.max(0.05, c.get<number>('rightsizing.historyHours', 336)) * 3600_000;
    const stepSeconds = Math.max(1, c.get<number>('rightsizing.stepSeconds', 75));
    const prices = c.get<{ coreHour?: number; gibHour?: number }>('rightsizing.prices', {});
    this.loading = true;
    this.changed.fire(undefined);
    try {
      const { rightsizingReport } = await import('../agent/rightsizing');
      const report = await rightsizingReport(prom, { historyMs, stepSeconds, now: Date.now(), ...(prices && (prices.coreHour || prices.gibHour) ? { prices } : {}) });
      if (report.chartsError) this.logger.warn(`right-sizing charts: ${report.chartsError}`);
      this.result = report.result;
      this.charts = report.charts;
      this.error = undefined;
    } catch (err) {
      this.error = `Right-sizing failed: ${errorMessage(err)}`;
      this.logger.error(this.error);
    } finally {
      this.loading = false;
      this.changed.fire(undefined);
    }
  }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'message') {
      const item = new vscode.TreeItem(n.label);
      item.iconPath = new vscode.ThemeIcon(n.icon);
      return item;
    }
    if (n.kind === 'detail') {
      const item = new vscode.TreeItem(n.label);
      item.description = n.description;
      item.tooltip = n.tooltip;
      item.command = n.command;
      item.contextValue = n.contextValue;
      if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon);
      return item;
    }
    const r = n.rec;
    const item = new vscode.TreeItem(`${r.namespace}/${r.workload.name}`, vscode.TreeItemCollapsibleState.Collapsed);
    const saves = `saves ${r.savings.cores.toFixed(2)} cores, ${r.savings.gib.toFixed(2)} GiB${r.savings.perMonth !== undefined ? `, ${r.savings.perMonth.toFixed(2)}/month` : ''}`;
    item.description = `${r.container} · ${saves}${r.replicas ? ` · ${r.replicas.now} → ${r.replicas.recommended} replicas` : ''}`;
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(`**${r.workload.kind} ${r.namespace}/${r.workload.name}**, container \`${r.container}\`, ${r.podsNow} pod(s) now\n\n`);
    md.appendMarkdown(`CPU request ${cpu(r.current.cpuRequest)} → ${cpu(r.recommended.cpuRequest)} (KRR ${cpu(r.krr.cpuRequest)}${r.krr.cpuInfo ? `, ${r.krr.cpuInfo}` : ''}); p95 usage ${cpu(r.usage.cpuP95)}\n\n`);
    md.appendMarkdown(`Memory request ${mem(r.current.memoryRequest)} → ${mem(r.recommended.memoryRequest)} (KRR ${mem(r.krr.memoryRequest)}); peak ${mem(r.usage.memoryPeak)}\n\n`);
    for (const note of r.notes) md.appendText(`${note}\n`);
    item.tooltip = md;
    item.contextValue = r.replicas ? 'rightsizing-workload-replicas' : 'rightsizing-workload';
    item.iconPath = sparkline(this.charts.get(r) ?? [], r.current.cpuRequest, r.recommended.cpuRequest) ?? new vscode.ThemeIcon('graph-line');
    item.id = `rightsizing:${key(r)}`;
    return item;
  }

  getChildren(n?: Node): Node[] {
    if (!n) {
      if (this.loading && !this.result) return [{ kind: 'message', label: 'Reading usage from Prometheus…', icon: 'loading~spin' }];
      if (this.error) return [{ kind: 'message', label: this.error, icon: 'error' }];
      if (!this.result) return [{ kind: 'message', label: 'Run "Refresh Right-Sizing" to read usage from Prometheus.', icon: 'info' }];
      if (!this.result.recommendations.length) return [{ kind: 'message', label: 'No container usage found (cAdvisor and kube-state-metrics series).', icon: 'info' }];
      return this.result.recommendations.map((rec) => ({ kind: 'workload', rec }));
    }
    if (n.kind !== 'workload') return [];
    const r = n.rec;
    const out: Node[] = [
      { kind: 'detail', label: `CPU request ${cpu(r.current.cpuRequest)} → ${cpu(r.recommended.cpuRequest)}`, description: `p95 ${cpu(r.usage.cpuP95)}${r.usage.cpuDailyPeak !== undefined ? `, daily peak ${cpu(r.usage.cpuDailyPeak)}` : ''}; KRR ${cpu(r.krr.cpuRequest)}${r.krr.cpuInfo ? ` (${r.krr.cpuInfo})` : ''}`, icon: 'pulse' },
      { kind: 'detail', label: `Memory request ${mem(r.current.memoryRequest)} → ${mem(r.recommended.memoryRequest)}`, description: `peak ${mem(r.usage.memoryPeak)}; KRR ${mem(r.krr.memoryRequest)}${r.krr.memoryInfo ? ` (${r.krr.memoryInfo})` : ''}`, icon: 'database' },
      ...r.notes.map((note) => ({ kind: 'detail' as const, label: note, icon: 'note', tooltip: note })),
    ];
    if (r.replicas) out.push({ kind: 'detail', label: `Scale down in stages: ${r.replicas.now} → ${r.replicas.recommended} replicas`, icon: 'arrow-down', contextValue: 'rightsizing-action', command: { command: 'incidentLens.scaleDownInStages', title: 'Scale Down in Stages', arguments: [{ namespace: r.namespace, workload: r.workload.name, from: r.replicas.now, to: r.replicas.recommended }] } });
    if (r.recommended.cpuRequest !== undefined && r.current.cpuRequest !== undefined && r.recommended.cpuRequest !== r.current.cpuRequest) {
      out.push({ kind: 'detail', label: `Change the CPU request in stages: ${cpu(r.current.cpuRequest)} → ${cpu(r.recommended.cpuRequest)}`, icon: 'settings', contextValue: 'rightsizing-action', command: { command: 'incidentLens.changeRequestInStages', title: 'Change Request in Stages', arguments: [{ namespace: r.namespace, workload: r.workload.name, container: r.container, resource: 'cpu', from: Math.round(r.current.cpuRequest * 1000), to: Math.round(r.recommended.cpuRequest * 1000) }] } });
    }
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function key(r: ContainerRecommendation): string {
  return `${r.namespace}/${r.workload.kind}/${r.workload.name}/${r.container}`;
}
