// The diff view's documents (incident-lens-git:) inside the real extension host: a commit's file reads
// back as git has it, and a URI that names a revision or path that could become an option, or a
// repository that is not a workspace folder, is refused without git writing anything.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { gitUri } from '../../../src/vscode/gitContent';
import { activateExtension } from './activation.itest';

describe('incident-lens-git documents in VS Code', function () {
  this.timeout(60_000);
  let workspace: string;
  let head: string;
  let file: string;

  before(async function () {
    workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    if (!workspace || !fs.existsSync(path.join(workspace, '.git'))) this.skip(); // the runner opened no repository
    await activateExtension();
    head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspace, encoding: 'utf8' }).trim();
    file = execFileSync('git', ['ls-tree', '-r', '--name-only', 'HEAD'], { cwd: workspace, encoding: 'utf8' }).split('\n').find((f) => f.endsWith('.js') || f.endsWith('.ts')) ?? '';
    assert.ok(file, 'the workspace has no source file at HEAD');
  });

  it('shows a file at a commit as git has it, and the parent side too', async () => {
    const doc = await vscode.workspace.openTextDocument(gitUri(workspace, head, file));
    assert.equal(doc.getText(), execFileSync('git', ['cat-file', 'blob', `${head}:${file}`], { cwd: workspace, encoding: 'utf8' }));
    const parent = await vscode.workspace.openTextDocument(gitUri(workspace, `${head}^`, 'no/such/file.ts'));
    assert.equal(parent.getText(), '', 'a file the revision lacks is an empty side');
  });

  it('refuses an option as the revision or path, and a repository outside the workspace; git writes nothing', async () => {
    const written = path.join(os.tmpdir(), `incident-lens-itest-${process.pid}-written`);
    const refused = async (uri: vscode.Uri, why: RegExp) => {
      await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(uri)), why);
    };
    await refused(gitUri(workspace, `--output=${written}`, file), /refused revision/);
    await refused(gitUri(workspace, head, `--output=${written}`), /refused path/);
    await refused(gitUri(workspace, head, `../${path.basename(workspace)}/${file}`), /refused path/);
    await refused(gitUri(os.tmpdir(), head, file), /not a folder of this workspace/);
    assert.equal(fs.existsSync(written), false, 'git wrote a file a URI named');
  });
});
