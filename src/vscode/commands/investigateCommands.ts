import * as vscode from 'vscode';
import type { Investigation } from '../../core/investigation';
import type { Alert } from '../../core/model';
import type { Services } from '../services';
import { pickAlert, resolveAlert } from './alertArgs';

// The kind of the model drift alert source (src/agent/models/modelMonitoring.ts); a constant here so
// that commands do not load the monitoring chunk.
const modelDriftSourceKind = 'model-drift';

/** A drift alert opens its model's panel; every other alert an investigation. */
function openAlert(s: Services, alert: Alert): void {
  if (alert.sourceKind === modelDriftSourceKind) s.models.openForAlert(alert);
  else s.panels.open(alert);
}

export async function investigate(s: Services, arg?: unknown): Promise<void> {
  const alert = await resolveAlert(s, arg, 'Investigate which alert?');
  if (!alert) return;
  openAlert(s, alert);
}

export async function triage(s: Services): Promise<void> {
  const alert = await pickAlert(s, 'Triage: firing alerts by severity and age');
  if (alert) openAlert(s, alert);
}

/** Accepts an alert id (fingerprint), or a URL that carries one (Alertmanager, Grafana or Prometheus links). */
export async function investigateById(s: Services, idOrUrl?: string): Promise<void> {
  const raw = idOrUrl ?? (await s.prompter.input({ title: 'Investigate alert by ID or URL', prompt: 'An alert fingerprint, or a link from Alertmanager, Grafana or a notification' }));
  if (!raw?.trim()) return;
  const text = raw.trim();
  const alerts = s.alerts.snapshot.alerts;
  let alert = alerts.find((a) => a.id === text);
  if (!alert) {
    let candidates: string[] = [text];
    try {
      const u = new URL(text);
      candidates = [...u.searchParams.values(), ...u.pathname.split('/'), ...decodeURIComponent(u.hash).split(/[/?=&]/)].filter(Boolean);
    } catch {
      /* not a URL: a plain id or name */
    }
    alert = alerts.find((a) => candidates.includes(a.id) || (a.generatorURL && a.generatorURL === text)) ?? alerts.find((a) => candidates.some((c) => c === a.name));
  }
  if (!alert) {
    void vscode.window.showWarningMessage(`No active alert matches "${text}". Refresh the Alerts view or check the source.`);
    return;
  }
  openAlert(s, alert);
}

/** The investigation of the active panel, else the most recent one. */
export function currentInvestigation(s: Services): Investigation | undefined {
  const panel = s.panels.active();
  return (panel ? s.investigations.current(panel.key) : undefined) ?? s.investigations.latest();
}

export async function goToSuspectCode(s: Services): Promise<void> {
  await s.suspectCode.goTo(currentInvestigation(s)?.hypothesis);
}

export function dismissSuspectCode(s: Services): void {
  s.suspectCode.dismiss();
}

function activePanelOrSay(s: Services) {
  const panel = s.panels.active();
  if (!panel || !s.investigations.current(panel.key)) {
    void vscode.window.showInformationMessage('Open an investigation that has finished first.');
    return undefined;
  }
  return panel;
}

/** The active investigation as Markdown on the clipboard: timeline, evidence, hypothesis, actions taken. */
export async function copyInvestigationMarkdown(s: Services): Promise<void> {
  await activePanelOrSay(s)?.copyMarkdown();
}

/** The active investigation as a Markdown file, the start of a postmortem. */
export async function exportInvestigation(s: Services): Promise<void> {
  await activePanelOrSay(s)?.exportMarkdown();
}
