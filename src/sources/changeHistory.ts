// The repository's history for change risk: every non-merge commit up to a tip with its files and
// line counts, the lines later fixes touched and where those lines came from (blame), revision
// ranges and refs. Every git run goes through gitCommand.ts (argv only, with the settings that would
// run a program neutralised); revisions and paths are checked before they reach git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChangeHistory, HistoryCommit, HistoryFile, LineOrigin, LineOriginReader, OldLineRanges } from '../core/changeHistory';
import { SourceError, errorMessage } from '../core/errors';
import { GitArgumentError, isGitFailure, repoPathProblem, revisionProblem, runGit, type GitFailure } from './gitCommand';
import { parseBlamePorcelain } from './git';

export interface GitHistoryOptions {
  /** A folder inside the repository. */
  repo: string;
  /** vscode.workspace.isTrusted; every run is in the safe form either way. */
  trusted: boolean;
  gitPath?: string;
  /** Per git process; default 60 s (a first history read of a large repository takes a while). */
  timeoutMs?: number;
  /** Largest output of one git process; default 256 MB. */
  maxBuffer?: number;
  name?: string;
}

const RECORD = '\x1e';
const FIELD = '\x1f';

export interface RefChoice {
  /** refs/heads/main, refs/tags/v1.2 */
  ref: string;
  name: string;
  kind: 'branch' | 'tag';
  sha: string;
  time: number;
  subject: string;
}

export interface CommitChoice {
  sha: string;
  time: number;
  author: string;
  subject: string;
}

export class GitHistorySource implements LineOriginReader {
  readonly name: string;
  private readonly opts: GitHistoryOptions;
  private ignoreRevsChecked: Promise<void> | undefined;

  constructor(opts: GitHistoryOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'git';
  }

