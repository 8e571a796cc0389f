// Grouping and ordering of alerts for the Alerts view and triage (host-free; the tree renders it).

import type { Alert, AlertState, Severity } from '../core/model';
import { severityRank } from '../sources/alertFields';

export type AlertGroupBy = 'service' | 'severity' | 'alertname' | 'none';

export interface AlertGroupView {
  key: string;
  label: string;
  alerts: Alert[];
  /** How many of the group's alerts are firing. */
  firing: number;
  worstSeverity: Severity;
}

// Alerts someone must look at come before those already muted or over.
const stateRank: Record<AlertState, number> = { firing: 0, pending: 1, silenced: 2, resolved: 3 };

const severityLabels: Record<Severity, string> = { critical: 'Critical', error: 'Error', warning: 'Warning', info: 'Info', none: 'No severity' };

/** Active before muted, then the most severe, then the oldest (the first thing that broke). */
export function compareForTriage(a: Alert, b: Alert): number {
  const activeA = stateRank[a.state] <= 1 ? 0 : 1;
  const activeB = stateRank[b.state] <= 1 ? 0 : 1;
  return (
    activeA - activeB ||
    severityRank[a.severity] - severityRank[b.severity] ||
    a.startsAt - b.startsAt ||
    stateRank[a.state] - stateRank[b.state] ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

// One number per alert carries the first three triage criteria, so a 10k-alert sort compares
// numbers and only falls back to compareForTriage on exact ties.
const startsAtSpan = 1e13; // ms: beyond the year 2286

function triageKey(a: Alert): number {
  const active = stateRank[a.state] <= 1 ? 0 : 1;
  const startsAt = Math.min(Math.max(a.startsAt || 0, 0), startsAtSpan - 1);
  return (active * 5 + severityRank[a.severity]) * startsAtSpan + startsAt;
}

function sortByTriageKey(items: { key: number; alert: Alert }[]): Alert[] {
  items.sort((x, y) => x.key - y.key || compareForTriage(x.alert, y.alert));
  return items.map((i) => i.alert);
}

/** A sorted copy; the input is left as it was. */
export function sortForTriage(alerts: readonly Alert[]): Alert[] {
  return sortByTriageKey(alerts.map((alert) => ({ key: triageKey(alert), alert })));
}

function groupKey(a: Alert, by: AlertGroupBy): [string, string] {
  switch (by) {
    case 'service':
      return a.service ? [`service:${a.service}`, a.service] : ['service:', '(no service)'];
    case 'severity':
      return [`severity:${a.severity}`, severityLabels[a.severity]];
    case 'alertname':
      return [`alertname:${a.name}`, a.name];
    case 'none':
      return ['all', 'All alerts'];
  }
}

/** Groups sorted by worst severity, then by how many alerts fire, then by size and label. */
export function groupAlerts(alerts: readonly Alert[], by: AlertGroupBy): AlertGroupView[] {
  const groups = new Map<string, AlertGroupView>();
  for (const a of alerts) {
    const [key, label] = groupKey(a, by);
    let g = groups.get(key);
    if (!g) {
      g = { key, label, alerts: [], firing: 0, worstSeverity: 'none' };
      groups.set(key, g);
    }
    g.alerts.push(a);
    if (a.state === 'firing') g.firing++;
    // A muted or resolved alert does not make its group look worse than its live alerts.
    if (a.state !== 'resolved' && a.state !== 'silenced' && severityRank[a.severity] < severityRank[g.worstSeverity]) g.worstSeverity = a.severity;
  }
  const out = [...groups.values()];
  for (const g of out) {
    if (g.firing === 0 && g.alerts.every((a) => a.state === 'resolved' || a.state === 'silenced')) {
      // An all-muted group still shows its own worst severity.
      for (const a of g.alerts) if (severityRank[a.severity] < severityRank[g.worstSeverity]) g.worstSeverity = a.severity;
    }
    g.alerts = sortByTriageKey(g.alerts.map((alert) => ({ key: triageKey(alert), alert })));
  }
  const live = (g: AlertGroupView) => (g.alerts.some((a) => stateRank[a.state] <= 1) ? 0 : 1);
  out.sort(
    (a, b) =>
      live(a) - live(b) ||
      severityRank[a.worstSeverity] - severityRank[b.worstSeverity] ||
      b.firing - a.firing ||
      b.alerts.length - a.alerts.length ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
  return out;
}
