// One commit's patch, read in the safe form of every git run (gitCommand.ts: no program named by the
// repository's configuration runs, no external diff, no textconv). The revision and path are checked
// before git sees them, so neither can become an option.
import { GitArgumentError, isGitFailure, repoPathProblem, revisionProblem, runGit } from './gitCommand';

export interface CommitDiffOptions {
  repo: string;
  sha: string;
  /** Only this repository-relative file. */
  path?: string;
  trusted: boolean;
  gitPath?: string;
  timeoutMs?: number;
  /** Largest patch read; git is stopped past it. */
  maxBytes?: number;
}

/** The commit's header and unified diff (`git show --patch`), as text. */
export async function readCommitDiff(opts: CommitDiffOptions): Promise<string> {
  const revWhy = revisionProblem(opts.sha);
  if (revWhy) throw new GitArgumentError(`refused revision ${JSON.stringify(opts.sha)}: ${revWhy}`);
  if (opts.path !== undefined) {
    const pathWhy = repoPathProblem(opts.path);
    if (pathWhy) throw new GitArgumentError(`refused path ${JSON.stringify(opts.path)}: ${pathWhy}`);
  }
  try {
    return await runGit({
      repo: opts.repo,
      args: ['show', '--no-ext-diff', '--no-textconv', '--no-color', '--patch', '--stat', '--format=commit %H%nAuthor: %an%nDate: %aI%n%n%B', '--end-of-options', opts.sha, '--', ...(opts.path ? [opts.path] : [])],
      trusted: opts.trusted,
      gitPath: opts.gitPath,
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxBuffer: opts.maxBytes ?? 4 * 1024 * 1024,
    });
  } catch (err) {
    if (isGitFailure(err)) {
      if (err.err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') throw new Error(`the diff of ${opts.sha} is larger than ${opts.maxBytes ?? 4 * 1024 * 1024} bytes: name one file`);
      throw new Error(`git show ${opts.sha} failed: ${err.stderr.trim() || err.err.message}`);
    }
    throw err;
  }
}
