// Alerts that share a cause become one incident. One fault fires several alerts (the failing service's
// error ratio, its error-log burst, its callers' error ratios), and an SRE should see one thing to
// investigate, with the alert nearest the cause first. Two alerts join when they started close in time
// and one of these holds:
//  - they are on the same service, or on the same host (instance, node);
//  - one's service calls the other's (an edge of the call graph the traces show);
//  - finished investigations name the same cause for both.
// Joining is transitive, so storefront -> checkout -> payments alerts form one incident through the
// checkout alert. Linear in the alerts (each alert looks only at the latest alert of each key it
// shares), so a 10,000-alert storm groups in milliseconds.

import type { Alert, Severity } from '../core/model';
import { runKey } from './investigationService';

export interface ServiceEdge {
  /** The caller. */
  from: string;
  /** The callee. */
  to: string;
}

/** What a finished investigation said caused an alert. */
export interface KnownCause {
  /** causeKind, service and commit: the same cause has the same key (see hypothesis/grouping.ts). */
  key: string;
  service?: string;
}

export interface IncidentOptions {
  /** Caller -> callee edges between services. */
  edges?: readonly ServiceEdge[];
  /** Causes named by finished investigations, by run key (`source/alertId`). */
  causes?: ReadonlyMap<string, KnownCause>;
  /** How close two alerts' starts must be to join (default 15 min). */
  windowMs?: number;
}

export type JoinReason = 'service' | 'host' | 'call' | 'cause';

export interface Incident {
  /** Stable while the incident lasts: the run key of its earliest alert. */
  id: string;
  /** The alert nearest the cause: the one an investigation of the incident starts from. */
  primary: Alert;
  /** The primary first, then callees before their callers, then by severity and start. */
  alerts: Alert[];
  /** Services in the order of `alerts`. */
  services: string[];
  startsAt: number;
  firing: number;
  worstSeverity: Severity;
  /** Why its alerts were joined. */
  reasons: JoinReason[];
}

const severityRank: Record<Severity, number> = { critical: 0, error: 1, warning: 2, info: 3, none: 4 };
const hostLabels = ['instance', 'node', 'host', 'hostname'];

function serviceOf(a: Alert): string | undefined {
  return a.service ?? a.labels?.service;
}

/** The host part of an instance ("10.0.0.5:9100" -> "10.0.0.5"): node_exporter and the app share a host, not a port. */
function hostOf(a: Alert): string | undefined {
  for (const l of hostLabels) {
    const v = a.labels?.[l];
    if (!v) continue;
    const host = v.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/:\d+$/, '');
    // Every process on a laptop is on loopback: sharing it says nothing about sharing a cause.
    return /^(127\.|localhost$|::1$|0\.0\.0\.0$)/.test(host) ? undefined : host;
  }
  return undefined;
}

class DisjointSet {
  private readonly parent: number[];
  readonly reasons: Set<JoinReason>[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
    this.reasons = Array.from({ length: n }, () => new Set<JoinReason>());
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r];
    while (this.parent[i] !== r) {
      const next = this.parent[i];
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number, why: JoinReason): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) {
      this.reasons[ra].add(why);
      return;
    }
    // The earlier alert's root stays the root: incident ids follow the first alert.
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    for (const r of this.reasons[child]) this.reasons[root].add(r);
    this.reasons[root].add(why);
  }
}

/**
 * How far each service is from the end of the call chains among `services`: 0 for one that calls no
 * other service here (where errors start), 1 for its callers, and so on. Cycles are cut.
 */
function callDepths(services: Set<string>, callees: Map<string, Set<string>>): Map<string, number> {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (s: string): number => {
    const known = depth.get(s);
    if (known !== undefined) return known;
    if (visiting.has(s)) return 0;
    visiting.add(s);
    let d = 0;
    for (const c of callees.get(s) ?? []) if (services.has(c) && c !== s) d = Math.max(d, visit(c) + 1);
    visiting.delete(s);
    depth.set(s, d);
    return d;
  };
  for (const s of services) visit(s);
  return depth;
}

