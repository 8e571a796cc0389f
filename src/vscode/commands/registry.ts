// The central table of commands: one line a command, the handlers live in files by area.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { clearFilter, copyAlertDetails, filterAlerts, groupBy, openInSource, refreshAlerts, silenceAlert } from './alertCommands';
import { configureSources, setSourceSecret, setWebhookToken, showLog } from './configCommands';
import { copyInvestigationMarkdown, dismissSuspectCode, exportInvestigation, goToSuspectCode, investigate, investigateById, triage } from './investigateCommands';
import { filterLedger, markHypothesisWrong, runAction, verifyLedger } from './remediationCommands';
import { changeRequestInStages, refreshRightsizing, scaleDownInStages } from './kubernetesCommands';
import { openModel } from './modelCommands';

import { previewAgentRequest, setAgentApiKey } from '../agent';
import type { CommandId } from './commandIds';

type Handler = (s: Services, ...args: any[]) => unknown;

export const commandTable: Record<CommandId, Handler> = {
  'incidentLens.refreshAlerts': refreshAlerts,
  'incidentLens.triage': triage,
  'incidentLens.investigate': investigate,
  'incidentLens.investigateById': investigateById,
  'incidentLens.goToSuspectCode': goToSuspectCode,
  'incidentLens.dismissSuspectCode': dismissSuspectCode,
  'incidentLens.silenceAlert': silenceAlert,
  'incidentLens.openInSource': openInSource,
  'incidentLens.copyAlertDetails': copyAlertDetails,
  'incidentLens.groupBy': groupBy,
  'incidentLens.filterAlerts': filterAlerts,
  'incidentLens.clearFilter': clearFilter,
  'incidentLens.showMoreAlerts': (s, key: string) => s.tree.showMore(key),
  'incidentLens.configureSources': configureSources,
  'incidentLens.setSourceSecret': setSourceSecret,
  'incidentLens.setWebhookToken': setWebhookToken,
  'incidentLens.runAction': runAction,
  'incidentLens.verifyLedger': verifyLedger,
  'incidentLens.markHypothesisWrong': markHypothesisWrong,
  'incidentLens.showLog': showLog,
  'incidentLens.setAgentApiKey': setAgentApiKey,
  'incidentLens.previewAgentRequest': (s) => previewAgentRequest(s, s.agent),
  'incidentLens.assessDeploymentRisk': (s, target?: unknown) => s.deployRisk.command(target),
  'incidentLens.showIncidentHistory': (s, file?: unknown) => s.incidentMemory.showFileHistory(file),
  'incidentLens.refreshRightsizing': refreshRightsizing,
  'incidentLens.scaleDownInStages': scaleDownInStages,
  'incidentLens.changeRequestInStages': changeRequestInStages,
  'incidentLens.copyInvestigationMarkdown': copyInvestigationMarkdown,
  'incidentLens.exportInvestigation': exportInvestigation,
  'incidentLens.filterLedger': filterLedger,
  'incidentLens.clearLedgerFilter': (s) => s.ledger.setFilter(undefined),
  'incidentLens.openModel': openModel,
};

export function registerCommands(s: Services): vscode.Disposable[] {
  return Object.entries(commandTable).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(s, ...args);
      } catch (err) {
        s.logger.error(`${id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        void vscode.window.showErrorMessage(`Incident Lens: ${err instanceof Error ? err.message : String(err)}`, 'Show Log').then((c) => c && s.channel.show());
        return undefined;
      }
    }),
  );
}
