// The live panel in the real VS Code, fed by the demo lab through the embedded receiver (one session, in
// the order an on-call engineer would go): the lab's one fault shows as one incident in the tree; its
// investigation explains the six alerts; an evidence link scrolls to its chart; the charts share one
// cursor; the time-range picker re-queries; the panel keeps its state across a tab switch; the export
// writes the postmortem's sections; the rollback runs through the policy and is withdrawn, and the
// panel shows the alert resolve. Screenshots go to test-results/screenshots/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { investigationFrame, openAlertRow, openIncidentLens, screenshot, useLabSession, waitFor } from './support';

const incidentRow = (page: Page) => page.locator('.sidebar .monaco-list-row[aria-label^="Incident payments:"]').first();

async function inViewport(frame: Frame, selector: string): Promise<boolean> {
  return frame.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.top >= -1 && r.top < window.innerHeight && r.bottom > 0;
  }, selector);
}

describe('a live investigation of the demo lab incident (browser, end to end)', function () {
  const session = useLabSession();
  let frame: Frame;

  it('shows the lab fault as one incident: six alerts, the failing payments service first', async () => {
    const page = session.s.page;
    await openIncidentLens(page);
    const row = incidentRow(page);
    const childRows = () => page.locator('.sidebar .monaco-list-row[aria-level="2"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    // Six alerts, and the payments error ratio (pending for a minute, then firing) first under them.
    const label = await waitFor(`an incident of six alerts in the tree, payments firing first (lab: ${session.lab.log().slice(-300)})`, 240_000, async () => {
      if ((await row.count()) === 0) return undefined;
      const text = (await row.getAttribute('aria-label')) ?? '';
      const first = (await childRows())[0] ?? '';
      return /: 6 alerts/.test(text) && /^Alert HighErrorRatio, firing, critical, service payments/.test(first) ? text : undefined;
    });
    assert.match(label, /^Incident payments: 6 alerts, \d firing$/);
    const children = await childRows();
    assert.ok(children.length >= 6, `rows under the incident: ${children.join(' | ')}`);
    for (const svc of ['payments', 'checkout', 'storefront']) assert.ok(children.some((c) => c.includes(`service ${svc}`)), `no ${svc} alert under the incident`);
    const status = await page.locator('.statusbar-item[id="incidentLens.firing"], .statusbar-item:has-text("critical")').first().innerText();
    assert.match(status, /critical.*warning/s, `status bar: ${status}`);
    await screenshot(page, '40-incident-in-tree');
  });

  it('one investigation explains the incident: the panel lists its six alerts and is titled with the alert and service', async () => {
    const page = session.s.page;
    frame = await openAlertRow(page, incidentRow(page));
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    const tab = await page.locator('.tabs-container .tab.active').first().innerText();
    assert.match(tab, /HighErrorRatio · payments/);
    const incident = await frame.locator('#incident').innerText();
    assert.match(incident, /6 alerts/);
    assert.equal(await frame.locator('#incident li').count(), 6);
    assert.match(await frame.locator('.hypothesis-summary').innerText(), /payments/i);
    assert.match(await frame.locator('.hypothesis-summary').innerText(), /explains 6 alerts/);
    await screenshot(page, '41-incident-panel');
  });

  it('an evidence link scrolls to its chart and highlights it', async () => {
    const link = frame.locator('button.evidence-link[data-target-kind="chart"]').first();
    assert.ok((await link.count()) > 0, 'no evidence points at a chart');
    const id = await link.getAttribute('data-evidence-id');
    const chartSel = `.chart[data-evidence~="${id}"]`;
    await frame.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await inViewport(frame, chartSel), false, 'the chart is already on screen: the test would prove nothing');
    await link.click();
    await waitFor('the chart to scroll into view, highlighted', 10_000, async () => (await inViewport(frame, chartSel)) && (await frame.locator(`${chartSel}.focused`).count()) > 0);
    await screenshot(session.s.page, '42-evidence-scrolled-to-chart');
  });

  it('hovering one chart moves the cursor on every chart to the same moment', async () => {
    const charts = frame.locator('.chart .u-over');
    assert.ok((await charts.count()) >= 2, 'fewer than two charts');
    const box = await charts.first().boundingBox();
    assert.ok(box);
    const page = session.s.page;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const readouts = await waitFor('every chart to show a readout', 10_000, async () => {
      const texts = await frame.locator('.chart .chart-readout').allInnerTexts();
      return texts.length >= 2 && texts.every((t) => t.trim() !== '') ? texts : undefined;
    });
    assert.equal(new Set(readouts.map((t) => t.trim())).size, 1, `readouts differ: ${readouts.join(' | ')}`);
    const cursorX = await frame.locator('.chart .u-cursor-x').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.transform || (e as HTMLElement).style.left));
    assert.ok(cursorX.length >= 2 && new Set(cursorX).size === 1, `cursor positions differ: ${cursorX.join(' | ')}`);
    await screenshot(page, '43-synced-cursor');
    await page.mouse.move(5, 5);
  });

  it('the time-range picker re-queries: 6 h reads a new window and shows it', async () => {
    const before = Number(await frame.locator('.range-text').getAttribute('data-range-start'));
    await frame.locator('button[data-range="6h"]').click();
    await frame.waitForSelector('#app[data-range="6h"][data-ready="true"]', { timeout: 90_000 });
    const start = Number(await frame.locator('.range-text').getAttribute('data-range-start'));
    const end = Number(await frame.locator('.range-text').getAttribute('data-range-end'));
    assert.ok(Math.abs(end - start - 6 * 3600_000) < 1000, `range ${start}..${end}`);
    assert.ok(start < before, 'the new range starts earlier');
    assert.match(await frame.locator('.range-text').innerText(), /\(6 h\)/);
    assert.equal(await frame.locator('button[data-range="6h"]').getAttribute('aria-pressed'), 'true');
    assert.ok((await frame.locator('.chart canvas').count()) > 0, 'no charts after the re-query');
    await screenshot(session.s.page, '44-range-6h');
  });

  it('exports the investigation as Markdown with the postmortem sections, and the panel keeps its state across the tab switch', async () => {
    const page = session.s.page;
    // State the user set: the log patterns collapsed, the page scrolled down.
    await frame.locator('#logs .card-toggle').click();
    // Scrolled down with the mouse wheel, as a person would.
    const panelBox = await frame.locator('#app').boundingBox();
    assert.ok(panelBox);
    await page.mouse.move(panelBox.x + 40, Math.min(panelBox.y + 300, 700));
    await page.mouse.wheel(0, 1500);
    const scrolled = await waitFor('the panel to scroll', 10_000, async () => {
      const y = await frame.evaluate(() => window.scrollY);
      return y > 600 ? y : undefined;
    });
    assert.ok(scrolled > 600);
    await frame.waitForTimeout(300);
    const settled = await frame.evaluate(() => window.scrollY);
    // The state keeps whole pixels; scrollY may be fractional at a zoom level.
    await waitFor('the scroll position to be kept', 5_000, async () => Math.abs(Number(await frame.evaluate(() => document.body.dataset.keptScroll)) - settled) <= 1).catch(async (err: unknown) => {
      const seen = await frame.evaluate(() => ({ y: window.scrollY, kept: document.body.dataset.keptScroll, intent: document.body.dataset.scrollIntent }));
      throw new Error(`${err instanceof Error ? err.message : String(err)}; settled at ${settled}; now ${JSON.stringify(seen)}`);
    });
    await frame.locator('button[data-action="export-markdown"]').click();
    // VS Code's own save dialog (a quick input in the browser), prefilled with a file in the workspace.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 20_000 });
    // The dialog fills in the folder first and the proposed name a moment later.
    const proposed = await waitFor('the proposed file name', 15_000, async () => {
      const v = await input.inputValue();
      return v.endsWith('.md') ? v : undefined;
    });
    assert.match(proposed, /incident-payments-\d{4}-\d\d-\d\d\.md$/);
    await page.keyboard.press('Enter');
    const file = path.join(session.workspace.dir, path.basename(proposed));
    const text = await waitFor(`the export in ${file}`, 20_000, async () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
    for (const heading of ['# Incident: HighErrorRatio on payments', '## Summary', '## Timeline', '## Hypothesis', '## Evidence', '## Suspect commits', '## Actions taken', '## Alerts explained', '## What was checked']) {
      assert.ok(text.split('\n').includes(heading) || text.startsWith(heading), `no "${heading}" in the export`);
    }
    assert.match(text, /\*\*Onset\*\*/);
    assert.match(text, new RegExp(session.workspace.badSha.slice(0, 8)));
    await page.locator('.tabs-container .tab:has-text("incident-payments")').first().waitFor({ timeout: 15_000 });
    await screenshot(page, '45-export-markdown');
    // Back to the panel: its webview was rebuilt, and the state comes back.
    await page.locator('.tabs-container .tab:has-text("HighErrorRatio · payments")').first().click();
    frame = await investigationFrame(page);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 60_000 });
    assert.equal(await frame.locator('#logs .card-body').isHidden(), true, 'the collapsed section came back open');
    const back = await waitFor('the scroll position to come back', 15_000, async () => {
      const y = await frame.evaluate(() => window.scrollY);
      return Math.abs(y - settled) < 120 ? y : undefined;
    }).catch(async (err: unknown) => {
      const seen = await frame.evaluate(() => ({ y: window.scrollY, height: document.body.scrollHeight, inner: window.innerHeight, target: document.body.dataset.scrollTarget, kept: document.body.dataset.keptScroll }));
      throw new Error(`${err instanceof Error ? err.message : String(err)}; scrolled to ${settled} before; now ${JSON.stringify(seen)}`);
    });
    assert.ok(back > 100);
    assert.equal(await frame.locator('#app').getAttribute('data-range'), '6h', 'the range came back');
    await screenshot(page, '46-state-after-tab-switch');
    await frame.locator('#logs .card-toggle').click();
  });

  it('the rollback runs through the policy, is withdrawn once done, and the panel shows the alert resolve', async () => {
    const page = session.s.page;
    const rollback = frame.locator('button[data-action-id="rollback-deploy"]').first();
    await rollback.waitFor({ timeout: 10_000 });
    await rollback.click();
    const dialog = page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 60_000 });
    assert.match(await dialog.innerText(), /Policy: require-approval/);
    await dialog.locator('a.monaco-button:has-text("Approve and Run"), button:has-text("Approve and Run")').first().click();
    await frame.locator('[data-action-row="rollback-deploy"][data-action-state="running"]').waitFor({ timeout: 30_000 });
    await screenshot(page, '47-rollback-running');
    await frame.locator('[data-action-row="rollback-deploy"][data-action-state="done"]').waitFor({ timeout: 180_000 });
    assert.equal(await frame.locator('button[data-action-id="rollback-deploy"]').count(), 0, 'the rollback is still offered after it ran');
    const outcome = await frame.locator('[data-action-row="rollback-deploy"] .outcome').innerText();
    assert.match(outcome, /Recovered: .* \d+(\.\d+)? % < 5 %/, `outcome: ${outcome}`);
    await screenshot(page, '48-rollback-done');
    await frame.waitForSelector('#app[data-alert-state="resolved"]', { timeout: 240_000 });
    assert.match(await frame.locator('#alert-state').innerText(), /resolved/i);
    assert.match(await frame.locator('header .resolved-at').innerText(), /resolved \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    assert.equal(await frame.locator('button[data-action-id="rollback-deploy"]').count(), 0);
    await screenshot(page, '49-alert-resolved-in-panel');
    // The last 15 minutes, read again: the charts show the recovery, with the rollback and the resolution marked.
    await frame.locator('button[data-range="15m"]').click();
    await frame.waitForSelector('#app[data-range="15m"][data-ready="true"]', { timeout: 90_000 });
    assert.ok((await frame.locator('.chart .marker-flag[data-kind="action"]').count()) > 0, 'the rollback is not marked on the charts');
    assert.ok((await frame.locator('.chart .marker-flag[data-kind="resolved"]').count()) > 0, 'the resolution is not marked on the charts');
    assert.equal(await frame.locator('button[data-action-id="rollback-deploy"]').count(), 0, 'the re-query offered the rollback again');
    await frame.locator('#metrics').scrollIntoViewIfNeeded();
    await screenshot(page, '49b-recovery-on-the-charts');
    // The resolved alert stays in the tree, dimmed, with when it resolved.
    const resolvedRow = page.locator('.sidebar .monaco-list-row[aria-label^="Alert HighErrorRatio, resolved"][aria-label*="service payments"]').first();
    await resolvedRow.waitFor({ timeout: 30_000 });
    assert.match(await resolvedRow.innerText(), /resolved \d+[smh]/);
    await screenshot(page, '50-resolved-alert-in-tree');
  });

  it('the Audit Ledger lists the entries its counts count', async () => {
    const page = session.s.page;
    const header = page.locator('.sidebar .pane-header:has-text("Audit Ledger")').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const approvals = page.locator('.sidebar .monaco-list-row[aria-label^="Approvals: 1"]').first();
    await approvals.waitFor({ timeout: 30_000 });
    await approvals.click();
    const entry = page.locator('.sidebar .monaco-list-row:has-text("Approved: rollback-deploy")').first();
    await entry.waitFor({ timeout: 15_000 });
    await screenshot(page, '51-ledger-entries');
  });
});
