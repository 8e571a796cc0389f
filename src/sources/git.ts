// The workspace repository as a ChangeSource: commits in a window with files and hunks, deploy markers
// from tags and from the workspace's deploy log (.incident-lens/deploys.jsonl), and blame. It runs the
// git CLI with argv arrays only, built by gitCommand.ts, which neutralises every setting of the
// repository that would run a program.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlameLine, Change, ChangedFile } from '../core/model';
import type { ChangeSource, TimeWindow } from '../core/sources';
import { SourceError, errorMessage } from '../core/errors';
import { type GitFailure, isGitFailure, runGit } from './gitCommand';

export interface GitChangeSourceOptions {
  /** Folder inside the repository (usually the workspace root). */
  workspace: string;
  /** Connection name shown in errors; default "git". */
  name?: string;
  /** Glob of tags that mark deploys; default "deploy/*". */
  deployTagPattern?: string;
  /** Most commits returned by one listChanges; default 500. */
  maxCommits?: number;
  /** Timeout of one git process; default 15 s. */
  timeoutMs?: number;
  /** Largest output read from one git process; default 64 MB. */
  maxBuffer?: number;
  /** The git executable; default "git" from PATH. */
  gitPath?: string;
  /** Deploy records (JSON lines) relative to the workspace; default ".incident-lens/deploys.jsonl". */
  deployLog?: string;
  /**
   * Whether the user trusts the workspace (vscode.workspace.isTrusted). Default false. Every run is in
   * the safe form either way; untrusted also refuses bare repositories planted in the folder and
   * reads the deploy log only as a regular file inside the workspace.
   */
  trusted?: boolean;
}

/** A deploy found in the repository: a tag or a line of the deploy log. */
export interface DeployMarker {
  ref: string;
  sha: string;
  time: number;
  previous?: string;
  service?: string;
  environment?: string;
}

type Hunk = NonNullable<ChangedFile['hunks']>[number];

const RECORD = '\x1e\x1e';
const FIELD = '\x1f';
// Hunks kept per file: enough to locate a stack-frame line, bounded for huge generated files.
const MAX_HUNKS_PER_FILE = 200;
const MAX_FILES_PER_COMMIT = 500;

export class GitChangeSource implements ChangeSource {
  readonly kind = 'git';
  readonly name: string;
  private readonly workspace: string;
  private readonly deployTagPattern: string;
  private readonly maxCommits: number;
  private readonly timeoutMs: number;
  private readonly maxBuffer: number;
  private readonly gitPath: string;
  private readonly deployLog: string;
  private readonly trusted: boolean;
  /** What this source refuses to read, for the investigation's "checked" list. */
  readonly notes: readonly string[];

  constructor(opts: GitChangeSourceOptions) {
    this.workspace = path.resolve(opts.workspace);
    this.name = opts.name ?? 'git';
    this.deployTagPattern = opts.deployTagPattern ?? 'deploy/*';
    this.maxCommits = Math.max(1, Math.floor(opts.maxCommits ?? 500));
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.maxBuffer = opts.maxBuffer ?? 64 * 1024 * 1024;
    this.gitPath = opts.gitPath ?? 'git';
    this.deployLog = opts.deployLog ?? path.join('.incident-lens', 'deploys.jsonl');
    this.trusted = opts.trusted ?? false;
    this.notes = this.trusted
      ? []
      : ['workspace not trusted: git history read in the safe form only (no program named by the repository\'s configuration runs, bare repositories inside the folder are not opened)'];
  }

