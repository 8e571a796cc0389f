// SZZ labelling (Śliwerski, Zimmermann and Zeller, MSR 2005): a commit is bug-introducing when a
// later bug-fixing commit changed or deleted lines it wrote. For each fix, the lines it changed are
// blamed at the fix's parent; the commits that last touched them introduced the bug. Blank and
// comment-only lines are skipped (they fix nothing; the refinement of Kim et al., ASE 2006). A
// revert is stronger evidence still: the commit it names is labelled directly.
//
// Labels need time to appear: a bug in last week's commit may not be fixed yet. labelHorizon says
// how recent a commit may be and still count as clean.
import type { ChangeHistory, HistoryCommit, LineOriginReader, OldLineRanges } from '../../core/changeHistory';
import { isFixMessage, revertedShas } from './features';

export interface BugIntroduction {
  sha: string;
  /** The fixing (or reverting) commits that point at it. */
  fixedBy: string[];
  via: 'szz' | 'revert';
}

export interface SzzOptions {
  /** Most recent fixes examined; default 200. */
  maxFixes?: number;
  /** Files of one fix blamed; default 20. */
  maxFilesPerFix?: number;
  /** Changed old-side lines of one file blamed; default 400. */
  maxLinesPerFile?: number;
  /** Blame runs in all, newest fixes first; default 400 (each is one git process). */
  maxBlames?: number;
  /**
   * What earlier runs found for each fix (a fix's blame never changes): fixes found here are not
   * blamed again, and fixes blamed now are stored.
   */
  cache?: SzzCache;
  signal?: AbortSignal;
}

/** The commits each fix's changed lines came from, by the fix's sha. */
export interface SzzCache {
  get(fixSha: string): readonly string[] | undefined;
  set(fixSha: string, introducing: readonly string[]): void;
}

export interface SzzResult {
  introducing: Map<string, BugIntroduction>;
  fixesExamined: number;
  reverts: number;
  /** Median days from an introducing commit to its first fix, over the pairs found. */
  medianDaysToFix?: number;
}

/** A line that no fix repairs: blank, or only a comment or a brace. */
export function isMeaninglessLine(text: string): boolean {
  const t = text.trim();
  return t === '' || /^(?:\/\/|#|--|;|\*|\/\*|\*\/|<!--)/.test(t) || /^[{}()[\];,]+$/.test(t);
}

export async function labelBugIntroducing(history: Pick<ChangeHistory, 'commits'>, reader: LineOriginReader, opts: SzzOptions = {}): Promise<SzzResult> {
  const bySha = new Map<string, HistoryCommit>();
  for (const c of history.commits) bySha.set(c.sha, c);
  const resolve = (prefix: string): HistoryCommit | undefined => bySha.get(prefix) ?? (prefix.length >= 7 ? history.commits.find((c) => c.sha.startsWith(prefix)) : undefined);
  const introducing = new Map<string, BugIntroduction>();
  const latencies: number[] = [];
  const mark = (intro: HistoryCommit, fix: HistoryCommit, via: BugIntroduction['via']): void => {
    const known = introducing.get(intro.sha);
    if (known) {
      if (!known.fixedBy.includes(fix.sha)) known.fixedBy.push(fix.sha);
      if (via === 'revert') known.via = 'revert';
      return;
    }
    introducing.set(intro.sha, { sha: intro.sha, fixedBy: [fix.sha], via });
    latencies.push(Math.max(0, fix.time - intro.time) / 86_400_000);
  };

  let reverts = 0;
  for (const c of history.commits) {
    for (const target of revertedShas(c.message)) {
      const intro = resolve(target);
      if (intro && intro.sha !== c.sha && intro.time <= c.time) {
        mark(intro, c, 'revert');
        reverts++;
      }
    }
  }

  const fixes = history.commits.filter((c) => isFixMessage(c.message) && c.parents.length > 0 && !revertedShas(c.message).length).slice(-(opts.maxFixes ?? 200));
  const fresh = fixes.filter((f) => !opts.cache?.get(f.sha));
  for (const fix of fixes) {
    for (const sha of opts.cache?.get(fix.sha) ?? []) {
      const intro = bySha.get(sha);
      if (intro && intro.sha !== fix.sha && intro.time <= fix.time) mark(intro, fix, 'szz');
    }
  }
  const changed: Map<string, OldLineRanges[]> = fresh.length ? await reader.changedOldLines(fresh.map((f) => f.sha), opts.signal) : new Map();
  let blames = opts.maxBlames ?? 400;
  // Newest fixes first: when the blame budget runs out, the recent history is the labelled one.
  for (const fix of [...fresh].reverse()) {
    if (blames <= 0) break;
    const found = new Set<string>();
    let complete = true;
    const files = (changed.get(fix.sha) ?? []).filter((f) => f.ranges.some((r) => r.count > 0)).slice(0, opts.maxFilesPerFix ?? 20);
    for (const f of files) {
      opts.signal?.throwIfAborted();
      const ranges: { start: number; count: number }[] = [];
      let budget = opts.maxLinesPerFile ?? 400;
      for (const r of f.ranges) {
        if (r.count <= 0 || budget <= 0) continue;
        const count = Math.min(r.count, budget);
        ranges.push({ start: r.start, count });
        budget -= count;
      }
      if (!ranges.length) continue;
      if (blames-- <= 0) {
        complete = false;
        continue;
      }
      const origins = await reader.lineOrigins(fix.parents[0], f.path, ranges, opts.signal);
      for (const o of origins) {
        if (isMeaninglessLine(o.text)) continue;
        found.add(o.sha);
        const intro = bySha.get(o.sha);
        if (intro && intro.sha !== fix.sha && intro.time <= fix.time) mark(intro, fix, 'szz');
      }
    }
    // Only a fix whose every file was blamed is remembered as done.
    if (complete) opts.cache?.set(fix.sha, [...found]);
  }
  latencies.sort((a, b) => a - b);
  return {
    introducing,
    fixesExamined: fixes.length,
    reverts,
    ...(latencies.length ? { medianDaysToFix: latencies[Math.floor(latencies.length / 2)] } : {}),
  };
}

/**
 * How old a commit must be before "no fix found" counts as clean: the median time to a fix seen in
 * this history, at least 7 and at most 90 days (30 when no pair was found).
 */
export function labelHorizonDays(result: Pick<SzzResult, 'medianDaysToFix'>): number {
  return Math.min(90, Math.max(7, result.medianDaysToFix ?? 30));
}
