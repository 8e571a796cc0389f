// The Kamei change metrics of every commit of a history, computed in one pass from the oldest commit
// to the newest, each from what was known before it. The definitions follow the extraction that
// produced the public data set our shipped model was fitted on (ZZR0/ISSTA21-JIT-DP,
// Data_Extraction/git_base/extract_k_feature.py), so the model reads our values as it read those:
//
//   ns       distinct subsystems (first path component; a top-level file is in "root")
//   nd       distinct directories (a top-level file is in "root")
//   nf       distinct files (by path: that extraction counted file names, merging same-named files)
//   entropy  -sum p log2 p over files, p = the file's added + deleted lines over the commit's
//   la, ld   lines added and deleted; lt = lines the touched files had before the commit
//   fix      the message says it fixes something (isFixMessage)
//   ndev     distinct authors who changed the touched files before, the author included
//   age      mean over the touched files of days since each last changed (0 for a new file)
//   nuc      sum over the touched files of their earlier changes plus this one
//   exp      the author's file changes so far, this commit's included
//   rexp     the same, each weighted by 1 / (1 + its age in days)
//   sexp     distinct files the author has changed in the subsystems this commit touches
//
// Authors are told apart by e-mail address (lower case), or by name without one.
import type { ChangeHistory, HistoryCommit } from '../../core/changeHistory';
import type { ChangeMetrics } from './metrics';

const DAY_MS = 86_400_000;

// Mockus and Votta's keywords, as Kamei et al. used them, with their inflections; the conventional
// "fix:" prefix is covered by \bfix\b.
const FIX_WORDS = /\b(?:fix(?:e[sd]|ing|up)?|bug(?:s|fix(?:es)?)?|defects?|patch(?:e[sd])?|hotfix(?:es)?)\b/i;

/** Whether a commit message says the commit fixes a defect. */
export function isFixMessage(message: string): boolean {
  return FIX_WORDS.test(message);
}

/** The commits a revert names ("This reverts commit <sha>.", git's own wording). */
export function revertedShas(message: string): string[] {
  return [...message.matchAll(/This reverts commit ([0-9a-f]{7,64})/gi)].map((m) => m[1].toLowerCase());
}

export function subsystemOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? 'root' : path.slice(0, slash);
}

export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? 'root' : path.slice(0, slash);
}

export function authorKey(c: Pick<HistoryCommit, 'authorEmail' | 'authorName'>): string {
  return c.authorEmail ? c.authorEmail.trim().toLowerCase() : `name:${c.authorName.trim()}`;
}

interface FileState {
  lines: number;
  lastChange?: number;
  authors: Set<string>;
  changes: number;
}

/** Metrics of every commit of the history, keyed by sha, computed in history order. */
export function computeChangeMetrics(history: Pick<ChangeHistory, 'commits' | 'initialLines'>): Map<string, ChangeMetrics> {
  const files = new Map<string, FileState>();
  // author -> file -> times the author changed it
  const authorFiles = new Map<string, Map<string, number[]>>();
  const out = new Map<string, ChangeMetrics>();
  // A truncated history starts from the files as they were: their sizes, but no known authors or changes.
  for (const [path, lines] of Object.entries(history.initialLines ?? {})) files.set(path, { lines, authors: new Set(), changes: 0 });

  for (const c of history.commits) {
    const author = authorKey(c);
    const now = c.time;
    const subsystems = new Set<string>();
    const dirs = new Set<string>();
    const paths = new Set<string>();
    const devs = new Set<string>([author]);
    let la = 0;
    let ld = 0;
    let lt = 0;
    let nuc = 0;
    const churn: number[] = [];
    const ages: number[] = [];
    for (const f of c.files) {
      subsystems.add(subsystemOf(f.path));
      dirs.add(directoryOf(f.path));
      paths.add(f.path);
      const before = f.status === 'A' ? undefined : files.get(f.oldPath ?? f.path);
      la += f.added;
      ld += f.deleted;
      churn.push(f.added + f.deleted);
      lt += before?.lines ?? 0;
      for (const a of before?.authors ?? []) devs.add(a);
      ages.push(before?.lastChange !== undefined ? Math.max(0, now - before.lastChange) / DAY_MS : 0);
      nuc += (before?.changes ?? 0) + 1;
    }
    const total = churn.reduce((a, b) => a + b, 0);
    let entropy = 0;
    for (const x of churn) {
      if (x > 0 && total > 0) entropy -= (x / total) * Math.log2(x / total);
    }

    // The author's experience, this commit included (as the reference extraction counts it).
    let mine = authorFiles.get(author);
    if (!mine) authorFiles.set(author, (mine = new Map()));
    for (const p of paths) {
      const times = mine.get(p);
      if (times) times.push(now);
      else mine.set(p, [now]);
    }
    let exp = 0;
    let rexp = 0;
    let sexp = 0;
    for (const [p, times] of mine) {
      exp += times.length;
      for (const t of times) rexp += 1 / (Math.max(0, now - t) / DAY_MS + 1);
      if (subsystems.has(subsystemOf(p))) sexp++;
    }

    out.set(c.sha, {
      ns: subsystems.size,
      nd: dirs.size,
      nf: paths.size,
      entropy,
      la,
      ld,
      lt,
      fix: isFixMessage(c.message) ? 1 : 0,
      ndev: devs.size,
      age: ages.length ? ages.reduce((a, b) => a + b, 0) / ages.length : 0,
      nuc,
      exp,
      rexp,
      sexp,
    });

    // What the next commits will know about these files.
    for (const f of c.files) {
      const prior = f.status === 'A' ? undefined : files.get(f.oldPath ?? f.path);
      if (f.oldPath && f.oldPath !== f.path) files.delete(f.oldPath);
      if (f.status === 'D') {
        files.delete(f.path);
        continue;
      }
      const s: FileState = prior ? { ...prior, authors: new Set(prior.authors) } : { lines: 0, authors: new Set(), changes: 0 };
      s.lines = f.binary ? s.lines : Math.max(0, s.lines + f.added - f.deleted);
      s.lastChange = now;
      s.authors.add(author);
      s.changes += 1;
      files.set(f.path, s);
    }
  }
  return out;
}
