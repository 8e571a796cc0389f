// After the lab incident of lab.itest.ts (run before this file), inside the real extension host: the
// investigation is remembered, a CodeLens on the faulty file counts it, an earlier firing of the same
// fault shows as a similar incident with why, and a deploy that touches the file weighs the incident.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IncidentLensApi } from '../../../src/extension';
import type { Investigation } from '../../../src/core/investigation';
import { activateExtension } from './activation.itest';

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('incident memory and deployment risk in VS Code, after the lab incident', function () {
  this.timeout(180_000);
  let api: IncidentLensApi;
  let workspace: string;
  let inv: Investigation;
  let facts: { badSha: string; goodSha: string };
  const faultFile = 'services/payments/src/card-validation.js';

  before(async function () {
    workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const factsFile = path.join(workspace, '.lab', 'workspace.json');
    if (!fs.existsSync(factsFile)) this.skip();
    facts = JSON.parse(fs.readFileSync(factsFile, 'utf8'));
    api = await activateExtension();
    const latest = api.services.investigations.latest();
    if (!latest) this.skip(); // lab.itest.ts did not get as far as an investigation
    inv = latest;
  });

  it('remembers the investigated incident, and a CodeLens on the faulty file counts it', async () => {
    const uri = vscode.Uri.file(path.join(workspace, faultFile));
    const lenses = await waitFor('the incident CodeLens', 30_000, async () => {
      const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      return found.find((l) => /\d+ incidents? in 30 days/.test(l.command?.title ?? '')) ?? false;
    });
    assert.match(lenses.command!.title, /1 incident in 30 days/);
    assert.equal(lenses.command!.command, 'incidentLens.showIncidentHistory');
    const records = await api.services.incidentMemory.records();
    assert.ok(records.some((r) => r.alertId === inv.alert.id && r.files.includes(faultFile) && r.services[0] === 'payments'), JSON.stringify(records.map((r) => [r.alertId, r.files])));
  });

  it('shows an earlier firing of the same fault as a similar incident, with why', async () => {
    const earlier: Investigation = { ...inv, alert: { ...inv.alert, id: `${inv.alert.id}-earlier`, startsAt: inv.alert.startsAt - 2 * 86_400_000 } };
    await api.services.incidentMemory.record(earlier);
    await api.services.incidentMemory.record(inv);
    const top = await api.services.incidentMemory.getChildren();
    assert.equal(top[0].kind, 'incident', JSON.stringify(top));
    const item = api.services.incidentMemory.getTreeItem(top[0]);
    assert.match(String(item.label), /payments/);
    assert.match(String(item.description), /2 days ago/);
    const details = (await api.services.incidentMemory.getChildren(top[0])).map((n) => (n.kind === 'detail' ? `${n.label} ${n.description ?? ''}` : ''));
    assert.ok(details.some((d) => /same service payments/.test(d)), details.join('\n'));
    assert.ok(details.some((d) => /same error TypeError/.test(d)), details.join('\n'));
    assert.ok(details.some((d) => d.startsWith(faultFile)), details.join('\n'));
  });

  it('weighs the incident when assessing a deploy of the faulty commit over the last good one', async () => {
    const a = await api.services.deployRisk.compute(facts.badSha, { base: facts.goodSha });
    const incidents = a.factors.find((f) => f.kind === 'incidents')!;
    assert.ok((incidents.value ?? 0) > 0.5, JSON.stringify(incidents));
    assert.ok(incidents.evidence.some((e) => e.ref?.kind === 'file' && e.ref.id === faultFile), JSON.stringify(incidents.evidence));
    assert.ok(a.services.includes('payments'));
  });
});
