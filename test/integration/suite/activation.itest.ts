// Runs inside the real VS Code extension host: the extension activates, its commands and views exist.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IncidentLensApi } from '../../../src/extension';

export const extensionId = 'incident-lens.incident-lens';

export async function activateExtension(): Promise<IncidentLensApi> {
  const ext = vscode.extensions.getExtension<IncidentLensApi>(extensionId);
  assert.ok(ext, `extension ${extensionId} is not installed in this VS Code`);
  // A failing activate() rejects here, and the test fails with its error.
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not become active');
  await api.started;
  return api;
}

describe('Incident Lens in the VS Code extension host', () => {
  it('runs inside VS Code', () => {
    assert.ok(typeof vscode.version === 'string' && vscode.version.length > 0);
    assert.ok(vscode.env.appName.length > 0);
  });

  it('activates without error and returns its API', async () => {
    const api = await activateExtension();
    assert.ok(api.services.alerts, 'alert service missing');
    assert.ok(api.services.treeView, 'Alerts tree view missing');
  });

  it('registers every command it contributes', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });

  it('contributes the Alerts view, which can be focused', async () => {
    await vscode.commands.executeCommand('incidentLens.alerts.focus');
    const api = await activateExtension();
    assert.equal(api.services.treeView.visible, true);
  });

  it('starts the embedded OTLP receiver on loopback', async () => {
    const api = await activateExtension();
    const address = api.services.alerts.receiverAddress;
    assert.ok(address, `no receiver address; problems: ${JSON.stringify(api.services.alerts.snapshot.errors)}`);
    assert.match(address, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('shows a misconfigured source as an error node beside the others', async () => {
    const api = await activateExtension();
    const cfg = vscode.workspace.getConfiguration('incidentLens');
    await cfg.update('sources', [{ name: 'broken-am', kind: 'alertmanager', url: 'http://127.0.0.1:9', timeoutMs: 1000 }], vscode.ConfigurationTarget.Global);
    try {
      const deadline = Date.now() + 20_000;
      let errorNodes: unknown[] = [];
      while (Date.now() < deadline) {
        await api.services.alerts.refresh();
        errorNodes = api.services.tree.getChildren().filter((n) => n.type === 'sourceError' && n.problem.source === 'broken-am');
        if (errorNodes.length) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(errorNodes.length, 1, 'the unreachable Alertmanager is not shown as an error node');
      const node = errorNodes[0] as { problem: { kind: string; message: string } };
      assert.equal(node.problem.kind, 'down');
      assert.match(node.problem.message, /refused|127\.0\.0\.1:9/);
      // The embedded receiver still works beside it.
      assert.ok(api.services.alerts.receiverAddress);
    } finally {
      await cfg.update('sources', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