  /** The full sha of a revision (branch, tag, sha, HEAD~2); a clear error when there is none. */
  async resolve(rev: string, signal?: AbortSignal): Promise<string> {
    checkRevision(rev);
    const out = await this.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], signal).catch((err: unknown) => {
      if (err instanceof SourceError && err.kind !== 'config' && err.kind !== 'timeout') throw new SourceError('not-found', this.name, `no commit named ${JSON.stringify(rev)} in this repository`);
      throw err;
    });
    const sha = out.trim();
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new SourceError('not-found', this.name, `no commit named ${JSON.stringify(rev)} in this repository`);
    return sha;
  }

  /** The branch HEAD is on, or undefined when HEAD is detached. */
  async currentBranch(signal?: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.git(['symbolic-ref', '--quiet', '--short', 'HEAD'], signal);
      return out.trim() || undefined;
    } catch (err) {
      if (err instanceof SourceError && err.kind === 'client') return undefined;
      throw err;
    }
  }

  /** Whether `ancestor` is `descendant` or one of its ancestors. */
  async isAncestor(ancestor: string, descendant: string, signal?: AbortSignal): Promise<boolean> {
    checkRevision(ancestor);
    checkRevision(descendant);
    try {
      await this.git(['merge-base', '--is-ancestor', ancestor, descendant], signal);
      return true;
    } catch (err) {
      if (err instanceof SourceError && err.kind === 'client') return false;
      throw err;
    }
  }

  /**
   * The newest `maxCommits` non-merge commits reachable from `tip`, oldest first, with their files.
   * When the read stops short of the root, the line counts of files at the oldest commit's parent
   * are read too, so the first commits' `lt` is right.
   */
  async readHistory(tip: string, maxCommits = 5000, signal?: AbortSignal): Promise<ChangeHistory> {
    const sha = await this.resolve(tip, signal);
    const out = await this.git(
      [
        'log', '--no-merges', '--topo-order', '--reverse', '-z', '--raw', '--numstat', '-M', '--no-color', '--no-ext-diff', '--no-textconv',
        '--no-show-signature', '--no-mailmap', `--max-count=${Math.max(1, Math.floor(maxCommits))}`,
        `--format=${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%at${FIELD}%B${FIELD}`,
        sha, '--',
      ],
      signal,
    );
    const commits = parseHistoryLog(out);
    const oldest = commits[0];
    const truncated = !!oldest && oldest.parents.length > 0 && commits.length >= maxCommits;
    const history: ChangeHistory = { commits, truncated, tip: sha };
    if (truncated) history.initialLines = await this.lineCounts(oldest.parents[0], signal);
    return history;
  }

  /** Line counts of every text file at a revision (a numstat against the empty tree). */
  async lineCounts(rev: string, signal?: AbortSignal): Promise<Record<string, number>> {
    checkRevision(rev);
    const emptyTree = (await this.git(['hash-object', '-t', 'tree', '--stdin'], signal, '')).trim();
    const out = await this.git(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', emptyTree, rev, '--'], signal);
    const counts: Record<string, number> = {};
    for (const token of out.split('\0')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(token);
      if (m && m[1] !== '-') counts[m[3]] = Number(m[1]);
    }
    return counts;
  }

  /** The non-merge commits in `base..tip`, oldest first (at most `max`). */
  async commitsBetween(base: string | undefined, tip: string, max = 500, signal?: AbortSignal): Promise<string[]> {
    checkRevision(tip);
    if (base !== undefined) checkRevision(base);
    const args = ['rev-list', '--no-merges', '--topo-order', `--max-count=${max}`, tip, ...(base ? [`^${base}`] : []), '--'];
    const out = await this.git(args, signal);
    return out.split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l)).reverse();
  }

  /** Branches and tags, newest first, for choosing what to assess. */
  async listRefs(limit = 200, signal?: AbortSignal): Promise<RefChoice[]> {
    const out = await this.git(['for-each-ref', '--sort=-creatordate', `--count=${limit}`, `--format=%(refname)${FIELD}%(*objectname)${FIELD}%(objectname)${FIELD}%(creatordate:unix)${FIELD}%(subject)`, 'refs/heads', 'refs/tags'], signal);
    const refs: RefChoice[] = [];
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [ref, peeled, object, time, subject] = line.split(FIELD);
      const kind = ref.startsWith('refs/tags/') ? 'tag' : 'branch';
      refs.push({ ref, name: ref.replace(/^refs\/(heads|tags)\//, ''), kind, sha: peeled || object, time: Number(time) * 1000, subject: subject ?? '' });
    }
    return refs;
  }

  /** The newest commits reachable from `tip`, for choosing one. */
  async recentCommits(tip = 'HEAD', limit = 50, signal?: AbortSignal): Promise<CommitChoice[]> {
    checkRevision(tip);
    const out = await this.git(['log', '--no-show-signature', '--no-mailmap', `--max-count=${limit}`, `--format=%H${FIELD}%at${FIELD}%an${FIELD}%s`, tip, '--'], signal);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha, time, author, subject] = line.split(FIELD);
        return { sha, time: Number(time) * 1000, author, subject };
      });
  }

  /**
   * The new-side lines `tip` adds or rewrites against `base` (or against its first parent), per file:
   * what coverage of the change is about. Deleted files have none.
   */
  async changedNewLines(base: string | undefined, tip: string, signal?: AbortSignal): Promise<{ path: string; lines: number[] }[]> {
    checkRevision(tip);
    if (base !== undefined) checkRevision(base);
    let from = base;
    if (!from) {
      const parents = (await this.git(['rev-list', '--parents', '--max-count=1', tip, '--'], signal)).trim().split(' ');
      from = parents[1] ?? (await this.git(['hash-object', '-t', 'tree', '--stdin'], signal, '')).trim();
    }
    const out = await this.git(['diff', '-U0', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '-O/dev/null', from, tip, '--'], signal);
    const files: { path: string; lines: number[] }[] = [];
    let current: { path: string; lines: number[] } | undefined;
    for (const line of out.split('\n')) {
      if (line.startsWith('diff --git ')) current = undefined;
      else if (line.startsWith('+++ ')) {
        const p = line.slice(4);
        current = p === '/dev/null' ? undefined : { path: unquotePath(p).replace(/^b\//, ''), lines: [] };
        if (current) files.push(current);
      } else if (line.startsWith('@@') && current) {
        const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
        if (!m) continue;
        const start = Number(m[1]);
        const count = m[2] === undefined ? 1 : Number(m[2]);
        for (let l = start; l < start + Math.min(count, 100_000); l++) current.lines.push(l);
      }
    }
    return files;
  }

  async changedOldLines(shas: readonly string[], signal?: AbortSignal): Promise<Map<string, OldLineRanges[]>> {
    const result = new Map<string, OldLineRanges[]>();
    const wanted = shas.filter((s) => /^[0-9a-f]{40,64}$/.test(s));
    if (!wanted.length) return result;
    const out = await this.git(
      ['log', '--stdin', '--no-walk=unsorted', '-p', '-U0', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--no-show-signature', '-O/dev/null', `--format=${RECORD}%H`],
      signal,
      wanted.join('\n') + '\n',
    );
    for (const record of out.split(RECORD)) {
      if (!record.trim()) continue;
      const lines = record.split('\n');
      const sha = lines[0].trim();
      result.set(sha, parseOldRanges(lines.slice(1)));
    }
    return result;
  }

  async lineOrigins(rev: string, filePath: string, ranges: readonly { start: number; count: number }[], signal?: AbortSignal): Promise<LineOrigin[]> {
    checkRevision(rev);
    const why = repoPathProblem(filePath);
    if (why) throw new GitArgumentError(`refused path ${JSON.stringify(filePath)}: ${why}`);
    const spans = ranges.filter((r) => Number.isSafeInteger(r.start) && r.start >= 1 && Number.isSafeInteger(r.count) && r.count >= 1);
    if (!spans.length) return [];
    await this.checkIgnoreRevsFiles(signal);
    const args = ['blame', '--porcelain', '--no-textconv', ...spans.flatMap((r) => ['-L', `${r.start},${r.start + r.count - 1}`]), rev, '--', filePath];
    try {
      const out = await this.git(args, signal);
      return parseBlamePorcelain(out).map((b) => ({ line: b.line, sha: b.sha, text: b.text }));
    } catch (err) {
      // The file or the lines are gone at that revision (a shallow or rewritten history): no origin, not a failure.
      if (err instanceof SourceError && err.kind === 'client') return [];
      throw err;
    }
  }

  /**
   * blame reads every file blame.ignoreRevsFile lists (an empty value or --ignore-revs-file "" does
   * not stop it), so a repository listing /dev/zero or a FIFO would make it read forever: refuse to
   * blame unless each listed file is a regular file. Checked once per source.
   */
  private checkIgnoreRevsFiles(signal?: AbortSignal): Promise<void> {
    this.ignoreRevsChecked ??= (async () => {
      let listed: string;
      try {
        listed = await this.git(['config', '--get-all', '--path', 'blame.ignoreRevsFile'], signal);
      } catch (err) {
        if (err instanceof SourceError && err.kind === 'client') return; // not set: git config exits 1
        throw err;
      }
      const top = (await this.git(['rev-parse', '--show-toplevel'], signal)).trim();
      for (const file of listed.split('\n').filter(Boolean)) {
        const stat = await fs.promises.stat(path.resolve(top, file)).catch(() => undefined);
        if (!stat?.isFile()) throw new SourceError('config', this.name, `blame skipped: the repository's blame.ignoreRevsFile names ${JSON.stringify(file)}, which is not a regular file`);
      }
    })();
    const pending = this.ignoreRevsChecked;
    // A failed check is not cached as a pass, and a later call checks again.
    pending.catch(() => (this.ignoreRevsChecked = undefined));
    return pending;
  }

  private async git(args: string[], signal?: AbortSignal, input?: string): Promise<string> {
    try {
      return await runGit({ repo: this.opts.repo, args, trusted: this.opts.trusted, gitPath: this.opts.gitPath, timeoutMs: this.opts.timeoutMs ?? 60_000, maxBuffer: this.opts.maxBuffer ?? 256 * 1024 * 1024, signal, input });
    } catch (err) {
      if (isGitFailure(err)) throw this.toSourceError(err);
      throw err;
    }
  }

  private toSourceError(f: GitFailure): SourceError {
    const { err, stderr } = f;
    const limit = this.opts.maxBuffer ?? 256 * 1024 * 1024;
    if (err.code === 'ENOENT') return new SourceError('config', this.name, `git was not found (${this.opts.gitPath ?? 'git'}): install git or put it on PATH`);
    if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new SourceError('timeout', this.name, 'git was cancelled');
    if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return new SourceError('oversized', this.name, `git output exceeded ${limit} bytes: read fewer commits`);
    if (err.killed || err.signal === 'SIGTERM') return new SourceError('timeout', this.name, `git did not answer within ${this.opts.timeoutMs ?? 60_000} ms`);
    const text = stderr.trim().split('\n').slice(0, 3).join(' ');
    if (/not a git repository/i.test(text)) return new SourceError('not-found', this.name, `${this.opts.repo} is not inside a git repository`);
    if (/cannot change to|no such file or directory/i.test(text)) return new SourceError('not-found', this.name, `${this.opts.repo} does not exist`);
    // git answered with an exit status (not found, not an ancestor, no such ref): the caller decides.
    if (typeof (err.code as unknown) === 'number') return new SourceError('client', this.name, text || errorMessage(err));
    return new SourceError('server', this.name, `git failed: ${text || errorMessage(err)}`);
  }
}

function checkRevision(rev: string): void {
  const why = revisionProblem(rev);
  if (why) throw new GitArgumentError(`refused revision ${JSON.stringify(rev)}: ${why}`);
}

/** Parses `git log -z --raw --numstat` with the RECORD/FIELD format above. Exported for tests. */
export function parseHistoryLog(out: string): HistoryCommit[] {
  const commits: HistoryCommit[] = [];
  for (const record of out.split(RECORD)) {
    if (!record.trim()) continue;
    const parts = record.split(FIELD);
    if (parts.length < 7) continue;
    const [sha, parents, authorName, authorEmail, at, message] = parts;
    const rest = parts.slice(6).join(FIELD);
    commits.push({
      sha,
      parents: parents ? parents.split(' ').filter(Boolean) : [],
      authorName,
      authorEmail,
      time: Number(at) * 1000,
      message: message.trim(),
      files: parseRawAndNumstat(rest),
    });
  }
  return commits;
}

function parseRawAndNumstat(text: string): HistoryFile[] {
  const tokens = text.split('\0');
  const byPath = new Map<string, HistoryFile>();
  const order: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i].replace(/^\n+/, '');
    if (token.startsWith(':')) {
      // ":100644 100644 <old> <new> M" then the path, or old and new path for a rename or copy.
      const status = token.split(' ').pop() ?? '';
      const letter = status.charAt(0);
      if (letter === 'R' || letter === 'C') {
        const oldPath = tokens[++i];
        const newPath = tokens[++i];
        if (newPath === undefined) break;
        byPath.set(newPath, { path: newPath, oldPath: letter === 'R' ? oldPath : undefined, status: letter === 'R' ? 'R' : 'A', added: 0, deleted: 0, binary: false });
        order.push(newPath);
      } else {
        const p = tokens[++i];
        if (p === undefined) break;
        byPath.set(p, { path: p, status: letter === 'A' ? 'A' : letter === 'D' ? 'D' : 'M', added: 0, deleted: 0, binary: false });
        order.push(p);
      }
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!m) continue;
    let p = m[3];
    if (p === '') {
      i++; // the old path of a rename
      p = tokens[++i];
      if (p === undefined) break;
    }
    const file = byPath.get(p);
    if (!file) continue;
    file.binary = m[1] === '-' || m[2] === '-';
    file.added = file.binary ? 0 : Number(m[1]);
    file.deleted = file.binary ? 0 : Number(m[2]);
  }
  return order.map((p) => byPath.get(p)!);
}

function unquotePath(p: string): string {
  if (!p.startsWith('"')) return p;
  return p.slice(1, -1).replace(/\\([0-7]{3}|.)/g, (_, c: string) => (c.length === 3 ? String.fromCharCode(parseInt(c, 8)) : c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** The old-side ranges of a -U0 patch, per old path (added-only hunks have a count of 0). */
function parseOldRanges(lines: string[]): OldLineRanges[] {
  const files: OldLineRanges[] = [];
  let current: OldLineRanges | undefined;
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      current = undefined;
      continue;
    }
    if (line.startsWith('--- ')) {
      const p = line.slice(4);
      current = p === '/dev/null' ? undefined : { path: unquotePath(p).replace(/^a\//, ''), ranges: [] };
      if (current) files.push(current);
      continue;
    }
    if (line.startsWith('@@') && current) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(line);
      if (m) current.ranges.push({ start: Number(m[1]), count: m[2] === undefined ? 1 : Number(m[2]) });
    }
  }
  return files.filter((f) => f.ranges.length);
}
