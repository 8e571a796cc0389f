// The commits that touched a model's training code, feature pipeline or config: `git log` limited to
// the paths models.yaml declares, run through gitCommand.ts (no program named by the repository's
// configuration runs), paths literal (no pathspec magic) and checked to stay inside the repository.
import type { ModelCommit, ModelSpec } from '../../core/modelMonitoring';
import { SourceError } from '../../core/errors';
import { isGitFailure, repoPathProblem, runGit } from '../gitCommand';

const RECORD = '\x1e';
const FIELD = '\x1f';

export interface ModelCommitsOptions {
  workspace: string;
  trusted: boolean;
  max?: number;
  gitPath?: string;
  signal?: AbortSignal;
}

function areaOf(file: string, code: ModelSpec['code']): ModelCommit['areas'] {
  const under = (p: string) => file === p || file.startsWith(p.endsWith('/') ? p : `${p}/`);
  return (['training', 'pipeline', 'config'] as const).filter((k) => code[k].some((p) => under(p.replace(/\/+$/, '')) || under(p)));
}

export function parseModelLog(out: string, code: ModelSpec['code']): ModelCommit[] {
  const commits: ModelCommit[] = [];
  for (const record of out.split(RECORD)) {
    const text = record.replace(/^\n+/, '');
    if (!text.trim()) continue;
    const [head, ...fileLines] = text.split('\n');
    const [sha, author, time, subject] = head.split(FIELD);
    if (!/^[0-9a-f]{40,64}$/.test(sha ?? '')) continue;
    const files = fileLines.map((l) => l.trim()).filter(Boolean);
    const areas = new Set<ModelCommit['areas'][number]>();
    for (const f of files) for (const a of areaOf(f, code)) areas.add(a);
    commits.push({ sha, author: author ?? '', time: Number(time) * 1000, subject: subject ?? '', areas: [...areas], files });
  }
  return commits;
}

export async function listModelCommits(code: ModelSpec['code'], opts: ModelCommitsOptions): Promise<ModelCommit[]> {
  const paths = [...code.training, ...code.pipeline, ...code.config].map((p) => p.replace(/\/+$/, ''));
  if (paths.length === 0) return [];
  for (const p of paths) {
    const why = repoPathProblem(p);
    if (why) throw new SourceError('config', 'git', `models.yaml names the path ${JSON.stringify(p.slice(0, 80))}: ${why}`);
  }
  try {
    const out = await runGit({
      repo: opts.workspace,
      args: ['log', `--max-count=${Math.max(1, Math.min(200, opts.max ?? 30))}`, `--format=${RECORD}%H${FIELD}%an${FIELD}%ct${FIELD}%s`, '--name-only', '--no-color', '--no-show-signature', '--no-mailmap', '--', ...paths],
      trusted: opts.trusted,
      gitPath: opts.gitPath,
      timeoutMs: 15_000,
      maxBuffer: 8 * 1024 * 1024,
      signal: opts.signal,
      // Paths are literal: ":(top)" or "*" in models.yaml is a file name, never pathspec magic.
      baseEnv: { ...process.env, GIT_LITERAL_PATHSPECS: '1' },
    });
    return parseModelLog(out, code);
  } catch (err) {
    if (isGitFailure(err)) {
      const stderr = err.stderr.trim().split('\n')[0];
      if (/does not have any commits|not a git repository/.test(stderr)) return [];
      throw new SourceError(err.err.code === 'ENOENT' ? 'config' : 'server', 'git', err.err.code === 'ENOENT' ? 'git was not found on PATH' : `git log failed: ${stderr}`);
    }
    throw err;
  }
}
