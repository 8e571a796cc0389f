// Stage 1 of the hypothesis: collect, from the findings, the signals each kind of cause rests on: new
// error origins and the share of them at external peers, rising error logs, traffic, saturation and
// memory excursions, the host that stands out, and the ranked suspect changes.
import type { ErrorOriginFinding, Findings, HostFinding, LogPatternFinding, SeriesFinding, SuspectFinding } from '../../core/investigation';

export type MovedSeries = SeriesFinding & { excursion: NonNullable<SeriesFinding['excursion']> };

export interface Collected {
  findings: Findings;
  moved: MovedSeries[];
  /** Error origins that are new or much more frequent than before the onset. */
  newOrigins: ErrorOriginFinding[];
  originTotal: number;
  /** New origins at calls to peers with no telemetry of their own. */
  extErrors: ErrorOriginFinding[];
  extShare: number;
  dependency?: string;
  risingPatterns: LogPatternFinding[];
  trafficUp: MovedSeries[];
  saturated: MovedSeries[];
  memoryUp: MovedSeries[];
  topHost?: HostFinding;
  suspects: SuspectFinding[];
  /** Implicated services, most implicated first. */
  services: string[];
  shareOf(service: string | undefined): number;
}

export function collect(findings: Findings): Collected {
  const moved = findings.series.filter((s): s is MovedSeries => !!s.excursion);
  const newOrigins = findings.errorOrigins.filter((o) => o.count >= 3 && o.count > 2 * o.countBefore);
  const originTotal = newOrigins.reduce((a, o) => a + o.count, 0) || 1;
  const extErrors = newOrigins.filter((o) => o.external).sort((a, b) => b.count - a.count);
  const extShare = extErrors.reduce((a, o) => a + o.count, 0) / originTotal;
  const share = new Map(findings.services.map((s) => [s.service, s.share]));
  return {
    findings,
    moved,
    newOrigins,
    originTotal,
    extErrors,
    extShare,
    dependency: extErrors[0]?.external,
    risingPatterns: findings.logPatterns.filter((p) => p.rising && (p.level === 'error' || p.level === 'fatal' || p.level === 'warn')).sort((a, b) => b.countAfter - a.countAfter),
    trafficUp: moved.filter((e) => e.excursion.direction === 'up' && e.role === 'traffic' && e.excursion.ratio >= 1.8),
    saturated: moved.filter((e) => e.excursion.direction === 'up' && e.role === 'saturation' && e.service).sort((a, b) => b.excursion.ratio - a.excursion.ratio),
    memoryUp: moved.filter((e) => e.excursion.direction === 'up' && e.role === 'memory' && e.service),
    topHost: findings.hosts[0],
    suspects: findings.suspects,
    services: findings.services.map((s) => s.service),
    shareOf: (svc) => (svc ? (share.get(svc) ?? 0) : 0),
  };
}
