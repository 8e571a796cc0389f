// The agent's tool loop: the model asks, our read-only tools answer, until it submits a grounded answer
// or a budget (steps, tokens, wall time) runs out; cancellable at any point. Every request is redacted
// right before it is sent (nothing else reaches the provider), and the first one can be shown to the
// user and must be agreed to when the caller asks for consent. Every tool call and its result (as sent)
// is kept as the trail the panel shows.
import type { Investigation } from '../../core/investigation';
import { errorMessage } from '../../core/errors';
import { defaultRedaction, redactValue, type RedactionSettings } from '../../core/redact';
import { agentTools, runTool } from '../tools/registry';
import type { ToolContext } from '../tools/types';
import { answerSchema, findingSources, groundAnswer, submitAnswerTool, type CitationSources, type GroundedAnswer } from './answer';
import { defaultQuestion, firstMessage, incidentContext, systemPrompt } from './prompt';
import { AgentError, type AgentErrorKind, type ChatMessage, type ChatProvider, type ChatRequest, type ToolSpec } from './provider';

export interface AgentBudgets {
  /** Model turns. */
  maxSteps: number;
  /** Input plus output tokens over the whole run. */
  maxTokens: number;
  maxWallMs: number;
  /** Characters of one tool result sent to the model. */
  maxResultChars: number;
}

export const defaultBudgets: AgentBudgets = { maxSteps: 10, maxTokens: 150_000, maxWallMs: 180_000, maxResultChars: 12_000 };

export interface ToolCallRecord {
  /** The id claims cite: t1, t2, … */
  id: string;
  name: string;
  /** The arguments as the model wrote them. */
  arguments: string;
  ok: boolean;
  error?: string;
  /** The result exactly as sent to the model (redacted, bounded). */
  result: string;
  truncated: boolean;
  notes: string[];
  step: number;
  ms: number;
}

export type AgentStop = 'answered' | 'budget-steps' | 'budget-tokens' | 'budget-time' | 'cancelled' | 'declined' | 'error' | 'no-answer';

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  /** Some turns had no usage from the endpoint and were estimated (4 characters a token). */
  estimated: boolean;
}

export interface AgentRun {
  question: string;
  provider: string;
  answer?: GroundedAnswer;
  /** The model's prose (streamed text), when it wrote any. */
  text: string;
  trail: ToolCallRecord[];
  usage: AgentUsage;
  steps: number;
  stopped: AgentStop;
  error?: { kind: AgentErrorKind | 'internal'; message: string };
  budgets: AgentBudgets;
  ms: number;
}

export type AgentEvent =
  | { type: 'step'; step: number; maxSteps: number }
  | { type: 'text'; delta: string }
  | { type: 'tool-call'; id: string; name: string; arguments: string }
  | { type: 'tool-result'; record: ToolCallRecord }
  | { type: 'usage'; usage: AgentUsage; budgets: AgentBudgets; elapsedMs: number };

export interface RunAgentOptions {
  provider: ChatProvider;
  tools: ToolContext;
  /** The investigation the agent starts from (its hypothesis is the baseline; its findings are citable). */
  investigation?: Investigation;
  question?: string;
  earlier?: { question: string; answer: string }[];
  budgets?: Partial<AgentBudgets>;
  redaction?: RedactionSettings;
  stream?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: AgentEvent) => void;
  /** Shown the exact first request body; sending stops unless it resolves true. */
  confirmSend?: (body: unknown) => Promise<boolean>;
}

const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** The request as it will be sent: every string redacted, keys included. */
export function redactRequest(req: ChatRequest, settings: RedactionSettings): ChatRequest {
  return { ...req, messages: redactValue(req.messages, settings) };
}

export function toolSpecs(): ToolSpec[] {
  return [
    ...agentTools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema })),
    { name: submitAnswerTool, description: 'Submit your final answer: summary, cause kind, service and commit when known, claims with citations, next checks and proposed catalog action ids.', parameters: answerSchema },
  ];
}

