// Agent benchmark: runs the LLM agent over a folder of labelled incident bundles against the configured
// OpenAI-compatible endpoint and scores its answers like `bench cases` scores the deterministic
// hypothesis (same scorer, same definitions), beside that baseline, plus tokens and seconds per case.
//   OPENAI_BASE_URL=… OPENAI_API_KEY=… INCIDENT_LENS_MODEL=… npm run bench -- agent [--data DIR] [--max-steps N] [--limit N]
// Without --data it runs on the project's independent corpus (test/corpus). With no endpoint configured
// it says so and exits 0. Only claims that pass the grounding check count: an answer whose citations do
// not hold is scored as an abstention, and a service or commit no supported claim names is not named.
import * as path from 'node:path';
import { parseBenchArgs, printResult, round } from './common';
import { loadLabelledBundles } from './lib/bundles';
import { CASE_DEFINITIONS, scoreCase, summarize, type CaseScore } from './lib/scoring';
import type { Hypothesis } from '../src/core/model';
import { OpenAiChatProvider } from '../src/agent/llm/openaiProvider';
import { runAgent, type AgentRun } from '../src/agent/llm/loop';
import { bundleToolContext, investigateBundle } from '../src/agent/tools/bundleContext';
import { builtinActionIds } from '../src/remediation/catalog';

const args = parseBenchArgs();
const model = process.env.INCIDENT_LENS_MODEL;
const baseUrl = process.env.OPENAI_BASE_URL;
if (!model || !baseUrl) {
  console.log('agent: no model endpoint is configured (set OPENAI_BASE_URL, INCIDENT_LENS_MODEL and, if the endpoint needs one, OPENAI_API_KEY); nothing was measured');
  printResult({ bench: 'agent', skipped: true, reason: 'no endpoint configured' });
  process.exit(0);
}

/** The agent's answer in the hypothesis's terms, counting only what its supported claims back. */
export function answerAsHypothesis(run: AgentRun, baseline: Hypothesis): Hypothesis {
  const a = run.answer;
  const named = !!a && a.supported && a.causeKind !== 'unknown';
  const commit = named && a!.commit && a!.commitSupported ? baseline.suspectCommits.find((s) => s.sha.startsWith(a!.commit!.toLowerCase())) ?? { sha: a!.commit!, author: '', time: 0, message: '', score: 1, files: [], reasons: [] } : undefined;
  return {
    ...baseline,
    summary: a?.summary ?? '',
    causeKind: named ? a!.causeKind : 'unknown',
    service: named && a!.serviceSupported ? a!.service : undefined,
    suspectCommit: commit,
    // The agent states no calibrated probability: a supported named cause counts as 1, anything else as 0.
    confidence: named ? 1 : 0,
    abstained: !named,
  };
}

async function main(): Promise<void> {
  const dir = path.resolve(args.data ?? path.join(__dirname, '..', 'test', 'corpus'));
  const maxSteps = Number(args.flags['max-steps'] ?? 10);
  const limit = args.flags.limit === undefined ? Infinity : Number(args.flags.limit);
  const { bundles } = loadLabelledBundles(dir);
  const cases = bundles.slice(0, limit);
  if (!cases.length) {
    console.error(`agent: no labelled bundles under ${dir}`);
    process.exit(2);
  }
  const provider = new OpenAiChatProvider({ baseUrl: baseUrl!, apiKey: process.env.OPENAI_API_KEY, model: model!, timeoutMs: 120_000 });
  console.log(`agent: ${cases.length} labelled bundles under ${dir}, ${provider.label}, at most ${maxSteps} steps each`);
  const agentScores: (CaseScore & { file: string })[] = [];
  const baseScores: CaseScore[] = [];
  const tokens: number[] = [];
  const seconds: number[] = [];
  const stops: Record<string, number> = {};
  let unsupportedClaims = 0;
  let claims = 0;
  for (const { file, bundle } of cases) {
    const inv = investigateBundle(bundle);
    baseScores.push(scoreCase(bundle, inv.hypothesis));
    const run = await runAgent({ provider, tools: bundleToolContext(bundle, inv, { actionIds: [...builtinActionIds] }), investigation: inv, budgets: { maxSteps }, stream: false });
    const h = answerAsHypothesis(run, inv.hypothesis);
    const s = scoreCase(bundle, h);
    agentScores.push({ ...s, file });
    tokens.push(run.usage.inputTokens + run.usage.outputTokens);
    seconds.push(run.ms / 1000);
    stops[run.stopped] = (stops[run.stopped] ?? 0) + 1;
    claims += run.answer?.claims.length ?? 0;
    unsupportedClaims += run.answer?.claims.filter((c) => !c.supported).length ?? 0;
    console.log(`${file.padEnd(44).slice(0, 44)} ${s.correct ? '✓' : '✗'} ${run.stopped.padEnd(13)} ${h.abstained ? 'abstained' : `${h.causeKind}${h.service ? ` ${h.service}` : ''}${h.suspectCommit ? ` ${h.suspectCommit.sha.slice(0, 8)}` : ''}`}  ${run.steps} steps ${tokens[tokens.length - 1]} tok ${seconds[seconds.length - 1].toFixed(1)} s${run.error ? `  ${run.error.message.slice(0, 120)}` : ''}`);
  }
  const agent = summarize(agentScores);
  const base = summarize(baseScores);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const f = (x: number) => x.toFixed(3);
  console.log('\n                 agent   deterministic baseline');
  for (const k of ['fullyCorrect', 'serviceTop1', 'commitTop1', 'correctNoCommit'] as const) console.log(`${k.padEnd(16)} ${f(agent[k])}   ${f(base[k])}`);
  console.log(`wrongConfident   ${agent.wrongConfident}       ${base.wrongConfident}   (agent: a supported named cause that is wrong counts as confident)`);
  console.log(`claims ${claims}, unsupported ${unsupportedClaims}; stops ${JSON.stringify(stops)}`);
  console.log(`tokens per case median ${median(tokens)}, mean ${Math.round(tokens.reduce((a, b) => a + b, 0) / tokens.length)}; seconds per case median ${median(seconds).toFixed(1)}`);
  console.log(CASE_DEFINITIONS);
  console.log('The prompts and tools were written without looking at the cases of this corpus; the agent starts from the deterministic hypothesis, so read its figures beside the baseline.');
  printResult({
    bench: 'agent',
    model,
    cases: agent.cases,
    fullyCorrect: round(agent.fullyCorrect, 3),
    serviceTop1: round(agent.serviceTop1, 3),
    commitTop1: round(agent.commitTop1, 3),
    correctNoCommit: round(agent.correctNoCommit, 3),
    wrongConfident: agent.wrongConfident,
    baselineFullyCorrect: round(base.fullyCorrect, 3),
    unsupportedClaimShare: claims ? round(unsupportedClaims / claims, 3) : 0,
    tokensPerCaseMedian: median(tokens),
    secondsPerCaseMedian: round(median(seconds), 2),
    stops,
  });
}

main().catch((err: unknown) => {
  console.error(`agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
