// The composition root: builds the services and hands them to src/vscode/. Activation stays cheap:
// sources and the embedded receiver start after activate() has returned.
import * as vscode from 'vscode';
import { createLogger } from './vscode/logging';
import { AlertService } from './vscode/alertService';
import { AlertsTreeProvider } from './vscode/alertsTree';
import { InvestigationPanels } from './vscode/investigationPanel';
import { SuspectCodeMarkers } from './vscode/suspectCode';
import { RemediationController } from './vscode/remediation';
import { LedgerView } from './vscode/ledgerView';
import { registerCommands } from './vscode/commands/registry';
import { GitContentProvider, gitScheme } from './vscode/gitContent';
import { vscodePrompter } from './vscode/prompter';
import { settings } from './vscode/config';
import type { Services } from './vscode/services';
import { errorMessage } from './core/errors';
import { InvestigationService } from './agent/investigationService';
import { AgentFeatures } from './vscode/agent';
import { registerLmTools } from './vscode/agentTools';
import { registerMcpProvider } from './vscode/agentMcp';
import type { McpServerDefinitionProvider } from './vscode/lmApi';
import { agentSettings } from './vscode/agentSettings';
import { DeployRiskController } from './vscode/deployRisk';
import { IncidentMemoryController } from './vscode/incidentMemory';
import { KubernetesContexts } from './vscode/kubernetes';
import { RightsizingView } from './vscode/rightsizingView';
import { ModelsController } from './vscode/models';
import { ModelPanels } from './vscode/modelPanel';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface IncidentLensApi {
  readonly services: Services;
  /** Resolves when the sources (and the embedded receiver) have started. */
  readonly started: Promise<void>;
  /** What the editor's AI got: the language-model tools registered, and the MCP definition provider (each only where this VS Code has the API). */
  readonly agent: { readonly lmTools: readonly string[]; readonly mcpProvider?: McpServerDefinitionProvider };
}

