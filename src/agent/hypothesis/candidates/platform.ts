// Causes below and around the code: a dependency outside our telemetry, capacity (traffic beyond what a
// service can serve, or a limit reached: connections, a pool, a quota), and infrastructure (one host,
// node or zone failing while the others are fine, a full disk, the clock).
import type { Collected } from '../collect';
import type { Candidate, Piece } from './types';
import type { SeriesFinding } from '../../../core/investigation';
import { fmtTime } from '../format';
import { CLOCK_WORDS } from '../../../analysis/findings/changeEvents';

const MIN = 60_000;

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;
const IP = /^\d+\.\d+\.\d+\.\d+$|^[0-9a-f:]+:[0-9a-f:]+$/i;
/** Failures that say the peer answered badly or not at all (an outage), rather than that we called it badly. */
const OUTAGE_CLASSES = new Set(['unavailable', 'refused', 'reset', 'timeout']);

export function dependencyCandidates(c: Collected): Candidate[] {
  const out: Candidate[] = [];
  for (const l of c.findings.loci) {
    if (!l.external) continue;
    // A peer on the same machine is part of this host, not a third party.
    if (LOOPBACK.test(l.service)) continue;
    const share = Math.max(l.errorShare, 0.6 * l.latencyShare);
    if (share < 0.3) continue;
    const classes = Object.keys(l.errorClasses);
    const total = Object.values(l.errorClasses).reduce((a, b) => a + (b ?? 0), 0) || 1;
    const classShare = (cls: string): number => (l.errorClasses[cls as keyof typeof l.errorClasses] ?? 0) / total;
    // A peer on this very host fails with the host more often than on its own.
    const pro: Piece[] = [{ weight: 2.0 * share * (IP.test(l.service) ? 0.6 : 1) * (l.local ? 0.6 : 1), reason: `${Math.round(share * 100)}% of the new failures start at calls to ${l.service}, which has no telemetry of its own here`, ...(l.refs[0] ? { evidence: { kind: 'span' as const, ref: l.refs[0], title: `Failing calls from ${l.callers.join(', ') || 'our services'} to ${l.service}`, why: `The failures start at ${l.service}, outside our telemetry.`, weight: 0.4 } } : {}) }];
    if (classes.some((x) => OUTAGE_CLASSES.has(x))) pro.push({ weight: 0.3, reason: `the calls fail as an unavailable service fails (${classes.join(', ')})` });
    const con: Piece[] = [];
    // An outage fails every caller; our own change to how one caller calls it fails only that one.
    if (l.callers.length > 1) pro.push({ weight: 0.4, reason: `the calls of ${l.callers.length} services fail the same way` });
    const changedCaller = c.findings.suspects.find((s) => s.strength.deployed && s.strength.close > 0.5 && s.strength.services.some((x) => l.callers.includes(x)));
    if (changedCaller && classShare('unavailable') + classShare('refused') < 0.5) con.push({ weight: 1.0, reason: `${changedCaller.strength.services.find((x) => l.callers.includes(x))}, the caller whose calls fail, changed ${Math.round((c.onset - changedCaller.time) / MIN)} min before the onset (${changedCaller.sha.slice(0, 8)})` });
    if (classes.includes('tls')) con.push({ weight: 1.0 * classShare('tls') + 0.2, reason: 'the calls fail their TLS handshake: a certificate, not an outage' });
    if (classes.includes('dns')) con.push({ weight: 1.0 * classShare('dns') + 0.2, reason: 'the calls fail to resolve the name: DNS, not the peer' });
    // Waiting for our own pool is our limit; a peer's rate limit (429) is the peer's.
    if (classShare('pool') >= 0.5) con.push({ weight: 0.8, reason: 'the calls wait for a connection pool: our limit, not their outage' });
    const changed = c.findings.changeEvents.find((e) => e.time <= c.onset + 2 * MIN && e.time >= c.onset - 15 * MIN && (e.services.includes(l.service) || normalise(e.text).includes(normalise(l.service.split('.')[0]))));
    if (changed) con.push({ weight: 1.0, reason: `it was changed at ${fmtTime(changed.time)} ("${changed.text.slice(0, 80)}"): our change, not its outage` });
    out.push({ key: `dependency|${l.service}`, causeKind: 'dependency', mechanism: 'dependency', service: l.service, dependency: l.service, pro, con, sentence: `an outage of ${l.service}` });
  }
  return out;
}

/** Lower case with -, _ and . as one separator, so "site_config" names "site-config". */
export function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_.\s]+/g, '-');
}