  async listChanges(window: TimeWindow, signal?: AbortSignal): Promise<Change[]> {
    if (!Number.isFinite(window.start) || !Number.isFinite(window.end) || window.end < window.start) {
      throw new SourceError('client', this.name, `invalid time window ${window.start}..${window.end}`);
    }
    const deploys = await this.listDeploys(signal);
    const since = Math.floor(window.start / 1000);
    const until = Math.ceil(window.end / 1000);
    let inWindow: Change[];
    try {
      inWindow = await this.logCommits([`--since=@${since}`, `--until=@${until}`], signal);
    } catch (err) {
      // A repository without commits has no changes; that is an answer, not an error.
      if (err instanceof SourceError && /does not have any commits/.test(err.message)) return [];
      throw err;
    }
    const bySha = new Map<string, Change>();
    for (const c of inWindow) bySha.set(c.sha, c);

    // A deploy in the window ships commits that may be older than the window: fetch what it shipped.
    const windowDeploys = deploys.filter((d) => d.time >= window.start && d.time <= window.end).sort((a, b) => a.time - b.time);
    for (const d of windowDeploys) {
      if (bySha.size >= this.maxCommits) break;
      const range = d.previous ? [`${d.previous}..${d.sha}`] : ['--no-walk', d.sha];
      let shipped: Change[];
      try {
        shipped = await this.logCommits(range, signal);
      } catch (err) {
        // A deploy record naming a sha the repository doesn't have is data, not a failure.
        if (err instanceof SourceError && err.kind === 'client') continue;
        throw err;
      }
      for (const c of shipped) if (!bySha.has(c.sha)) bySha.set(c.sha, c);
      for (const c of shipped) {
        const target = bySha.get(c.sha)!;
        // The tip gets the marker; earlier commits of the range went out with it.
        if (!target.deploy || target.deploy.time > d.time) target.deploy = { ref: d.ref, time: d.time, ...(d.environment ? { environment: d.environment } : {}) };
      }
    }
    // Markers on commits that were fetched for the window but deployed by a tag outside the range logic.
    for (const d of deploys) {
      const c = bySha.get(d.sha);
      if (c && (!c.deploy || (c.deploy.time > d.time && d.time >= c.time))) c.deploy = { ref: d.ref, time: d.time, ...(d.environment ? { environment: d.environment } : {}) };
    }
    return [...bySha.values()].sort((a, b) => b.time - a.time).slice(0, this.maxCommits);
  }

