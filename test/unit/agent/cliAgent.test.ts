// `incident-lens investigate --bundle FILE --agent [--json]` against a scripted Chat Completions
// server on 127.0.0.1 (the real openai SDK inside): the documented JSON fields stay, an `agent` object joins them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../support/chatCompletionsServer';
import { incidentBundle, investigatingScript } from './llm/fixture';

describe('CLI investigate --agent (scripted Chat Completions server on 127.0.0.1, real openai SDK)', () => {
  let server: ChatCompletionsServer | undefined;
  let dir: string;
  let file: string;
  const saved = { ...process.env };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-agent-'));
    file = path.join(dir, 'bundle.json');
    fs.writeFileSync(file, JSON.stringify({ ...incidentBundle({ labels: { api_key: 'CLISECRET-1234567890' } }), truth: { causeKind: 'code-change', scenario: 'test' } }));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    for (const k of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'INCIDENT_LENS_MODEL']) if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  };

  it('--json keeps the hypothesis fields and adds the agent: answer, claims with support, tool calls, usage', async () => {
    server = await startChatCompletionsServer(investigatingScript());
    Object.assign(process.env, { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-cli-test-000000000000000000', INCIDENT_LENS_MODEL: 'cli-model' });
    const c = capture();
    assert.equal(await main(['investigate', '--bundle', file, '--agent', '--json'], c.io), 0, c.err.join('\n'));
    const j = JSON.parse(c.out.join('\n'));
    for (const k of ['abstained', 'causeKind', 'confidence', 'suspectCommits']) assert.ok(k in j, k);
    assert.equal(j.agent.stopped, 'answered');
    assert.equal(j.agent.answer.supported, true);
    assert.deepEqual(j.agent.claims.map((c: any) => c.supported), [true, true]);
    assert.deepEqual(j.agent.toolCalls.map((t: any) => t.name), ['query_logs', 'get_hypothesis']);
    assert.ok(j.agent.usage.inputTokens > 0);
    assert.equal(server.requests[0].body.model, 'cli-model');
    // The truth never reaches the model; the planted key does not either.
    for (const r of server.requests) assert.ok(!r.raw.includes('"truth"') && !r.raw.includes('CLISECRET-1234567890'));
  });

  it('text output shows the claims, the trail and the usage', async () => {
    server = await startChatCompletionsServer(investigatingScript());
    Object.assign(process.env, { OPENAI_BASE_URL: server.baseUrl, INCIDENT_LENS_MODEL: 'm' });
    const c = capture();
    assert.equal(await main(['investigate', '--bundle', file, '--agent'], c.io), 0);
    const text = c.out.join('\n');
    assert.match(text, /HYPOTHESIS: /);
    assert.match(text, /AGENT \(OpenAI-compatible endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(model m\)\): answered/);
    assert.match(text, /✓ payments logs TypeErrors/);
    assert.match(text, /t1 query_logs/);
  });

  it('--preview prints the redacted first request and sends nothing', async () => {
    server = await startChatCompletionsServer([]);
    Object.assign(process.env, { OPENAI_BASE_URL: server.baseUrl, INCIDENT_LENS_MODEL: 'm' });
    const c = capture();
    assert.equal(await main(['investigate', '--bundle', file, '--agent', '--preview'], c.io), 0);
    const body = JSON.parse(c.out.join('\n'));
    assert.equal(body.messages[0].role, 'system');
    assert.ok(!JSON.stringify(body).includes('CLISECRET-1234567890'));
    assert.equal(server.requests.length, 0);
  });

  it('without a model it says which variable to set; an endpoint failure still prints the hypothesis and exits 1', async () => {
    delete process.env.INCIDENT_LENS_MODEL;
    const c = capture();
    assert.equal(await main(['investigate', '--bundle', file, '--agent'], c.io), 2);
    assert.match(c.err.join('\n'), /set INCIDENT_LENS_MODEL/);
    server = await startChatCompletionsServer([{ status: 401, body: { error: { message: 'bad key' } } }]);
    Object.assign(process.env, { OPENAI_BASE_URL: server.baseUrl, INCIDENT_LENS_MODEL: 'm' });
    const d = capture();
    assert.equal(await main(['investigate', '--bundle', file, '--agent', '--json'], d.io), 1);
    const j = JSON.parse(d.out.join('\n'));
    assert.equal(j.agent.error.kind, 'auth');
    assert.ok('causeKind' in j);
  });
});
