import type { Alert } from '../../core/model';
import type { Incident } from '../../agent/incidents';
import type { Services } from '../services';
import { severityOrder, alertDescription, incidentHead } from '../alertPresentation';
import type { PickItem } from '../prompter';

/** Commands accept a tree node (an alert, or an incident: its first alert), an Alert, an alert id, or nothing (then the user picks one). */
export async function resolveAlert(s: Services, arg: unknown, title: string): Promise<Alert | undefined> {
  if (arg && typeof arg === 'object') {
    const node = arg as { type?: string; alert?: Alert; incident?: Incident };
    if (node.type === 'alert' && node.alert) return node.alert;
    if (node.type === 'incident' && node.incident) return node.incident.primary;
    const a = arg as Alert;
    if (typeof a.id === 'string' && typeof a.name === 'string' && a.labels) return a;
  }
  if (typeof arg === 'string') return s.alerts.find(arg);
  return pickAlert(s, title);
}

export function triageOrder(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => severityOrder(a) - severityOrder(b) || a.startsAt - b.startsAt);
}

function alertItem(a: Alert, incident?: Incident): PickItem<Alert> {
  return {
    label: `${a.severity === 'critical' ? '$(flame)' : a.severity === 'warning' ? '$(warning)' : '$(info)'} ${a.name}`,
    description: `${a.service ?? ''} · ${a.severity} · ${alertDescription(a)}${incident && incident.alerts.length > 1 ? ` · incident ${incidentHead(incident)}` : ''}`,
    detail: a.annotations.summary ?? Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' '),
    value: a,
  };
}

/**
 * Triage: incidents first (the alert nearest the cause at the top of each, under a heading naming the
 * incident), then the alerts that stand alone, by severity and age.
 */
export async function pickAlert(s: Services, title: string, onlyFiring = true): Promise<Alert | undefined> {
  const wanted = (a: Alert) => !onlyFiring || a.state === 'firing';
  const items: PickItem<Alert>[] = [];
  const alone: Alert[] = [];
  for (const incident of s.alerts.snapshot.incidents) {
    const alerts = incident.alerts.filter(wanted);
    if (alerts.length === 0) continue;
    if (incident.alerts.length === 1) {
      alone.push(alerts[0]);
      continue;
    }
    items.push({ label: `Incident: ${incidentHead(incident)} (${incident.alerts.length} alerts)`, separator: true, value: alerts[0] });
    items.push(...alerts.map((a) => alertItem(a, incident)));
  }
  if (alone.length && items.length) items.push({ label: 'Other alerts', separator: true, value: alone[0] });
  items.push(...triageOrder(alone).map((a) => alertItem(a)));
  if (items.length === 0) {
    await s.prompter.confirm('No firing alerts.', 'Incident Lens has no firing alert from any source right now.', ['OK']);
    return undefined;
  }
  return s.prompter.pick(items, { title, placeholder: 'Type to search alerts by name, service or label' });
}
