// Tools over one investigation: the deterministic findings and hypothesis (computed once, never
// again here), and propose_remediation, which returns a proposal for the approval flow and runs nothing.
import type { Findings, Investigation } from '../../core/investigation';
import { iso } from './shape';
import { ToolInputError, type AgentTool, type ToolContext } from './types';

const alertIdProp = { type: 'string', maxLength: 256, description: 'The alert whose investigation to read. Default: the alert under investigation.' } as const;

async function need(ctx: ToolContext, alertId: unknown, signal?: AbortSignal): Promise<Investigation> {
  const inv = await ctx.investigation(alertId ? String(alertId) : undefined, signal);
  if (!inv) throw new ToolInputError(alertId ? `no investigation of alert ${JSON.stringify(alertId)}: list_alerts shows the ids` : 'no alert is under investigation: give alertId');
  return inv;
}

export const findingSections = ['summary', 'series', 'logPatterns', 'errorOrigins', 'slowOperations', 'suspects', 'hosts', 'callGraph', 'traces'] as const;

/** The summary section: what moved, compactly, with the ids that citations use. */
export function findingsSummary(f: Findings): Record<string, unknown> {
  return {
    window: { start: iso(f.window.start), end: iso(f.window.end) },
    alertTime: iso(f.alertTime),
    alertServices: f.alertServices,
    counts: f.counts,
    onset: { time: iso(f.onset.time), basis: f.onset.basis, ...(f.onset.seriesId ? { seriesId: f.onset.seriesId } : {}) },
    services: f.services.slice(0, 6),
    seriesThatMoved: f.series.filter((s) => s.excursion).slice(0, 12).map((s) => ({ id: s.id, name: s.name, service: s.service, role: s.role, unit: s.unit, onset: iso(s.excursion!.onset), direction: s.excursion!.direction, ratio: Number(s.excursion!.ratio.toPrecision(3)) })),
    risingLogPatterns: f.logPatterns.filter((p) => p.rising).slice(0, 10).map((p) => ({ id: p.id, template: p.template, level: p.level, service: p.service, before: p.countBefore, after: p.countAfter, isNew: p.isNew })),
    errorOrigins: f.errorOrigins.slice(0, 6).map((o) => ({ ref: o.ref, service: o.service, operation: o.operation, count: o.count, countBefore: o.countBefore, exception: o.exceptionType ? `${o.exceptionType}: ${o.exceptionMessage ?? ''}` : o.statusMessage, external: o.external })),
    slowOperations: f.slowOperations.slice(0, 6).map((o) => ({ ref: o.ref, service: o.service, operation: o.operation, beforeMs: o.beforeMs, afterMs: o.afterMs, external: o.external })),
    hosts: f.hosts.slice(0, 4),
    suspects: f.suspects.slice(0, 5).map((s) => ({ sha: s.sha, message: s.message.split('\n')[0], author: s.author, time: iso(s.time), score: Number(s.score.toFixed(3)), files: s.files.slice(0, 6), strength: s.strength })),
    warnings: f.warnings,
  };
}

export const getFindings: AgentTool = {
  name: 'get_findings',
  title: 'Get the findings',
  description:
    'The deterministic findings of the investigation, computed once by our analysis: the onset, series that left their baseline, new or rising log patterns, failing-span origins, slower operations, implicated hosts and services, and suspect commits with the strength of each kind of evidence. Cite findings by their ids (series id, log pattern id, span ref, commit sha).',
  inputSchema: {
    type: 'object',
    properties: {
      section: { type: 'string', enum: findingSections, description: 'One section in full; default "summary" (the top of every section).' },
      alertId: alertIdProp,
    },
  },
  async run(args, ctx, signal) {
    const f = (await need(ctx, args.alertId, signal)).findings;
    const section = String(args.section ?? 'summary');
    switch (section) {
      case 'summary':
        return { data: findingsSummary(f) };
      case 'series':
        return { data: { series: f.series.map(({ regions: _r, ...s }) => ({ ...s, ...(s.excursion ? { excursion: { ...s.excursion, onset: iso(s.excursion.onset) } } : {}) })) }, narrowHint: 'use the summary section or query_metrics for one series' };
      case 'logPatterns':
        return { data: { logPatterns: f.logPatterns } };
      case 'errorOrigins':
        return { data: { errorOrigins: f.errorOrigins } };
      case 'slowOperations':
        return { data: { slowOperations: f.slowOperations } };
      case 'suspects':
        return { data: { suspects: f.suspects } };
      case 'hosts':
        return { data: { hosts: f.hosts } };
      case 'callGraph':
        return { data: { callGraph: f.callGraph } };
      default:
        return { data: { slowest: f.traces.slowest, failing: f.traces.failing } };
    }
  },
};