/** The first request of a run, redacted: what the preview shows before anything is sent. */
export function firstRequest(opts: Pick<RunAgentOptions, 'investigation' | 'question' | 'earlier' | 'budgets' | 'redaction' | 'stream' | 'tools'>): ChatRequest {
  const budgets = { ...defaultBudgets, ...opts.budgets };
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt({ maxSteps: budgets.maxSteps, actionIds: opts.tools.actionIds() }) },
    { role: 'user', content: firstMessage(opts.question ?? defaultQuestion, incidentContext(opts.investigation), opts.earlier) },
  ];
  return redactRequest({ messages, tools: toolSpecs(), toolChoice: 'auto', stream: opts.stream ?? true }, opts.redaction ?? defaultRedaction);
}

export async function runAgent(opts: RunAgentOptions): Promise<AgentRun> {
  const budgets: AgentBudgets = { ...defaultBudgets, ...opts.budgets };
  const redaction = opts.redaction ?? defaultRedaction;
  const started = Date.now();
  const emit = (e: AgentEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener's failure is not the run's
    }
  };
  const run: AgentRun = { question: opts.question ?? defaultQuestion, provider: opts.provider.label, text: '', trail: [], usage: { inputTokens: 0, outputTokens: 0, estimated: false }, steps: 0, stopped: 'no-answer', budgets, ms: 0 };
  const finish = (stopped: AgentStop, error?: AgentRun['error']): AgentRun => {
    run.stopped = stopped;
    if (error) run.error = error;
    run.ms = Date.now() - started;
    return run;
  };

  // Wall time and the caller's cancellation end whatever is in flight.
  const wall = new AbortController();
  const timer = setTimeout(() => wall.abort(), budgets.maxWallMs);
  const onAbort = (): void => wall.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const stoppedBy = (): AgentStop | undefined => (opts.signal?.aborted ? 'cancelled' : wall.signal.aborted ? 'budget-time' : undefined);

  try {
    const first = firstRequest({ ...opts, budgets });
    const messages = [...first.messages];
    try {
      await opts.provider.prepare?.();
    } catch (err) {
      if (err instanceof AgentError) return finish('error', { kind: err.kind, message: err.message });
      throw err;
    }
    run.provider = opts.provider.label;
    if (opts.confirmSend && !(await opts.confirmSend(opts.provider.requestBody(first)))) return finish('declined');
    const sources: CitationSources = findingSources(opts.investigation);
    const actionIds = opts.tools.actionIds();
    let nudged = false;
    for (let step = 1; ; step++) {
      const stop = stoppedBy();
      if (stop) return finish(stop);
      if (step > budgets.maxSteps) return finish('budget-steps');
      const used = run.usage.inputTokens + run.usage.outputTokens;
      if (used >= budgets.maxTokens) return finish('budget-tokens');
      run.steps = step;
      emit({ type: 'step', step, maxSteps: budgets.maxSteps });
      // The last step (or nearly no tokens left) must answer.
      const mustAnswer = step === budgets.maxSteps || used >= budgets.maxTokens * 0.8;
      const req = redactRequest({ messages, tools: first.tools, toolChoice: mustAnswer ? { name: submitAnswerTool } : 'auto', stream: first.stream }, redaction);
      let turn;
      try {
        turn = await opts.provider.complete(req, { signal: wall.signal, onText: (d) => emit({ type: 'text', delta: d }) });
      } catch (err) {
        const s = stoppedBy();
        if (s) return finish(s);
        if (err instanceof AgentError) return finish(err.kind === 'cancelled' ? 'cancelled' : 'error', { kind: err.kind, message: err.message });
        return finish('error', { kind: 'internal', message: errorMessage(err) });
      }
      if (turn.usage) {
        run.usage.inputTokens += turn.usage.inputTokens;
        run.usage.outputTokens += turn.usage.outputTokens;
      } else {
        run.usage.inputTokens += estimateTokens(JSON.stringify(req.messages));
        run.usage.outputTokens += estimateTokens(turn.content + JSON.stringify(turn.toolCalls));
        run.usage.estimated = true;
      }
      emit({ type: 'usage', usage: { ...run.usage }, budgets, elapsedMs: Date.now() - started });
      if (turn.content) run.text += (run.text ? '\n' : '') + turn.content;
      messages.push({ role: 'assistant', content: turn.content, ...(turn.toolCalls.length ? { toolCalls: turn.toolCalls } : {}) });

      if (!turn.toolCalls.length) {
        // Some models answer in the message instead of calling submit_answer: accept that JSON once.
        const inline = parseInlineAnswer(turn.content);
        const grounded = inline !== undefined ? groundAnswer(inline, sources, actionIds, opts.investigation?.hypothesis) : undefined;
        if (grounded?.ok) {
          run.answer = grounded.answer;
          return finish('answered');
        }
        if (nudged) return finish('no-answer');
        nudged = true;
        messages.push({ role: 'user', content: `Call ${submitAnswerTool} with your answer, citing tool result ids or finding ids with exact quotes.` });
        continue;
      }

      for (const call of turn.toolCalls) {
        if (call.name === submitAnswerTool) {
          const parsed = parseJson(call.arguments);
          const grounded = parsed.ok ? groundAnswer(parsed.value, sources, actionIds, opts.investigation?.hypothesis) : { ok: false as const, problems: [parsed.problem] };
          if (grounded.ok) {
            run.answer = grounded.answer;
            messages.push({ role: 'tool', toolCallId: call.id, content: 'Answer received.' });
            continue;
          }
          messages.push({ role: 'tool', toolCallId: call.id, content: JSON.stringify({ error: `the answer was not accepted: ${grounded.problems.join('; ')}. Call ${submitAnswerTool} again with corrected fields.` }) });
          continue;
        }
        const id = `t${run.trail.length + 1}`;
        emit({ type: 'tool-call', id, name: call.name, arguments: call.arguments });
        const t0 = Date.now();
        const parsed = parseJson(call.arguments);
        let record: ToolCallRecord;
        if (!parsed.ok) {
          record = { id, name: call.name, arguments: call.arguments, ok: false, error: 'invalid-arguments', result: JSON.stringify({ error: `${parsed.problem}. Call ${call.name} again with a JSON object as arguments.` }), truncated: false, notes: [], step, ms: 0 };
        } else {
          let res;
          try {
            res = await runTool(call.name, parsed.value, opts.tools, { signal: wall.signal, maxChars: budgets.maxResultChars, redaction });
          } catch (err) {
            const s = stoppedBy();
            if (s) return finish(s);
            throw err;
          }
          record = { id, name: call.name, arguments: call.arguments, ok: res.ok, ...(res.error ? { error: res.error } : {}), result: res.text, truncated: res.truncated, notes: res.notes, step, ms: Date.now() - t0 };
        }
        run.trail.push(record);
        sources.set(id, record.result);
        emit({ type: 'tool-result', record });
        const cut = record.truncated ? ` (cut: ${record.notes.join('; ')})` : '';
        messages.push({ role: 'tool', toolCallId: call.id, content: `result ${id}${cut}:\n${record.result}` });
      }
      if (run.answer) return finish('answered');
    }
  } catch (err) {
    return finish('error', { kind: 'internal', message: errorMessage(err) });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const t = (text ?? '').trim();
  if (!t) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch (err) {
    return { ok: false, problem: `the arguments are not valid JSON (${errorMessage(err)})` };
  }
}

/** A JSON answer written in the message itself (a fenced block or the whole text). */
function parseInlineAnswer(content: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(content);
  const candidate = (fenced ? fenced[1] : content).trim();
  if (!candidate.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(candidate);
    return v && typeof v === 'object' && 'summary' in v ? v : undefined;
  } catch {
    return undefined;
  }
}
