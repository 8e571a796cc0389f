// Owns the live sources (a SourceSet built from the settings: configured backends, the embedded OTLP
// receiver, the webhook receiver), refreshes alerts on demand or on push, and publishes one snapshot:
// alerts from the sources that work (and, for a while, those that resolved), the incidents they form,
// plus one error entry per source that does not answer. One broken source never hides the others.
import * as vscode from 'vscode';
import type { Alert } from '../core/model';
import type { Logger } from '../core/logger';
import type { ServiceEdge } from '../core/sources';
import { errorMessage } from '../core/errors';
import { groupIncidents, type Incident, type KnownCause } from '../agent/incidents';
import { RecentAlerts } from '../agent/recentAlerts';
import type { SourceProblem, SourceSet, SourceSetSettings } from '../sources/sourceSet';
import { settings } from './config';

export type { SourceProblem };

export interface AlertSnapshot {
  alerts: Alert[];
  /** Alerts that share a cause, nearest the cause first (every alert is in exactly one). */
  incidents: Incident[];
  errors: SourceProblem[];
  updatedAt: number;
}

/** What investigations already know about causes and calls (the InvestigationService's hints). */
export type IncidentHints = () => { causes: Map<string, KnownCause>; edges: ServiceEdge[] };

/** The call graph from the trace sources is read at most this often (it walks the stored spans). */
const topologyEveryMs = 30_000;
const topologyWindowMs = 30 * 60_000;

export const secretKey = (sourceName: string) => `incidentLens.source.${sourceName}`;
/** The webhook's bearer token, in SecretStorage (never a setting: a workspace could set a setting). */
export const webhookTokenKey = 'incidentLens.webhook.token';

/** An alert's incident (by source, then id) and alerts by id, for one snapshot. */
interface AlertLookups {
  snapshot: AlertSnapshot;
  incidentOf: Map<string | undefined, Map<string, Incident>>;
  byId: Map<string, Alert>;
}

export class AlertService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AlertSnapshot>();
  readonly onDidChange = this.changed.event;
  private set: SourceSet | undefined;
  private readonly pushSubscriptions: { dispose(): void }[] = [];
  private current: AlertSnapshot = { alerts: [], incidents: [], errors: [], updatedAt: 0 };
  private lookups: AlertLookups | undefined;
  private inFlight: Promise<AlertSnapshot> | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private readonly recent = new RecentAlerts();
  private topology: { at: number; edges: ServiceEdge[] } = { at: 0, edges: [] };

  constructor(
    private readonly logger: Logger,
    private readonly secrets: vscode.SecretStorage,
    /** The models the workspace declares, as one more alert source (src/vscode/models.ts). */
    private readonly models?: () => SourceSetSettings['models'],
    private readonly hints: IncidentHints = () => ({ causes: new Map(), edges: [] }),
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
      const { alerts: listed, errors } = await collectAlerts(set?.alerts ?? [], ac.signal);
      const now = Date.now();
      const alerts = this.recent.update(listed, now, new Set(errors.map((e) => e.source)));
      const hints = this.hints();
      const edges = [...(await this.callGraph(set, now)), ...hints.edges];
      const incidents = groupIncidents(alerts, { edges, causes: hints.causes });
      this.current = { alerts, incidents, errors: [...(set?.problems ?? []), ...errors], updatedAt: now };
      this.changed.fire(this.current);
      return this.current;
    })().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Which services call which, from the trace sources that keep a graph; read at most every 30 s. */
  private async callGraph(set: SourceSet | undefined, now: number): Promise<ServiceEdge[]> {
    if (now - this.topology.at < topologyEveryMs) return this.topology.edges;
    const window = { start: now - topologyWindowMs, end: now };
    const lists = await Promise.all(
      (set?.traces ?? []).map((t) =>
        t.serviceGraph
          ? t.serviceGraph(window).catch((err: unknown) => {
              this.logger.debug(`service graph of ${t.name}: ${errorMessage(err)}`);
              return [];
            })
          : Promise.resolve([]),
      ),
    );
    // An empty graph (no traces yet) is asked again next time instead of being kept for 30 s.
    const edges = lists.flat();
    this.topology = { at: edges.length ? now : 0, edges };
    return this.topology.edges;
  }

  /** The incident an alert belongs to. */
  incidentOf(alert: Pick<Alert, 'sourceName' | 'id'>): Incident | undefined {
    return this.index().incidentOf.get(alert.sourceName)?.get(alert.id);
  }

  find(alertId: string): Alert | undefined {
    return this.index().byId.get(alertId);
  }

  /** Lookups by alert, built once per snapshot on first use (a storm has 10,000 alerts; panels ask on every render). */
  private index(): AlertLookups {
    if (this.lookups?.snapshot === this.current) return this.lookups;
    const incidentOf: AlertLookups['incidentOf'] = new Map();
    for (const i of this.current.incidents) {
      for (const a of i.alerts) {
        let bySource = incidentOf.get(a.sourceName);
        if (!bySource) incidentOf.set(a.sourceName, (bySource = new Map()));
        if (!bySource.has(a.id)) bySource.set(a.id, i);
      }
    }
    const byId = new Map<string, Alert>();
    for (const a of this.current.alerts) if (!byId.has(a.id)) byId.set(a.id, a);
    this.lookups = { snapshot: this.current, incidentOf, byId };
    return this.lookups;
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
