// Tools over the workspace: its changes (commits, deploys), a commit's diff, blame of lines, and
// reading a file (trusted workspaces only, never outside the workspace).
import { changeShape, iso, windowArgs } from './shape';
import { ToolInputError, type AgentTool } from './types';

export const listChanges: AgentTool = {
  name: 'list_changes',
  title: 'List changes',
  description: 'Commits and deploys of the workspace repository in a window (default: the day before the incident up to now), newest first, with the files each touched. Filter by a path prefix.',
  inputSchema: {
    type: 'object',
    properties: {
      start: { type: 'string', description: 'ISO 8601, epoch ms, or "-24h". Default: 24 h before the investigation window.' },
      end: { type: 'string', description: 'Default: the end of the investigation window.' },
      path: { type: 'string', maxLength: 1000, description: 'Only commits touching files under this path.' },
      limit: { type: 'integer', minimum: 1, maximum: 200, description: 'At most this many (default 30).' },
    },
  },
  async run(args, ctx, signal) {
    const changes = ctx.roles.changes;
    if (!changes) throw new ToolInputError('no workspace repository is open, so there are no changes to list');
    const d = ctx.defaultWindow();
    const w = windowArgs({ start: args.start ?? d.start - 24 * 3_600_000, end: args.end }, ctx, 31 * 86_400_000);
    const list = (await changes.listChanges(w, signal))
      .filter((c) => !args.path || c.files.some((f) => f.path.startsWith(String(args.path))))
      .sort((a, b) => b.time - a.time);
    const limit = Number(args.limit ?? 30);
    return { data: { window: { start: iso(w.start), end: iso(w.end) }, total: list.length, changes: list.slice(0, limit).map(changeShape) } };
  },
};

export const showDiff: AgentTool = {
  name: 'show_diff',
  title: 'Show a diff',
  description: 'The patch of one commit (unified diff), optionally of one file only.',
  inputSchema: {
    type: 'object',
    properties: {
      sha: { type: 'string', maxLength: 64, pattern: '^[0-9a-fA-F]{4,64}$', description: 'The commit sha (full or abbreviated).' },
      path: { type: 'string', maxLength: 1000, description: 'Only this repository-relative file.' },
    },
    required: ['sha'],
  },
  async run(args, ctx, signal) {
    if (!ctx.roles.diff) throw new ToolInputError('no workspace repository is open, so there is no diff to show');
    const text = await ctx.roles.diff(String(args.sha), args.path ? String(args.path) : undefined, signal);
    return { data: { sha: args.sha, ...(args.path ? { path: args.path } : {}), diff: text.length > 60_000 ? `${text.slice(0, 60_000)}\n…[cut: ${text.length - 60_000} more characters; name one file]` : text }, narrowHint: 'name one file with path' };
  },
};

export const blameLines: AgentTool = {
  name: 'blame_lines',
  title: 'Blame lines',
  description: 'Who last changed each line of a file range, in which commit and when (git blame).',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', maxLength: 1000, description: 'Repository-relative file.' },
      startLine: { type: 'integer', minimum: 1 },
      endLine: { type: 'integer', minimum: 1 },
    },
    required: ['path', 'startLine', 'endLine'],
  },
  async run(args, ctx, signal) {
    const changes = ctx.roles.changes;
    if (!changes) throw new ToolInputError('no workspace repository is open, so there is nothing to blame');
    const start = Number(args.startLine);
    const end = Number(args.endLine);
    if (end < start) throw new ToolInputError('endLine must not be before startLine');
    if (end - start > 300) throw new ToolInputError('at most 300 lines at a time');
    const lines = await changes.blame(String(args.path), start, end, signal);
    return { data: { path: args.path, lines: lines.map((b) => ({ line: b.line, sha: b.sha, author: b.author, time: iso(b.time), summary: b.summary, text: b.text })) } };
  },
};

export const readFile: AgentTool = {
  name: 'read_file',
  title: 'Read a workspace file',
  description: 'Reads lines of a file in the open workspace (trusted workspaces only; never outside the workspace). Give a line range for large files.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', maxLength: 1000, description: 'Workspace-relative path.' },
      startLine: { type: 'integer', minimum: 1, description: 'First line (default 1).' },
      endLine: { type: 'integer', minimum: 1, description: 'Last line (default: 200 lines after startLine).' },
    },
    required: ['path'],
  },
  async run(args, ctx, signal) {
    const ws = ctx.roles.workspace;
    if (!ws) throw new ToolInputError('no workspace is open, so there is no file to read');
    const text = await ws.read(String(args.path), signal);
    const all = text.split('\n');
    const start = Number(args.startLine ?? 1);
    const end = Math.min(all.length, Number(args.endLine ?? start + 199));
    if (end < start) throw new ToolInputError(`the file has ${all.length} lines`);
    return { data: { path: args.path, totalLines: all.length, startLine: start, endLine: end, lines: all.slice(start - 1, end).map((t, i) => `${start + i}: ${t}`) }, narrowHint: 'ask for a smaller line range' };
  },
};
