// Every live source, with its roles kept typed: the configured backends, the embedded OTLP receiver and
// the webhook receiver, built from plain settings (secrets through a function, never a setting). One
// broken source becomes a problem entry and costs only itself.
import * as fs from 'node:fs';
import type { AlertSource, ChangeSource, LogSource, MetricSource, SilenceSource, SourceInfo, TraceSource } from '../core/sources';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import { createSource, validateSourceConfigs, type CreatedSource, type SourceConfig } from './registry';
import { createEmbeddedDefault, type EmbeddedDefault } from './otlp/embeddedSource';
import { WebhookReceiver } from './webhook';

export interface SourceProblem {
  source: string;
  kind: string;
  message: string;
}

export interface SourceSetSettings {
  /** The raw `incidentLens.sources` setting (validated here). */
  sources: unknown;
  receiver: { enabled: boolean; host: string; port: number; maxMemoryMB: number };
  webhook: { port: number; token?: () => Promise<string | undefined> };
  /**
   * Models in production: when the workspace declares models (the file exists), the source that raises
   * their drift alerts. It is built by the caller, since it needs analysis/, which sources may not import.
   */
  models?: { configFile: string; create: (set: SourceSet) => AlertSource | Promise<AlertSource> };
}

export class SourceSet {
  readonly alerts: AlertSource[] = [];
  readonly silences: SilenceSource[] = [];
  readonly metrics: MetricSource[] = [];
  readonly logs: LogSource[] = [];
  readonly traces: TraceSource[] = [];
  /** Every source, by its configured name. */
  readonly all: SourceInfo[] = [];
  /** The valid configured backends as written (links out are built from their UI addresses). */
  readonly configs: SourceConfig[] = [];
  readonly problems: SourceProblem[] = [];
  /** The embedded receiver's address, when it runs. */
  receiverAddress?: string;
  private embedded: EmbeddedDefault | undefined;
  private webhook: WebhookReceiver | undefined;

  private constructor() {}

  /** An empty set (no settings read yet, or everything off). */
  static empty(): SourceSet {
    return new SourceSet();
  }

  static async build(settings: SourceSetSettings, getSecret: (sourceName: string) => Promise<string | undefined>, logger: Logger): Promise<SourceSet> {
    const set = new SourceSet();
    const { configs, errors } = validateSourceConfigs(settings.sources);
    for (const message of errors) set.problems.push({ source: 'settings', kind: 'config', message });
    for (const cfg of configs) {
      try {
        set.add(createSource(cfg, getSecret, logger));
        set.configs.push(cfg);
      } catch (err) {
        set.problems.push({ source: cfg.name, kind: 'config', message: errorMessage(err) });
      }
    }
    const rc = settings.receiver;
    if (rc.enabled) {
      try {
        set.embedded = await createEmbeddedDefault({ host: rc.host, port: rc.port, maxMemoryMB: rc.maxMemoryMB, logger });
        const s = set.embedded.source;
        set.add({ source: s, alerts: s, metrics: s, logs: s, traces: s });
        set.receiverAddress = `http://${rc.host.includes(':') ? `[${rc.host}]` : rc.host}:${set.embedded.port}`;
      } catch (err) {
        set.problems.push({ source: 'local', kind: 'down', message: errorMessage(err) });
      }
    }
    if (settings.webhook.port > 0) {
      try {
        const w = new WebhookReceiver({ name: 'webhook', host: '127.0.0.1', port: settings.webhook.port, ...(settings.webhook.token ? { expectedToken: settings.webhook.token } : {}), logger });
        await w.start();
        set.webhook = w;
        set.add({ source: w, alerts: w });
      } catch (err) {
        set.problems.push({ source: 'webhook', kind: 'down', message: errorMessage(err) });
      }
    }
    if (settings.models && fs.existsSync(settings.models.configFile)) {
      try {
        const models = await settings.models.create(set);
        set.add({ source: models, alerts: models });
      } catch (err) {
        set.problems.push({ source: 'models', kind: 'config', message: errorMessage(err) });
      }
    }
    return set;
  }

  private add(c: Pick<CreatedSource, 'source' | 'alerts' | 'silences' | 'metrics' | 'logs' | 'traces'>): void {
    this.all.push(c.source);
    if (c.alerts) this.alerts.push(c.alerts);
    if (c.silences) this.silences.push(c.silences);
    if (c.metrics) this.metrics.push(c.metrics);
    if (c.logs) this.logs.push(c.logs);
    if (c.traces) this.traces.push(c.traces);
  }

  /** The signal sources of an investigation (the workspace's changes come from elsewhere). */
  signalSources(): { metrics: MetricSource[]; logs: LogSource[]; traces: TraceSource[]; changes?: ChangeSource } {
    return { metrics: [...this.metrics], logs: [...this.logs], traces: [...this.traces] };
  }

  /** Where an alert can be silenced: its own source when it can, else the first source that can. */
  silenceSourceFor(alert: { sourceName: string }): SilenceSource | undefined {
    return this.silences.find((s) => s.name === alert.sourceName) ?? this.silences[0];
  }

  alertSourceNamed(name: string): AlertSource | undefined {
    return this.alerts.find((s) => s.name === name);
  }

  async dispose(): Promise<void> {
    const embedded = this.embedded;
    this.embedded = undefined;
    const webhook = this.webhook;
    this.webhook = undefined;
    await Promise.all([embedded?.dispose(), webhook?.stop()].map((p) => Promise.resolve(p).catch(() => undefined)));
  }
}
