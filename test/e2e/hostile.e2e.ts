// Hostile input: a service name, route, log line and attributes carrying markup and script reach the
// tree and the investigation panel as text, and nothing runs (checked in the real browser).
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { openAlertRow, screenshotOnFailure, openIncidentLens, openVsCode, projectRoot, screenshot, waitFor, type Session } from './support';

const hostileService = '<img src=x onerror="window.__pwned=1">';
const hostileRoute = '</script><script>window.__pwned=2</script>';
const hostileLog = '<svg onload="window.__pwned=3"> javascript:alert(1) $(touch /tmp/pwned) `id`';

function post(port: number, pathName: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(data);
  });
}

function hostileBatch(now: number) {
  const spans = Array.from({ length: 40 }, (_, i) => {
    const start = BigInt(now - 20_000 + i * 300) * 1_000_000n;
    return {
      traceId: crypto.randomBytes(16).toString('hex'),
      spanId: crypto.randomBytes(8).toString('hex'),
      name: `GET ${hostileRoute}`,
      kind: 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 50_000_000n).toString(),
      attributes: [
        { key: 'http.route', value: { stringValue: hostileRoute } },
        { key: 'http.response.status_code', value: { intValue: '500' } },
        { key: 'code.filepath', value: { stringValue: 'javascript:alert(1)' } },
      ],
      status: { code: 2, message: hostileLog },
    };
  });
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: hostileService } }] };
  return {
    traces: { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'e2e' }, spans }] }] },
    logs: {
      resourceLogs: [{
        resource,
        scopeLogs: [{ scope: { name: 'e2e' }, logRecords: Array.from({ length: 30 }, (_, i) => ({ timeUnixNano: (BigInt(now - 15_000 + i * 200) * 1_000_000n).toString(), severityNumber: 17, severityText: 'ERROR', body: { stringValue: `${hostileLog} #${i}` } })) }],
      }],
    },
  };
}

describe('hostile labels and log lines (browser, end to end)', function () {
  let s: Session;
  before(async () => {
    s = await openVsCode(path.join(projectRoot, 'test', 'fixtures', 'sample-workspace'));
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => s?.stop());

  it('shows markup and script from telemetry as text in the tree and the panel, and runs none of it', async () => {
    await openIncidentLens(s.page);
    const row = s.page.locator('.sidebar .monaco-list-row[aria-label^="Alert HighErrorRatio"][aria-label*="<img src=x"]').first();
    await waitFor('the hostile service alert in the tree', 90_000, async () => {
      const batch = hostileBatch(Date.now());
      await post(s.receiverPort, '/v1/traces', batch.traces).catch(() => 0);
      await post(s.receiverPort, '/v1/logs', batch.logs).catch(() => 0);
      await s.page.locator('.sidebar .pane-header:has-text("Alerts") .action-label[aria-label*="Refresh"]').first().click().catch(() => undefined);
      return (await row.count()) > 0;
    });
    const rowText = await row.innerText();
    assert.ok(rowText.length > 0);
    const frame = await openAlertRow(s.page, row);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    const appText = await frame.locator('#app').innerText();
    assert.ok(appText.includes('<img src=x'), 'the hostile service name is not shown as text');
    assert.equal(await frame.locator('#app img, #app svg, #app script').count(), 0, 'markup from telemetry became elements');
    assert.equal(await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'script from telemetry ran in the webview');
    assert.equal(await s.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'script from telemetry ran in the workbench');
    await screenshot(s.page, '20-hostile-input-as-text');
  });
});
