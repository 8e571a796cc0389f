// An agent run as the command line and the benchmark show it: the JSON `agent` object (answer, claims
// with citations and whether each is supported, tool calls, token usage) and the text a person reads.
import type { AgentRun } from './loop';

export function agentJson(run: AgentRun): Record<string, unknown> {
  const a = run.answer;
  return {
    provider: run.provider,
    stopped: run.stopped,
    ...(run.error ? { error: run.error } : {}),
    answer: a
      ? {
          summary: a.summary,
          causeKind: a.causeKind,
          service: a.service,
          commit: a.commit,
          supported: a.supported,
          serviceSupported: a.serviceSupported,
          commitSupported: a.commitSupported,
          nextChecks: a.nextChecks,
          proposedActions: a.proposedActions,
          rejectedActions: a.rejectedActions,
          agreement: a.agreement,
        }
      : null,
    claims: (a?.claims ?? []).map((c) => ({ text: c.text, supported: c.supported, citations: c.citations })),
    toolCalls: run.trail.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments, ok: t.ok, ...(t.error ? { error: t.error } : {}), truncated: t.truncated, ...(t.notes.length ? { notes: t.notes } : {}), resultChars: t.result.length, ms: t.ms })),
    usage: run.usage,
    steps: run.steps,
    budgets: run.budgets,
    ms: run.ms,
  };
}

const clean = (s: string | undefined, max = 400): string => {
  if (!s) return '';
  const t = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

const stopWords: Record<AgentRun['stopped'], string> = {
  answered: 'answered',
  'budget-steps': 'stopped: the step budget ran out',
  'budget-tokens': 'stopped: the token budget ran out',
  'budget-time': 'stopped: the time budget ran out',
  cancelled: 'cancelled',
  declined: 'not sent: the preview was declined',
  error: 'failed',
  'no-answer': 'stopped: the model gave no structured answer',
};

export function formatAgentRun(run: AgentRun): string {
  const lines: string[] = ['', `AGENT (${clean(run.provider, 200)}): ${stopWords[run.stopped]}${run.error ? `: ${clean(run.error.message, 400)}` : ''}`];
  const a = run.answer;
  if (a) {
    lines.push(`  ${a.supported ? '' : '[NOT SUPPORTED BY ITS CITATIONS] '}${clean(a.summary, 1200)}`);
    lines.push(`  cause ${a.causeKind}${a.service ? `, service ${clean(a.service, 80)}${a.serviceSupported ? '' : ' (unsupported)'}` : ''}${a.commit ? `, commit ${clean(a.commit, 64).slice(0, 12)}${a.commitSupported ? '' : ' (unsupported)'}` : ''}`);
    for (const g of a.agreement.filter((x) => !x.agrees)) lines.push(`  disagrees with the deterministic hypothesis on ${g.field}: agent ${clean(g.agent ?? 'none', 80)}, baseline ${clean(g.baseline ?? 'none', 80)}`);
    lines.push('  CLAIMS');
    for (const c of a.claims) {
      lines.push(`    ${c.supported ? '✓' : '✗ unsupported:'} ${clean(c.text, 300)}`);
      for (const x of c.citations) lines.push(`        ${x.found ? '' : '✗ '}[${clean(x.source, 80)}] "${clean(x.quote, 160)}"${x.problem ? ` — ${clean(x.problem, 160)}` : ''}`);
    }
    if (a.nextChecks.length) lines.push('  NEXT CHECKS', ...a.nextChecks.map((n) => `    - ${clean(n, 300)}`));
    if (a.proposedActions.length) lines.push('  PROPOSED ACTIONS (each needs a policy decision and approval before it runs)', ...a.proposedActions.map((p) => `    - ${p.actionId} ${clean(JSON.stringify(p.params), 200)}: ${clean(p.why, 240)}`));
    for (const r of a.rejectedActions) lines.push(`    ✗ dropped ${clean(r.actionId, 80)}: ${clean(r.reason, 200)}`);
  }
  if (run.trail.length) {
    lines.push('  TRAIL');
    for (const t of run.trail) lines.push(`    ${t.id} ${t.name} ${clean(t.arguments, 160)} -> ${t.ok ? `${t.result.length} chars` : `error: ${clean(t.result, 200)}`}${t.truncated ? ` (cut: ${clean(t.notes.join('; '), 160)})` : ''}`);
  }
  lines.push(`  ${run.steps} steps, ${run.usage.inputTokens} input + ${run.usage.outputTokens} output tokens${run.usage.estimated ? ' (partly estimated)' : ''}, ${(run.ms / 1000).toFixed(1)} s`);
  return lines.join('\n');
}
