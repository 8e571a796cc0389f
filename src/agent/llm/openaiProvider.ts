// The OpenAI-compatible Chat Completions provider, through the official `openai` SDK: OpenAI, Azure
// OpenAI's v1 endpoint, Ollama, vLLM, LM Studio, LiteLLM. Streamed or not, with tool calls; the SDK
// retries 429 and 5xx itself and honours Retry-After. Failures become AgentErrors that say what to do.
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParams, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { AgentError, isLocalEndpoint, type ChatProvider, type ChatRequest, type ChatTurn, type CompleteOptions, type ToolCallRequest } from './provider';

export interface OpenAiProviderOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Per request, ms (default 60 s). */
  timeoutMs?: number;
  /** Retries of 429, 5xx and connection errors (default 2). */
  maxRetries?: number;
  /** Extra headers (Azure's api-key, LiteLLM's tags). */
  headers?: Record<string, string>;
}

export function toOpenAiMessages(req: ChatRequest): ChatCompletionMessageParam[] {
  return req.messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        return m.toolCalls?.length
          ? { role: 'assistant', content: m.content || null, tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
          : { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

function describeBase(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl;
  }
}

export class OpenAiChatProvider implements ChatProvider {
  readonly label: string;
  readonly remote: boolean;
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiProviderOptions) {
    if (!opts.baseUrl) throw new AgentError('config', 'no base URL is set for the OpenAI-compatible endpoint');
    if (!opts.model) throw new AgentError('config', 'no model is set for the OpenAI-compatible endpoint');
    this.label = `OpenAI-compatible endpoint ${describeBase(opts.baseUrl)} (model ${opts.model})`;
    this.remote = !isLocalEndpoint(opts.baseUrl);
    this.client = new OpenAI({
      baseURL: opts.baseUrl,
      // Local servers (Ollama, vLLM) take no key; the SDK insists on one.
      apiKey: opts.apiKey || 'no-key',
      timeout: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 2,
      defaultHeaders: opts.headers,
    });
  }

  requestBody(req: ChatRequest): ChatCompletionCreateParams {
    return {
      model: this.opts.model,
      messages: toOpenAiMessages(req),
      ...(req.tools.length
        ? {
            tools: req.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters as unknown as Record<string, unknown> } })),
            tool_choice: req.toolChoice === 'auto' ? 'auto' : { type: 'function' as const, function: { name: req.toolChoice.name } },
          }
        : {}),
      ...(req.stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
    } as ChatCompletionCreateParams;
  }

  async complete(req: ChatRequest, opts: CompleteOptions = {}): Promise<ChatTurn> {
    const body = this.requestBody(req);
    try {
      if (!req.stream) {
        const res = await this.client.chat.completions.create({ ...body, stream: false }, { signal: opts.signal });
        const choice = res.choices?.[0];
        if (!choice) throw new AgentError('bad-response', `${this.label} answered without a choice`);
        const content = choice.message?.content ?? '';
        if (content) opts.onText?.(content);
        const toolCalls: ToolCallRequest[] = (choice.message?.tool_calls ?? [])
          .filter((c) => c.type === 'function')
          .map((c, i) => ({ id: c.id || `call_${i}`, name: (c as { function: { name: string } }).function.name, arguments: (c as { function: { arguments: string } }).function.arguments ?? '' }));
        return { content, toolCalls, finishReason: choice.finish_reason ?? undefined, ...(res.usage ? { usage: { inputTokens: res.usage.prompt_tokens, outputTokens: res.usage.completion_tokens } } : {}) };
      }
      const stream = await this.client.chat.completions.create({ ...body, stream: true }, { signal: opts.signal });
      let content = '';
      let finishReason: string | undefined;
      let usage: ChatTurn['usage'];
      const calls = new Map<number, ToolCallRequest>();
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        for (const choice of chunk.choices ?? []) {
          const d = choice.delta;
          if (d?.content) {
            content += d.content;
            opts.onText?.(d.content);
          }
          for (const tc of d?.tool_calls ?? []) {
            const cur = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
            if (tc.id) cur.id = tc.id;
            if (tc.function?.name) cur.name += tc.function.name;
            if (tc.function?.arguments) cur.arguments += tc.function.arguments;
            calls.set(tc.index, cur);
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      }
      const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }));
      return { content, toolCalls, finishReason, ...(usage ? { usage } : {}) };
    } catch (err) {
      throw this.explain(err, opts.signal);
    }
  }

  private explain(err: unknown, signal?: AbortSignal): Error {
    if (err instanceof AgentError) return err;
    if (signal?.aborted || err instanceof OpenAI.APIUserAbortError) return new AgentError('cancelled', 'the request to the model was cancelled');
    const where = this.label;
    if (err instanceof OpenAI.APIConnectionTimeoutError) return new AgentError('timeout', `${where} did not answer within ${Math.round((this.opts.timeoutMs ?? 60_000) / 1000)} s`);
    if (err instanceof OpenAI.AuthenticationError) return new AgentError('auth', `${where} rejected the API key (401): set the key again (Incident Lens: Set Agent API Key, or OPENAI_API_KEY)`);
    if (err instanceof OpenAI.PermissionDeniedError) return new AgentError('auth', `${where} refused the request (403): the key lacks access to this model`);
    if (err instanceof OpenAI.RateLimitError) {
      const retryAfter = err.headers?.get?.('retry-after');
      return new AgentError('rate-limited', `${where} is rate-limiting requests (429)${retryAfter ? `; it asked to retry after ${retryAfter} s` : ''}, and the retries ran out: try again later or lower the agent's budgets`);
    }
    if (err instanceof OpenAI.NotFoundError) return new AgentError('not-found', `${where}: not found (404): check the base URL (it usually ends in /v1) and the model name`);
    if (err instanceof OpenAI.BadRequestError) return new AgentError('bad-request', `${where} refused the request (400): ${err.message}`);
    if (err instanceof OpenAI.InternalServerError) return new AgentError('server', `${where} failed (${err.status}): ${err.message}`);
    if (err instanceof OpenAI.APIConnectionError) return new AgentError('unreachable', `cannot reach ${where}: ${err.message}; is the server running and the base URL right?`);
    if (err instanceof OpenAI.APIError) return new AgentError('server', `${where}: HTTP ${err.status ?? '?'}: ${err.message}`);
    return new AgentError('bad-response', `${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
