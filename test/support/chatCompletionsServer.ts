// An OpenAI-compatible Chat Completions server on 127.0.0.1 that replays scripted turns, speaking the
// documented wire format: POST /v1/chat/completions answered with a `chat.completion` object, or, for
// `stream: true`, Server-Sent Events of `chat.completion.chunk` objects (a role delta, content deltas,
// tool-call deltas by index with the id and name first and the arguments in pieces, a finish_reason,
// a usage-only chunk with empty choices when stream_options.include_usage is set) ending with
// `data: [DONE]`. Every request body is recorded, so tests can assert what left the machine.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body as received. */
  raw: string;
  body: any;
}

export type StaticTurn =
  | { content?: string; toolCalls?: { name: string; arguments: string | Record<string, unknown>; id?: string }[]; usage?: { prompt: number; completion: number } }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true };
export type ScriptedTurn = StaticTurn | ((req: RecordedRequest, index: number) => StaticTurn);

export interface ChatCompletionsServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Turns still to be served. */
  remaining(): number;
  close(): Promise<void>;
}

function usageOf(turn: { usage?: { prompt: number; completion: number } }, raw: string) {
  const prompt = turn.usage?.prompt ?? Math.ceil(raw.length / 4);
  const completion = turn.usage?.completion ?? 20;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export async function startChatCompletionsServer(script: ScriptedTurn[], opts: { model?: string } = {}): Promise<ChatCompletionsServer> {
  const requests: RecordedRequest[] = [];
  const queue = [...script];
  const sockets = new Set<import('node:net').Socket>();
  let served = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { path: req.url ?? '', headers: req.headers, raw, body };
      requests.push(rec);
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      const next = queue.shift();
      const index = served++;
      const turn = typeof next === 'function' ? next(rec, index) : next;
      if (!turn) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'the script has no more turns', type: 'server_error' } }));
        return;
      }
      if ('hang' in turn) return; // never answers: the client's timeout must act
      if ('status' in turn) {
        res.writeHead(turn.status, { 'content-type': 'application/json', ...(turn.headers ?? {}) }).end(JSON.stringify(turn.body ?? { error: { message: `scripted ${turn.status}`, type: 'error' } }));
        return;
      }
      const id = `chatcmpl-${index}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body?.model ?? opts.model ?? 'scripted';
      const calls = (turn.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_${index}_${i}`, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) }));
      const finish = calls.length ? 'tool_calls' : 'stop';
      const usage = usageOf(turn, raw);
      if (!body?.stream) {
        const message: Record<string, unknown> = { role: 'assistant', content: turn.content ?? null, refusal: null };
        if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const send = (choices: unknown[], extra: Record<string, unknown> = {}) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
      send([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
      const text = turn.content ?? '';
      for (let i = 0; i < text.length; i += 12) send([{ index: 0, delta: { content: text.slice(i, i + 12) }, logprobs: null, finish_reason: null }]);
      calls.forEach((c, i) => {
        send([{ index: 0, delta: { tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, logprobs: null, finish_reason: null }]);
        const half = Math.ceil(c.arguments.length / 2);
        for (const piece of [c.arguments.slice(0, half), c.arguments.slice(half)]) if (piece) send([{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]);
      });
      send([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]);
      if (body.stream_options?.include_usage) send([], { usage });
      res.end('data: [DONE]\n\n');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    remaining: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
