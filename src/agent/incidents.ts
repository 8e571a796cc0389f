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
import { severityRank } from '../sources/alertFields';

export interface ServiceEdge {
  /** The caller. */
  from: string;
  /** The callee. */
  to: string;
}

/** What a finished investigation said caused an alert. */
export interface KnownCause {
  /** causeKind, service and commit: the same cause has the same key (InvestigationService.incidentHints). */
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

const hostLabels = ['instance', 'node', 'host', 'hostname'];

function serviceOf(a: Alert): string | undefined {
  return a.service ?? a.labels?.service;
}

/** The host part of an instance ("10.0.0.5:9100" -> "10.0.0.5"): node_exporter and the app share a host, not a port. */
function hostOf(a: Alert): string | undefined {
  for (const l of hostLabels) {
    const v = a.labels?.[l];
    if (!v) continue;
    const host = stripPort(v.charCodeAt(0) === 0x5b /* [ */ ? v.replace(/^\[(.*)\](:\d+)?$/, '$1') : v);
    // Every process on a laptop is on loopback: sharing it says nothing about sharing a cause.
    return /^(127\.|localhost$|::1$|0\.0\.0\.0$)/.test(host) ? undefined : host;
  }
  return undefined;
}

/** `v.replace(/:\d+$/, '')` without a regular expression: 10,000 alerts each carry an instance. */
function stripPort(v: string): string {
  let i = v.length;
  while (i > 0) {
    const c = v.charCodeAt(i - 1);
    if (c < 0x30 || c > 0x39) break;
    i--;
  }
  return i < v.length && i > 0 && v.charCodeAt(i - 1) === 0x3a /* : */ ? v.slice(0, i - 1) : v;
}

class DisjointSet {
  private readonly parent: Int32Array;
  /** Why each root's alerts were joined, in the order the reasons arose; allocated on the first join. */
  private readonly why: (JoinReason[] | undefined)[];
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.why = new Array<JoinReason[] | undefined>(n);
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
  reasons(root: number): JoinReason[] {
    return this.why[root] ?? [];
  }
  private addReason(root: number, why: JoinReason): void {
    const list = (this.why[root] ??= []);
    if (!list.includes(why)) list.push(why);
  }
  union(a: number, b: number, why: JoinReason): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) {
      this.addReason(ra, why);
      return;
    }
    // The earlier alert's root stays the root: incident ids follow the first alert.
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    for (const r of this.why[child] ?? []) this.addReason(root, r);
    this.why[child] = undefined;
    this.addReason(root, why);
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
  const n = alerts.length;
  // Everything an alert is looked up by is computed once, in the input's order.
  const times = new Float64Array(n);
  const serviceAt: (string | undefined)[] = new Array(n);
  const causeAt: (KnownCause | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = alerts[i];
    times[i] = Number.isFinite(a.startsAt) ? a.startsAt : 0;
    serviceAt[i] = serviceOf(a);
    causeAt[i] = opts.causes?.size ? opts.causes.get(runKey(a)) : undefined;
  }
  // Positions in start order (ties keep the input's order).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => times[x] - times[y] || x - y);
  const sets = new DisjointSet(n);
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
  // The latest alert (its position in start order) seen for each service, host and cause: a new alert
  // joins it when close enough. One map per kind, keyed by the name itself: no key strings to build.
  const latestService = new Map<string, number>();
  const latestHost = new Map<string, number>();
  const latestCause = new Map<string, number>();
  const joinLatest = (latest: Map<string, number>, key: string, k: number, t: number, why: JoinReason): void => {
    const prev = latest.get(key);
    if (prev !== undefined && t - times[order[prev]] <= windowMs) sets.union(prev, k, why);
  };
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const t = times[i];
    const service = serviceAt[i];
    const host = hostOf(alerts[i]);
    const cause = causeAt[i];
    if (service) {
      joinLatest(latestService, service, k, t, 'service');
      const near = neighbours.get(service);
      if (near) for (const other of near) joinLatest(latestService, other, k, t, 'call');
    }
    if (host) joinLatest(latestHost, host, k, t, 'host');
    if (cause) joinLatest(latestCause, cause.key, k, t, 'cause');
    if (service) latestService.set(service, k);
    if (host) latestHost.set(host, k);
    if (cause) latestCause.set(cause.key, k);
  }

  const groups = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const r = sets.find(k);
    const g = groups.get(r);
    if (g) g.push(order[k]);
    else groups.set(r, [order[k]]);
  }
  const incidents: { incident: Incident; live: number }[] = [];
  const rank = new Float64Array(n);
  for (const [root, members] of groups) {
    const services = new Set<string>();
    const named = new Set<string>();
    for (const i of members) {
      const s = serviceAt[i];
      if (s) services.add(s);
      const causeService = causeAt[i]?.service;
      if (causeService) named.add(causeService);
    }
    const depth = callDepths(services, callees);
    // Active first; then the service an investigation named as the cause; then where the call chains
    // end; then by severity. One number per alert, so the sort compares numbers.
    for (const i of members) {
      const a = alerts[i];
      const s = serviceAt[i];
      const active = a.state === 'firing' || a.state === 'pending' ? 0 : 1;
      const place = (s && named.has(s) ? 0 : 1) * 1000 + (s ? (depth.get(s) ?? 0) : 500);
      rank[i] = (active * 1e9 + place) * 8 + severityRank[a.severity];
    }
    members.sort((x, y) => {
      const ax = alerts[x];
      const ay = alerts[y];
      return rank[x] - rank[y] || ax.startsAt - ay.startsAt || (ax.id < ay.id ? -1 : ax.id > ay.id ? 1 : 0);
    });
    const list = members.map((i) => alerts[i]);
    let worst: Severity = 'none';
    let firing = 0;
    let live = false;
    const orderedServices: string[] = [];
    const seen = new Set<string>();
    for (const i of members) {
      const a = alerts[i];
      if (a.state === 'firing') firing++;
      if (a.state === 'firing' || a.state === 'pending') live = true;
      if (severityRank[a.severity] < severityRank[worst]) worst = a.severity;
      const s = serviceAt[i];
      if (s && !seen.has(s)) {
        seen.add(s);
        orderedServices.push(s);
      }
    }
    const first = order[root];
    incidents.push({
      incident: {
        id: runKey(alerts[first]),
        primary: list[0],
        alerts: list,
        services: orderedServices,
        startsAt: times[first],
        firing,
        worstSeverity: worst,
        reasons: sets.reasons(root).slice(),
      },
      live: live ? 0 : 1,
    });
  }
  incidents.sort(({ incident: x, live: lx }, { incident: y, live: ly }) => lx - ly || severityRank[x.worstSeverity] - severityRank[y.worstSeverity] || y.firing - x.firing || x.startsAt - y.startsAt || (x.id < y.id ? -1 : 1));
  return incidents.map((e) => e.incident);
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
