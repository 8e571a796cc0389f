// Owns the live sources (a SourceSet built from the settings: configured backends, the embedded OTLP
// receiver, the webhook receiver), refreshes alerts on demand or on push, and publishes one snapshot:
// alerts from the sources that work plus one error entry per source that does not. One broken source
// never hides the others.
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import type { Logger } from '../core/logger';
import { errorMessage } from '../core/errors';
import type { SourceProblem, SourceSet, SourceSetSettings } from '../sources/sourceSet';
import { settings } from './config';

export type { SourceProblem };

export interface AlertSnapshot {
  alerts: Alert[];
  errors: SourceProblem[];
  updatedAt: number;
}

export const secretKey = (sourceName: string) => `incidentLens.source.${sourceName}`;
/** The webhook's bearer token, in SecretStorage (never a setting: a workspace could set a setting). */
export const webhookTokenKey = 'incidentLens.webhook.token';

export class AlertService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AlertSnapshot>();
  readonly onDidChange = this.changed.event;
  private set: SourceSet | undefined;
  private readonly pushSubscriptions: { dispose(): void }[] = [];
  private current: AlertSnapshot = { alerts: [], errors: [], updatedAt: 0 };
  private inFlight: Promise<AlertSnapshot> | undefined;
  private pushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly secrets: vscode.SecretStorage,
    /** The models the workspace declares, as one more alert source (src/vscode/models.ts). */
    private readonly models?: () => SourceSetSettings['models'],
  ) {}

  get snapshot(): AlertSnapshot {
    return this.current;
  }

  /** The live sources, typed by role (empty until started). */
  get sources(): SourceSet | undefined {
    return this.set;
  }

  get receiverAddress(): string | undefined {
    return this.set?.receiverAddress;
  }

  /** (Re)builds every source from the settings. Safe to call again after a configuration change. */
  async start(): Promise<void> {
    // Backends load after activation has returned (a separate chunk), so activation stays cheap.
    const { SourceSet } = await import('../sources/sourceSet');
    await this.stopSources();
    const rc = settings.receiver();
    const set = await SourceSet.build(
      {
        sources: settings.rawSources(),
        receiver: rc,
        webhook: { port: settings.webhookPort(), token: async () => (await this.secrets.get(webhookTokenKey)) || undefined },
        models: this.models?.(),
      },
      async (name: string) => (await this.secrets.get(secretKey(name))) ?? undefined,
      this.logger,
    );
    this.set = set;
    if (set.receiverAddress) this.logger.info(`embedded OTLP receiver listening on ${set.receiverAddress}`);
    for (const s of set.alerts) {
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
      const set = this.set;
      const ac = new AbortController();
      const { collectAlerts } = await import('../sources/registry');
      const { alerts, errors } = await collectAlerts(set?.alerts ?? [], ac.signal);
      this.current = { alerts, errors: [...(set?.problems ?? []), ...errors], updatedAt: Date.now() };
      this.changed.fire(this.current);
      return this.current;
    })().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  find(alertId: string): Alert | undefined {
    return this.current.alerts.find((a) => a.id === alertId);
  }

  private async stopSources(): Promise<void> {
    for (const s of this.pushSubscriptions.splice(0)) s.dispose();
    const set = this.set;
    this.set = undefined;
    if (set) await set.dispose().catch((err: unknown) => this.logger.warn(`stopping the sources: ${errorMessage(err)}`));
  }

  dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    void this.stopSources();
    this.changed.dispose();
  }
}
