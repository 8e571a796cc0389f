// The one place that builds a git command line. A repository's own configuration (.git/config, and
// what it includes) can name programs that git runs on its own: an fsmonitor hook, a gpg program to
// verify signatures, an external diff, textconv and clean filters, a pager, an ssh command or an `ext::`
// remote for a lazy fetch. A downloaded folder is enough to set them, so every invocation here
// overrides each of them on the command line (command-line config wins over every file) and in the
// environment, and the read operations we run are chosen so that git never needs the rest: nothing
// reads the working tree (no clean filters), nothing fetches (every transport refused).
// Audit this file, not its callers: they pass only the subcommand and its arguments.

import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** A path that can never exist (under a character device), so a program setting pointing at it runs nothing. */
export const NO_PROGRAM = '/dev/null/incident-lens-runs-no-program';

/**
 * Config overrides for every invocation, as `-c key=value`. Grouped by what they stop; each names a
 * setting of git-config(1) (git 2.39) that runs a program, or a file read that could hang.
 */
export const NEUTRAL_CONFIG: readonly (readonly [string, string])[] = [
  // Hooks and the fsmonitor hook (run on index refresh).
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  // Git for Windows' older spelling of the built-in monitor.
  ['core.useBuiltinFSMonitor', 'false'],
  // Signatures: `log.showSignature` makes log and show run gpg.program on every signed commit.
  ['log.showSignature', 'false'],
  ['gpg.program', NO_PROGRAM],
  ['gpg.openpgp.program', NO_PROGRAM],
  ['gpg.x509.program', NO_PROGRAM],
  ['gpg.ssh.program', NO_PROGRAM],
  ['gpg.ssh.defaultKeyCommand', NO_PROGRAM],
  // Diff drivers: external diff (also refused by --no-ext-diff) and textconv (refused by --no-textconv).
  ['diff.external', NO_PROGRAM],
  // Pager and editors: "cat" and ":" are git's own spellings of "none".
  ['core.pager', 'cat'],
  ['core.editor', ':'],
  ['sequence.editor', ':'],
  // Transports, for a lazy fetch of a partial clone's missing objects: none is allowed, and no program
  // that a transport would start (ssh, proxy, credential helper, askpass) is left configured.
  ['protocol.allow', 'never'],
  ...['file', 'git', 'ssh', 'http', 'https', 'ext'].map((p) => [`protocol.${p}.allow`, 'never'] as const),
  ['core.sshCommand', NO_PROGRAM],
  ['core.gitProxy', NO_PROGRAM],
  ['core.askPass', ''],
  ['credential.helper', ''],
  ['core.alternateRefsCommand', NO_PROGRAM],
  // Submodules: a diff must not run git inside a submodule with that submodule's own settings.
  ['diff.submodule', 'short'],
  ['submodule.recurse', 'false'],
  // Background work a read must never start.
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  // Files git reads on its own: a `mailmap.file` or `diff.orderFile` of /dev/zero hangs git. (The
  // multi-valued blame.ignoreRevsFile cannot be reset from here: git.ts checks it before a blame.)
  ['mailmap.file', ''],
  ['mailmap.blob', ''],
  ['diff.orderFile', '/dev/null'],
  // Output the parsers rely on.
  ['core.quotePath', 'off'],
  ['color.ui', 'false'],
  ['diff.noprefix', 'false'],
  ['diff.mnemonicPrefix', 'false'],
  ['diff.relative', 'false'],
];

/** Extra overrides in an untrusted workspace: a bare repository planted inside the folder is not opened. */
const UNTRUSTED_CONFIG: readonly (readonly [string, string])[] = [['safe.bareRepository', 'explicit']];

// Variables that would point git at another repository or turn a program on; the rest of the user's
// environment (their HOME, their global config) is theirs and stays.
const DROPPED_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR',
  'GIT_NAMESPACE', 'GIT_PREFIX', 'GIT_EXTERNAL_DIFF', 'GIT_DIFF_OPTS', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_PROXY_COMMAND',
];

