// Models in production on the VS Code side: builds the model drift alert source for the SourceSet when
// the workspace declares models, with the configured Prometheus sources for serving metrics, and serves
// the model panels their overviews and proposals. The monitoring itself (and its analysis) loads on
// first use, in its own chunk.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ProposedAction } from '../core/model';
import type { Logger } from '../core/logger';
import type { ModelOverview } from '../core/modelMonitoring';
import type { AlertSource } from '../core/sources';
import type { SourceSet, SourceSetSettings } from '../sources/sourceSet';
import type { ModelOverviewProvider } from './modelPanel';

type MonitoringModule = typeof import('../agent/models/modelMonitoring');

export class ModelsController implements ModelOverviewProvider {
  private module: MonitoringModule | undefined;
  private source: InstanceType<MonitoringModule['ModelDriftAlertSource']> | undefined;

  constructor(private readonly logger: Logger) {}

  /** The SourceSet's `models` option for the first workspace folder, or none without a folder. */
  sourceSetOption(): SourceSetSettings['models'] {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return undefined;
    this.source = undefined;
    return { configFile: path.join(root, '.incident-lens', 'models.yaml'), create: (set) => this.create(root, set) };
  }

  private async create(root: string, set: SourceSet): Promise<AlertSource> {
    const [m, { PrometheusSource }] = await Promise.all([import('../agent/models/modelMonitoring'), import('../sources/prometheus')]);
    this.module = m;
    const prometheus = (name?: string) => set.metrics.find((x): x is InstanceType<typeof PrometheusSource> => x instanceof PrometheusSource && (!name || x.name === name));
    this.source = new m.ModelDriftAlertSource(new m.ModelMonitoring({ workspaceDir: root, trusted: vscode.workspace.isTrusted, prometheus, logger: this.logger }));
    this.logger.info(`models: monitoring the models declared in ${path.join(root, '.incident-lens', 'models.yaml')}`);
    return this.source;
  }

  /** Freshly computed, for a panel being opened or refreshed. */
  async overviewOf(model: string, signal?: AbortSignal): Promise<ModelOverview | undefined> {
    return this.source?.overviewOf(model, signal);
  }

  actionsOf(overview: ModelOverview): ProposedAction[] {
    return this.module?.modelActions(overview) ?? [];
  }

  modelNames(): string[] {
    return this.source?.monitoring.load().models.map((m) => m.name) ?? [];
  }

  get active(): boolean {
    return this.source !== undefined;
  }
}
