// Before the deploy, in the real VS Code on the demo lab's repository: "Incident Lens: Assess
// Deployment Risk" on the commit before the faulty payments commit, then on the faulty commit, both
// against the lab's last good deploy; the faulty change reads riskier, with its factors and evidence,
// and the status bar shows the current branch's level.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { createLabWorkspace, openIncidentLens, openVsCode, runCommand, screenshot, screenshotOnFailure, waitFor, type Session } from './support';

async function riskFrame(page: Page, timeoutMs = 90_000): Promise<Frame> {
  return waitFor('the deployment risk panel', timeoutMs, async () => {
    for (const f of page.frames()) {
      try {
        if (await f.$('#app button[data-action="pick-target"]')) return f;
      } catch {
        /* frame detached while looking */
      }
    }
    return undefined;
  });
}

/**
 * Runs "Assess Deployment Risk", types into its target picker and takes the row that shows `query` (a
 * short sha, a branch name). A quick pick closes when focus moves (the web workbench's walkthrough tab
 * takes it as it loads), so the command is run again when its picker does not show.
 */
async function assessTarget(page: Page, query: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Incident Lens: Assess Deployment Risk');
    try {
      // The picker lists refs and commits first, which can take a while on a loaded machine.
      await page.locator('.quick-input-widget input[placeholder^="HEAD, a branch"]').waitFor({ timeout: attempt === 1 ? 90_000 : 30_000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await pickTarget(page, query);
}

/** Types into the open target picker and takes the row that shows `query`. */
async function pickTarget(page: Page, query: string): Promise<void> {
  await page.locator('.quick-input-widget input').waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await page.keyboard.type(query, { delay: 5 });
  await page.locator(`.quick-input-list .monaco-list-row:has-text("${query}")`).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

async function readyAssessment(frame: Frame, sha: string): Promise<{ score: number; level: string; action: string; factors: string[] }> {
  await frame.waitForSelector(`#app[data-ready="true"] #summary .meta:has-text("${sha.slice(0, 10)}")`, { timeout: 120_000 });
  const score = Number(await frame.locator('#app').getAttribute('data-score'));
  const level = (await frame.locator('#app').getAttribute('data-level')) ?? '';
  const action = (await frame.locator('.recommendation').getAttribute('data-action')) ?? '';
  const factors = await frame.locator('table.factors tr.factor').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind ?? ''));
  return { score, level, action, factors };
}

describe('assessing deployment risk on the demo lab (browser, end to end)', function () {
  let s: Session;
  let lab: ReturnType<typeof createLabWorkspace>;
  let before: string;
  const seen: Record<string, number> = {};

  let hostile: string;
  const HOSTILE_SUBJECT = '<img src=x onerror="document.body.dataset.pwned=1"> \u001b[31mred\u202e';

  this.beforeAll(async () => {
    lab = createLabWorkspace();
    before = execFileSync('git', ['rev-parse', `${lab.badSha}^`], { cwd: lab.dir, encoding: 'utf8' }).trim();
    // A branch whose commit message is markup and terminal escapes: the panel must show it as text.
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Mallory', '-c', 'user.email=m@example.com', ...args], { cwd: lab.dir, encoding: 'utf8' });
    git('checkout', '-q', '-b', 'hostile');
    fs.appendFileSync(path.join(lab.dir, 'services', 'storefront', 'src', 'catalog.js'), '// note\n');
    git('commit', '-qam', HOSTILE_SUBJECT);
    git('checkout', '-q', '-');
    hostile = execFileSync('git', ['rev-parse', 'hostile'], { cwd: lab.dir, encoding: 'utf8' }).trim();
    s = await openVsCode(lab.dir);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => s?.stop());

  it('assesses the commit before the faulty one against the last good deploy, every factor listed', async () => {
    await openIncidentLens(s.page);
    // The walkthrough the web workbench opens at start takes focus as it loads: close it first.
    await runCommand(s.page, 'View: Close All Editors');
    await assessTarget(s.page, before.slice(0, 10));
    const frame = await riskFrame(s.page);
    const a = await readyAssessment(frame, before);
    assert.deepEqual(a.factors, ['change-risk', 'incidents', 'coverage', 'traffic', 'alerts', 'freeze', 'error-budget']);
    assert.match(await frame.locator('#summary .meta').innerText(), /against [0-9a-f]{10} \(\.lab\/deploys\.jsonl:\d+/);
    assert.equal(await frame.locator('table.commits tbody tr').count(), 1, 'one commit since the good deploy');
    assert.match(await frame.locator('.advice').innerText(), /nothing is blocked/);
    seen.before = a.score;
    await screenshot(s.page, '40-deploy-risk-before-fault');
  });

  it('assesses the faulty commit: higher risk, the faulty commit the riskiest, with the reasons and the model\'s provenance', async () => {
    const frame = await riskFrame(s.page);
    await frame.locator('button[data-action="pick-target"]').click();
    await pickTarget(s.page, lab.badSha.slice(0, 10));
    const a = await readyAssessment(frame, lab.badSha);
    seen.after = a.score;
    assert.ok(a.score > seen.before, `risk after ${a.score} is not above risk before ${seen.before}`);
    const rows = frame.locator('table.commits tbody tr');
    assert.equal(await rows.count(), 2);
    const risks = await rows.evaluateAll((trs) => trs.map((tr) => ({ sha: (tr as HTMLElement).dataset.sha, risk: Number(tr.children[1].textContent?.replace('%', '')) })));
    const riskiest = risks.reduce((x, y) => (y.risk > x.risk ? y : x));
    assert.equal(riskiest.sha, lab.badSha, JSON.stringify(risks));
    const change = frame.locator('tr.factor[data-kind="change-risk"]');
    assert.match(await change.innerText(), /payments: simplify card network handling/);
    const evidence = await frame.locator('tr.evidence-row').first().innerText();
    assert.match(evidence, /lines deleted: 19/);
    assert.match(evidence, /public data: the qt, openstack and jdt commits/);
    await screenshot(s.page, '41-deploy-risk-faulty-commit');
    await frame.locator('#commits').scrollIntoViewIfNeeded();
    await screenshot(s.page, '42-deploy-risk-commits');
  });

  it('shows a hostile commit message as text: no markup runs, no escape is obeyed', async () => {
    const frame = await riskFrame(s.page);
    await frame.locator('button[data-action="pick-target"]').click();
    await pickTarget(s.page, 'hostile');
    await readyAssessment(frame, hostile);
    const row = frame.locator(`table.commits tbody tr[data-sha="${hostile}"]`);
    const text = await row.innerText();
    assert.match(text, /<img src=x onerror=/);
    // The escape and the right-to-left override are shown as code points, so the rest reads as written.
    assert.match(text, /<U\+001B>\[31mred<U\+202E>/);
    assert.ok(!/[\u001b\u202e]/.test(text), 'a control or bidi character reached the page');
    assert.equal(await frame.locator('#app img').count(), 0, 'the commit message became an element');
    assert.equal(await frame.evaluate(() => document.body.dataset.pwned ?? ''), '');
    await screenshot(s.page, '44-deploy-risk-hostile-commit');
  });

  it('shows the current branch\'s level in the status bar', async () => {
    const item = s.page.locator('.statusbar-item:has-text("Deploy risk:")').first();
    await item.waitFor({ timeout: 60_000 });
    assert.match(await item.innerText(), /Deploy risk: (low|medium|high)/);
    await screenshot(s.page, '43-deploy-risk-status-bar');
  });
});
