// Log patterns around the onset: every line mined once (../logPatterns.ts), each template counted before
// and after the onset, new or rising ones flagged. The panel and the hypothesis read this one list, so an
// evidence link to a pattern always finds it.
//
// The list is made in two parts. Warnings, errors and lines without a level come first: the hypothesis
// reads only those. Routine lines (trace, debug, info), most of a busy service's logs, are mined after
// the hypothesis, for the panel (completeFindings). Every level is mined apart and the time span is
// that of all lines, so the two parts together are what one pass over every line would give, and the
// first part's patterns are all kept: the hypothesis's evidence is always in the final list.
import type { LogLevel, LogRecord } from '../../core/model';
import type { LogPatternFinding } from '../../core/investigation';
import { byInterest, comparePatterns } from '../logPatterns';

const MIN = 60_000;

function bucketWidth(buckets: { t: number }[]): number {
  return buckets.length > 1 ? buckets[1].t - buckets[0].t : MIN;
}
/** Patterns kept for the panel and the hypothesis, the most interesting first. */
const MAX_PATTERNS = 200;

/** The levels mined after the hypothesis, for the panel; the rest (warn, error, fatal, unknown) first. */
export const ROUTINE_LEVELS: ReadonlySet<LogLevel> = new Set<LogLevel>(['trace', 'debug', 'info']);

/**
 * The patterns of `logs`. When they are the lines of one part (computeFindings splits the lines by
 * level in its one pass over them), `span` is the time span of all lines.
 */
export function logFindings(logs: readonly LogRecord[], onset: number, window: { start: number; end: number }, alertTime: number, warnings: string[], span?: { min: number; max: number }): LogPatternFinding[] {
  let report: ReturnType<typeof comparePatterns>;
  try {
    report = comparePatterns(logs, onset, { maxPatterns: MAX_PATTERNS, ...(span ? { span } : {}) });
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

/**
 * The first part's patterns with the routine ones, the most interesting first: every pattern of the
 * first part stays (the hypothesis may cite it), routine ones fill the list up to its size. An id
 * taken by the first part (two templates, one hash) gets the next free `-k` suffix.
 */
export function mergeLogFindings(first: LogPatternFinding[], routine: LogPatternFinding[]): LogPatternFinding[] {
  const taken = new Set(first.map((p) => p.id));
  const room = Math.max(0, MAX_PATTERNS - first.length);
  const extra: LogPatternFinding[] = [];
  for (const p of [...routine].sort(byInterest)) {
    if (extra.length >= room) break;
    let id = p.id;
    for (let k = 2; taken.has(id); k++) id = `${p.id}-${k}`;
    taken.add(id);
    extra.push(id === p.id ? p : { ...p, id });
  }
  return [...first, ...extra].sort(byInterest);
}