  /** Deploy markers: tags matching the pattern and records of the deploy log, oldest first. */
  async listDeploys(signal?: AbortSignal): Promise<DeployMarker[]> {
    const out = await this.git(
      [
        'for-each-ref',
        `--format=%(refname:short)${FIELD}%(objecttype)${FIELD}%(*objectname)${FIELD}%(objectname)${FIELD}%(taggerdate:unix)${FIELD}%(committerdate:unix)`,
        `refs/tags/${this.deployTagPattern}`,
      ],
      signal,
    );
    const markers: DeployMarker[] = [];
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [ref, type, peeled, object, taggerDate, committerDate] = line.split(FIELD);
      const annotated = type === 'tag';
      const sha = annotated ? peeled : object;
      const seconds = Number(annotated ? taggerDate : committerDate);
      if (!sha || !Number.isFinite(seconds) || seconds <= 0) continue;
      markers.push({ ref, sha, time: seconds * 1000 });
    }
    markers.sort((a, b) => a.time - b.time);
    // A tag deploy shipped everything since the previous tag deploy.
    for (let i = 1; i < markers.length; i++) markers[i].previous = markers[i - 1].sha;
    markers.push(...(await this.readDeployLog(signal)));
    return markers.sort((a, b) => a.time - b.time);
  }

  async blame(filePath: string, startLine: number, endLine: number, signal?: AbortSignal): Promise<BlameLine[]> {
    const rel = this.relativePath(filePath);
    const start = Math.max(1, Math.floor(startLine));
    const end = Math.max(start, Math.floor(endLine));
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new SourceError('client', this.name, 'blame needs line numbers');
    await this.checkIgnoreRevsFiles(signal);
    // HEAD, not the working tree: reading working-tree files would run the repository's clean filters.
    const out = await this.git(['blame', '--porcelain', '--no-textconv', '-L', `${start},${end}`, 'HEAD', '--', rel], signal);
    return parseBlamePorcelain(out);
  }

  /**
   * blame reads every blame.ignoreRevsFile the configuration lists, and an empty value does not reset
   * the list: a repository that lists /dev/zero or a FIFO would make git read forever. Refuse to blame
   * unless each listed file is a regular file.
   */
  private async checkIgnoreRevsFiles(signal?: AbortSignal): Promise<void> {
    let listed: string;
    try {
      listed = await runGit({ repo: this.workspace, args: ['config', '--get-all', '--path', 'blame.ignoreRevsFile'], trusted: this.trusted, gitPath: this.gitPath, timeoutMs: this.timeoutMs, maxBuffer: 1024 * 1024, signal });
    } catch (err) {
      if (isGitFailure(err) && (err.err.code as unknown) === 1) return; // not set: git config exits 1
      if (isGitFailure(err)) throw this.toSourceError(err.err, err.stderr);
      throw err;
    }
    const top = (await this.git(['rev-parse', '--show-toplevel'], signal)).trim();
    for (const file of listed.split('\n').filter(Boolean)) {
      const stat = await fs.promises.stat(path.resolve(top, file)).catch(() => undefined);
      if (!stat?.isFile()) {
        throw new SourceError('config', this.name, `blame skipped: the repository's blame.ignoreRevsFile names ${JSON.stringify(file)}, which is not a regular file`);
      }
    }
  }

  private relativePath(filePath: string): string {
    const abs = path.resolve(this.workspace, filePath);
    const rel = path.relative(this.workspace, abs);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new SourceError('client', this.name, `path ${JSON.stringify(filePath)} is outside the workspace`);
    }
    return rel.split(path.sep).join('/');
  }

  private async readDeployLog(signal?: AbortSignal): Promise<DeployMarker[]> {
    const file = path.join(this.workspace, this.deployLog);
    let text: string;
    try {
      // Only a regular file: a FIFO or /dev/zero planted under that name would hang or fill the host.
      const stat = await fs.promises.stat(file);
      if (!stat.isFile()) throw new SourceError('malformed', this.name, `${this.deployLog} is not a regular file`);
      if (!this.trusted) {
        const real = await fs.promises.realpath(file);
        const root = await fs.promises.realpath(this.workspace);
        if (path.relative(root, real).startsWith('..') || path.isAbsolute(path.relative(root, real))) {
          throw new SourceError('malformed', this.name, `${this.deployLog} points outside the workspace: not read in an untrusted workspace`);
        }
      }
      if (stat.size > this.maxBuffer) throw new SourceError('oversized', this.name, `${this.deployLog} is larger than ${this.maxBuffer} bytes`);
      text = await readBounded(file, this.maxBuffer);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err instanceof SourceError ? err : new SourceError('malformed', this.name, `cannot read ${this.deployLog}: ${errorMessage(err)}`);
    }
    const records: { line: number; time: number; service?: string; sha: string; previous?: string; environment?: string }[] = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line);
      } catch {
        return; // a torn last line of an append-only log is expected; skip it
      }
      const time = parseTime(rec.time);
      const sha = typeof rec.sha === 'string' && /^[0-9a-f]{4,64}$/i.test(rec.sha) ? rec.sha : undefined;
      if (time === undefined || !sha) return;
      const previous = typeof rec.previous === 'string' && /^[0-9a-f]{4,64}$/i.test(rec.previous) ? rec.previous : undefined;
      records.push({
        line: i + 1,
        time,
        sha,
        previous,
        service: typeof rec.service === 'string' ? rec.service : undefined,
        environment: typeof rec.environment === 'string' ? rec.environment : undefined,
      });
    });
    if (!records.length) return [];
    // Resolve abbreviated shas once, in one process.
    const wanted = [...new Set(records.flatMap((r) => (r.previous ? [r.sha, r.previous] : [r.sha])))];
    const resolved = await this.resolveShas(wanted, signal);
    const markers: DeployMarker[] = [];
    for (const r of records) {
      const sha = resolved.get(r.sha);
      if (!sha) continue;
      markers.push({
        ref: `${this.deployLog.split(path.sep).join('/')}:${r.line}${r.service ? ` (${r.service})` : ''}`,
        sha,
        time: r.time,
        previous: r.previous ? resolved.get(r.previous) : undefined,
        service: r.service,
        environment: r.environment,
      });
    }
    return markers;
  }

  private async resolveShas(shas: string[], signal?: AbortSignal): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    if (!shas.length) return map;
    // cat-file --batch-check reports each name on its own line, missing ones included, so one bad sha costs nothing.
    const out = await this.git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], signal, shas.map((s) => `${s}^{commit}`).join('\n') + '\n');
    const lines = out.split('\n');
    shas.forEach((s, i) => {
      const m = /^([0-9a-f]{40,64}) commit$/.exec(lines[i] ?? '');
      if (m) map.set(s, m[1]);
    });
    return map;
  }

  private async logCommits(revArgs: string[], signal?: AbortSignal): Promise<Change[]> {
    const out = await this.git(
      [
        'log',
        `--max-count=${this.maxCommits}`,
        `--format=${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%ct${FIELD}%B${FIELD}`,
        '--numstat',
        '-p',
        '-U0',
        '-M',
        '--no-color',
        '--no-ext-diff',
        '--no-textconv',
        '--no-show-signature',
        '--no-mailmap',
        '--submodule=short',
        // An empty order file: the repository's diff.orderFile could name a device that never ends.
        '-O/dev/null',
        ...revArgs,
        '--',
      ],
      signal,
    );
    return parseLog(out);
  }

  private async git(args: string[], signal?: AbortSignal, input?: string): Promise<string> {
    try {
      return await runGit({ repo: this.workspace, args, trusted: this.trusted, gitPath: this.gitPath, timeoutMs: this.timeoutMs, maxBuffer: this.maxBuffer, signal, input });
    } catch (err) {
      if (isGitFailure(err)) throw this.toSourceError(err.err, err.stderr);
      throw err;
    }
  }

  private toSourceError(err: GitFailure['err'], stderr: string): SourceError {
    if (err.code === 'ENOENT') return new SourceError('config', this.name, `git was not found (${this.gitPath}): install git or put it on PATH`);
    if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new SourceError('timeout', this.name, 'git was cancelled');
    if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return new SourceError('oversized', this.name, `git output exceeded ${this.maxBuffer} bytes: narrow the window`);
    if (err.killed || err.signal === 'SIGTERM') return new SourceError('timeout', this.name, `git did not answer within ${this.timeoutMs} ms`);
    const text = stderr.trim().split('\n').slice(0, 3).join(' ');
    if (/not a git repository/i.test(text)) return new SourceError('not-found', this.name, `${this.workspace} is not inside a git repository`);
    if (/cannot change to|no such file or directory/i.test(text)) return new SourceError('not-found', this.name, `${this.workspace} does not exist`);
    if (/does not have any commits yet|bad revision|unknown revision|bad object|no such path|no such ref|has only \d+ lines|invalid object name/i.test(text)) {
      return new SourceError('client', this.name, text || errorMessage(err));
    }
    return new SourceError('server', this.name, `git failed: ${text || errorMessage(err)}`);
  }
}

