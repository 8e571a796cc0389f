// Runtime changes as candidate causes: a flag flipped, configuration set or pushed, an operator's
// command, seen in the telemetry at the onset and naming (or running in) the service where the
// failures start; and certificates whose expiry shows as TLS failures on the calls into a service.
import type { Collected } from '../collect';
import type { Candidate, Piece } from './types';
import { fmtTime } from '../format';

const MIN = 60_000;

export function runtimeCandidates(c: Collected): Candidate[] {
  const f = c.findings;
  const out: Candidate[] = [];
  const locusSvc = c.topLocus && !c.topLocus.external ? c.topLocus.service : undefined;
  const implicated = c.services.slice(0, 4);
  const strongly = new Set(f.services.filter((s) => s.share >= 0.1).map((s) => s.service));
  if (locusSvc) strongly.add(locusSvc);
  // A flag's flip in the evaluating service's spans tells which service a flag service's line is about.
  const flips = f.changeEvents.filter((e) => e.kind === 'flag' && e.source === 'span-event');
  const best = new Map<string, Candidate>();
  const limitFailures = (svc: string): number => {
    const m = c.classes(svc);
    const total = [...m.values()].reduce((a, b) => a + b, 0) || 1;
    return ((m.get('quota') ?? 0) + (m.get('pool') ?? 0)) / total;
  };
  for (const e of f.changeEvents) {
    if (e.kind === 'deploy' || e.kind === 'restart' || e.kind === 'infrastructure') continue;
    const dt = c.onset - e.time;
    if (dt < -2 * MIN || dt > 30 * MIN) continue;
    const flipped = e.kind === 'flag' && e.source !== 'span-event' ? flips.find((x) => { const key = /feature flag (\S+)/.exec(x.text)?.[1]; return !!key && e.text.includes(key); }) : undefined;
    const services = [...new Set([...e.services, ...(flipped?.services ?? [])])];
    const named = services.filter((s) => implicated.includes(s) || s === locusSvc);
    const target = (locusSvc && services.includes(locusSvc) ? locusSvc : undefined) ?? named[0] ?? flipped?.services[0] ?? services[0] ?? (strongly.has(e.source) ? e.source : undefined) ?? locusSvc ?? implicated[0];
    if (!target) continue;
    const key = `config-change|runtime|${target}`;
    const pro: Piece[] = [];
    const con: Piece[] = [];
    const evidence = { kind: 'config' as const, ref: e.ref, title: `${e.source}: ${e.text.slice(0, 160)}`, why: `A ${e.kind} change ${dt >= 0 ? `${Math.round(dt / MIN)} min before` : 'at'} the onset.`, weight: 0.5, time: e.time };
    if (Math.abs(dt) <= 2 * MIN) pro.push({ weight: 1.2, reason: `${e.kind === 'flag' ? 'a flag flipped' : e.kind === 'operation' ? 'an operator acted' : 'the configuration changed'} at the onset (${fmtTime(e.time)})`, evidence });
    else if (dt <= 10 * MIN) pro.push({ weight: 0.9, reason: `${e.kind} change ${Math.round(dt / MIN)} min before the onset`, evidence });
    else pro.push({ weight: 0.4, reason: `${e.kind} change ${Math.round(dt / MIN)} min before the onset`, evidence });
    if (named.length || (locusSvc && e.hosts.length && f.series.some((x) => x.service === locusSvc && x.host && e.hosts.includes(x.host)))) pro.push({ weight: 0.9, reason: `it names ${named[0] ?? locusSvc}, where the failures are` });
    else if (flipped) pro.push({ weight: 0.9, reason: `${flipped.services[0]} evaluates that flag differently since` });
    else if (e.source === target && strongly.has(target)) pro.push({ weight: 0.5, reason: `it happened in ${target}` });
    else con.push({ weight: 0.7, reason: 'it names no service that shows a symptom' });
    if (e.kind === 'flag') pro.push({ weight: e.source === 'span-event' ? 0.6 : 0.4, reason: 'a feature flag changes what code runs, without a deploy' });
    else if (e.kind === 'operation') pro.push({ weight: 0.3, reason: 'an operator command changes running state' });
    else if (e.kind === 'migration') pro.push({ weight: 0.2, reason: 'a schema migration takes locks and changes queries' });
    else pro.push({ weight: 0.3, reason: 'a configuration change changes behaviour without a deploy' });
    const dominant = c.dominantClass;
    if (dominant?.cls === 'config' || dominant?.cls === 'code') pro.push({ weight: 0.2, reason: `the failures are ${dominant.cls} failures, as a bad value causes` });
    // A limit that was reached is capacity, whatever lowered it.
    if (limitFailures(target) >= 0.4) con.push({ weight: 1.2, reason: `the failures at ${target} say a limit or quota was reached` });
    const cand: Candidate = { key, causeKind: 'config-change', mechanism: 'runtime-change', service: target, event: e, pro, con, sentence: `the ${e.kind} change "${e.text.slice(0, 100)}"` };
    const prev = best.get(key);
    const score = (x: Candidate) => x.pro.reduce((a, p) => a + p.weight, 0) - x.con.reduce((a, p) => a + p.weight, 0);
    if (!prev || score(cand) > score(prev)) best.set(key, cand);
  }
  out.push(...best.values());
  // Certificates: the calls into a service fail their TLS handshake.
  const tlsLocus = f.loci.find((l) => (l.errorClasses.tls ?? 0) > 0 && Math.max(l.errorShare, l.latencyShare) >= 0.2);
  const tls = c.classes().get('tls') ?? 0;
  const total = [...c.classes().values()].reduce((a, b) => a + b, 0) || 1;
  if (tls / total >= 0.3) {
    const target = tlsLocus?.service ?? locusSvc ?? implicated[0];
    if (target) {
      const expiry = f.changeEvents.find((e) => e.id.startsWith('cert:') && e.time <= c.onset + 5 * MIN);
      const pro: Piece[] = [{ weight: 1.8 * Math.min(1, tls / total + 0.2), reason: `${Math.round((tls / total) * 100)}% of the failures are TLS certificate failures${tlsLocus ? ` on calls into ${tlsLocus.service}` : ''}`, ...(tlsLocus?.refs[0] ? { evidence: { kind: 'span' as const, ref: tlsLocus.refs[0], title: `TLS failures on calls into ${tlsLocus.service}`, why: 'The handshake fails: the certificate, not the code.', weight: 0.5 } } : {}) }];
      if (expiry) pro.push({ weight: 0.8, reason: `a certificate expired at ${fmtTime(expiry.time)}`, evidence: { kind: 'metric', ref: expiry.ref, title: expiry.text, why: 'The probe saw the certificate expire.', weight: 0.5, time: expiry.time } });
      out.push({ key: `config-change|certificate|${target}`, causeKind: 'config-change', mechanism: 'certificate', service: target, pro, con: [], sentence: `an expired or invalid TLS certificate of ${target}` });
    }
  }
  return out;
}
