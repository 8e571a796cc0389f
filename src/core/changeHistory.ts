// A repository's commit history as plain data, for change-risk analysis: what each commit touched
// and how much, oldest first. src/sources/changeHistory.ts reads it from git; the metrics and the
// SZZ labelling in src/analysis/changeRisk/ compute from it.

export interface HistoryFile {
  /** Repository path after the commit. */
  path: string;
  /** The path before, for a rename. */
  oldPath?: string;
  status: 'A' | 'M' | 'D' | 'R';
  added: number;
  deleted: number;
  /** git shows no line counts for binary files. */
  binary: boolean;
}

export interface HistoryCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** Author time, ms since the epoch (when the change was written, which is what experience counts). */
  time: number;
  message: string;
  files: HistoryFile[];
}

export interface ChangeHistory {
  /** Oldest first; merge commits are not included (their diffs repeat their parents'). */
  commits: HistoryCommit[];
  /** True when the history was cut at the read limit: the oldest commit's parents exist but were not read. */
  truncated: boolean;
  /** Line counts of files at the oldest commit's parent, when the history was truncated. */
  initialLines?: Record<string, number>;
  /** The tip the history was read from (full sha). */
  tip: string;
}

/** Old-side line ranges a commit changed or deleted in one file (git's -U0 hunk headers). */
export interface OldLineRanges {
  path: string;
  ranges: { start: number; count: number }[];
}

/** A line of a file at a revision and the commit that last changed it (git blame). */
export interface LineOrigin {
  line: number;
  sha: string;
  text: string;
}

/** Reads what SZZ needs from the repository: the lines a fix touched and where they came from. */
export interface LineOriginReader {
  /** For each given commit, the old-side ranges it changed, per file. */
  changedOldLines(shas: readonly string[], signal?: AbortSignal): Promise<Map<string, OldLineRanges[]>>;
  /** Blame of the given line ranges of `path` at `rev`. */
  lineOrigins(rev: string, path: string, ranges: readonly { start: number; count: number }[], signal?: AbortSignal): Promise<LineOrigin[]>;
}
