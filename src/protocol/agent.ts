// The agent section of the investigation panel: its view model and messages. Plain data; the webview
// renders every string as text. The webview asks questions and names proposed actions by index and
// id; the host runs the agent and decides what an action does (policy, approval, ledger).
import { defineCommand, defineNotification, defineRequest, noParams, objectCheck } from './ipc';

export interface AgentTrailItemView {
  id: string;
  name: string;
  arguments: string;
  ok: boolean;
  error?: string;
  /** The result as the model received it (redacted, bounded), shortened for display. */
  result: string;
  truncated: boolean;
  notes: string[];
  ms: number;
}

export interface AgentClaimView {
  text: string;
  supported: boolean;
  citations: { source: string; quote: string; found: boolean; problem?: string }[];
}

export interface AgentAnswerView {
  summary: string;
  causeKind: string;
  service?: string;
  commit?: string;
  serviceSupported: boolean;
  commitSupported: boolean;
  supported: boolean;
  claims: AgentClaimView[];
  nextChecks: string[];
  actions: { index: number; actionId: string; params: Record<string, string>; why: string }[];
  rejectedActions: { actionId: string; reason: string }[];
  disagreements: { field: string; agent?: string; baseline?: string }[];
}

export interface AgentView {
  /** off: no provider chosen; idle: ready to ask; running; done (answered or stopped). */
  state: 'off' | 'idle' | 'running' | 'done';
  /** How to turn the agent on (state "off"). */
  hint?: string;
  provider?: string;
  remote?: boolean;
  question?: string;
  /** The model's prose as it streams in. */
  text: string;
  trail: AgentTrailItemView[];
  answer?: AgentAnswerView;
  stopped?: string;
  error?: string;
  usage: { inputTokens: number; outputTokens: number; estimated: boolean };
  budgets: { maxSteps: number; maxTokens: number; maxSeconds: number };
  step: number;
  elapsedMs: number;
  /** Earlier questions in this panel and the summaries of their answers. */
  history: { question: string; summary: string }[];
}

const scope = 'agent';
export const agentStateNotification = defineNotification<AgentView>(scope, 'state');
export const askAgentCommand = defineCommand<{ question: string }>(scope, 'ask', objectCheck({ question: 'string' }, 2000));
export const cancelAgentCommand = defineCommand<Record<string, never>>(scope, 'cancel', noParams);
export const openAgentSettingsCommand = defineCommand<Record<string, never>>(scope, 'openSettings', noParams);
export const runAgentActionCommand = defineCommand<{ index: number; actionId: string }>(scope, 'runAction', objectCheck({ index: 'integer', actionId: 'string' }, 200));
/** The exact first request the next question would send (redacted), as JSON text. */
export const agentPreviewRequest = defineRequest<{ question: string }, { provider: string; body: string }>(scope, 'preview', objectCheck({ question: 'string' }, 2000));
