// Workspace files for the agent: only in a trusted workspace, only inside it (symlinks followed, so a
// link that points out is refused too), bounded, text only. A refusal says why and reads nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolInputError, type WorkspaceFiles } from './types';

export const maxWorkspaceFileBytes = 512 * 1024;

export function workspaceFiles(root: string, trusted: boolean): WorkspaceFiles {
  return {
    trusted,
    async read(relPath: string): Promise<string> {
      if (!trusted) throw new ToolInputError('this workspace is not trusted: Incident Lens reads no workspace file for the agent until you trust it');
      if (typeof relPath !== 'string' || !relPath.trim() || relPath.includes('\0')) throw new ToolInputError('give a workspace-relative path');
      const realRoot = fs.realpathSync(root);
      const wanted = path.resolve(realRoot, relPath);
      const outside = (p: string) => p !== realRoot && !p.startsWith(realRoot + path.sep);
      if (outside(wanted)) throw new ToolInputError(`${JSON.stringify(relPath)} is outside the workspace: only files inside it can be read`);
      let real: string;
      try {
        real = fs.realpathSync(wanted);
      } catch {
        throw new ToolInputError(`no file ${JSON.stringify(relPath)} in the workspace`);
      }
      if (outside(real)) throw new ToolInputError(`${JSON.stringify(relPath)} leads outside the workspace (a symbolic link): only files inside it can be read`);
      const rel = path.relative(realRoot, real).split(path.sep);
      if (rel[0] === '.git') throw new ToolInputError('files inside .git are not workspace files');
      const stat = fs.statSync(real);
      if (!stat.isFile()) throw new ToolInputError(`${JSON.stringify(relPath)} is not a file`);
      if (stat.size > maxWorkspaceFileBytes) throw new ToolInputError(`${JSON.stringify(relPath)} is larger than ${maxWorkspaceFileBytes / 1024} KB: ask for a line range of a smaller file`);
      const buf = fs.readFileSync(real);
      if (buf.subarray(0, 8000).includes(0)) throw new ToolInputError(`${JSON.stringify(relPath)} is a binary file`);
      return buf.toString('utf8');
    },
  };
}

/** A saved bundle's files, as a workspace: only the paths the bundle carries. */
export function bundleFiles(files: Record<string, string> | undefined): WorkspaceFiles {
  return {
    trusted: true,
    async read(relPath: string): Promise<string> {
      const norm = path.posix.normalize(String(relPath).replace(/\\/g, '/')).replace(/^\.\//, '');
      if (norm.startsWith('..') || path.posix.isAbsolute(norm)) throw new ToolInputError(`${JSON.stringify(relPath)} is outside the workspace: only files inside it can be read`);
      if (!files || !Object.prototype.hasOwnProperty.call(files, norm)) throw new ToolInputError(`the bundle holds no file ${JSON.stringify(norm)}${files ? `; it holds ${Object.keys(files).slice(0, 20).map((f) => JSON.stringify(f)).join(', ')}` : ''}`);
      return files[norm];
    },
  };
}
