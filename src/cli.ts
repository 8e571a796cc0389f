// Command-line entry point: investigate a saved incident bundle, optionally with the LLM agent; serve the
// agent's tools over MCP; assess the risk of a deployment; right-size workloads from Prometheus.
//   incident-lens investigate --bundle FILE [--json] [--threshold X] [--agent [--preview] [--question Q]]
//   incident-lens mcp [...]   (src/mcp.ts)
//   incident-lens risk --workspace DIR [--rev REV] [--base REV] [--json]
//   incident-lens rightsize --prometheus URL [--namespace N] [--json] [--history 14d] [--strategy krr|improved]

import * as fs from 'node:fs';
import type { Hypothesis } from './core/model';
import { validateBundle } from './core/bundle';
import { diagnoseBundle } from './agent/diagnose';
import { OpenAiChatProvider } from './agent/llm/openaiProvider';
import { firstRequest, runAgent } from './agent/llm/loop';
import { bundleToolContext, investigateBundle } from './agent/tools/bundleContext';
import { agentJson, formatAgentRun } from './agent/llm/report';
import { CATALOG_ACTION_IDS } from './core/actions';
import { formatLocation } from './core/codeLocation';
import { MCP_USAGE, McpUsageError, runMcpCommand } from './mcp';
import { assessWorkspace } from './agent/deployRisk/workspace';
import { formatAssessment } from './agent/deployRisk/format';
import { rightsizeCommand, RIGHTSIZE_USAGE } from './rightsizeCli';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
};

const USAGE = `usage:
  incident-lens investigate --bundle FILE [--json] [--threshold X]
  incident-lens investigate --bundle FILE --agent [--json] [--preview] [--question Q] [--max-steps N]
      runs the LLM agent over the bundle's data with the same tools; reads OPENAI_BASE_URL,
      OPENAI_API_KEY and INCIDENT_LENS_MODEL; --preview prints the first request (redacted) and sends nothing
  incident-lens mcp --help
      serves the agent's read-only tools over stdio (Model Context Protocol)
  incident-lens risk --workspace DIR [--rev REV] [--base REV] [--json] [--environment NAME]
                     [--deploy-records FILE]
${RIGHTSIZE_USAGE}`;

/** Largest bundle file read (bundles are bounded by the sources' limits; this guards against the wrong file). */
const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

class UsageError extends Error {}

export function parseFlags(argv: string[], known: Record<string, 'string' | 'boolean'>): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const type = known[name];
    if (!type) throw new UsageError(`unknown option --${name}`);
    if (type === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags[name] = value;
  }
  return flags;
}

function numberFlag(flags: Record<string, string | boolean>, name: string, dflt: number, check: (n: number) => boolean, what: string): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !v.trim() || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(v)})`);
  return n;
}

/** Text from logs and labels is data: control characters (terminal escapes) are shown, not obeyed. */
function clean(text: string | undefined, max = 400): string {
  if (!text) return '';
  const s = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, ' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function iso(t: number | undefined): string {
  return t !== undefined && Number.isFinite(t) ? new Date(t).toISOString().replace('.000Z', 'Z') : '?';
}

/** The hypothesis as a person reads it in a terminal. */
export function formatHypothesis(h: Hypothesis): string {
  const lines: string[] = [];
  lines.push(h.abstained ? 'HYPOTHESIS: abstained (not confident enough to name a cause)' : `HYPOTHESIS: ${h.causeKind}${h.service ? ` in ${clean(h.service)}` : ''}`);
  lines.push(`  confidence ${(h.confidence * 100).toFixed(0)}%${h.onset !== undefined ? `   onset ${iso(h.onset)}` : ''}`);
  lines.push('', clean(h.summary, 2000));
  if (h.suspectCommit) {
    const s = h.suspectCommit;
    lines.push('', 'SUSPECT COMMIT', `  ${s.sha.slice(0, 12)}  ${clean(s.message, 120)}  (${clean(s.author, 60)}, ${iso(s.time)}, score ${s.score.toFixed(2)})`);
    const loc = h.location ?? s.location;
    if (loc) lines.push(`  at ${formatLocation({ ...loc, path: clean(loc.path, 300) })}`);
    for (const r of s.reasons.slice(0, 5)) lines.push(`  - ${clean(r, 300)}`);
    for (const b of loc?.blame?.slice(0, 10) ?? []) lines.push(`    ${String(b.line).padStart(5)} ${b.sha.slice(0, 8)} ${clean(b.text, 160)}`);
  } else if (h.suspectCommits.length) {
    lines.push('', 'CHANGES CONSIDERED (none named as the cause)');
    for (const s of h.suspectCommits.slice(0, 3)) lines.push(`  ${s.sha.slice(0, 12)}  score ${s.score.toFixed(2)}  ${clean(s.message, 100)}`);
  }
  if (h.evidence.length) {
    lines.push('', 'EVIDENCE');
    for (const e of h.evidence) lines.push(`  [${e.id}] ${e.kind}: ${clean(e.title, 240)}`, `        ${clean(e.why, 300)}`, `        ref ${clean(e.ref, 200)}`);
  }
  if (h.alternatives.length) {
    lines.push('', 'ALTERNATIVES');
    for (const a of h.alternatives) lines.push(`  - ${clean(a.summary, 200)} (${a.causeKind}, ${(a.confidence * 100).toFixed(0)}%): lower because ${clean(a.whyLower, 240)}`);
  }
  if (h.confirm.length || h.refute.length) {
    lines.push('', 'TO CONFIRM');
    for (const c of h.confirm) lines.push(`  - ${clean(c, 300)}`);
    for (const r of h.refute) lines.push(`  - would refute: ${clean(r, 300)}`);
  }
  if (h.proposedActions.length) {
    lines.push('', 'PROPOSED ACTIONS (each needs a policy decision before it runs)');
    for (const a of h.proposedActions) {
      const params = Object.entries(a.params).map(([k, v]) => `${k}=${clean(String(v), 80)}`).join(' ');
      lines.push(`  - ${a.actionId}: ${clean(a.title, 200)}${params ? `  [${params}]` : ''}`, `        ${clean(a.why, 300)}`);
    }
  }
  lines.push('', 'CHECKED');
  for (const c of h.checked) lines.push(`  - ${clean(c, 300)}`);
  return lines.join('\n');
}

function readBundle(file: string): ReturnType<typeof validateBundle> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`bundle file not found: ${file}`);
  }
  if (!stat.isFile()) throw new UsageError(`not a file: ${file}`);
  if (stat.size > MAX_BUNDLE_BYTES) throw new UsageError(`bundle file is larger than ${MAX_BUNDLE_BYTES / 1024 / 1024} MB: ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return validateBundle(parsed);
  } catch (err) {
    throw new UsageError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The deterministic hypothesis, then the agent over the bundle's data with the same tools. The JSON is
 * the hypothesis's documented fields plus an `agent` object. Exit 1 when the agent could not run (the
 * hypothesis is printed all the same).
 */