function lastValue(s: SeriesFinding, points?: { timestamps: number[]; values: number[] }): number | undefined {
  const v = points?.values ?? s.points?.values;
  if (!v?.length) return undefined;
  for (let i = v.length - 1; i >= 0; i--) if (Number.isFinite(v[i])) return v[i];
  return undefined;
}

export function capacityCandidates(c: Collected, valuesOf: (id: string) => { timestamps: number[]; values: number[] } | undefined): Candidate[] {
  const f = c.findings;
  const out: Candidate[] = [];
  const onset = c.onset;
  // Traffic rose and a service ran out of headroom right after.
  // A service that had no traffic before has not seen a spike: it came alive (or its data starts).
  const traffic = c.moved.filter((s) => s.role === 'traffic' && s.excursion.direction === 'up' && s.excursion.ratio >= 1.5 && Number.isFinite(s.excursion.ratio) && s.excursion.ratio < 1e3 && s.excursion.onset <= onset + 2 * MIN && s.excursion.onset >= onset - 30 * MIN);
  const saturated = c.moved.filter((s) => (s.role === 'saturation' || s.role === 'latency') && s.excursion.direction === 'up' && s.service);
  if (traffic.length) {
    const t = [...traffic].sort((a, b) => b.excursion.ratio - a.excursion.ratio)[0];
    const sat = saturated.filter((s) => s.excursion.onset >= t.excursion.onset - MIN).sort((a, b) => b.excursion.ratio - a.excursion.ratio)[0];
    // Where the failures start is where headroom ran out, when it says so (it sheds or limits load).
    const top = c.topLocus;
    const topLimited = top && !top.external && ((c.classes(top.service).get('quota') ?? 0) + (c.classes(top.service).get('pool') ?? 0)) > 0;
    const service = (topLimited ? top.service : undefined) ?? sat?.service ?? t.service;
    if (service) {
      const pro: Piece[] = [{ weight: 1.2 * Math.min(1, (t.excursion.ratio - 1) / 2), reason: `traffic rose ${t.excursion.ratio.toFixed(1)}x at ${fmtTime(t.excursion.onset)}`, evidence: { kind: 'metric', ref: t.id, title: `${t.name} of ${t.service ?? '?'} rose ${t.excursion.ratio.toFixed(1)}x at ${fmtTime(t.excursion.onset)}`, why: 'Traffic rose first.', weight: 0.4, time: t.excursion.onset } }];
      if (sat) pro.push({ weight: 0.8, reason: `${sat.name} of ${sat.service} rose after it`, evidence: { kind: 'metric', ref: sat.id, title: `${sat.name} of ${sat.service} at ${sat.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(sat.excursion.onset)}`, why: 'The service ran out of headroom after the traffic rose.', weight: 0.4, time: sat.excursion.onset } });
      const con: Piece[] = [];
      if (top && top.service !== service && Math.max(top.errorShare, top.latencyShare) >= 0.5) con.push({ weight: 1.0, reason: `the failures start at ${top.service}, not where the traffic rose` });
      out.push({ key: `capacity|traffic|${service}`, causeKind: 'capacity', mechanism: 'traffic', service, pro, con, sentence: `traffic rose ${t.excursion.ratio.toFixed(1)}x and ${service} ran out of headroom` });
    }
  }
  // A usage series at its limit (connections at max_connections, memory at its limit, a quota).
  const limits = f.series.filter((s) => s.isLimit);
  for (const lim of limits) {
    const limVal = lastValue(lim, valuesOf(lim.id));
    if (limVal === undefined || !(limVal > 0)) continue;
    const usage = f.series.filter((s) => !s.isLimit && s.resource === lim.resource && s.resource && (s.service === lim.service || (s.host && s.host === lim.host)) && s.role === 'saturation');
    for (const u of usage) {
      const pts = valuesOf(u.id);
      const v = lastValue(u, pts);
      if (v === undefined || v < 0.9 * limVal) continue;
      // It reached the limit around the onset, not all along.
      const firstHigh = pts ? pts.timestamps[pts.values.findIndex((x) => x >= 0.9 * limVal)] : undefined;
      if (firstHigh !== undefined && firstHigh < onset - 60 * MIN) continue;
      const service = u.service ?? lim.service;
      if (!service) continue;
      out.push({
        key: `capacity|limit|${service}`,
        causeKind: 'capacity',
        mechanism: 'limit',
        service,
        pro: [{ weight: 1.5, reason: `${u.name} reached its limit ${lim.name} (${v} of ${limVal})`, evidence: { kind: 'metric', ref: u.id, title: `${u.name} of ${service} at ${v} of ${limVal} (${lim.name})`, why: 'The resource ran out.', weight: 0.5, ...(firstHigh !== undefined ? { time: firstHigh } : {}) } }],
        con: [],
        sentence: `${service} ran out of ${u.resource ?? 'capacity'} (${u.name} at its limit)`,
      });
      break;
    }
  }
  // Exhaustion named by the failures themselves: quotas, pools, rate limits, at the service that owns
  // them (a pool waited on by callers belongs to the service they wait for).
  for (const l of f.loci) {
    const m = c.classes(l.service);
    const all = [...m.values()].reduce((a, b) => a + b, 0) || 1;
    const quota = m.get('quota') ?? 0;
    const pool = m.get('pool') ?? 0;
    const share = Math.max(l.errorShare, l.latencyShare);
    if ((quota + pool) / all < 0.4 || share < 0.2) continue;
    out.push({
      key: `capacity|limit|${l.service}`,
      causeKind: 'capacity',
      mechanism: 'limit',
      service: l.service,
      pro: [{ weight: (1.2 * share + 0.3) * (l.external ? 0.5 : 1), reason: `the failures at ${l.service} say a ${quota >= pool ? 'quota or rate limit' : 'connection pool'} ran out`, ...(l.refs[0] ? { evidence: { kind: 'span' as const, ref: l.refs[0], title: `${quota >= pool ? 'Quota' : 'Pool'} exhaustion at ${l.service}`, why: 'A limit was reached.', weight: 0.4 } } : {}) }],
      con: [],
      sentence: `${l.service} ran out of ${quota >= pool ? 'quota' : 'connections'}`,
    });
  }
  // Overload: the service where the time goes got slower and busier, with no change to explain it.
  const top = c.topLocus;
  if (top && !top.external && top.latencyShare >= 0.5) {
    const busy = c.moved.filter((s) => s.service === top.service && s.excursion.direction === 'up' && (s.role === 'saturation' || s.role === 'latency'));
    if (busy.length) {
      const b = [...busy].sort((x, y) => y.excursion.score - x.excursion.score)[0];
      out.push({
        key: `capacity|saturation|${top.service}`,
        causeKind: 'capacity',
        mechanism: 'traffic',
        service: top.service,
        pro: [{ weight: 0.6 + 0.6 * top.latencyShare, reason: `${top.service} spends ${Math.round(top.latencyShare * 100)}% of the added time and ${b.name} rose ${b.excursion.ratio.toFixed(1)}x: it is overloaded`, evidence: { kind: 'metric', ref: b.id, title: `${b.name} of ${top.service} at ${b.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(b.excursion.onset)}`, why: 'The service where the time goes is saturated.', weight: 0.4, time: b.excursion.onset } }],
        con: [],
        sentence: `${top.service} is overloaded`,
      });
    }
  }
  return mergeByKey(out);
}