/** Reads at most `limit` bytes, whatever the file grows to while it is read. */
async function readBounded(file: string, limit: number): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(limit, (await handle.stat()).size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v; // seconds or ms
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
    const n = Number(v);
    if (Number.isFinite(n) && v.trim()) return n < 1e11 ? n * 1000 : n;
  }
  return undefined;
}

/** Parses `git log --format=<RECORD>... --numstat -p -U0` output. Exported for tests. */
export function parseLog(out: string): Change[] {
  const changes: Change[] = [];
  for (const record of out.split(RECORD)) {
    if (!record.trim()) continue;
    const parts = record.split(FIELD);
    if (parts.length < 7) continue;
    const [sha, parents, author, email, ct, message] = parts;
    const rest = parts.slice(6).join(FIELD);
    const files = parseFilesAndHunks(rest);
    changes.push({
      sha,
      author,
      email: email || undefined,
      time: Number(ct) * 1000,
      message: message.trim(),
      files,
      parents: parents ? parents.split(' ').filter(Boolean) : [],
    });
  }
  return changes;
}

/** numstat "a => b" and "dir/{a => b}/f" forms name the new path on the right. */
function renamedTarget(p: string): string {
  const brace = /^(.*)\{(.*) => (.*)\}(.*)$/.exec(p);
  if (brace) return (brace[1] + brace[3] + brace[4]).replace(/\/\//g, '/');
  const arrow = p.indexOf(' => ');
  return arrow >= 0 ? p.slice(arrow + 4) : p;
}

function parseFilesAndHunks(text: string): ChangedFile[] {
  const files = new Map<string, ChangedFile>();
  const lines = text.split('\n');
  let i = 0;
  // numstat block first: "added<TAB>deleted<TAB>path"
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('diff --git ')) break;
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (!m) continue;
    if (files.size >= MAX_FILES_PER_COMMIT) continue;
    const renamed = m[3].includes(' => ');
    const p = renamedTarget(m[3]);
    files.set(p, { path: p, status: renamed ? 'R' : 'M', additions: m[1] === '-' ? 0 : Number(m[1]), deletions: m[2] === '-' ? 0 : Number(m[2]), hunks: [] });
  }
  // then the patch: headers name the file and its status, @@ lines give the hunks
  let current: ChangedFile | undefined;
  let oldPath: string | undefined;
  let status: ChangedFile['status'] = 'M';
  const unquote = (p: string): string => (p.startsWith('"') ? p.slice(1, -1).replace(/\\(.)/g, '$1') : p);
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('diff --git ')) {
      current = undefined;
      oldPath = undefined;
      status = 'M';
      // Best effort for files without ---/+++ lines (mode changes, binaries): "diff --git a/p b/p"
      const m = /^diff --git "?a\/(.+?)"? "?b\/(.+?)"?$/.exec(line);
      if (m) current = files.get(m[2]);
      continue;
    }
    if (line.startsWith('new file mode')) status = 'A';
    else if (line.startsWith('deleted file mode')) status = 'D';
    else if (line.startsWith('rename from ')) status = 'R';
    else if (line.startsWith('rename to ')) current = files.get(unquote(line.slice(10)));
    else if (line.startsWith('--- ')) oldPath = line === '--- /dev/null' ? undefined : unquote(line.slice(4)).replace(/^a\//, '');
    else if (line.startsWith('+++ ')) {
      const newPath = line === '+++ /dev/null' ? oldPath : unquote(line.slice(4)).replace(/^b\//, '');
      if (newPath) current = files.get(newPath) ?? current;
    } else if (line.startsWith('@@')) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (m && current && current.hunks!.length < MAX_HUNKS_PER_FILE) {
        const hunk: Hunk = { oldStart: Number(m[1]), oldLines: m[2] === undefined ? 1 : Number(m[2]), newStart: Number(m[3]), newLines: m[4] === undefined ? 1 : Number(m[4]) };
        current.hunks!.push(hunk);
      }
    }
    if (current && status !== 'M') current.status = status;
  }
  return [...files.values()];
}

