// Commits with files, hunks and deploy markers, as the git change source reports them.

import type { Change, ChangedFile } from '../../../../../src/core/model';
import type { SeededRandom } from './random';

export interface HunkSpec {
  newStart: number;
  newLines: number;
  oldStart?: number;
  oldLines?: number;
}

export interface FileSpec {
  path: string;
  status?: ChangedFile['status'];
  hunks: HunkSpec[];
}

export interface CommitSpec {
  /** Fixed for the guilty commit (its sha is in the truth file); generated otherwise. */
  sha?: string;
  author: string;
  email: string;
  time: number;
  message: string;
  files: FileSpec[];
  deploy?: { ref: string; time: number; environment?: string };
}

export function commit(rng: SeededRandom, spec: CommitSpec): Change {
  const files: ChangedFile[] = spec.files.map((f) => {
    const status = f.status ?? 'M';
    const hunks = f.hunks.map((h) => ({
      newStart: h.newStart,
      newLines: h.newLines,
      oldStart: h.oldStart ?? (status === 'A' ? 0 : h.newStart),
      oldLines: h.oldLines ?? (status === 'A' ? 0 : Math.max(0, Math.round(h.newLines / 3))),
    }));
    return {
      path: f.path,
      status,
      additions: hunks.reduce((n, h) => n + h.newLines, 0),
      deletions: hunks.reduce((n, h) => n + h.oldLines, 0),
      hunks,
    };
  });
  const change: Change = { sha: spec.sha ?? rng.hex(40), author: spec.author, email: spec.email, time: spec.time, message: spec.message, files };
  if (spec.deploy) change.deploy = spec.deploy;
  return change;
}

/** Newest first, each commit's parent the one before it, as `git log` lists a linear history. */
export function history(changes: Change[]): Change[] {
  const byTime = [...changes].sort((a, b) => a.time - b.time);
  byTime.forEach((c, i) => {
    if (i > 0) c.parents = [byTime[i - 1].sha];
  });
  return byTime.reverse();
}
