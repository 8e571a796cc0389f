// Alerts as the Alertmanager and Prometheus sources map them into the domain model.

import type { Alert, AlertState, Labels, Severity } from '../../../../../src/core/model';
import { hashText } from './random';

export interface AlertSpec {
  name: string;
  severity: Severity;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  state?: AlertState;
  value?: string;
  sourceName?: string;
  sourceKind?: string;
  generatorURL?: string;
  service?: string;
  environment?: string;
}

/** A fingerprint over the sorted label set, the way Alertmanager identifies an alert. */
function fingerprint(labels: Labels): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return (hashText(text).toString(16).padStart(8, '0') + hashText(`${text}#`).toString(16).padStart(8, '0')).slice(0, 16);
}

export function alert(spec: AlertSpec): Alert {
  const labels = { alertname: spec.name, severity: spec.severity, ...spec.labels };
  const out: Alert = {
    id: fingerprint(labels),
    name: spec.name,
    state: spec.state ?? 'firing',
    severity: spec.severity,
    labels,
    annotations: spec.annotations,
    startsAt: spec.startsAt,
    sourceName: spec.sourceName ?? 'alertmanager-prod',
    sourceKind: spec.sourceKind ?? 'alertmanager',
  };
  if (spec.value !== undefined) out.value = spec.value;
  if (spec.generatorURL) out.generatorURL = spec.generatorURL;
  if (spec.service) out.service = spec.service;
  if (spec.environment) out.environment = spec.environment;
  return out;
}
