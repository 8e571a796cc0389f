// The on-call flow in the real VS Code, fed by the demo lab through the embedded receiver:
// click the alert in the tree, read the panel (charts, log patterns, waterfall, hypothesis, suspect
// commit), "Go to code" opens the offending lines; then the same panel by keyboard alone from triage.
import * as assert from 'node:assert/strict';
import { investigationFrame, openAlertRow, openIncidentLens, paymentsAlertRow, runCommand, screenshot, useLabSession, waitFor } from './support';

describe('investigating the demo lab incident (browser, end to end)', function () {
  const session = useLabSession();

  it('shows the firing payments alert in the Alerts tree', async () => {
    await openIncidentLens(session.s.page);
    const row = paymentsAlertRow(session.s.page);
    await waitFor(`the payments alert in the tree (lab: ${session.lab.log().slice(-300)})`, 150_000, async () => (await row.count()) > 0);
    await screenshot(session.s.page, '10-tree-firing-alert');
  });

  it('clicking the alert opens the investigation panel with the hypothesis, charts, patterns, waterfall and suspect commit', async () => {
    const row = paymentsAlertRow(session.s.page);
    const frame = await openAlertRow(session.s.page, row);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    await frame.waitForSelector('.chart canvas', { timeout: 15_000 });
    const summary = await frame.locator('.hypothesis-summary').innerText();
    assert.match(summary, /payments/i);
    const topCommit = await frame.locator('table.commits tbody tr').first().innerText();
    assert.ok(topCommit.includes(session.workspace.badSha.slice(0, 8)), `top suspect commit row: ${topCommit}`);
    assert.ok((await frame.locator('table.patterns tbody tr').count()) > 0, 'no log patterns');
    assert.ok((await frame.locator('.waterfall .wf-row').count()) > 0, 'no trace waterfall');
    assert.ok((await frame.locator('.waterfall .wf-row.origin').count()) > 0, 'the waterfall marks no error origin');
    await screenshot(session.s.page, '11-investigation-panel');
    await frame.locator('#metrics').scrollIntoViewIfNeeded();
    await screenshot(session.s.page, '12-investigation-metrics');
    await frame.locator('#traces').scrollIntoViewIfNeeded();
    await screenshot(session.s.page, '12-investigation-traces');
  });

  it('"Go to code" opens the offending file at the offending lines', async () => {
    const frame = await investigationFrame(session.s.page);
    await frame.locator('table.commits tbody tr').first().locator('button[data-action="go-to-code"]').click();
    const tab = session.s.page.locator('.tabs-container .tab:has-text("card-validation.js")');
    await tab.first().waitFor({ timeout: 30_000 });
    const status = session.s.page.locator('.statusbar-item[id*="editor.selection"], .statusbar-item:has-text("Ln ")').first();
    await status.waitFor({ timeout: 10_000 });
    const where = await status.innerText();
    const line = Number(/Ln (\d+)/.exec(where)?.[1]);
    const editorText = await session.s.page.locator('.editor-instance .view-lines').first().innerText();
    assert.match(editorText, /network/, 'the editor does not show the faulty code');
    assert.ok(line > 1, `cursor at line ${line}`);
    await screenshot(session.s.page, '13-go-to-code');
  });

  it('triage from the command palette reaches the same panel by keyboard alone', async () => {
    await session.s.page.keyboard.press('Control+K');
    await session.s.page.keyboard.press('Control+W'); // close all editors
    await runCommand(session.s.page, 'Incident Lens: Triage Alerts');
    await session.s.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
    await session.s.page.keyboard.type('payments', { delay: 10 });
    await screenshot(session.s.page, '14-triage-quick-pick');
    await session.s.page.keyboard.press('Enter');
    const frame = await investigationFrame(session.s.page);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    assert.match(await frame.locator('.hypothesis-summary').innerText(), /payments/i);
    await screenshot(session.s.page, '15-triage-panel');
  });

  it('follows the color theme (switched to Dark High Contrast with Ctrl+K Ctrl+T)', async () => {
    await session.s.page.keyboard.press('Control+K');
    await session.s.page.keyboard.press('Control+T');
    await session.s.page.locator('.quick-input-widget input').waitFor({ timeout: 15_000 });
    await session.s.page.keyboard.type('Dark High Contrast', { delay: 10 });
    await session.s.page.locator('.quick-input-list .monaco-list-row:has-text("Dark High Contrast")').first().waitFor({ timeout: 15_000 });
    await session.s.page.keyboard.press('Enter');
    const frame = await investigationFrame(session.s.page);
    const background = await waitFor('a dark panel background', 20_000, async () => {
      const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
      return r + g + b < 150 ? bg : undefined;
    });
    assert.ok(background);
    await screenshot(session.s.page, '16-panel-high-contrast');
  });
});

describe('remediating the demo lab incident (browser, end to end)', function () {
  // Continues in its own VS Code on a fresh lab, so the flow is independent of the tests above.
  const session = useLabSession();

  it('proposes rolling back the bad deploy, asks approval with argv and reasons, runs it in the terminal, sees recovery, and the ledger verifies', async () => {
    await openIncidentLens(session.s.page);
    const row = paymentsAlertRow(session.s.page);
    await waitFor(`the payments alert (lab: ${session.lab.log().slice(-300)})`, 150_000, async () => (await row.count()) > 0);
    const frame = await openAlertRow(session.s.page, row);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    const rollback = frame.locator('button[data-action-id="rollback-deploy"]').first();
    await rollback.waitFor({ timeout: 10_000 });
    await rollback.click();

    const dialog = session.s.page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 60_000 });
    const text = await dialog.innerText();
    assert.match(text, /deploy\.js/, 'the approval prompt does not show the argv');
    assert.match(text, /--service payments/, 'the approval prompt does not show the target service');
    assert.match(text, /Policy: require-approval/, 'the approval prompt does not show the policy decision');
    assert.match(text, /Rollback plan/, 'the approval prompt does not show the rollback plan');
    await screenshot(session.s.page, '30-approval-prompt');
    await dialog.locator('a.monaco-button:has-text("Approve and Run"), button:has-text("Approve and Run")').first().click();

    await session.s.page.locator('.terminal-tab, .single-terminal-tab, [aria-label*="Incident Lens: Remediation"]').first().waitFor({ timeout: 30_000 });
    const toast = session.s.page.locator('.notification-list-item-message:has-text("recovered")').first();
    await toast.waitFor({ timeout: 180_000 });
    await screenshot(session.s.page, '31-remediation-recovered');

    await runCommand(session.s.page, 'Incident Lens: Verify Audit Ledger');
    await session.s.page.locator('.notification-list-item-message:has-text("Audit ledger verified")').first().waitFor({ timeout: 30_000 });
    await screenshot(session.s.page, '32-ledger-verified');
  });
});
