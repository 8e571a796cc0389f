// Log patterns around the onset: every line mined once (../logPatterns.ts), each template counted before
// and after the onset, new or rising ones flagged. The panel and the hypothesis read this one list, so an
// evidence link to a pattern always finds it.
import type { LogRecord } from '../../core/model';
import type { LogPatternFinding } from '../../core/investigation';
import { comparePatterns } from '../logPatterns';

const MIN = 60_000;

function bucketWidth(buckets: { t: number }[]): number {
  return buckets.length > 1 ? buckets[1].t - buckets[0].t : MIN;
}
/** Patterns kept for the panel and the hypothesis, the most interesting first. */
const MAX_PATTERNS = 200;

export function logFindings(logs: LogRecord[], onset: number, window: { start: number; end: number }, alertTime: number, warnings: string[]): LogPatternFinding[] {
  let report: ReturnType<typeof comparePatterns>;
  try {
    report = comparePatterns(logs, onset, { maxPatterns: MAX_PATTERNS });
  } catch (err) {
    warnings.push(`log pattern mining failed: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
  const minutesBefore = Math.max(1, (onset - window.start) / MIN);
  const minutesAfter = Math.max(1, (Math.max(window.end, alertTime) - onset) / MIN);
  return report.patterns.map((p) => {
    const rising = p.countAfter >= 3 && p.countAfter / minutesAfter > 3 * (p.countBefore / minutesBefore) + 0.05;
    // First line at or after the onset, to the pattern's bucket resolution.
    const firstAfterBucket = p.buckets.find((b) => b.count > 0 && b.t + bucketWidth(p.buckets) > onset);
    const firstSeenBucket = p.buckets.find((b) => b.count > 0);
    return {
      ...(firstAfterBucket ? { firstAfter: Math.max(onset, firstAfterBucket.t) } : {}),
      ...(firstSeenBucket ? { firstSeen: firstSeenBucket.t } : {}),
      id: p.id,
      template: p.template,
      level: p.level,
      ...(p.service !== undefined ? { service: p.service } : {}),
      countBefore: p.countBefore,
      countAfter: p.countAfter,
      isNew: p.isNew,
      rateChange: p.rateChange,
      rising,
      samples: p.samples,
    };
  });
}
