// In an untrusted workspace (workspace trust on, the user declines), Incident Lens still shows alerts
// and investigations, but no action runs and the panel says why.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
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

describe('untrusted workspace (browser, end to end)', function () {
  let s: Session;
  before(async () => {
    const workspace = createLabWorkspace();
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
    const enabled = await frame.locator('#actions button:not([disabled])').count();
    assert.equal(enabled, 0, 'an action button is enabled in an untrusted workspace');
    await screenshot(s.page, '40-untrusted-no-actions');
  });
});
