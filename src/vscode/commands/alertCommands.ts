// Commands on the Alerts view and on single alerts.
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { GroupBy } from '../config';
import { settings } from '../config';
import { resolveAlert } from './alertArgs';
import { safeHttpUrl } from '../alertPresentation';
import { errorMessage } from '../../core/errors';

export async function refreshAlerts(s: Services): Promise<void> {
  await vscode.window.withProgress({ location: { viewId: 'incidentLens.alerts' } }, () => s.alerts.refresh());
}

export async function groupBy(s: Services, value?: GroupBy): Promise<void> {
  const chosen =
    value ??
    (await s.prompter.pick<GroupBy>(
      [
        { label: 'Incident (alerts that share a cause)', value: 'incident' },
        { label: 'Service', value: 'service' },
        { label: 'Severity', value: 'severity' },
        { label: 'Alert name', value: 'alertname' },
        { label: 'No grouping', value: 'none' },
      ],
      { title: 'Group alerts by' },
    ));
  if (!chosen) return;
  await settings.setGroupBy(chosen);
  s.tree.rebuild(s.alerts.snapshot);
}

export async function filterAlerts(s: Services, text?: string): Promise<void> {
  const value = text ?? (await s.prompter.input({ title: 'Filter alerts', prompt: 'Name, service or label=value (empty clears the filter)', value: s.tree.filter }));
  if (value === undefined) return;
  s.tree.setFilter(value);
  s.treeView.message = value.trim() ? `Filtered by "${value.trim()}"` : undefined;
}

export function clearFilter(s: Services): void {
  s.tree.setFilter('');
  s.treeView.message = undefined;
}

export async function copyAlertDetails(s: Services, arg?: unknown): Promise<void> {
  const alert = await resolveAlert(s, arg, 'Copy which alert?');
  if (!alert) return;
  await vscode.env.clipboard.writeText(JSON.stringify(alert, null, 2));
  void vscode.window.setStatusBarMessage(`Copied ${alert.name}`, 3000);
}

export async function openInSource(s: Services, arg?: unknown): Promise<void> {
  const alert = await resolveAlert(s, arg, 'Open which alert?');
  if (!alert) return;
  const link = safeHttpUrl(s.alerts.sources?.alertSourceNamed(alert.sourceName)?.uiLink?.(alert) ?? alert.generatorURL);
  if (!link) {
    void vscode.window.showInformationMessage(`${alert.sourceName} gives no link for "${alert.name}".`);
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(link));
}

const durations = [
  { label: '30 minutes', value: '30m' },
  { label: '1 hour', value: '1h' },
  { label: '4 hours', value: '4h' },
  { label: '1 day', value: '1d' },
];

/**
 * Silences an alert through the same path as every other action: an `amtool silence add` plan with the
 * real user as its author, judged by the policy, approved in the dialog, run and written to the ledger.
 */
export async function silenceAlert(s: Services, arg?: unknown, duration?: string, comment?: string): Promise<string | undefined> {
  const alert = await resolveAlert(s, arg, 'Silence which alert?');
  if (!alert) return undefined;
  const configs = s.alerts.sources?.configs ?? [];
  if (!configs.some((c) => c.kind === 'alertmanager')) {
    void vscode.window.showWarningMessage(`No Alertmanager source is configured, so "${alert.name}" cannot be silenced. Add one in the incidentLens.sources setting.`);
    return undefined;
  }
  const chosen = duration ?? (await s.prompter.pick(durations, { title: `Silence ${alert.name} for` }));
  if (!chosen) return undefined;
  const why = comment ?? (await s.prompter.input({ title: 'Silence comment', prompt: 'Why (kept in the Alertmanager and the audit ledger)', value: 'Investigating in Incident Lens' }));
  if (why === undefined) return undefined;
  try {
    const outcome = await s.remediation.silence(alert, chosen, why);
    await s.alerts.refresh();
    return outcome?.status;
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not silence ${alert.name}: ${errorMessage(err)}`);
    return undefined;
  }
}
