// Planted secrets in logs, labels, span attributes and file contents never appear in any request body
// the model server receives, whichever tool the model calls to read them.
import * as assert from 'node:assert/strict';
import { OpenAiChatProvider } from '../../../../src/agent/llm/openaiProvider';
import { firstRequest, runAgent } from '../../../../src/agent/llm/loop';
import { bundleToolContext, investigateBundle } from '../../../../src/agent/tools/bundleContext';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../../support/chatCompletionsServer';
import { incidentBundle } from './fixture';

const secrets = {
  log: 'sk-live-LOGSECRET0123456789abcdef',
  logHeader: 'LOGBEARERabcdef0123456789',
  label: 'LABELPASSWORD-998877',
  labelUrl: 'UrlPa55word!',
  span: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzcGFuLXVzZXIifQ.SPANJWTSIGNATUREabcdef123',
  spanKey: 'AKIAZZZZSPANKEY12345',
  file: 'FILEPRIVATEKEYMATERIALxyz987',
  fileDb: 'FileDbPassw0rd',
};

describe('redaction: planted secrets never reach the model server (real openai SDK, scripted server on 127.0.0.1)', () => {
  let server: ChatCompletionsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('secrets in logs, labels, span attributes and files are replaced before every request, for every tool and the first message', async () => {
    const bundle = incidentBundle({
      logLines: [`payment provider call failed with api key ${secrets.log}`, `upstream 401: request had Authorization: Bearer ${secrets.logHeader}`],
      labels: { db_password: secrets.label, dsn: `postgres://svc:${secrets.labelUrl}@db:5432/pay` },
      spanAttributes: { 'http.request.header.authorization': `Bearer ${secrets.span}`, 'aws.key': secrets.spanKey },
      fileText: `const key = "-----BEGIN PRIVATE KEY-----\\n${secrets.file}\\n-----END PRIVATE KEY-----";\nconst db = "Server=db;Password=${secrets.fileDb};";`,
    });
    const inv = investigateBundle(bundle);
    server = await startChatCompletionsServer([
      { toolCalls: [{ name: 'query_logs', arguments: { query: 'failed', limit: 50 } }, { name: 'get_alert', arguments: { id: 'alert-payments-errors' } }] },
      { toolCalls: [{ name: 'get_trace', arguments: { traceId: 'trace1' } }, { name: 'read_file', arguments: { path: 'services/payments/src/card-validation.js' } }] },
      { toolCalls: [{ name: 'get_findings', arguments: { section: 'logPatterns' } }, { name: 'get_findings', arguments: { section: 'errorOrigins' } }, { name: 'list_alerts', arguments: {} }] },
      { toolCalls: [{ name: 'submit_answer', arguments: { summary: 's', causeKind: 'code-change', claims: [{ text: 'c', citations: [{ source: 't1', quote: 'payment provider call failed' }] }] } }] },
    ]);
    const run = await runAgent({ provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' }), tools: bundleToolContext(bundle, inv, { actionIds: ['restart'] }), investigation: inv });
    assert.equal(run.stopped, 'answered', JSON.stringify(run.error));
    assert.equal(run.trail.length, 7);
    assert.ok(run.trail.every((t) => t.ok), JSON.stringify(run.trail.filter((t) => !t.ok)));
    assert.equal(server.requests.length, 4);
    // The data was read (the tools saw the planted lines), but only placeholders went out.
    const all = server.requests.map((r) => r.raw).join('\n');
    assert.match(all, /payment provider call failed with api key <redacted>/);
    assert.match(all, /BEGIN PRIVATE KEY-----<redacted>/);
    for (const [where, secret] of Object.entries(secrets)) {
      for (const r of server.requests) {
        assert.ok(!r.raw.includes(secret) && !JSON.stringify(r.body).includes(secret), `${where} secret reached the server`);
      }
    }
  });

  it('the preview is the redacted first request, byte for byte what the provider sends', async () => {
    const bundle = incidentBundle({ labels: { token: secrets.label } });
    const inv = investigateBundle(bundle);
    const tools = bundleToolContext(bundle, inv, { actionIds: ['restart'] });
    server = await startChatCompletionsServer([{ toolCalls: [{ name: 'submit_answer', arguments: { summary: 's', causeKind: 'unknown', claims: [] } }] }]);
    const provider = new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' });
    let previewed: unknown;
    await runAgent({ provider, tools, investigation: inv, stream: false, confirmSend: async (body) => ((previewed = body), true) });
    assert.deepEqual(server.requests[0].body, JSON.parse(JSON.stringify(previewed)));
    assert.deepEqual(previewed, provider.requestBody(firstRequest({ tools, investigation: inv, stream: false })));
    assert.ok(!JSON.stringify(previewed).includes(secrets.label));
  });

  it('declining the preview sends nothing', async () => {
    const bundle = incidentBundle();
    const inv = investigateBundle(bundle);
    server = await startChatCompletionsServer([]);
    const run = await runAgent({ provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' }), tools: bundleToolContext(bundle, inv, { actionIds: [] }), investigation: inv, confirmSend: async () => false });
    assert.equal(run.stopped, 'declined');
    assert.equal(server.requests.length, 0);
  });
});