export interface GitInvocation {
  file: string;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export interface GitInvocationOptions {
  /** The folder git runs in (passed as -C, never as the process's cwd: on Windows a cwd is searched for git.exe). */
  repo: string;
  /** The subcommand and its arguments. */
  args: readonly string[];
  /** False in an untrusted workspace: adds the untrusted-only overrides. */
  trusted: boolean;
  /** The git executable; default "git" from PATH. */
  gitPath?: string;
  baseEnv?: NodeJS.ProcessEnv;
}

/** The full argv and environment of one git run, with every program-running setting neutralised. */
export function gitInvocation(opts: GitInvocationOptions): GitInvocation {
  const config = opts.trusted ? NEUTRAL_CONFIG : [...NEUTRAL_CONFIG, ...UNTRUSTED_CONFIG];
  const argv = ['--no-pager', ...config.flatMap(([k, v]) => ['-c', `${k}=${v}`]), '-C', path.resolve(opts.repo), ...opts.args];
  const env: NodeJS.ProcessEnv = { ...(opts.baseEnv ?? process.env) };
  for (const k of DROPPED_ENV) delete env[k];
  Object.assign(env, {
    // An empty list allows no transport, whatever the repository's protocol.*.allow says.
    GIT_ALLOW_PROTOCOL: '',
    GIT_PROTOCOL_FROM_USER: '0',
    // git 2.44+ refuses lazy fetches outright; older versions ignore it.
    GIT_NO_LAZY_FETCH: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    GIT_PAGER: 'cat',
    GIT_EDITOR: ':',
    GIT_SEQUENCE_EDITOR: ':',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
  });
  return { file: opts.gitPath ?? 'git', argv, env };
}

export interface GitRunOptions extends GitInvocationOptions {
  timeoutMs: number;
  maxBuffer: number;
  signal?: AbortSignal;
  /** Written to git's stdin. */
  input?: string;
}

export interface GitFailure {
  err: NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
  stderr: string;
}

/** Runs git as gitInvocation builds it; rejects with the process error and git's stderr. */
export function runGit(opts: GitRunOptions): Promise<string> {
  const inv = gitInvocation(opts);
  return new Promise<string>((resolve, reject) => {
    const child = execFile(
      inv.file,
      inv.argv,
      { maxBuffer: opts.maxBuffer, timeout: opts.timeoutMs, signal: opts.signal, encoding: 'utf8', windowsHide: true, env: inv.env },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const failure: GitFailure = { err: err as GitFailure['err'], stderr: String(stderr ?? '') };
        reject(failure);
      },
    );
    // A git that exits before reading its input must not crash the host with EPIPE.
    child.stdin?.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export function isGitFailure(x: unknown): x is GitFailure {
  return typeof x === 'object' && x !== null && 'err' in x && 'stderr' in x;
}

// ---- what callers may name ----

const HEX_REV = /^[0-9a-f]{4,64}$/i;
// Suffixes that walk to an ancestor (sha^, sha~2): they select, they never become options.
const ANCESTRY_SUFFIX = /(?:\^[0-9]?|~[0-9]*)*$/;

/**
 * Why a revision is refused, or undefined when it is a full or abbreviated hex sha or a ref name by
 * git-check-ref-format(1) (one-level names such as HEAD allowed), optionally followed by ^ or ~N.
 */
export function revisionProblem(rev: string): string | undefined {
  if (typeof rev !== 'string' || rev === '') return 'the revision is empty';
  if (rev.length > 256) return 'the revision is longer than 256 characters';
  if (rev.startsWith('-')) return 'a revision may not start with "-"';
  const base = rev.replace(ANCESTRY_SUFFIX, '');
  if (base === '') return 'the revision names nothing before its ^/~ suffix';
  if (HEX_REV.test(base)) return undefined;
  return refNameProblem(base);
}

function refNameProblem(name: string): string | undefined {
  // The rules of git-check-ref-format(1), with --allow-onelevel.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'a ref name may not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'a ref name may not contain ".."';
  if (name.includes('@{')) return 'a ref name may not contain "@{"';
  if (name === '@') return 'a ref name may not be "@"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'a ref name may not begin or end with "/" or contain "//"';
  if (name.endsWith('.')) return 'a ref name may not end with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'no part of a ref name may begin with "."';
    if (part.endsWith('.lock')) return 'no part of a ref name may end with ".lock"';
  }
  return undefined;
}

/**
 * Why a repository-relative path is refused, or undefined: relative, inside the repository (no ".."
 * or "." parts, no empty parts), no NUL or other control character, not starting with "-".
 */
export function repoPathProblem(rel: string): string | undefined {
  if (typeof rel !== 'string' || rel === '') return 'the path is empty';
  if (rel.length > 4096) return 'the path is longer than 4096 characters';
  if (/[\x00-\x1f\x7f]/.test(rel)) return 'the path contains a control character';
  if (rel.startsWith('-')) return 'the path may not start with "-"';
  if (rel.startsWith('/') || rel.includes('\\') || /^[a-zA-Z]:/.test(rel)) return 'the path must be relative to the repository, with "/" separators';
  for (const part of rel.split('/')) {
    if (part === '' || part === '.' || part === '..') return 'the path may not contain empty, "." or ".." parts';
  }
  return undefined;
}

export class GitArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitArgumentError';
  }
}

export interface FileAtRevisionOptions {
  repo: string;
  rev: string;
  path: string;
  trusted: boolean;
  gitPath?: string;
  timeoutMs?: number;
  maxBuffer?: number;
}

/**
 * The content of a file at a revision (`git cat-file blob <rev>:<path>`, after --end-of-options), or
 * undefined when the revision has no such file (the empty side of an added or deleted file). The
 * revision and the path are checked first: a bad one is a GitArgumentError, never a git option.
 */
export async function readFileAtRevision(opts: FileAtRevisionOptions): Promise<string | undefined> {
  const revWhy = revisionProblem(opts.rev);
  if (revWhy) throw new GitArgumentError(`refused revision ${JSON.stringify(opts.rev)}: ${revWhy}`);
  const pathWhy = repoPathProblem(opts.path);
  if (pathWhy) throw new GitArgumentError(`refused path ${JSON.stringify(opts.path)}: ${pathWhy}`);
  try {
    // cat-file applies no textconv and no filter unless asked to.
    return await runGit({
      repo: opts.repo,
      args: ['cat-file', '--end-of-options', 'blob', `${opts.rev}:${opts.path}`],
      trusted: opts.trusted,
      gitPath: opts.gitPath,
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxBuffer: opts.maxBuffer ?? 32 * 1024 * 1024,
    });
  } catch (err) {
    if (isGitFailure(err) && typeof (err.err.code as unknown) === 'number') return undefined; // git answered: no such file there
    throw isGitFailure(err) ? new Error(`git failed: ${err.stderr.trim() || err.err.message}`) : err;
  }
}
