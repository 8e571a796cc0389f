// Every command the extension contributes, as one union type. The registry's table is typed by it (a
// missing handler does not compile) and a unit test checks it against package.json's contributes.commands.
// No vscode import here, so plain Node can read it.

export const contributedCommands = [
  'incidentLens.refreshAlerts',
  'incidentLens.triage',
  'incidentLens.investigate',
  'incidentLens.investigateById',
  'incidentLens.goToSuspectCode',
  'incidentLens.dismissSuspectCode',
  'incidentLens.silenceAlert',
  'incidentLens.openInSource',
  'incidentLens.copyAlertDetails',
  'incidentLens.groupBy',
  'incidentLens.filterAlerts',
  'incidentLens.clearFilter',
  'incidentLens.configureSources',
  'incidentLens.setSourceSecret',
  'incidentLens.setWebhookToken',
  'incidentLens.runAction',
  'incidentLens.verifyLedger',
  'incidentLens.markHypothesisWrong',
  'incidentLens.showLog',
  'incidentLens.setAgentApiKey',
  'incidentLens.previewAgentRequest',
  'incidentLens.assessDeploymentRisk',
  'incidentLens.refreshRightsizing',
  'incidentLens.scaleDownInStages',
  'incidentLens.changeRequestInStages',
  'incidentLens.copyInvestigationMarkdown',
  'incidentLens.exportInvestigation',
  'incidentLens.filterLedger',
  'incidentLens.clearLedgerFilter',
  'incidentLens.openModel',
] as const;

/** Commands used by the views themselves (tree "show more" rows): registered, not contributed. */
export const internalCommands = ['incidentLens.showMoreAlerts', 'incidentLens.showIncidentHistory'] as const;

export type ContributedCommand = (typeof contributedCommands)[number];
export type InternalCommand = (typeof internalCommands)[number];
export type CommandId = ContributedCommand | InternalCommand;
