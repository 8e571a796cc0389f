// The VS Code Language Model API as an agent provider (vscode.lm.selectChatModels), behind the same
// interface as the OpenAI-compatible one. It handles no model, the user's consent (VS Code asks on the
// first request; a refusal is LanguageModelError NoPermissions), blocked or missing models, and
// cancellation. Tool calling needs VS Code 1.95+; older versions get a clear error.
import * as vscode from 'vscode';
import { AgentError, type ChatMessage, type ChatProvider, type ChatRequest, type ChatTurn, type CompleteOptions, type ToolCallRequest } from '../agent/llm/provider';
import { chatMessage, chatToolsSupported, isTextPart, isToolCallPart, toolCallPart, toolMode, toolResultPart } from './lmApi';

const justification = 'Incident Lens asks the model to investigate the incident with its read-only tools.';

export class VscodeLmProvider implements ChatProvider {
  readonly remote = true;
  label: string;

  constructor(private readonly family: string) {
    this.label = `VS Code language model${family ? ` (${family})` : ''}`;
  }

  async prepare(): Promise<void> {
    await this.model();
  }

  private async model(): Promise<vscode.LanguageModelChat> {
    let models: vscode.LanguageModelChat[];
    try {
      models = await vscode.lm.selectChatModels(this.family ? { family: this.family } : {});
    } catch (err) {
      throw this.explain(err);
    }
    const m = models[0];
    if (!m) throw new AgentError('no-model', `No language model is available in VS Code${this.family ? ` for the family "${this.family}"` : ''}: install and sign in to a chat extension, or set incidentLens.agent.provider to "openai" for an OpenAI-compatible endpoint.`);
    this.label = `VS Code language model ${m.name} (${m.vendor}/${m.family})`;
    return m;
  }

  /** Our messages as LM API messages: the system prompt becomes the first user message (the API has no system role). */
  private messages(msgs: ChatMessage[]): vscode.LanguageModelChatMessage[] {
    const out: vscode.LanguageModelChatMessage[] = [];
    for (const m of msgs) {
      if (m.role === 'system' || m.role === 'user') out.push(chatMessage('user', m.content));
      else if (m.role === 'assistant') {
        const parts: unknown[] = [];
        if (m.content) parts.push(new (vscode as any).LanguageModelTextPart(m.content));
        for (const c of m.toolCalls ?? []) parts.push(toolCallPart(c.id, c.name, safeObject(c.arguments)));
        out.push(chatMessage('assistant', parts.length ? parts : m.content));
      } else out.push(chatMessage('user', [toolResultPart(m.toolCallId, m.content)]));
    }
    return out;
  }

  requestBody(req: ChatRequest): unknown {
    return {
      provider: 'vscode.lm',
      selector: this.family ? { family: this.family } : {},
      justification,
      messages: req.messages.map((m) => (m.role === 'system' ? { ...m, role: 'user (system prompt)' } : m)),
      tools: req.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters })),
      toolMode: req.toolChoice === 'auto' ? 'auto' : 'required',
    };
  }

  async complete(req: ChatRequest, opts: CompleteOptions = {}): Promise<ChatTurn> {
    if (!chatToolsSupported()) throw new AgentError('config', 'This VS Code has no tool calling for language models (it needs 1.95 or later): update VS Code, or use the OpenAI-compatible provider.');
    const model = await this.model();
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const choice = req.toolChoice;
      const tools = (choice === 'auto' ? req.tools : req.tools.filter((t) => t.name === choice.name)).map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters }));
      const options = { justification, tools, toolMode: req.toolChoice === 'auto' ? toolMode.auto : toolMode.required } as vscode.LanguageModelChatRequestOptions;
      const response = await model.sendRequest(this.messages(req.messages), options, cts.token);
      let content = '';
      const toolCalls: ToolCallRequest[] = [];
      // `stream` (text and tool-call parts) is newer than the @types/vscode we compile against; a VS Code
      // without it has only `text`.
      const parts: AsyncIterable<unknown> = (response as vscode.LanguageModelChatResponse & { stream?: AsyncIterable<unknown> }).stream ?? response.text;
      for await (const part of parts) {
        if (opts.signal?.aborted) throw new AgentError('cancelled', 'the request to the model was cancelled');
        if (typeof part === 'string') {
          content += part;
          opts.onText?.(part);
        } else if (isTextPart(part)) {
          content += part.value;
          opts.onText?.(part.value);
        } else if (isToolCallPart(part)) toolCalls.push({ id: part.callId, name: part.name, arguments: JSON.stringify(part.input ?? {}) });
      }
      return { content, toolCalls };
    } catch (err) {
      if (opts.signal?.aborted) throw new AgentError('cancelled', 'the request to the model was cancelled');
      throw this.explain(err);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  private explain(err: unknown): Error {
    if (err instanceof AgentError) return err;
    if (err instanceof vscode.LanguageModelError) {
      if (err.code === vscode.LanguageModelError.NoPermissions().code) return new AgentError('consent', `${this.label}: access was not granted (${err.message}). Allow Incident Lens to use the model when VS Code asks.`);
      if (err.code === vscode.LanguageModelError.Blocked().code) return new AgentError('rate-limited', `${this.label} is blocked for now (${err.message}): try again later.`);
      if (err.code === vscode.LanguageModelError.NotFound().code) return new AgentError('no-model', `${this.label} is not available any more (${err.message}).`);
      return new AgentError('server', `${this.label}: ${err.message}`);
    }
    if (err instanceof vscode.CancellationError) return new AgentError('cancelled', 'the request to the model was cancelled');
    return new AgentError('server', `${this.label}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function safeObject(text: string): object {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}
