// A user opens the Incident Lens container from the activity bar and sees the Alerts view's welcome content.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { screenshotOnFailure, openVsCode, openIncidentLens, screenshot, projectRoot, type Session } from './support';

describe('Incident Lens in VS Code (browser, end to end)', function () {
  let s: Session;
  before(async () => {
    s = await openVsCode(path.join(projectRoot, 'test', 'fixtures', 'sample-workspace'));
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => s?.stop());

  it('opens from the activity bar and shows the Alerts view with its welcome content', async () => {
    await openIncidentLens(s.page);
    const welcome = s.page.locator('.sidebar .welcome-view-content').first();
    await welcome.waitFor({ timeout: 30_000 });
    const text = await welcome.innerText();
    assert.match(text, /No alerts yet/);
    assert.match(text, /Configure Sources/);
    const file = await screenshot(s.page, '01-activity-bar-alerts-welcome');
    assert.ok(file.endsWith('.png'));
  });
});
