// Grafana alerting through its Alertmanager-compatible API (/api/alertmanager/grafana/api/v2/...),
// authenticated with a service-account token sent as a Bearer header.

import type { Alert } from '../core/model';
import { uiBase } from './http';
import { AlertmanagerSource, type AlertmanagerOptions } from './alertmanager';

export class GrafanaSource extends AlertmanagerSource {
  override readonly kind: string = 'grafana';

  constructor(opts: AlertmanagerOptions) {
    super(opts);
    this.apiPrefix = '/api/alertmanager/grafana/api/v2';
  }

  override uiLink(alert: Alert): string | undefined {
    // Grafana's generatorURL points at the rule's own page; without one, search the rule list.
    if (alert.generatorURL) return alert.generatorURL;
    return `${uiBase(this.opts)}/alerting/list?search=${encodeURIComponent(alert.name)}`;
  }
}
