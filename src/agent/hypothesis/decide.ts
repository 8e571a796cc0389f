// Stage 2 of the hypothesis: decide which cause explains the incident, from the collected signals.
// The decision says the cause kind, where it lives (service, host, dependency, commit), the features the
// confidence is computed from, and the evidence it rests on (as data; ids are given when it is explained).
import type { CauseKind, Evidence } from '../../core/model';
import type { SuspectFinding } from '../../core/investigation';
import type { Collected, MovedSeries } from './collect';
import type { DecisionFeatures } from './confidence';
import { fmtTime } from './format';

const MIN = 60_000;

export type EvidenceSpec = Omit<Evidence, 'id'>;

export interface Decision {
  causeKind: CauseKind;
  service?: string;
  suspect?: SuspectFinding;
  host?: string;
  dependency?: string;
  /** A memory leak: restarting buys time. */
  leak?: boolean;
  features: DecisionFeatures;
  /** Evidence found while deciding (host series, traffic, memory), explained first. */
  support: EvidenceSpec[];
  /** A sentence for the summary, when the decision has one of its own. */
  sentence: string;
}

function seriesLabel(e: MovedSeries): string {
  return `${e.name}${e.service ? ` of ${e.service}` : ''}`;
}

export function decide(c: Collected): Decision | undefined {
  const { suspects, services, shareOf, topHost, dependency, extShare, trafficUp, saturated, memoryUp } = c;
  const hostShare = topHost?.share ?? 0;

  // A leak: memory climbing since a deploy of the same service (the deploy closest to the climb's start).
  let leakSuspect: { suspect: SuspectFinding; memory: MovedSeries } | undefined;
  for (const m of memoryUp) {
    for (const s of suspects) {
      if (!s.strength.deployed || !s.strength.services.includes(m.service!) || Math.abs(m.excursion.onset - s.time) >= 15 * MIN) continue;
      if (!leakSuspect || Math.abs(m.excursion.onset - s.time) < Math.abs(leakSuspect.memory.excursion.onset - leakSuspect.suspect.time)) leakSuspect = { suspect: s, memory: m };
    }
  }
  // A code change whose changed lines the failing frames or spans point into; a config change that went out just before.
  // A changed line that fails now but went out many hours ago would have failed then: it needs recent timing too.
  const codeCandidate = suspects.find((x) => x.strength.code >= 0.9 && !x.strength.config && (x.strength.close > 0 || x.strength.recency > 0.35));
  const configCandidate = suspects.find((x) => x.strength.config && x.strength.service > 0 && x.strength.close > 0.3);
  const commitFeatures = (s: SuspectFinding, kindStrength: number): DecisionFeatures => ({
    kindStrength,
    commitScore: s.score,
    // Lead over the best other suspect (negative leads count as none).
    commitMargin: Math.max(0, s.score - Math.max(0, ...suspects.filter((x) => x !== s).map((x) => x.score))),
    namesCommit: 1,
    serviceShare: shareOf(s.strength.services.find((x) => services.includes(x))),
  });
  const suspectService = (s: SuspectFinding): string | undefined => s.strength.services.find((x) => services.includes(x)) ?? s.strength.services[0];
  const s1 = suspects[0];
  const s2 = suspects[1];
  const margin = s1 ? s1.score - (s2?.score ?? 0) : 0;

  if (topHost && hostShare >= 0.6 && topHost.nodeLevel && topHost.anomalies >= 3) {
    const host = topHost.host;
    const svcOnHost = services.find((svc) => c.moved.some((e) => e.service === svc && e.host === host));
    const nodeSeries = c.moved.filter((e) => topHost.seriesIds.includes(e.id)).slice(0, 2);
    return {
      causeKind: 'infrastructure',
      service: svcOnHost,
      host,
      features: { kindStrength: Math.min(1, hostShare), commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(svcOnHost) },
      support: nodeSeries.map((e) => ({ kind: 'metric', ref: e.id, title: `${e.name} on ${host} at ${e.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(e.excursion.onset)}`, why: `Host-level saturation on ${host} only; instances on other hosts look normal.`, weight: 0.4, time: e.excursion.onset })),
      sentence: `host ${host} is degraded: ${Math.round(hostShare * 100)}% of the host-attributed anomalies are on it`,
    };
  }
  if (codeCandidate && (!configCandidate || suspects.indexOf(codeCandidate) < suspects.indexOf(configCandidate)) && !(dependency && extShare >= 0.5 && codeCandidate.strength.close === 0)) {
    // Errors that start at calls to a dependency outside our telemetry point at the dependency, unless
    // the code making those calls changed just before.
    return { causeKind: 'code-change', service: suspectService(codeCandidate), suspect: codeCandidate, features: commitFeatures(codeCandidate, codeCandidate.strength.code), support: [], sentence: '' };
  }
  if (configCandidate) {
    return { causeKind: 'config-change', service: suspectService(configCandidate), suspect: configCandidate, features: commitFeatures(configCandidate, Math.min(1, configCandidate.strength.close * configCandidate.strength.service)), support: [], sentence: '' };
  }
  if (dependency && extShare >= 0.5) {
    return {
      causeKind: 'dependency',
      service: dependency,
      dependency,
      features: { kindStrength: extShare, commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(c.extErrors[0].service) },
      support: [],
      sentence: '',
    };
  }
  if (trafficUp.length && saturated.length && Math.min(...trafficUp.map((e) => e.excursion.onset)) <= saturated[0].excursion.onset + MIN) {
    const t = trafficUp[0];
    const sat = saturated[0];
    const svc = sat.service!;
    return {
      causeKind: 'capacity',
      service: svc,
      features: { kindStrength: Math.min(1, (Math.max(...trafficUp.map((e) => e.excursion.ratio)) - 1) / 3), commitScore: 0, commitMargin: 0, namesCommit: 0, serviceShare: shareOf(svc) },
      support: [
        { kind: 'metric', ref: t.id, title: `${t.name} of ${t.service ?? '?'} rose ${t.excursion.ratio.toFixed(1)}x at ${fmtTime(t.excursion.onset)}`, why: 'Traffic rose first.', weight: 0.4, time: t.excursion.onset },
        { kind: 'metric', ref: sat.id, title: `${sat.name} of ${svc} at ${sat.excursion.ratio.toFixed(1)}x its baseline since ${fmtTime(sat.excursion.onset)}`, why: 'The service ran out of headroom after the traffic rose.', weight: 0.4, time: sat.excursion.onset },
      ],
      sentence: `traffic rose ${t.excursion.ratio.toFixed(1)}x and ${svc} saturated`,
    };
  }
  if (leakSuspect) {
    const { suspect: ls, memory: m } = leakSuspect;
    return {
      causeKind: 'code-change',
      leak: true,
      service: m.service,
      suspect: ls,
      features: commitFeatures(ls, 1 - Math.abs(m.excursion.onset - ls.time) / (15 * MIN)),
      support: [{ kind: 'metric', ref: m.id, title: `${seriesLabel(m)} has grown since ${fmtTime(m.excursion.onset)} (${m.excursion.ratio.toFixed(1)}x)`, why: `Memory started climbing ${Math.round(Math.abs(m.excursion.onset - ls.time) / MIN)} min after the deploy of ${ls.sha.slice(0, 8)}: a leak it introduced.`, weight: 0.5, time: m.excursion.onset }],
      sentence: `memory of ${m.service} has grown steadily since the deploy of ${ls.sha.slice(0, 8)}`,
    };
  }
  if (s1 && s1.strength.service >= 1 && s1.strength.close > 0.3 && (margin > 0.1 || (s2 !== undefined && s2.strength.service < 1))) {
    // Weakest lead: only timing and the service point at it; the confidence says so.
    return { causeKind: s1.strength.config ? 'config-change' : 'code-change', service: suspectService(s1), suspect: s1, features: commitFeatures(s1, 0.4 * s1.strength.recency), support: [], sentence: '' };
  }
  return undefined;
}
