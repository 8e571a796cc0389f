// In an untrusted workspace (workspace trust on, the user declines), Incident Lens still shows alerts
// and investigations, but no action runs and the panel says why. The folder's .git/config names a
// canary program in every setting that makes git run one: investigating must never run it.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { openAlertRow, screenshotOnFailure, createLabWorkspace, openIncidentLens, openVsCode, screenshot, waitFor, type Session } from './support';

function postSpans(port: number, now: number): Promise<number> {
  const spans = Array.from({ length: 40 }, (_, i) => {
    const start = BigInt(now - 20_000 + i * 300) * 1_000_000n;
    return {
      traceId: crypto.randomBytes(16).toString('hex'),
      spanId: crypto.randomBytes(8).toString('hex'),
      name: 'POST /charge',
      kind: 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 40_000_000n).toString(),
      attributes: [{ key: 'http.route', value: { stringValue: '/charge' } }],
      status: { code: i % 2 ? 2 : 1 },
    };
  });
  const body = Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] }, scopeSpans: [{ scope: { name: 'e2e' }, spans }] }] }));
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Points every program-running git setting of the folder at a canary that records each run. */
function makeGitConfigHostile(dir: string): { canaryLog: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-e2e-canary-'));
  const canaryLog = path.join(root, 'canary-ran.log');
  const script = path.join(root, 'canary.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho "ran: $0 $*" >> '${canaryLog}'\ncat >/dev/null 2>&1\nexit 0\n`, { mode: 0o755 });
  const hooks = path.join(root, 'hooks');
  fs.mkdirSync(hooks);
  for (const h of ['post-checkout', 'post-index-change', 'reference-transaction']) fs.copyFileSync(script, path.join(hooks, h));
  fs.appendFileSync(path.join(dir, '.gitattributes'), '* diff=evil filter=evil\n');
  const settings: [string, string][] = [
    ['core.fsmonitor', script],
    ['core.hooksPath', hooks],
    ['log.showSignature', 'true'],
    ['gpg.program', script],
    ['diff.external', script],
    ['diff.evil.textconv', script],
    ['filter.evil.clean', script],
    ['core.pager', script],
  ];
  for (const [k, v] of settings) execFileSync('git', ['config', k, v], { cwd: dir });
  return { canaryLog };
}

describe('untrusted workspace (browser, end to end)', function () {
  let s: Session;
  let hostile: { canaryLog: string };
  let workspaceDir: string;
  before(async () => {
    const workspace = createLabWorkspace();
    workspaceDir = workspace.dir;
    hostile = makeGitConfigHostile(workspace.dir);
    s = await openVsCode(workspace.dir, { trust: true });
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => s?.stop());

  it('runs no action and says why', async () => {
    // VS Code asks whether to trust the folder's authors: decline, as a careful user would.
    const decline = s.page.locator('.monaco-dialog-box a.monaco-button:has-text("No"), .monaco-dialog-box button:has-text("No")').first();
    await decline.waitFor({ timeout: 30_000 }).then(() => decline.click()).catch(() => undefined);
    await openIncidentLens(s.page);
    const row = s.page.locator('.sidebar .monaco-list-row[aria-label^="Alert HighErrorRatio, firing"][aria-label*="service payments"]').first();
    await waitFor('the payments alert', 150_000, async () => {
      await postSpans(s.receiverPort, Date.now());
      return (await row.count()) > 0;
    });
    const frame = await openAlertRow(s.page, row);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    const note = await frame.locator('#actions').innerText();
    assert.match(note, /not trusted/i, `the panel does not say why actions are off: ${note}`);
    const enabled = await frame.locator('#actions button[data-action-id]:not([disabled])').count();
    assert.equal(enabled, 0, 'an action button is enabled in an untrusted workspace');
    await screenshot(s.page, '40-untrusted-no-actions');
  });

  it("ran no program named by the folder's git configuration while investigating", () => {
    const runs = fs.existsSync(hostile.canaryLog) ? fs.readFileSync(hostile.canaryLog, 'utf8') : '';
    assert.equal(runs, '', `investigating the alert ran the folder's canary: ${runs}`);
    // Control: plain git in the same folder does run it, so the configuration really was hostile.
    spawnSync('git', ['log', '-p', '-2'], { cwd: workspaceDir, encoding: 'utf8', timeout: 10_000 });
    assert.ok(fs.existsSync(hostile.canaryLog), 'plain git did not run the canary: the test folder is not hostile');
  });
});