async function investigateWithAgent(bundle: ReturnType<typeof validateBundle>, threshold: number, flags: Record<string, string | boolean>, io: CliIo): Promise<number> {
  const model = process.env.INCIDENT_LENS_MODEL;
  if (!model) throw new UsageError('--agent needs a model: set INCIDENT_LENS_MODEL (and OPENAI_BASE_URL, OPENAI_API_KEY for the endpoint)');
  const maxSteps = numberFlag(flags, 'max-steps', 10, (n) => Number.isInteger(n) && n >= 1 && n <= 50, 'an integer from 1 to 50');
  const inv = investigateBundle(bundle, { confidenceThreshold: threshold });
  const tools = bundleToolContext(bundle, inv, { actionIds: [...CATALOG_ACTION_IDS] });
  const provider = new OpenAiChatProvider({ baseUrl: process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, model });
  const question = typeof flags.question === 'string' ? flags.question : undefined;
  if (flags.preview) {
    io.out(JSON.stringify(provider.requestBody(firstRequest({ tools, investigation: inv, question, budgets: { maxSteps } })), null, 2));
    return 0;
  }
  const run = await runAgent({ provider, tools, investigation: inv, question, budgets: { maxSteps }, stream: !flags.json });
  io.out(flags.json ? JSON.stringify({ ...inv.hypothesis, agent: agentJson(run) }, null, 2) : `${formatHypothesis(inv.hypothesis)}\n${formatAgentRun(run)}`);
  return run.stopped === 'error' ? 1 : 0;
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return command ? 0 : 2;
    }
    if (command === 'mcp') {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(MCP_USAGE);
        return 0;
      }
      try {
        return await runMcpCommand(rest);
      } catch (err) {
        if (err instanceof McpUsageError) throw new UsageError(`${err.message}\n\n${MCP_USAGE}`);
        throw err;
      }
    }
    if (command === 'investigate') {
      const flags = parseFlags(rest, { bundle: 'string', json: 'boolean', threshold: 'string', agent: 'boolean', preview: 'boolean', question: 'string', 'max-steps': 'string' });
      if (typeof flags.bundle !== 'string') throw new UsageError('investigate needs --bundle FILE');
      const threshold = numberFlag(flags, 'threshold', 0.5, (n) => n >= 0 && n <= 1, 'a number between 0 and 1');
      const bundle = readBundle(flags.bundle);
      // The hypothesis must not see the answer, even by accident.
      const { truth: _truth, ...withoutTruth } = bundle;
      if (flags.agent) return await investigateWithAgent(bundle, threshold, flags, io);
      if (flags.preview || flags.question || flags['max-steps']) throw new UsageError('--preview, --question and --max-steps go with --agent');
      const h = diagnoseBundle(withoutTruth, { confidenceThreshold: threshold });
      io.out(flags.json ? JSON.stringify(h, null, 2) : formatHypothesis(h));
      return 0;
    }
    if (command === 'risk') {
      const flags = parseFlags(rest, { workspace: 'string', rev: 'string', base: 'string', json: 'boolean', environment: 'string', 'deploy-records': 'string' });
      if (typeof flags.workspace !== 'string') throw new UsageError('risk needs --workspace DIR');
      if (!fs.existsSync(flags.workspace) || !fs.statSync(flags.workspace).isDirectory()) throw new UsageError(`not a folder: ${flags.workspace}`);
      const a = await assessWorkspace({ workspace: flags.workspace, rev: flags.rev as string | undefined, base: flags.base as string | undefined, environment: flags.environment as string | undefined, deployRecords: flags['deploy-records'] as string | undefined });
      io.out(flags.json ? JSON.stringify(a, null, 2) : formatAssessment(a));
      return 0;
    }
    if (command === 'rightsize') {
      const flags = parseFlags(rest, { prometheus: 'string', namespace: 'string', json: 'boolean', history: 'string', strategy: 'string', 'price-core-hour': 'string', 'price-gib-hour': 'string', at: 'string' });
      return await rightsizeCommand(flags, io, (m) => new UsageError(m));
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`incident-lens: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`incident-lens: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
