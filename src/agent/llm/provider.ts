// What the agent needs from a language model, whatever serves it: the OpenAI-compatible Chat
// Completions endpoint (./openaiProvider.ts) or VS Code's Language Model API (src/vscode/agentLm.ts).
// Messages and tool specs are our own plain types; each provider translates them.
import type { ObjectSchema } from '../tools/schema';

export interface ToolCallRequest {
  /** The provider's id of the call, echoed in the tool message that answers it. */
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, possibly malformed. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  parameters: ObjectSchema;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** "auto", or the one tool the model must call (the final answer on the last step). */
  toolChoice: 'auto' | { name: string };
  stream: boolean;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatTurn {
  content: string;
  toolCalls: ToolCallRequest[];
  /** Absent when the endpoint did not report it (the loop then estimates). */
  usage?: TokenUsage;
  finishReason?: string;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  /** Streamed text as it arrives. */
  onText?: (delta: string) => void;
}

export type AgentErrorKind = 'auth' | 'rate-limited' | 'timeout' | 'unreachable' | 'not-found' | 'bad-request' | 'server' | 'bad-response' | 'no-model' | 'consent' | 'cancelled' | 'config';

/** A model endpoint's failure, with a kind the UI can act on and a message a person can read. */
export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export interface ChatProvider {
  /** Who answers, for people: "OpenAI-compatible endpoint https://… (model gpt-4o-mini)". */
  readonly label: string;
  /** Whether requests leave this machine (decides the consent prompt). */
  readonly remote: boolean;
  /** Checks that a model is there (before the user is asked to consent to sending anything). */
  prepare?(): Promise<void>;
  complete(req: ChatRequest, opts?: CompleteOptions): Promise<ChatTurn>;
  /** Exactly the body this provider would send for the request: what the preview shows. */
  requestBody(req: ChatRequest): unknown;
}

/** Whether a base URL points at this machine (a local Ollama, vLLM or LM Studio). */
export function isLocalEndpoint(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
