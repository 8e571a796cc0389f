// Read-only documents of a file at a commit (incident-lens-git:/path?sha), so "Open diff" works on
// VS Code's own diff editor without depending on the built-in git extension.
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';

export const gitScheme = 'incident-lens-git';

export class GitContentProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { repo, rev } = JSON.parse(uri.query) as { repo: string; rev: string };
    const rel = uri.path.replace(/^\//, '');
    return new Promise((resolve) => {
      // argv only; an unknown path at that revision (added or deleted file) is an empty side.
      execFile('git', ['--no-pager', 'show', `${rev}:${rel}`], { cwd: repo, maxBuffer: 32 * 1024 * 1024 }, (err, stdout) => resolve(err ? '' : stdout));
    });
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
