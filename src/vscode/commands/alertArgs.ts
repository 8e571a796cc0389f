import type { Alert } from '../../core/model';
import type { Services } from '../services';
import { severityOrder, alertDescription } from '../alertPresentation';

/** Commands accept a tree node, an Alert, an alert id, or nothing (then the user picks one). */
export async function resolveAlert(s: Services, arg: unknown, title: string): Promise<Alert | undefined> {
  if (arg && typeof arg === 'object') {
    const node = arg as { type?: string; alert?: Alert };
    if (node.type === 'alert' && node.alert) return node.alert;
    const a = arg as Alert;
    if (typeof a.id === 'string' && typeof a.name === 'string' && a.labels) return a;
  }
  if (typeof arg === 'string') return s.alerts.find(arg);
  return pickAlert(s, title);
}

export function triageOrder(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => severityOrder(a) - severityOrder(b) || a.startsAt - b.startsAt);
}

export async function pickAlert(s: Services, title: string, onlyFiring = true): Promise<Alert | undefined> {
  const alerts = triageOrder(s.alerts.snapshot.alerts.filter((a) => !onlyFiring || a.state === 'firing'));
  if (alerts.length === 0) {
    await s.prompter.confirm('No firing alerts.', 'Incident Lens has no firing alert from any source right now.', ['OK']);
    return undefined;
  }
  return s.prompter.pick(
    alerts.map((a) => ({
      label: `${a.severity === 'critical' ? '$(flame)' : a.severity === 'warning' ? '$(warning)' : '$(info)'} ${a.name}`,
      description: `${a.service ?? ''} · ${a.severity} · ${alertDescription(a)}`,
      detail: a.annotations.summary ?? Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' '),
      value: a,
    })),
    { title, placeholder: 'Type to search alerts by name, service or label' },
  );
}
