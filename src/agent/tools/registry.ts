// The one registry of the agent's tools: the LLM loop, VS Code's language-model tools and the MCP
// server all list and run tools through here, so each client sees the same names, descriptions,
// schemas, checks, bounds and redaction.
import { errorMessage } from '../../core/errors';
import { redactValue, type RedactionSettings } from '../../core/redact';
import { boundResult, defaultResultChars } from './bound';
import { blameLines, listChanges, readFile, showDiff } from './codeTools';
import { getFindings, getHypothesis, proposeRemediation } from './investigationTools';
import { checkArgs } from './schema';
import { getAlert, getTrace, listAlerts, queryLogs, queryMetrics, searchTraces } from './signalTools';
import { ToolInputError, type AgentTool, type ToolContext } from './types';

export const agentTools: readonly AgentTool[] = [
  listAlerts, getAlert, queryMetrics, queryLogs, searchTraces, getTrace,
  listChanges, showDiff, blameLines, readFile,
  getFindings, getHypothesis, proposeRemediation,
];

export function findTool(name: string): AgentTool | undefined {
  return agentTools.find((t) => t.name === name);
}

export interface ToolRunResult {
  tool: string;
  ok: boolean;
  /** What the caller sends on: bounded JSON text (or the error, for the model to correct its call). */
  text: string;
  truncated: boolean;
  notes: string[];
  /** Kind of failure: the call itself was wrong (the model can fix it), or the source failed. */
  error?: 'unknown-tool' | 'invalid-arguments' | 'input' | 'failed';
}

export interface RunToolOptions {
  signal?: AbortSignal;
  maxChars?: number;
  /** Redaction applied to the result before it is returned (every client sends it on). */
  redaction?: RedactionSettings;
}

/** Runs a tool by name with raw arguments: unknown tools and bad arguments come back as results the model can read. */
export async function runTool(name: string, rawArgs: unknown, ctx: ToolContext, opts: RunToolOptions = {}): Promise<ToolRunResult> {
  const tool = findTool(name);
  const fail = (error: ToolRunResult['error'], message: string): ToolRunResult => ({ tool: name, ok: false, text: JSON.stringify({ error: message }), truncated: false, notes: [], error });
  if (!tool) return fail('unknown-tool', `there is no tool named ${JSON.stringify(name)}; the tools are ${agentTools.map((t) => t.name).join(', ')}`);
  const checked = checkArgs(tool.inputSchema, rawArgs);
  if (!checked.ok) return fail('invalid-arguments', `invalid arguments for ${name}: ${checked.problems.join('; ')}. Call it again with corrected arguments.`);
  try {
    const out = await tool.run(checked.value, ctx, opts.signal);
    const data = opts.redaction ? redactValue(out.data, opts.redaction) : out.data;
    const bounded = boundResult(data, opts.maxChars ?? defaultResultChars, out.narrowHint);
    return { tool: name, ok: true, text: bounded.text, truncated: bounded.truncated, notes: bounded.notes };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const message = errorMessage(err);
    return fail(err instanceof ToolInputError ? 'input' : 'failed', opts.redaction ? redactValue(message, opts.redaction) : message);
  }
}
