// The panel's agent as a user meets it, in the real VS Code through Chromium, on the demo lab: ask
// about the incident in the Agent section, see the trail of tool calls, the grounded answer and its
// claims, and the preview of exactly what is sent. The model is a Chat Completions server on 127.0.0.1
// that replays scripted turns in the documented wire format; the extension talks to it through the
// real openai SDK.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../support/chatCompletionsServer';
import { createLabWorkspace, openAlertRow, openIncidentLens, openVsCode, paymentsAlertRow, screenshot, screenshotOnFailure, startLabProcess, waitFor, type Session } from './support';

describe('the agent in the investigation panel (browser, end to end)', function () {
  let model: ChatCompletionsServer;
  let s: Session;
  let lab: ReturnType<typeof startLabProcess>;

  before(async () => {
    model = await startChatCompletionsServer([
      { content: 'Checking the payments errors first.', toolCalls: [{ name: 'query_logs', arguments: { query: 'failed', service: 'payments', limit: 5 } }] },
      (req) => {
        const tool = [...req.body.messages].reverse().find((m: any) => m.role === 'tool');
        const result = JSON.parse(tool.content.slice(tool.content.indexOf('\n') + 1));
        const line: string = result.lines[0]?.body ?? '';
        return {
          toolCalls: [{
            name: 'submit_answer',
            arguments: {
              summary: 'payments fails on every charge since the deploy.',
              causeKind: 'code-change',
              service: 'payments',
              claims: [
                { text: 'payments logs failed charges', citations: [{ source: 't1', quote: line.slice(0, 50) }] },
                { text: 'the database is down', citations: [{ source: 't1', quote: 'connection refused by the database' }] },
              ],
              nextChecks: ['Read the suspect commit\'s diff'],
            },
          }],
        };
      },
    ]);
    const workspace = createLabWorkspace();
    // Workspace settings, as a user would set them for this folder: the web workbench does not apply the
    // harness's machine settings to the extension (its own walkthrough tab still opens).
    fs.mkdirSync(path.join(workspace.dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace.dir, '.vscode', 'settings.json'), JSON.stringify({ 'incidentLens.agent.provider': 'openai', 'incidentLens.agent.baseUrl': model.baseUrl, 'incidentLens.agent.model': 'e2e-model' }, null, 2));
    s = await openVsCode(workspace.dir);
    lab = startLabProcess(workspace.dir, `http://127.0.0.1:${s.receiverPort}`, ['--rps', '8', '--bad-after-s', '3']);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, s?.page);
  });
  after(async () => {
    await lab?.stop();
    await s?.stop();
    await model?.close();
  });

  it('asks about the incident: the trail, the streamed text and the answer with supported and unsupported claims', async () => {
    await openIncidentLens(s.page);
    const row = paymentsAlertRow(s.page);
    await waitFor(`the payments alert (lab: ${lab.log().slice(-300)})`, 150_000, async () => (await row.count()) > 0);
    const frame = await openAlertRow(s.page, row);
    await frame.waitForSelector('#app[data-ready="true"]', { timeout: 90_000 });
    await frame.locator('#agent textarea.agent-question').fill('Why do payments fail?');
    await frame.locator('#agent button[data-action="agent-preview"]').click();
    await frame.waitForSelector('#agent .agent-preview:not([hidden])', { timeout: 30_000 });
    const preview = await frame.locator('#agent .agent-preview').innerText();
    assert.match(preview, /"model": "e2e-model"/);
    assert.match(preview, /Why do payments fail\?/);
    assert.equal(model.requests.length, 0, 'the preview sent something');
    await frame.locator('#agent button[data-action="agent-ask"]').click();
    await frame.waitForSelector('#agent[data-state="done"] .agent-answer', { timeout: 60_000 });
    const agent = frame.locator('#agent');
    assert.match(await agent.locator('.agent-text').innerText(), /Checking the payments errors first\./);
    assert.equal(await agent.locator('.agent-claims > li.supported').count(), 1);
    assert.equal(await agent.locator('.agent-claims > li.unsupported').count(), 1);
    assert.match(await agent.locator('.agent-claims > li.unsupported').innerText(), /t1 does not contain the quoted text/);
    assert.match(await agent.locator('.agent-trail summary').first().innerText(), /Trail: 1 tool call/);
    assert.equal(await agent.locator('.agent-trail li[data-tool="query_logs"]').count(), 1);
    assert.match(await agent.locator('.agent-budget').innerText(), /step 2 of 10/);
    assert.equal(model.requests[0].body.model, 'e2e-model');
    await agent.scrollIntoViewIfNeeded();
    await screenshot(s.page, '50-agent-answer');
  });
});