export const getHypothesis: AgentTool = {
  name: 'get_hypothesis',
  title: 'Get the hypothesis',
  description:
    'The deterministic root-cause hypothesis: summary, cause kind, service, suspect commit and code location, calibrated confidence (or abstention), evidence with ids, alternatives, what would confirm or refute it, what was checked, and the proposed action ids.',
  inputSchema: { type: 'object', properties: { alertId: alertIdProp } },
  async run(args, ctx, signal) {
    const h = (await need(ctx, args.alertId, signal)).hypothesis;
    return {
      data: {
        summary: h.summary,
        causeKind: h.causeKind,
        service: h.service,
        host: h.host,
        confidence: Number(h.confidence.toFixed(3)),
        abstained: h.abstained,
        suspectCommit: h.suspectCommit ? { sha: h.suspectCommit.sha, message: h.suspectCommit.message.split('\n')[0], score: h.suspectCommit.score, reasons: h.suspectCommit.reasons } : undefined,
        location: h.location ? { path: h.location.path, startLine: h.location.startLine, endLine: h.location.endLine } : undefined,
        onset: iso(h.onset),
        evidence: h.evidence.map((e) => ({ id: e.id, kind: e.kind, ref: e.ref, title: e.title, why: e.why, weight: e.weight })),
        alternatives: h.alternatives,
        confirm: h.confirm,
        refute: h.refute,
        checked: h.checked,
        proposedActions: h.proposedActions,
      },
    };
  },
};

export const proposeRemediation: AgentTool = {
  name: 'propose_remediation',
  title: 'Propose a remediation',
  description:
    'Proposes one action from the catalog by its id (for example rollback-deploy or restart) with its parameters. Nothing runs: the proposal goes to Incident Lens\'s policy, environment checks and approval prompt, where a person decides, and to the audit ledger. Only catalog action ids are accepted.',
  inputSchema: {
    type: 'object',
    properties: {
      actionId: { type: 'string', maxLength: 100, description: 'An action id from the catalog.' },
      params: { type: 'object', properties: {}, additionalProperties: { type: 'string', maxLength: 1024 }, description: 'Parameters of the action (service, revision, replicas...), as strings.' },
      why: { type: 'string', maxLength: 1000, description: 'Why this action, citing the evidence.' },
      alertId: alertIdProp,
    },
    required: ['actionId', 'why'],
  },
  async run(args, ctx) {
    const ids = ctx.actionIds();
    const actionId = String(args.actionId);
    if (!ids.includes(actionId)) throw new ToolInputError(`${JSON.stringify(actionId)} is not an action of the catalog; the catalog has ${ids.map((i) => JSON.stringify(i)).join(', ')}. Commands cannot be proposed, only catalog actions.`);
    const params = Object.fromEntries(Object.entries((args.params as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k, String(v)]));
    const proposal = { actionId, title: actionId, params, why: String(args.why), ...(args.alertId ? { alertId: String(args.alertId) } : {}) };
    const outcome = ctx.propose ? await ctx.propose(proposal) : { status: 'recorded' as const, message: 'Recorded as a proposal. Nothing ran: a person must approve it in Incident Lens, after the policy has decided.' };
    return { data: { proposal: { actionId, params, why: proposal.why }, status: outcome.status, message: outcome.message, executed: false } };
  },
};