export function groupIncidents(alerts: readonly Alert[], opts: IncidentOptions = {}): Incident[] {
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const order = alerts.map((a, i) => ({ a, i, t: Number.isFinite(a.startsAt) ? a.startsAt : 0 })).sort((x, y) => x.t - y.t || x.i - y.i);
  const sorted = order.map((o) => o.a);
  const sets = new DisjointSet(sorted.length);
  const neighbours = new Map<string, Set<string>>();
  const callees = new Map<string, Set<string>>();
  for (const e of opts.edges ?? []) {
    if (!e.from || !e.to || e.from === e.to) continue;
    if (!neighbours.has(e.from)) neighbours.set(e.from, new Set());
    if (!neighbours.has(e.to)) neighbours.set(e.to, new Set());
    neighbours.get(e.from)!.add(e.to);
    neighbours.get(e.to)!.add(e.from);
    if (!callees.has(e.from)) callees.set(e.from, new Set());
    callees.get(e.from)!.add(e.to);
  }
  // The latest alert seen for each key (and when it started): a new alert joins it when close enough.
  const latest = new Map<string, { index: number; t: number }>();
  const joinLatest = (key: string, i: number, t: number, why: JoinReason): void => {
    const prev = latest.get(key);
    if (prev && t - prev.t <= windowMs) sets.union(prev.index, i, why);
  };
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    const t = order[i].t;
    const service = serviceOf(a);
    const host = hostOf(a);
    const cause = opts.causes?.get(runKey(a));
    if (service) {
      joinLatest(`service:${service}`, i, t, 'service');
      for (const n of neighbours.get(service) ?? []) joinLatest(`service:${n}`, i, t, 'call');
    }
    if (host) joinLatest(`host:${host}`, i, t, 'host');
    if (cause) joinLatest(`cause:${cause.key}`, i, t, 'cause');
    if (service) latest.set(`service:${service}`, { index: i, t });
    if (host) latest.set(`host:${host}`, { index: i, t });
    if (cause) latest.set(`cause:${cause.key}`, { index: i, t });
  }

  const groups = new Map<number, number[]>();
  for (let i = 0; i < sorted.length; i++) {
    const r = sets.find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  const incidents: Incident[] = [];
  for (const [root, members] of groups) {
    const list = members.map((i) => sorted[i]);
    const services = new Set(list.map(serviceOf).filter((s): s is string => !!s));
    const depth = callDepths(services, callees);
    // The service an investigation named as the cause goes first; then where the call chains end.
    const named = new Set(list.map((a) => opts.causes?.get(runKey(a))?.service).filter((s): s is string => !!s));
    const active = (a: Alert) => (a.state === 'firing' || a.state === 'pending' ? 0 : 1);
    const rankOf = (a: Alert): number => {
      const s = serviceOf(a);
      return (s && named.has(s) ? 0 : 1) * 1000 + (s ? (depth.get(s) ?? 0) : 500);
    };
    list.sort((x, y) => active(x) - active(y) || rankOf(x) - rankOf(y) || severityRank[x.severity] - severityRank[y.severity] || x.startsAt - y.startsAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    let worst: Severity = 'none';
    let firing = 0;
    for (const a of list) {
      if (a.state === 'firing') firing++;
      if (severityRank[a.severity] < severityRank[worst]) worst = a.severity;
    }
    const orderedServices: string[] = [];
    for (const a of list) {
      const s = serviceOf(a);
      if (s && !orderedServices.includes(s)) orderedServices.push(s);
    }
    incidents.push({
      id: runKey(sorted[root]),
      primary: list[0],
      alerts: list,
      services: orderedServices,
      startsAt: order[root].t,
      firing,
      worstSeverity: worst,
      reasons: [...sets.reasons[root]],
    });
  }
  const live = (x: Incident) => (x.alerts.some((a) => a.state === 'firing' || a.state === 'pending') ? 0 : 1);
  return incidents.sort((x, y) => live(x) - live(y) || severityRank[x.worstSeverity] - severityRank[y.worstSeverity] || y.firing - x.firing || x.startsAt - y.startsAt || (x.id < y.id ? -1 : 1));
}

/** The other alerts of the incident an alert belongs to (what its investigation explains with it). */
export function relatedAlerts(incidents: readonly Incident[], alert: Pick<Alert, 'sourceName' | 'id'>): Alert[] {
  const key = runKey(alert);
  const incident = incidents.find((i) => i.alerts.some((a) => runKey(a) === key));
  return incident ? incident.alerts.filter((a) => runKey(a) !== key) : [];
}

/** One short line for people: "payments: 6 alerts (HighErrorRatio, ErrorLogBurst) on payments, checkout, storefront". */
export function incidentTitle(incident: Incident): string {
  const names = [...new Set(incident.alerts.map((a) => a.name))];
  const where = incident.services.length ? incident.services.join(', ') : (hostOf(incident.primary) ?? 'unknown service');
  const head = serviceOf(incident.primary) ?? hostOf(incident.primary) ?? incident.primary.name;
  return `${head}: ${incident.alerts.length} alerts (${names.slice(0, 3).join(', ')}${names.length > 3 ? ` +${names.length - 3}` : ''}) on ${where}`;
}
