// The one context object that owns the long-lived services (rust-analyzer's habit). Commands get it
// and say clearly what is missing when a service is not there yet.
import type * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { AlertService } from './alertService';
import type { AlertsTreeProvider } from './alertsTree';
import type { InvestigationPanels } from './investigationPanel';
import type { SuspectCodeMarkers } from './suspectCode';
import type { RemediationController } from './remediation';
import type { Prompter } from './prompter';
import type { LedgerView } from './ledgerView';
import type { InvestigationService } from '../agent/investigationService';
import type { AgentFeatures } from './agent';
import type { DeployRiskController } from './deployRisk';
import type { IncidentMemoryController } from './incidentMemory';
import type { KubernetesContexts } from './kubernetes';
import type { RightsizingView } from './rightsizingView';
import type { ModelPanels } from './modelPanel';

export interface Services {
  readonly extension: vscode.ExtensionContext;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  readonly alerts: AlertService;
  readonly tree: AlertsTreeProvider;
  readonly treeView: vscode.TreeView<unknown>;
  readonly investigations: InvestigationService;
  readonly panels: InvestigationPanels;
  readonly suspectCode: SuspectCodeMarkers;
  readonly remediation: RemediationController;
  readonly prompter: Prompter;
  /** The LLM agent's context, provider and consent (off until a provider is chosen). */
  readonly agent: AgentFeatures;
  readonly deployRisk: DeployRiskController;
  readonly incidentMemory: IncidentMemoryController;
  /** The kube contexts mapped to environments (incidentLens.kubernetes.contexts). */
  readonly kubernetes: KubernetesContexts;
  /** The Right-Sizing view (workloads by savings). */
  readonly rightsizing?: RightsizingView;
  readonly ledger: LedgerView;
  /** Model panels (drift alerts open these instead of an investigation). */
  readonly models: ModelPanels;
}
