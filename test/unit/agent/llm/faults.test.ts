// The fault matrix of the agent against a real Chat Completions server on 127.0.0.1 through the real
// openai SDK: endpoint failures become clear errors, and a model's bad calls come back to it as
// results it can recover from.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAiChatProvider } from '../../../../src/agent/llm/openaiProvider';
import { runAgent } from '../../../../src/agent/llm/loop';
import { bundleToolContext, investigateBundle } from '../../../../src/agent/tools/bundleContext';
import { workspaceFiles } from '../../../../src/agent/tools/workspace';
import { startChatCompletionsServer, type ChatCompletionsServer, type ScriptedTurn } from '../../../support/chatCompletionsServer';
import { incidentBundle } from './fixture';

const actionIds = ['rollback-deploy', 'restart'];
const answer = (source = 't1', quote = 'card validation failed') => ({
  toolCalls: [{ name: 'submit_answer', arguments: { summary: 's', causeKind: 'code-change', claims: [{ text: 'c', citations: [{ source, quote }] }] } }],
});

describe('agent fault matrix (real openai SDK, scripted Chat Completions server on 127.0.0.1)', () => {
  let server: ChatCompletionsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(script: ScriptedTurn[], extra: { timeoutMs?: number; maxRetries?: number; budgets?: Record<string, number>; tools?: ReturnType<typeof bundleToolContext> } = {}) {
    server = await startChatCompletionsServer(script);
    const bundle = incidentBundle();
    const inv = investigateBundle(bundle);
    return runAgent({
      provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm', apiKey: 'wrong-key', timeoutMs: extra.timeoutMs, maxRetries: extra.maxRetries ?? 0 }),
      tools: extra.tools ?? bundleToolContext(bundle, inv, { actionIds }),
      investigation: inv,
      budgets: extra.budgets,
    });
  }

  it('401: the run stops with an auth error that says to set the key again', async () => {
    const r = await run([{ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } }]);
    assert.equal(r.stopped, 'error');
    assert.equal(r.error?.kind, 'auth');
    assert.match(r.error!.message, /rejected the API key \(401\).*set the key again/);
    assert.ok(!r.error!.message.includes('wrong-key'));
  });

  it('429 with Retry-After: the SDK waits and retries, and the run goes on', async () => {
    const r = await run([{ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached', type: 'requests' } } }, { toolCalls: [{ name: 'list_alerts', arguments: {} }] }, answer()], { maxRetries: 2 });
    assert.equal(r.stopped, 'answered', JSON.stringify(r.error));
    assert.equal(server!.requests.length, 3);
  });

  it('429 past the retries: a rate-limit error that names the Retry-After', async () => {
    const busy: ScriptedTurn = { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'Rate limit reached', type: 'requests' } } };
    const r = await run([busy, busy], { maxRetries: 1 });
    assert.equal(r.error?.kind, 'rate-limited');
    assert.match(r.error!.message, /429.*retry after 0 s/);
    assert.equal(server!.requests.length, 2);
  });

  it('a server that never answers: a timeout error', async () => {
    const r = await run([{ hang: true }], { timeoutMs: 300 });
    assert.equal(r.stopped, 'error');
    assert.equal(r.error?.kind, 'timeout');
    assert.match(r.error!.message, /did not answer within/);
  });

  it('malformed tool-call JSON: the model is told its arguments are not JSON and recovers', async () => {
    const r = await run([{ toolCalls: [{ name: 'query_logs', arguments: '{"query": "card validation' }] }, { toolCalls: [{ name: 'query_logs', arguments: { query: 'card validation failed' } }] }, answer('t2')]);
    assert.equal(r.stopped, 'answered');
    assert.equal(r.trail[0].ok, false);
    assert.match(r.trail[0].result, /not valid JSON/);
    assert.equal(r.trail[1].ok, true);
    assert.equal(r.answer!.supported, true);
    // The error went back to the model as the answer to its call.
    const toolMsg = server!.requests[1].body.messages.find((m: any) => m.role === 'tool');
    assert.match(toolMsg.content, /not valid JSON/);
  });

  it('an unknown tool: the model gets the list of tools and recovers', async () => {
    const r = await run([{ toolCalls: [{ name: 'run_shell', arguments: { cmd: 'kubectl delete pod x' } }] }, { toolCalls: [{ name: 'query_logs', arguments: { query: 'card validation failed' } }] }, answer('t2')]);
    assert.equal(r.stopped, 'answered');
    assert.equal(r.trail[0].error, 'unknown-tool');
    assert.match(r.trail[0].result, /no tool named \\"run_shell\\".*query_logs/);
  });

  it('invalid arguments: the model is told which field is wrong, corrects the call and recovers', async () => {
    const r = await run([{ toolCalls: [{ name: 'query_logs', arguments: { query: 42, limit: 'lots', extra: true } }] }, { toolCalls: [{ name: 'query_logs', arguments: { query: 'card validation failed', limit: 3 } }] }, answer('t2')]);
    assert.equal(r.stopped, 'answered');
    assert.equal(r.trail[0].error, 'invalid-arguments');
    assert.match(r.trail[0].result, /query must be a string/);
    assert.match(r.trail[0].result, /limit must be an integer/);
    assert.match(r.trail[0].result, /extra is not a parameter/);
    assert.equal(JSON.parse(r.trail[1].result).count, 3);
  });

  it('a step budget exhausted: the last step demands the answer, and a model that will not answer stops the run with its trail', async () => {
    const loop: ScriptedTurn = { toolCalls: [{ name: 'list_alerts', arguments: {} }] };
    const r = await run([loop, loop, loop], { budgets: { maxSteps: 2 } });
    assert.equal(r.stopped, 'budget-steps');
    assert.equal(r.trail.length, 2);
    assert.equal(server!.requests.length, 2);
    assert.equal(server!.requests[0].body.tool_choice, 'auto');
    assert.deepEqual(server!.requests[1].body.tool_choice, { type: 'function', function: { name: 'submit_answer' } });
  });

  it('a token budget exhausted: the run stops before sending more', async () => {
    const loop: ScriptedTurn = { toolCalls: [{ name: 'list_alerts', arguments: {} }], usage: { prompt: 900, completion: 200 } };
    const r = await run([loop, loop, loop], { budgets: { maxTokens: 1000 } });
    assert.equal(r.stopped, 'budget-tokens');
    assert.equal(server!.requests.length, 1);
  });

  it('a file outside the workspace: refused, and its content never reaches the model', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ws-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-outside-'));
    try {
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'app.js'), 'const ok = 1;\n');
      fs.writeFileSync(path.join(outside, 'secret.txt'), 'OUTSIDE-CANARY-7731\n');
      fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'src', 'link.txt'));
      const bundle = incidentBundle();
      const inv = investigateBundle(bundle);
      const ctx = bundleToolContext(bundle, inv, { actionIds });
      ctx.roles.workspace = workspaceFiles(root, true);
      const rel = path.relative(root, path.join(outside, 'secret.txt'));
      const r = await run(
        [
          { toolCalls: [{ name: 'read_file', arguments: { path: rel } }, { name: 'read_file', arguments: { path: path.join(outside, 'secret.txt') } }, { name: 'read_file', arguments: { path: 'src/link.txt' } }] },
          { toolCalls: [{ name: 'read_file', arguments: { path: 'src/app.js' } }] },
          answer('t4', 'const ok = 1;'),
        ],
        { tools: ctx },
      );
      assert.equal(r.stopped, 'answered');
      assert.deepEqual(r.trail.map((t) => t.ok), [false, false, false, true]);
      assert.match(r.trail[0].result, /outside the workspace/);
      assert.match(r.trail[2].result, /leads outside the workspace \(a symbolic link\)/);
      for (const req of server!.requests) assert.ok(!req.raw.includes('OUTSIDE-CANARY-7731'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('an untrusted workspace: no file is read', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-ws-'));
    try {
      fs.writeFileSync(path.join(root, 'a.js'), 'UNTRUSTED-CANARY\n');
      const bundle = incidentBundle();
      const ctx = bundleToolContext(bundle, investigateBundle(bundle), { actionIds });
      ctx.roles.workspace = workspaceFiles(root, false);
      const r = await run([{ toolCalls: [{ name: 'read_file', arguments: { path: 'a.js' } }] }, answer()], { tools: ctx });
      assert.match(r.trail[0].result, /not trusted/);
      for (const req of server!.requests) assert.ok(!req.raw.includes('UNTRUSTED-CANARY'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('cancellation stops the run at once', async () => {
    server = await startChatCompletionsServer([{ hang: true }]);
    const bundle = incidentBundle();
    const inv = investigateBundle(bundle);
    const ac = new AbortController();
    const p = runAgent({ provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' }), tools: bundleToolContext(bundle, inv, { actionIds }), investigation: inv, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    const r = await p;
    assert.equal(r.stopped, 'cancelled');
  });
});