export function infrastructureCandidates(c: Collected): Candidate[] {
  const f = c.findings;
  const out: Candidate[] = [];
  const implicated = new Set(c.services.slice(0, 4));
  // The service an infrastructure cause hurts: the alert's own, when it is implicated; never a peer
  // address or this machine's loopback.
  const ours = c.services.filter((s) => !LOOPBACK.test(s) && !IP.test(s) && !f.loci.some((l) => l.external && l.service === s));
  const hurt = (f.alertServices[0] && implicated.has(f.alertServices[0]) ? f.alertServices[0] : undefined) ?? ours[0];
  // One host, pod or zone fails while the others of the same service are fine.
  for (const split of f.splits) {
    if (!implicated.has(split.service) || split.dimension === 'version') continue;
    const failing = split.values.reduce((a, v) => a + v.failing, 0);
    const [top, ...rest] = split.values;
    const topRate = top.total ? top.failing / top.total : 0;
    const restFailing = rest.reduce((a, v) => a + v.failing, 0);
    const restTotal = rest.reduce((a, v) => a + v.total, 0);
    // A few failures on one host while the others serve many requests without one are telling too.
    if (failing < 5 && !(failing >= 2 && restFailing === 0 && restTotal >= 20)) continue;
    const restRate = restTotal ? restFailing / restTotal : 0;
    if (top.failing / failing < 0.7 || topRate < 3 * restRate + 0.05 || rest.length === 0) continue;
    // The same host seen under two attributes (host.name and k8s.node.name) is one piece of evidence.
    if (out.some((x) => x.key === `infrastructure|${top.value}`)) continue;
    const mechanism = split.dimension === 'zone' ? 'zone' : 'host';
    const locus = c.topLocus;
    const elsewhere = locus && locus.service !== split.service && Math.max(locus.errorShare, locus.latencyShare) >= 0.5;
    out.push({
      key: `infrastructure|${top.value}`,
      causeKind: 'infrastructure',
      mechanism,
      service: split.service,
      host: top.value,
      pro: [{ weight: 1.4 * (top.failing / failing), reason: `${Math.round((top.failing / failing) * 100)}% of ${split.service}'s failures are on ${split.dimension} ${top.value} (${Math.round(topRate * 100)}% of its requests fail, ${Math.round(restRate * 100)}% elsewhere)` }],
      con: elsewhere ? [{ weight: 0.8, reason: `the failures start in ${locus!.service}, not on ${top.value}` }] : [],
      sentence: `${split.dimension} ${top.value} failing under ${split.service}`,
    });
  }
  // Host-level series off on one host only.
  const h = f.hosts[0];
  if (h && h.share >= 0.6 && h.nodeLevel && h.anomalies >= 3) {
    const svcOnHost = c.services.find((svc) => f.series.some((s) => s.service === svc && s.host === h.host)) ?? hurt;
    const moved = c.moved.filter((s) => h.seriesIds.includes(s.id) || s.sources?.some((x) => h.seriesIds.includes(x))).slice(0, 2);
    out.push({
      key: `infrastructure|${h.host}`,
      causeKind: 'infrastructure',
      mechanism: 'host',
      ...(svcOnHost ? { service: svcOnHost } : {}),
      host: h.host,
      pro: [{ weight: 1.2 * h.share, reason: `${Math.round(h.share * 100)}% of the host-attributed anomalies are on ${h.host}; instances elsewhere look normal` }, ...moved.map((s) => ({ weight: 0.2, reason: `${s.name} moved on ${h.host}`, evidence: { kind: 'metric' as const, ref: s.id, title: `${s.name} on ${h.host} at ${s.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(s.excursion.onset)}`, why: `Host-level saturation on ${h.host} only.`, weight: 0.4, time: s.excursion.onset } }))],
      con: [],
      sentence: `host ${h.host} is degraded`,
    });
  }
  // Node and host events at the onset; several nodes of one zone failing together are the zone.
  const zoneOf = new Map<string, string>();
  for (const x of f.series) if (x.zone && x.host) zoneOf.set(x.host, x.zone);
  const nodeEvents = f.changeEvents.filter((e) => e.kind === 'infrastructure' && c.onset - e.time >= -5 * MIN && c.onset - e.time <= 20 * MIN);
  const eventHosts = (e: (typeof nodeEvents)[number]): string[] => (e.hosts.length ? e.hosts : (/(?:instance|node|host)\s+([a-z0-9][a-z0-9.-]{3,})/i.exec(e.text)?.[1] ? [/(?:instance|node|host)\s+([a-z0-9][a-z0-9.-]{3,})/i.exec(e.text)![1]] : []));
  const zones = new Map<string, number>();
  for (const e of nodeEvents) for (const h of eventHosts(e)) if (zoneOf.has(h)) zones.set(zoneOf.get(h)!, (zones.get(zoneOf.get(h)!) ?? 0) + 1);
  const focusService = c.findings.alertServices[0];
  for (const e of nodeEvents) {
    const dt = c.onset - e.time;
    const host = eventHosts(e)[0];
    const zone = host ? zoneOf.get(host) : undefined;
    const place = zone && (zones.get(zone) ?? 0) >= 2 ? zone : host;
    const svc = (focusService && implicated.has(focusService) ? focusService : undefined) ?? e.services.find((s) => implicated.has(s)) ?? hurt;
    out.push({
      key: `infrastructure|${place ?? e.text.slice(0, 40)}`,
      causeKind: 'infrastructure',
      mechanism: place === zone && zone ? 'zone' : 'node-event',
      ...(svc ? { service: svc } : {}),
      ...(place ? { host: place } : {}),
      pro: [{ weight: dt <= 5 * MIN ? 1.1 : 0.7, reason: `"${e.text.slice(0, 100)}" at ${fmtTime(e.time)}`, evidence: { kind: 'config', ref: e.ref, title: `${e.source}: ${e.text.slice(0, 160)}`, why: 'The platform under the service changed at the onset.', weight: 0.4, time: e.time } }],
      con: [],
      sentence: `a platform event on ${place ?? 'a node'} ("${e.text.slice(0, 60)}")`,
    });
  }
  // A disk filling up.
  const disk = c.moved.filter((s) => s.resource === 'disk' && s.excursion.direction === 'down' && s.excursion.onset <= c.onset + 5 * MIN);
  const diskClass = c.classes().get('disk') ?? 0;
  if (disk.length || diskClass > 0.3) {
    const d = disk[0];
    const host = d?.host;
    out.push({
      key: `infrastructure|disk|${host ?? ''}`,
      causeKind: 'infrastructure',
      mechanism: 'disk',
      ...(hurt ? { service: hurt } : {}),
      ...(host ? { host } : {}),
      pro: [{ weight: (d ? 1.0 : 0) + (diskClass > 0.3 ? 1.0 : 0), reason: d ? `${d.name}${host ? ` on ${host}` : ''} fell to ${d.excursion.ratio.toFixed(2)}x of its level` : 'the failures say a disk is full', ...(d ? { evidence: { kind: 'metric' as const, ref: d.id, title: `${d.name}${host ? ` on ${host}` : ''} falling since ${fmtTime(d.excursion.onset)}`, why: 'The disk filled up.', weight: 0.5, time: d.excursion.onset } } : {}) }],
      con: [],
      sentence: `a full disk${host ? ` on ${host}` : ''}`,
    });
  }
  // The clock: time offsets and leap seconds move for every host at once.
  const clocks = c.moved.filter((s) => /(^|[._])(timex|ntp|clock|leap|tai_offset|time_offset|clock_skew)/.test(s.name.toLowerCase()) && Math.abs(s.excursion.onset - c.onset) <= 10 * MIN);
  const clock = clocks[0];
  const clockHosts = new Set(clocks.map((s) => s.host ?? s.id)).size;
  // Patterns cover warnings and errors; the clock lines, routine ones (findings.clockLines).
  const leapText = f.changeEvents.find((e) => CLOCK_WORDS.test(e.text)) ?? f.logPatterns.find((p) => CLOCK_WORDS.test(p.template)) ?? f.clockLines?.[0];
  if (clock || leapText) {
    out.push({
      key: 'infrastructure|clock',
      causeKind: 'infrastructure',
      mechanism: 'clock',
      ...(hurt ? { service: hurt } : {}),
      pro: [{ weight: clock && clockHosts > 1 ? 1.8 : 1.2, reason: clock ? `${clock.name} moved at the onset on ${clockHosts} host(s)` : 'the logs speak of a clock step or leap second', ...(clock ? { evidence: { kind: 'metric' as const, ref: clock.id, title: `${clock.name} moved at ${fmtTime(clock.excursion.onset)}`, why: 'The clock changed under the software.', weight: 0.5, time: clock.excursion.onset } } : {}) }],
      con: [],
      sentence: 'a clock event (time offset or leap second) on the hosts',
    });
  }
  // Names that no longer resolve: the resolver or the zone that serves them, not the peers looked up.
  const dns = c.classes().get('dns') ?? 0;
  const allClasses = [...c.classes().values()].reduce((a, b) => a + b, 0) || 1;
  if (dns / allClasses >= 0.4) {
    const resolver = c.knownServices.find((s) => /dns|resolver|bind|coredns|named/i.test(s) && (c.moved.some((m) => m.service === s) || f.changeEvents.some((e) => e.services.includes(s))));
    const change = f.changeEvents.find((e) => c.onset - e.time <= 20 * MIN && c.onset - e.time >= -2 * MIN && /dns|zone|record|delegat|resolv|bind|ns\b/i.test(e.text));
    const target = resolver ?? change?.services[0];
    if (target) {
      out.push({
        key: `config-change|runtime|${target}`,
        causeKind: 'config-change',
        mechanism: 'runtime-change',
        service: target,
        ...(change ? { event: change } : {}),
        pro: [{ weight: 1.4 * (dns / allClasses), reason: `${Math.round((dns / allClasses) * 100)}% of the failures are name-resolution failures` }, ...(change ? [{ weight: 0.8, reason: `the DNS change "${change.text.slice(0, 80)}" at ${fmtTime(change.time)}`, evidence: { kind: 'config' as const, ref: change.ref, title: change.text.slice(0, 160), why: 'A change to name resolution at the onset.', weight: 0.5, time: change.time } }] : [])],
        con: [],
        sentence: `a change to name resolution in ${target}`,
      });
    }
  }
  return mergeByKey(out);
}

/** Candidates with the same key (the same cause found two ways) become one, their pieces combined. */
export function mergeByKey(cands: Candidate[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const c of cands) {
    const k = byKey.get(c.key);
    if (!k) byKey.set(c.key, { ...c, pro: [...c.pro], con: [...c.con] });
    else {
      k.pro.push(...c.pro);
      k.con.push(...c.con);
    }
  }
  return [...byKey.values()];
}
