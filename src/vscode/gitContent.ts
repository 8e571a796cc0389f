// Read-only documents of a file at a commit (incident-lens-git:/path?sha), so "Open diff" works on
// VS Code's own diff editor without depending on the built-in git extension. A URI of this scheme can
// come from anywhere that opens links, so the repository must be a workspace folder and the revision
// and path are checked (gitCommand.ts) before git sees them.
import * as vscode from 'vscode';
import { readFileAtRevision } from '../sources/gitCommand';

export const gitScheme = 'incident-lens-git';

export class GitContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let query: { repo?: unknown; rev?: unknown };
    try {
      query = JSON.parse(uri.query) as { repo?: unknown; rev?: unknown };
    } catch {
      throw new Error('incident-lens-git: the URI does not name a repository and a revision');
    }
    const { repo, rev } = query;
    if (typeof repo !== 'string' || typeof rev !== 'string') throw new Error('incident-lens-git: the URI does not name a repository and a revision');
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repo));
    if (!folder || folder.uri.fsPath !== vscode.Uri.file(repo).fsPath) throw new Error(`incident-lens-git: ${repo} is not a folder of this workspace`);
    // An unknown path at that revision (an added or deleted file) is an empty side.
    const text = await readFileAtRevision({ repo, rev, path: uri.path.replace(/^\//, ''), trusted: vscode.workspace.isTrusted });
    return text ?? '';
  }
}

export function gitUri(repo: string, rev: string, relPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: gitScheme, path: '/' + relPath, query: JSON.stringify({ repo, rev }) });
}

export async function openCommitDiff(repo: string, sha: string, relPath: string): Promise<void> {
  const left = gitUri(repo, `${sha}^`, relPath);
  const right = gitUri(repo, sha, relPath);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${relPath} (${sha.slice(0, 7)}^ ↔ ${sha.slice(0, 7)})`, { preview: true });
}
