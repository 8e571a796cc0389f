import * as vscode from 'vscode';
import type { Services } from '../services';
import { currentInvestigation } from './investigateCommands';

/** Runs one of the current investigation's proposed actions (the panel's buttons do the same). */
export async function runAction(s: Services, index?: number): Promise<unknown> {
  const inv = currentInvestigation(s);
  const h = inv?.hypothesis;
  if (!inv || !h || h.proposedActions.length === 0) {
    void vscode.window.showInformationMessage('Open an investigation that proposes an action first.');
    return undefined;
  }
  const chosen = typeof index === 'number' ? h.proposedActions[index] : await s.prompter.pick(h.proposedActions.map((a) => ({ label: a.title, detail: a.why, value: a })), { title: 'Run which proposed action?' });
  if (!chosen) return undefined;
  return s.remediation.run(inv.alert, chosen, h);
}

export async function verifyLedger(s: Services): Promise<{ ok: boolean; message: string }> {
  const r = await s.remediation.verifyLedgerCommand();
  if (r.ok) void vscode.window.showInformationMessage(r.message);
  else void vscode.window.showErrorMessage(r.message);
  return r;
}

export async function markHypothesisWrong(s: Services): Promise<void> {
  const inv = currentInvestigation(s);
  if (!inv) {
    void vscode.window.showInformationMessage('No investigation is open.');
    return;
  }
  await s.remediation.markWrong(inv.alert, inv.hypothesis);
}

/** Shows only the audit ledger entries of one alert (picked from the alerts the ledger names). */
export async function filterLedger(s: Services, alertId?: string): Promise<void> {
  if (alertId !== undefined) {
    s.ledger.setFilter(alertId || undefined);
    return;
  }
  const alerts = await s.ledger.alertsNamed();
  if (alerts.length === 0) {
    void vscode.window.showInformationMessage('The audit ledger names no alert yet.');
    return;
  }
  const chosen = await s.prompter.pick(alerts.map((a) => ({ label: a.name ?? a.id, description: `${a.entries} entries · ${a.id}`, value: a.id })), { title: 'Show the audit ledger entries of which alert?' });
  if (chosen) s.ledger.setFilter(chosen);
}
