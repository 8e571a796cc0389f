import * as assert from 'node:assert/strict';
import { OpenAiChatProvider } from '../../../../src/agent/llm/openaiProvider';
import { runAgent } from '../../../../src/agent/llm/loop';
import { bundleToolContext, investigateBundle } from '../../../../src/agent/tools/bundleContext';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../../support/chatCompletionsServer';
import { incidentBundle, investigatingScript } from './fixture';

const actionIds = ['rollback-deploy', 'restart', 'scale', 'pause-rollout', 'silence-alert'];

describe('agent loop: the real openai SDK against a Chat Completions server on 127.0.0.1 (scripted turns, documented wire format)', () => {
  let server: ChatCompletionsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const stream of [true, false]) {
    it(`${stream ? 'streamed (SSE chunks)' : 'not streamed'}: runs the tools the model calls and returns a grounded answer with its trail and token usage`, async () => {
      server = await startChatCompletionsServer(investigatingScript());
      const bundle = incidentBundle();
      const inv = investigateBundle(bundle);
      const texts: string[] = [];
      const run = await runAgent({
        provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'test-model', apiKey: 'sk-test-key-123456789012345678' }),
        tools: bundleToolContext(bundle, inv, { actionIds }),
        investigation: inv,
        stream,
        onEvent: (e) => e.type === 'text' && texts.push(e.delta),
      });
      assert.equal(run.stopped, 'answered', JSON.stringify(run.error));
      assert.deepEqual(run.trail.map((t) => t.name), ['query_logs', 'get_hypothesis']);
      assert.ok(run.trail[0].result.includes('card validation failed'));
      assert.equal(texts.join(''), 'Looking at the payments errors.');
      const a = run.answer!;
      assert.equal(a.supported, true);
      assert.deepEqual(a.claims.map((c) => c.supported), [true, true]);
      assert.equal(a.commitSupported, true);
      assert.deepEqual(a.proposedActions.map((p) => p.actionId), ['rollback-deploy']);
      assert.ok(run.usage.inputTokens > 0 && run.usage.outputTokens === 60 && !run.usage.estimated, JSON.stringify(run.usage));
      // What the SDK sent: our tools as functions, the tool results answered by call id, the model named.
      const last = server.requests[2].body;
      assert.equal(last.model, 'test-model');
      assert.equal(last.stream, stream);
      assert.ok(last.tools.some((t: any) => t.type === 'function' && t.function.name === 'query_metrics'));
      const toolMsg = last.messages.find((m: any) => m.role === 'tool');
      assert.equal(toolMsg.tool_call_id, 'call_0_0');
      assert.match(toolMsg.content, /^result t1/);
      assert.equal(server.requests[0].headers.authorization, 'Bearer sk-test-key-123456789012345678');
    });
  }

  it('a claim whose citation does not exist or does not contain its quote is unsupported, and so is a commit no supported claim names', async () => {
    server = await startChatCompletionsServer(
      investigatingScript({
        summary: 'The database is down.',
        causeKind: 'dependency',
        service: 'postgres',
        commit: '0f0e0d0c0b0a',
        claims: [
          { text: 'postgres refuses connections', citations: [{ source: 't1', quote: 'connection refused by postgres' }] },
          { text: 'a result that was never returned', citations: [{ source: 't9', quote: 'card validation failed' }] },
          { text: 'no citation at all', citations: [] },
        ],
      }),
    );
    const bundle = incidentBundle();
    const inv = investigateBundle(bundle);
    const run = await runAgent({ provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' }), tools: bundleToolContext(bundle, inv, { actionIds }), investigation: inv });
    const a = run.answer!;
    assert.deepEqual(a.claims.map((c) => c.supported), [false, false, false]);
    assert.match(a.claims[0].citations[0].problem!, /does not contain/);
    assert.match(a.claims[1].citations[0].problem!, /no tool result or finding has the id "t9"/);
    assert.equal(a.supported, false);
    assert.equal(a.serviceSupported, false);
    assert.equal(a.commitSupported, false);
    // The deterministic hypothesis blames the deploy; the disagreement is reported.
    assert.ok(a.agreement.some((x) => x.field === 'causeKind' && !x.agrees));
  });

  it('catalog action ids only: an answer proposing a command keeps it out and says why', async () => {
    server = await startChatCompletionsServer(
      investigatingScript({
        summary: 'Restart it.',
        causeKind: 'code-change',
        claims: [{ text: 'errors', citations: [{ source: 't1', quote: 'card validation failed' }] }],
        proposedActions: [{ actionId: 'kubectl delete deployment payments', why: 'the logs said so' }, { actionId: 'restart', params: { service: 'payments' }, why: 'errors' }],
      }),
    );
    const bundle = incidentBundle();
    const inv = investigateBundle(bundle);
    const run = await runAgent({ provider: new OpenAiChatProvider({ baseUrl: server.baseUrl, model: 'm' }), tools: bundleToolContext(bundle, inv, { actionIds }), investigation: inv });
    assert.deepEqual(run.answer!.proposedActions.map((p) => p.actionId), ['restart']);
    assert.deepEqual(run.answer!.rejectedActions.map((p) => p.actionId), ['kubectl delete deployment payments']);
  });
});