export function activate(context: vscode.ExtensionContext): IncidentLensApi {
  const activatedAt = performance.now();
  const channel = vscode.window.createOutputChannel('Incident Lens', { log: true });
  context.subscriptions.push(channel);
  const logger = createLogger(channel);
  try {
    // Incidents use what finished investigations found (causes, calls); the service exists just below.
    const late: { investigations?: InvestigationService } = {};
    const modelsController = new ModelsController(logger);
    const alerts = new AlertService(
      logger,
      context.secrets,
      () => modelsController.sourceSetOption(),
      () => late.investigations?.incidentHints() ?? { causes: new Map(), edges: [] },
    );
    const models = new ModelPanels(() => (modelsController.active ? modelsController : undefined));
    const tree = new AlertsTreeProvider(alerts);
    const treeView = vscode.window.createTreeView('incidentLens.alerts', { treeDataProvider: tree, showCollapseAll: true });
    const panels = new InvestigationPanels();
    const suspectCode = new SuspectCodeMarkers(context.extensionUri, alerts);
    const remediation = new RemediationController(context, logger);
    const kubernetes = new KubernetesContexts(logger);
    const rightsizing = new RightsizingView(alerts, logger);
    const rightsizingView = vscode.window.createTreeView('incidentLens.rightsizing', { treeDataProvider: rightsizing });
    const workspaceRoot = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const incidentMemory = new IncidentMemoryController(context, logger, () => remediation.ledgerPath);
    const deployRisk = new DeployRiskController({ extension: context, logger, alerts, memory: incidentMemory, prompter: vscodePrompter });
    const investigations = new InvestigationService({
      // The pipeline and its analysis load on first use (a separate chunk): activation does not pay for it.
      investigate: (...args) => import('./agent/investigate').then((m) => m.investigate(...args)),
      sources: () => {
        const signal = alerts.sources?.signalSources() ?? { metrics: [], logs: [], traces: [] };
        const kube = kubernetes.current();
        // A kube context is a log source too: its unhealthy pods' current and previous containers.
        return { ...signal, logs: [...signal.logs, ...kube], kubernetes: kube };
      },
      changes: async () => {
        const root = workspaceRoot();
        if (!root) return undefined;
        const { GitChangeSource } = await import('./sources/git');
        // An untrusted workspace's history is read only in the safe form (its git config runs nothing).
        return new GitChangeSource({ workspace: root, deployTagPattern: settings.deployTagPattern(), deployLog: settings.deployRecords(), trusted: vscode.workspace.isTrusted });
      },
      options: () => ({ confidenceThreshold: settings.confidenceThreshold(), serviceMap: settings.serviceMap() }),
      onFinished: (inv) => {
        suspectCode.show(inv.alert, inv.hypothesis, workspaceRoot());
        remediation.recordHypothesis(inv.alert, inv.hypothesis);
        void incidentMemory.record(inv);
      },
    });
    const agent = new AgentFeatures(() => services);
    late.investigations = investigations;
    const ledgerView = new LedgerView(remediation);
    const services: Services = {
      extension: context,
      logger,
      channel,
      alerts,
      tree,
      treeView: treeView as vscode.TreeView<unknown>,
      investigations,
      panels,
      suspectCode,
      remediation,
      prompter: vscodePrompter,
      agent,
      deployRisk,
      incidentMemory,
      kubernetes,
      rightsizing,
      ledger: ledgerView,
      models,
    };
    remediation.attach(services);
    // The editor's AI and other agents: our read-only tools as language-model tools and over MCP
    // (each only where this VS Code has the API).
    const lmTools = registerLmTools(services, agent);
    const mcp = registerMcpProvider(services);
    const statusBar = vscode.window.createStatusBarItem('incidentLens.firing', vscode.StatusBarAlignment.Left, 50);
    statusBar.name = 'Incident Lens: firing alerts';
    statusBar.command = 'incidentLens.triage';

    const updateBadges = () => {
      const firing = alerts.snapshot.alerts.filter((a) => a.state === 'firing');
      const critical = firing.filter((a) => a.severity === 'critical' || a.severity === 'error').length;
      const warning = firing.filter((a) => a.severity === 'warning').length;
      const incidents = alerts.snapshot.incidents.filter((i) => i.firing > 0 && i.alerts.length > 1).length;
      treeView.badge = firing.length ? { value: firing.length, tooltip: `${firing.length} firing alert${firing.length === 1 ? '' : 's'}` } : undefined;
      if (critical + warning > 0) {
        // Critical first: it is what pages; warnings beside it so they are not a surprise later.
        statusBar.text = [critical ? `$(flame) ${critical} critical` : '', warning ? `$(warning) ${warning} warning` : ''].filter(Boolean).join('  ');
        statusBar.tooltip = `${critical} critical and ${warning} warning alert${critical + warning === 1 ? '' : 's'} firing${incidents ? ` in ${incidents} incident${incidents === 1 ? '' : 's'}` : ''}: click to triage`;
        statusBar.backgroundColor = new vscode.ThemeColor(critical ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
        statusBar.accessibilityInformation = { label: `Incident Lens: ${critical} critical, ${warning} warning alerts firing` };
        statusBar.show();
      } else statusBar.hide();
    };

    // Refresh only while the Alerts view is visible; pushed alerts (receiver, webhook) refresh anyway.
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (treeView.visible) timer = setInterval(() => void alerts.refresh(), settings.refreshIntervalMs());
    };

    context.subscriptions.push(
      alerts, tree, treeView, investigations, panels, suspectCode, remediation, ledgerView, statusBar, incidentMemory, deployRisk, models,
      vscode.window.registerTreeDataProvider('incidentLens.similarIncidents', incidentMemory),
      remediation.onDidChangeLedger(() => void incidentMemory.ledgerChanged()),
      ...deployRisk.attach(),
      models.attach(services),
      kubernetes, rightsizing, rightsizingView,
      // Right-sizing reads 14 days from Prometheus: only when its view is opened, and once until refreshed.
      rightsizingView.onDidChangeVisibility(() => {
        if (rightsizingView.visible && !rightsizing.last) void rightsizing.refresh();
      }),
      vscode.window.registerTreeDataProvider('incidentLens.ledger', ledgerView),
      panels.attach(services),
      vscode.workspace.registerTextDocumentContentProvider(gitScheme, new GitContentProvider()),
      alerts.onDidChange(updateBadges),
      treeView.onDidChangeVisibility(() => {
        schedule();
        if (treeView.visible) void alerts.refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affects(e, 'sources') || settings.affects(e, 'receiver') || settings.affects(e, 'webhook')) void alerts.start();
        if (settings.affects(e, 'groupBy')) tree.rebuild(alerts.snapshot);
        if (settings.affects(e, 'refreshIntervalSeconds')) schedule();
        if (settings.affects(e, 'autonomy')) {
          panels.refreshGates();
          models.refreshGates();
        }
        if (agentSettings.affects(e)) panels.refreshAgent();
        if (settings.affects(e, 'kubernetes')) void kubernetes.sources();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        panels.refreshGates();
        models.refreshGates();
      }),
      { dispose: () => timer && clearInterval(timer) },
      ...registerCommands(services),
      ...lmTools.map((t) => t.disposable),
      ...mcp.disposables,
    );
    schedule();

    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      Promise.all([alerts.start(), kubernetes.sources()]).then(() => {
        // The view may have opened before there were sources to read.
        if (rightsizingView.visible) void rightsizing.refresh();
      }).catch((err: unknown) => {
        logger.error(`starting the sources failed: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(`Incident Lens could not start its sources: ${errorMessage(err)}`, 'Show Log').then((c) => c && channel.show());
      }),
    );
    // The current branch's deployment risk, once the sources are up (its alerts and metrics count).
    void started.then(() => deployRisk.scheduleStatus(3000));
    logger.info(`activated in ${(performance.now() - activatedAt).toFixed(1)} ms`);
    return { services, started, agent: { lmTools: lmTools.map((t) => t.name), ...(mcp.provider ? { mcpProvider: mcp.provider } : {}) } };
  } catch (err) {
    // VS Code shows nothing by itself when activation fails: say it.
    logger.error(`activation failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`Incident Lens failed to start: ${errorMessage(err)}`, 'Show Log').then((c) => c && channel.show());
    throw err;
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
