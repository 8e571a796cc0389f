// How an alert looks in VS Code: icon and theme color by state and severity, a short age, and a
// Markdown tooltip where every label and annotation is escaped text (alerts are untrusted data).
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import type { Incident } from '../agent/incidents';
import { formatReportedValue } from '../core/units';
import { formatTime } from '../core/time';
import { severityRank } from '../sources/alertFields';

export function alertIcon(alert: Alert): vscode.ThemeIcon {
  switch (alert.state) {
    case 'resolved':
      // Dimmed: it is over, and stays listed a while so whoever watched it sees that it ended.
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('disabledForeground'));
    case 'silenced':
      return new vscode.ThemeIcon('bell-slash', new vscode.ThemeColor('disabledForeground'));
    case 'pending':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('editorWarning.foreground'));
    default:
      if (alert.severity === 'critical' || alert.severity === 'error') return new vscode.ThemeIcon('flame', new vscode.ThemeColor('errorForeground'));
      if (alert.severity === 'warning') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
      return new vscode.ThemeIcon('info', new vscode.ThemeColor('editorInfo.foreground'));
  }
}

export function formatAge(sinceMs: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - sinceMs) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

export function alertDescription(alert: Alert, now = Date.now()): string {
  const parts = [formatAge(alert.startsAt, now)];
  // With the unit the rule's expression tells: 9.99727272727273e-01 of a ratio reads 99.97 %.
  const value = formatReportedValue(alert.value, alert.rule?.unit);
  if (value) parts.push(value.length > 24 ? value.slice(0, 23) + '…' : value);
  if (alert.state === 'resolved' && alert.endsAt !== undefined && alert.endsAt <= now) parts.push(`resolved ${formatAge(alert.endsAt, now)} ago`);
  else if (alert.state !== 'firing') parts.push(alert.state);
  return parts.join(' · ');
}

/** The incident's name: the service (or host) nearest the cause. */
export function incidentHead(incident: Incident): string {
  const p = incident.primary;
  return p.service ?? p.labels.service ?? p.labels.instance ?? p.name;
}

export function incidentDescription(incident: Incident, now = Date.now()): string {
  const names = [...new Set(incident.alerts.map((a) => a.name))];
  return `${incident.alerts.length} alerts · ${incident.firing} firing · ${formatAge(incident.startsAt, now)} · ${incident.services.length > 1 ? incident.services.join(' → ') : names.slice(0, 2).join(', ')}`;
}

const reasonText: Record<string, string> = { service: 'same service', host: 'same host', call: 'one service calls the other', cause: 'investigations named the same cause' };

export function incidentTooltip(incident: Incident): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**Incident: ${escapeCell(incidentHead(incident))}** — ${incident.alerts.length} alerts, ${incident.firing} firing, since ${escapeCell(formatTime(incident.startsAt))}\n\n`);
  md.appendMarkdown(`Grouped because: ${incident.reasons.map((r) => reasonText[r] ?? r).join('; ') || 'one alert'}. The first alert is nearest the cause; investigating the incident explains them together.\n\n`);
  for (const a of incident.alerts.slice(0, 15)) md.appendMarkdown(`- ${escapeCell(a.name)} · ${escapeCell(a.service ?? '')} · ${escapeCell(a.severity)} · ${escapeCell(a.state)}\n`);
  if (incident.alerts.length > 15) md.appendMarkdown(`- … ${incident.alerts.length - 15} more\n`);
  return md;
}

/** Only http(s) links become links; anything else (javascript:, data:, command:) stays text. */
export function safeHttpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function escapeCell(text: string): string {
  // Escape Markdown and HTML so a label is shown exactly as written and never renders.
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function alertTooltip(alert: Alert): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeCell(alert.name)}** — ${escapeCell(alert.state)}, ${escapeCell(alert.severity)}\n\n`);
  md.appendMarkdown(`Source: ${escapeCell(alert.sourceName)} (${escapeCell(alert.sourceKind)}) · since ${escapeCell(formatTime(alert.startsAt))}${alert.state === 'resolved' && alert.endsAt ? ` · resolved ${escapeCell(formatTime(alert.endsAt))}` : ''}\n\n`);
  const summary = alert.annotations.summary ?? alert.annotations.description;
  if (summary) md.appendMarkdown(`${escapeCell(summary)}\n\n`);
  const labels = Object.entries(alert.labels);
  if (labels.length) {
    md.appendMarkdown('| label | value |\n|---|---|\n');
    for (const [k, v] of labels.slice(0, 30)) md.appendMarkdown(`| ${escapeCell(k)} | ${escapeCell(v)} |\n`);
    md.appendMarkdown('\n');
  }
  const annotations = Object.entries(alert.annotations).filter(([k]) => k !== 'summary');
  for (const [k, v] of annotations.slice(0, 10)) md.appendMarkdown(`*${escapeCell(k)}*: ${escapeCell(v.slice(0, 500))}\n\n`);
  const runbook = safeHttpUrl(alert.annotations.runbook_url ?? alert.annotations.runbook);
  if (runbook) md.appendMarkdown(`[$(book) Runbook](${runbook.replace(/[()]/g, encodeURIComponent)})`);
  return md;
}

export function severityOrder(a: Alert): number {
  return severityRank[a.severity] ?? 5;
}