/** Parses `git blame --porcelain` output. Exported for tests. */
export function parseBlamePorcelain(out: string): BlameLine[] {
  const info = new Map<string, { author: string; time: number; summary: string }>();
  const result: BlameLine[] = [];
  const lines = out.split('\n');
  let sha = '';
  let finalLine = 0;
  let pending: { author?: string; time?: number; summary?: string } = {};
  for (const line of lines) {
    const header = /^([0-9a-f]{40,64}) \d+ (\d+)(?: \d+)?$/.exec(line);
    if (header) {
      sha = header[1];
      finalLine = Number(header[2]);
      pending = {};
      continue;
    }
    if (line.startsWith('\t')) {
      const known = info.get(sha);
      const meta = known ?? { author: pending.author ?? '', time: pending.time ?? 0, summary: pending.summary ?? '' };
      if (!known) info.set(sha, meta);
      result.push({ line: finalLine, sha, author: meta.author, time: meta.time, summary: meta.summary, text: line.slice(1) });
      continue;
    }
    const sp = line.indexOf(' ');
    const key = sp > 0 ? line.slice(0, sp) : line;
    const value = sp > 0 ? line.slice(sp + 1) : '';
    if (key === 'author') pending.author = value;
    else if (key === 'author-time') pending.time = Number(value) * 1000;
    else if (key === 'summary') pending.summary = value;
  }
  return result;
}
