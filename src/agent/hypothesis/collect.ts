// Stage 1 of the hypothesis: collect, from the findings, what every candidate cause is judged against:
// where the failures originate (the loci, walked down the call graph), which services are implicated,
// what kinds of failure the messages describe, which series moved, and the timeline.
import type { Change } from '../../core/model';
import type { ErrorClass, ErrorOriginFinding, Findings, LocusFinding, LogPatternFinding, SeriesFinding } from '../../core/investigation';
import { errorClassOf } from '../../analysis/findings/errorClasses';

export type MovedSeries = SeriesFinding & { excursion: NonNullable<SeriesFinding['excursion']> };

export interface Collected {
  findings: Findings;
  changes: Change[];
  /** File contents the bundle carries (repo-relative path -> text), to read changed lines. */
  files: Record<string, string>;
  onset: number;
  alertTime: number;
  moved: MovedSeries[];
  /** Error origins that are new or much more frequent than before the onset. */
  newOrigins: ErrorOriginFinding[];
  originTotal: number;
  /** New origins at calls to peers with no telemetry of their own. */
  extErrors: ErrorOriginFinding[];
  extShare: number;
  dependency?: string;
  /** Error and warning patterns new or rising after the onset, most lines first. */
  risingPatterns: LogPatternFinding[];
  /** The locus that carries most of the new failures or latency. */
  topLocus?: LocusFinding;
  /** Implicated services, most implicated first (loci first). */
  services: string[];
  shareOf(service: string | undefined): number;
  /** Failure classes of the new failures (loci, origins, rising error logs), with weights; per service when given. */
  classes(service?: string): Map<ErrorClass, number>;
  /** The dominant failure class overall and its share of the classified failures. */
  dominantClass: { cls: ErrorClass; share: number } | undefined;
  /** Hosts and instances the telemetry names. */
  knownServices: string[];
}

export function collect(findings: Findings, changes: Change[] = [], files: Record<string, string> = {}): Collected {
  const moved = findings.series.filter((s): s is MovedSeries => !!s.excursion);
  const newOrigins = findings.errorOrigins.filter((o) => o.count >= 3 && o.count > 2 * o.countBefore);
  const originTotal = newOrigins.reduce((a, o) => a + o.count, 0) || 1;
  const extErrors = newOrigins.filter((o) => o.external).sort((a, b) => b.count - a.count);
  const extShare = extErrors.reduce((a, o) => a + o.count, 0) / originTotal;
  const share = new Map(findings.services.map((s) => [s.service, s.share]));
  const risingPatterns = findings.logPatterns.filter((p) => p.rising && (p.level === 'error' || p.level === 'fatal' || p.level === 'warn')).sort((a, b) => b.countAfter - a.countAfter);
  const loci = findings.loci ?? [];
  const topLocus = loci.find((l) => Math.max(l.errorShare, l.latencyShare) >= 0.25);
  const ranked = [...loci.filter((l) => Math.max(l.errorShare, l.latencyShare) >= 0.15).map((l) => l.service), ...findings.services.map((s) => s.service)];
  const services = [...new Set(ranked)];
  // Failure classes: loci's own counts, new origins, rising error log patterns (by their text).
  const classBy = new Map<string, Map<ErrorClass, number>>();
  const add = (svc: string, cls: ErrorClass | undefined, w: number): void => {
    if (!cls || cls === 'other') return;
    for (const key of [svc, '*']) {
      let m = classBy.get(key);
      if (!m) classBy.set(key, (m = new Map()));
      m.set(cls, (m.get(cls) ?? 0) + w);
    }
  };
  for (const l of loci) for (const [cls, n] of Object.entries(l.errorClasses)) add(l.service, cls as ErrorClass, (n ?? 0) / Math.max(1, Object.values(l.errorClasses).reduce((a, b) => a + (b ?? 0), 0)) * Math.max(l.errorShare, 0.1) * 3);
  for (const o of newOrigins) add(o.callee ?? o.external ?? o.service, o.errorClass, (o.count / originTotal) * 2);
  const errorPatterns = risingPatterns.filter((p) => p.level !== 'warn');
  const patternTotal = errorPatterns.reduce((a, p) => a + p.countAfter, 0) || 1;
  for (const p of errorPatterns) add(p.service ?? '*', errorClassOf(`${p.template} ${p.samples[0] ?? ''}`), (p.countAfter / patternTotal) * 2);
  const all = classBy.get('*');
  let dominantClass: Collected['dominantClass'];
  if (all?.size) {
    const total = [...all.values()].reduce((a, b) => a + b, 0);
    const [cls, w] = [...all.entries()].sort((a, b) => b[1] - a[1])[0];
    dominantClass = { cls, share: w / total };
  }
  return {
    findings,
    changes,
    files,
    onset: findings.onset.time,
    alertTime: findings.alertTime,
    moved,
    newOrigins,
    originTotal,
    extErrors,
    extShare,
    dependency: extErrors[0]?.external,
    risingPatterns,
    ...(topLocus ? { topLocus } : {}),
    services,
    shareOf: (svc) => (svc ? (share.get(svc) ?? 0) : 0),
    classes: (service) => classBy.get(service ?? '*') ?? new Map(),
    dominantClass,
    knownServices: findings.knownServices ?? [],
  };
}
