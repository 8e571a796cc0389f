// The demo incident lab, end to end inside the real extension host: the lab's three services export
// OTLP to the embedded receiver, a built-in rule fires after the faulty payments deploy, the Alerts
// tree shows it, the investigation names the bad commit and its lines, and "go to code" opens them.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Alert } from '../../../src/core/model';
import type { IncidentLensApi } from '../../../src/extension';
import { activateExtension } from './activation.itest';
import { investigationView } from '../../../src/protocol/investigationView';

const projectRoot = path.resolve(__dirname, '../../../..');

interface LabFacts {
  badSha: string;
  goodSha: string;
  faultFile?: string;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('the demo incident lab in VS Code', function () {
  this.timeout(240_000);
  let api: IncidentLensApi;
  let lab: ChildProcess | undefined;
  let labLog = '';
  let workspace: string;
  let facts: LabFacts;
  let alert: Alert;

  before(async function () {
    workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const factsFile = path.join(workspace, '.lab', 'workspace.json');
    if (!fs.existsSync(factsFile)) this.skip(); // the runner opened a workspace that is not a lab
    facts = JSON.parse(fs.readFileSync(factsFile, 'utf8')) as LabFacts;
    api = await activateExtension();
    const receiver = api.services.alerts.receiverAddress;
    assert.ok(receiver, 'the embedded receiver is not running');
    // The lab runs as its own process, exactly as `node demo/lab/run-lab.js` would for a user.
    lab = spawn('node', [path.join(projectRoot, 'demo', 'lab', 'run-lab.js'), '--workspace', workspace, '--otlp', receiver, '--rps', '8', '--bad-after-s', '3', '--no-prometheus'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    lab.stdout?.on('data', (d: Buffer) => (labLog += d.toString()));
    lab.stderr?.on('data', (d: Buffer) => (labLog += d.toString()));
  });

  after(async () => {
    if (lab && lab.exitCode === null) {
      lab.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 3000));
      if (lab.exitCode === null) lab.kill('SIGKILL');
    }
  });

  it('shows the firing payments alert in the Alerts tree, fed by the embedded receiver', async () => {
    alert = await waitFor(`a firing payments alert (lab log: ${labLog.slice(-500)})`, 120_000, async () => {
      await api.services.alerts.refresh();
      return api.services.alerts.snapshot.alerts.find((a) => a.state === 'firing' && a.service === 'payments' && a.sourceKind === 'otlp');
    });
    const nodes = api.services.tree.getChildren();
    const inTree = nodes.flatMap((n) => (n.type === 'group' || n.type === 'incident' ? api.services.tree.getChildren(n) : [n])).some((n) => n.type === 'alert' && n.alert.id === alert.id);
    assert.ok(inTree, 'the alert is not in the tree');
    assert.ok(api.services.treeView.badge && api.services.treeView.badge.value >= 1, 'no badge with the firing count');
  });

  it('investigates the alert: the hypothesis names payments and the faulty commit with its lines', async () => {
    const panel = api.services.panels.open(alert);
    await panel.whenReady();
    const run = api.services.investigations.get(panel.key)!;
    const view = investigationView(run, { enabled: true });
    assert.equal(view.phase, 'ready', `investigation ended in ${view.phase}: ${view.error ?? ''}`);
    const h = run.investigation?.hypothesis;
    assert.ok(h, 'no hypothesis');
    assert.equal(h.service, 'payments', h.summary);
    assert.equal(h.abstained, false, h.summary);
    assert.equal(h.suspectCommit?.sha, facts.badSha, `top suspect ${h.suspectCommit?.sha} is not the faulty commit ${facts.badSha}`);
    assert.ok(h.location, 'no code location');
    assert.equal(h.location.path, 'services/payments/src/card-validation.js');
    assert.ok(h.evidence.length >= 2, 'too little evidence');
    assert.ok(view.charts.length > 0, 'no charts');
    assert.ok(view.trace && view.trace.rows.some((r) => r.isErrorOrigin), 'no waterfall with an error origin');
  });

  it('"Go to Suspect Code" opens the offending file at the offending lines', async () => {
    await vscode.commands.executeCommand('incidentLens.goToSuspectCode');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(path.relative(workspace, editor.document.uri.fsPath), 'services/payments/src/card-validation.js');
    const text = editor.document.getText(new vscode.Range(editor.selection.start.line, 0, editor.selection.end.line + 1, 0));
    assert.match(text, /network/, `the selection does not cover the faulty line: ${text}`);
    assert.ok(api.services.suspectCode.count >= 1, 'no suspect-code marker');
  });
});
