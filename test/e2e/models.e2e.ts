// A drifting model in the real VS Code: the workspace declares it in .incident-lens/models.yaml, its
// data drifts and its ROC AUC falls, so drift alerts of their own kind appear in the Alerts tree owned
// by the model's owner; clicking one opens the model panel with the drifted features, and the proposed
// rollback goes through the approval prompt, runs, is verified and lands in the ledger. No MLflow server
// can be had here: the registry is a local server answering in MLflow's documented REST format.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { investigationFrame, openAlertRow, openIncidentLens, openVsCode, runCommand, screenshot, screenshotOnFailure, waitFor, type Session } from './support';
import { createDriftWorkspace, type DriftWorkspace } from '../support/driftWorkspace';
import { startMlflowRegistry, type FakeRegistry } from '../support/mlflowRegistry';

describe('a drifting model (browser, end to end; MLflow registry answered in its documented REST format)', function () {
  let s: Session;
  let ws: DriftWorkspace;
  let registry: FakeRegistry;
  before(async () => {
    registry = await startMlflowRegistry('sold-model', {
      versions: [
        { version: '4', current_stage: 'None', run_id: 'r4', creation_timestamp: Date.UTC(2024, 3, 1) },
        { version: '5', current_stage: 'None', run_id: 'r5', creation_timestamp: Date.UTC(2024, 6, 1) },
      ],
      aliases: { champion: '5' },
      metrics: { r5: { roc_auc: 0.93 } },
    });
    ws = createDriftWorkspace({ registryUrl: registry.url });
    s = await openVsCode(ws.dir);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => {
    await s?.stop();
    await registry?.close();
    if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  const row = (name: string) => s.page.locator(`.sidebar .monaco-list-row[aria-label^="Alert ${name}, firing"]`).first();

  it('raises drift alerts in the Alerts tree, owned by the model\'s owner', async () => {
    await openIncidentLens(s.page);
    await waitFor('the model drift alerts in the tree', 120_000, async () => (await row('ModelDataDrift').count()) > 0 && (await row('ModelPerformanceDecay').count()) > 0);
    const label = await row('ModelPerformanceDecay').getAttribute('aria-label');
    assert.match(label ?? '', /critical, service pricing/);
    await row('ModelDataDrift').hover();
    await screenshot(s.page, '40-model-drift-alerts');
  });

  it('the alert opens the model panel: drifted features first, a chart per feature, decay months, commits to its code', async () => {
    const frame = await openAlertRow(s.page, row('ModelDataDrift'));
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 60_000 });
    await frame.waitForSelector('.chunk-chart canvas', { timeout: 15_000 });
    const drifted = await frame.locator('table.features tbody tr.drifted td:first-child').allInnerTexts();
    assert.deepEqual(new Set(drifted), new Set(['income', 'region']), `drifted rows: ${drifted}`);
    const all = await frame.locator('table.features tbody tr td:first-child').allInnerTexts();
    assert.equal(all[all.length - 1], 'age', 'the feature that did not drift comes last');
    assert.ok((await frame.locator('#drift .chunk-chart').count()) >= 3, 'one chart per feature');
    assert.match(await frame.locator('#drift h2').innerText(), /Data drift: .*income/);
    assert.match(await frame.locator('#performance h2').innerText(), /below its threshold in 2024-07, 2024-08/);
    assert.match(await frame.locator('header').innerText(), /owner @pricing-ml/);
    const commits = await frame.locator('table.commits tbody tr').allInnerTexts();
    assert.ok(commits.some((c) => c.includes(ws.pipelineSha.slice(0, 8)) && /pipeline/.test(c)), `commits: ${commits.join(' | ')}`);
    assert.match(await frame.locator('#registry h2').innerText(), /alias champion → version 5 \(before: 4\)/);
    await screenshot(s.page, '41-model-panel');
    await frame.locator('#performance').scrollIntoViewIfNeeded();
    await screenshot(s.page, '42-model-panel-performance');
    await frame.locator('#commits').scrollIntoViewIfNeeded();
    await screenshot(s.page, '43-model-panel-commits');
  });

  it('the rollback proposal asks approval with the exact argv and the policy, runs, is verified against the registry, and the ledger verifies', async () => {
    const frame = await investigationFrame(s.page);
    const rollback = frame.locator('button[data-action-id="rollback-model"]').first();
    await rollback.scrollIntoViewIfNeeded();
    assert.match(await rollback.innerText(), /Roll sold-model back to version 4/);
    await rollback.click();
    const dialog = s.page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 60_000 });
    const text = await dialog.innerText();
    assert.match(text, /curl .*registered-models\/alias/, 'the approval prompt does not show the argv');
    // displayArgv quotes the JSON body as one element.
    assert.match(text, /--data-binary "\{\\"name\\":\\"sold-model\\",\\"alias\\":\\"champion\\",\\"version\\":\\"4\\"\}"/);
    assert.match(text, /Policy: require-approval/);
    assert.match(text, /Rollback plan: Move alias champion of sold-model forward again to version 5/);
    assert.match(text, /Dry run:[\s\S]*"version": ?"5"/, 'the preview does not show what serves now');
    assert.equal(registry.aliases.champion, '5', 'nothing ran before approval');
    await screenshot(s.page, '44-model-rollback-approval');
    await dialog.locator('a.monaco-button:has-text("Approve and Run"), button:has-text("Approve and Run")').first().click();
    await s.page.locator('.notification-list-item-message:has-text("recovered")').first().waitFor({ timeout: 60_000 });
    assert.equal(registry.aliases.champion, '4');
    await screenshot(s.page, '45-model-rollback-verified');
    await runCommand(s.page, 'Incident Lens: Verify Audit Ledger');
    await s.page.locator('.notification-list-item-message:has-text("Audit ledger verified")').first().waitFor({ timeout: 30_000 });
    await screenshot(s.page, '46-model-ledger-verified');
  });
});
