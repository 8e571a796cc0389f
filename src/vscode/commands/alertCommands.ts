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
  { label: '30 minutes', ms: 30 * 60_000 },
  { label: '1 hour', ms: 60 * 60_000 },
  { label: '4 hours', ms: 4 * 60 * 60_000 },
  { label: '1 day', ms: 24 * 60 * 60_000 },
];

export async function silenceAlert(s: Services, arg?: unknown, durationMs?: number, comment?: string): Promise<string | undefined> {
  const alert = await resolveAlert(s, arg, 'Silence which alert?');
  if (!alert) return undefined;
  const target = s.alerts.sources?.silenceSourceFor(alert);
  if (!target) {
    void vscode.window.showWarningMessage(`No Alertmanager or Grafana source is configured, so "${alert.name}" cannot be silenced. Add one in the incidentLens.sources setting.`);
    return undefined;
  }
  const ms = durationMs ?? (await s.prompter.pick(durations.map((d) => ({ label: d.label, value: d.ms })), { title: `Silence ${alert.name} for` }));
  if (!ms) return undefined;
  const why = comment ?? (await s.prompter.input({ title: 'Silence comment', prompt: 'Why (kept in the Alertmanager and the audit ledger)', value: 'Investigating in Incident Lens' }));
  if (why === undefined) return undefined;
  const now = Date.now();
  const matchers = Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
  try {
    const id = await target.createSilence({ matchers, startsAt: now, endsAt: now + ms, createdBy: 'incident-lens', comment: why });
    s.remediation.recordSilence(alert, id, ms, why);
    void vscode.window.showInformationMessage(`Silenced ${alert.name} in ${target.name} (silence ${id}).`);
    await s.alerts.refresh();
    return id;
  } catch (err) {
    void vscode.window.showErrorMessage(`Could not silence ${alert.name}: ${errorMessage(err)}`);
    return undefined;
  }
}
