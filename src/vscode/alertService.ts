// Owns the live alert sources (configured backends, the embedded OTLP receiver, the webhook receiver),
// refreshes them on demand or on push, and publishes one snapshot: alerts from the sources that work
// plus one error entry per source that does not. One broken source never hides the others.
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import type { AlertSource, LogSource, MetricSource, SilenceSource, TraceSource } from '../core/sources';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { createEmbeddedDefault } from '../sources/otlp/embeddedSource';
import type { WebhookReceiver } from '../sources/webhook';
import { settings } from './config';

export interface SourceProblem {
  source: string;
  kind: string;
  message: string;
}

export interface AlertSnapshot {
  alerts: Alert[];
  errors: SourceProblem[];
  updatedAt: number;
}

type AnySource = Partial<AlertSource & SilenceSource & MetricSource & LogSource & TraceSource> & { name: string; kind: string };

export const secretKey = (sourceName: string) => `incidentLens.source.${sourceName}`;
/** The webhook's bearer token, in SecretStorage (never a setting: a workspace could set a setting). */
export const webhookTokenKey = 'incidentLens.webhook.token';

export class AlertService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AlertSnapshot>();
  readonly onDidChange = this.changed.event;
  private sources: AnySource[] = [];
  private configErrors: SourceProblem[] = [];
  private embedded: Awaited<ReturnType<typeof createEmbeddedDefault>> | undefined;
  private webhook: WebhookReceiver | undefined;
  private readonly pushSubscriptions: { dispose(): void }[] = [];
  private current: AlertSnapshot = { alerts: [], errors: [], updatedAt: 0 };
  private inFlight: Promise<AlertSnapshot> | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  /** Alerts injected by tests and benchmarks (the ui bench renders 10,000 of them). */
  private extraAlerts: Alert[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  get snapshot(): AlertSnapshot {
    return this.current;
  }

  get receiverAddress(): string | undefined {
    if (!this.embedded) return undefined;
    return `http://${settings.receiver().host}:${this.embedded.port}`;
  }

  /** (Re)builds every source from the settings. Safe to call again after a configuration change. */
  async start(): Promise<void> {
    // Backends load after activation has returned (separate chunks), so activation stays cheap.
    const [{ createSource, validateSourceConfigs }, { createEmbeddedDefault }, { WebhookReceiver }] = await Promise.all([
      import('../sources/registry'),
      import('../sources/otlp/embeddedSource'),
      import('../sources/webhook'),
    ]);
    await this.stopSources();
    const { configs, errors } = validateSourceConfigs(settings.rawSources());
    this.configErrors = errors.map((message) => ({ source: 'settings', kind: 'config', message }));
    const built: AnySource[] = [];
    for (const cfg of configs) {
      try {
        const created = createSource(cfg, async (name: string) => (await this.secrets.get(secretKey(name))) ?? undefined, this.logger);
        built.push(created.source as unknown as AnySource);
      } catch (err) {
        this.configErrors.push({ source: cfg.name, kind: 'config', message: errorMessage(err) });
      }
    }
    const rc = settings.receiver();
    if (rc.enabled) {
      try {
        this.embedded = await createEmbeddedDefault({ host: rc.host, port: rc.port, maxMemoryMB: rc.maxMemoryMB, logger: this.logger });
        built.push(this.embedded.source as unknown as AnySource);
        this.logger.info(`embedded OTLP receiver listening on ${this.receiverAddress ?? `${rc.host}:${rc.port}`}`);
      } catch (err) {
        this.configErrors.push({ source: 'local', kind: 'down', message: errorMessage(err) });
      }
    }
    const webhookPort = settings.webhookPort();
    if (webhookPort > 0) {
      try {
        this.webhook = new WebhookReceiver({ name: 'webhook', host: '127.0.0.1', port: webhookPort, expectedToken: async () => (await this.secrets.get(webhookTokenKey)) || undefined });
        await this.webhook.start();
        built.push(this.webhook as unknown as AnySource);
      } catch (err) {
        this.configErrors.push({ source: 'webhook', kind: 'down', message: errorMessage(err) });
      }
    }
    this.sources = built;
    for (const s of built) {
      const sub = s.onDidChangeAlerts?.(() => this.schedulePushRefresh());
      if (sub) this.pushSubscriptions.push(sub);
    }
    await this.refresh();
  }

  private schedulePushRefresh(): void {
    if (this.pushTimer) return;
    // Pushed alerts arrive in bursts (a receiver evaluates many rules at once): coalesce them.
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      void this.refresh();
    }, 250);
  }

  refresh(): Promise<AlertSnapshot> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = (async () => {
      const alertSources = this.sources.filter((s): s is AnySource & AlertSource => typeof s.listAlerts === 'function');
      const ac = new AbortController();
      const { collectAlerts } = await import('../sources/registry');
      const { alerts, errors } = await collectAlerts(alertSources, ac.signal);
      this.current = { alerts: this.extraAlerts.length ? [...alerts, ...this.extraAlerts] : alerts, errors: [...this.configErrors, ...errors], updatedAt: Date.now() };
      this.changed.fire(this.current);
      return this.current;
    })().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  setExtraAlerts(alerts: Alert[]): Promise<AlertSnapshot> {
    this.extraAlerts = alerts;
    return this.refresh();
  }

  find(alertId: string): Alert | undefined {
    return this.current.alerts.find((a) => a.id === alertId);
  }

  sourceOf(alert: Alert): AnySource | undefined {
    return this.sources.find((s) => s.name === alert.sourceName);
  }

  silenceSourceFor(alert: Alert): (SilenceSource & AnySource) | undefined {
    const own = this.sourceOf(alert);
    if (own && typeof own.createSilence === 'function') return own as SilenceSource & AnySource;
    // Alerts from Prometheus are silenced in the Alertmanager it sends to.
    return this.sources.find((s) => typeof s.createSilence === 'function') as (SilenceSource & AnySource) | undefined;
  }

  signalSources(): { metrics: MetricSource[]; logs: LogSource[]; traces: TraceSource[] } {
    return {
      metrics: this.sources.filter((s) => typeof s.queryRange === 'function') as unknown as MetricSource[],
      logs: this.sources.filter((s) => typeof s.queryLogs === 'function') as unknown as LogSource[],
      traces: this.sources.filter((s) => typeof s.searchTraces === 'function') as unknown as TraceSource[],
    };
  }

  private async stopSources(): Promise<void> {
    for (const s of this.pushSubscriptions.splice(0)) s.dispose();
    const embedded = this.embedded;
    this.embedded = undefined;
    if (embedded) await embedded.dispose().catch((err: unknown) => this.logger.warn(`stopping the receiver: ${errorMessage(err)}`));
    const webhook = this.webhook;
    this.webhook = undefined;
    if (webhook) await webhook.stop().catch(() => undefined);
    this.sources = [];
  }

  dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    void this.stopSources();
    this.changed.dispose();
  }
}
