// The audit ledger for people: one line per entry ("Approved rollback-deploy", "Recovered: payments
// error ratio 0.4 % < 5 %"), the alert each entry belongs to, and which entries each count counts, so
// the Audit Ledger view and the Markdown export list what happened and every count links to its entries.
// Entries are data written by us, but their strings came from alerts and commands: callers render them
// as text.
import type { LedgerEntry } from './ledger';

/** The counts of the ledger (ledgerCounts) and the entries each one counts. */
export const countedEntries = {
  suggestions: (e: LedgerEntry) => e.type === 'suggestion',
  approvals: (e: LedgerEntry) => e.type === 'approval',
  rejections: (e: LedgerEntry) => e.type === 'rejection',
  actions: (e: LedgerEntry) => e.type === 'execution',
  recoveries: (e: LedgerEntry) => e.type === 'verification' && record(e.data).ok === true,
  rollbacks: (e: LedgerEntry) => e.type === 'rollback',
  hypothesesShown: (e: LedgerEntry) => e.type === 'hypothesis',
  hypothesesWrong: (e: LedgerEntry) => e.type === 'hypothesis-wrong',
} as const;

export type CountKey = keyof typeof countedEntries;

export interface EntrySummary {
  seq: number;
  /** ms since the epoch. */
  time: number;
  type: string;
  /** One line: what happened. */
  title: string;
  /** Further lines: argv, reasons, the verification's reason. */
  details: string[];
  alertId?: string;
  alertName?: string;
  actionId?: string;
  /** The remediation run the entry belongs to, when it was one. */
  run?: string;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function argvText(v: unknown): string | undefined {
  return Array.isArray(v) ? v.map((a) => (typeof a === 'string' && /[\s"'\\]/.test(a) ? JSON.stringify(a) : String(a))).join(' ') : undefined;
}

function alertOf(d: Record<string, unknown>): { id?: string; name?: string } {
  const alert = record(d.alert);
  const origin = record(d.origin);
  return { id: str(d.alertId) ?? str(alert.id) ?? str(origin.alertId), name: str(alert.name) };
}

function describe(e: LedgerEntry): { title: string; details: string[]; actionId?: string } {
  const d = record(e.data);
  const plan = record(d.plan);
  const actionId = str(d.actionId) ?? str(plan.actionId);
  const details: string[] = [];
  const add = (label: string, v: string | undefined) => v && details.push(`${label}: ${v}`);
  switch (e.type) {
    case 'suggestion':
      add('command', argvText(plan.argv));
      add('why', str(record(d.origin).why));
      return { title: `Suggested: ${str(plan.title) ?? actionId ?? 'an action'}`, details, actionId };
    case 'policy-decision': {
      const reasons = Array.isArray(d.reasons) ? d.reasons.filter((r): r is string => typeof r === 'string') : [];
      details.push(...reasons);
      return { title: `Policy: ${str(d.verdict) ?? 'decided'} (${str(d.decidedBy) ?? 'unknown rule'})`, details, actionId };
    }
    case 'env-check': {
      const problems = Array.isArray(d.problems) ? d.problems.filter((r): r is string => typeof r === 'string') : [];
      details.push(...problems);
      return { title: d.ok === false ? 'Environment check failed' : 'Environment check passed', details, actionId };
    }
    case 'dry-run':
      add('command', argvText(d.argv));
      return { title: `Dry run${d.kind === 'rollback' ? ' of the rollback' : ''}: ${str(d.outcome) ?? (d.exitCode === 0 ? 'succeeded' : 'finished')}`, details, actionId };
    case 'approval':
    case 'rejection': {
      add('command', argvText(d.argv));
      add('reason', str(d.reason) ?? str(d.error));
      const verb = e.type === 'approval' ? 'Approved' : 'Rejected';
      return { title: `${verb}${d.kind === 'rollback' ? ' the rollback' : ''}: ${actionId ?? 'an action'}${d.by === 'gate' ? ' (actions are off)' : ''}`, details, actionId };
    }
    case 'execution-start':
      add('command', argvText(d.argv));
      return { title: `Started${d.kind === 'rollback' ? ' the rollback' : ''}: ${actionId ?? 'an action'}`, details, actionId };
    case 'execution':
      if (d.kind === 'silence') {
        add('comment', str(d.comment));
        return { title: `Silenced ${alertOf(d).name ?? 'an alert'} (silence ${str(d.silenceId) ?? '?'})`, details, actionId: 'silence-alert' };
      }
      return { title: `Ran ${actionId ?? 'an action'}: ${str(d.outcome) ?? (d.exitCode === 0 ? 'exit 0' : `exit ${str(d.exitCode) ?? '?'}`)}`, details, actionId };
    case 'verification':
      if (d.skipped) return { title: `Not verified: ${str(d.reason) ?? 'no verifier'}`, details, actionId };
      return { title: `${d.ok === true ? 'Recovered' : 'Not recovered'}: ${str(d.reason) ?? ''}`.trim(), details, actionId };
    case 'rollback':
      return { title: `Rolled back ${actionId?.replace(/^rollback:/, '') ?? 'an action'}: ${str(d.outcome) ?? ''}`.trim(), details, actionId };
    case 'hypothesis': {
      const c = typeof d.confidence === 'number' ? ` (confidence ${Math.min(99, Math.round(d.confidence * 100))}%)` : '';
      return { title: `Hypothesis shown${d.abstained ? ' (abstained)' : ''}${c}: ${str(d.summary) ?? ''}`.trim(), details, actionId };
    }
    case 'hypothesis-wrong':
      return { title: `Marked wrong: ${str(d.summary) ?? 'a hypothesis'}`, details, actionId };
    case 'ledger-repair':
      return { title: 'Repaired a torn write', details: [str(d.message) ?? ''].filter(Boolean), actionId };
    default:
      return { title: `${e.type}${str(d.text) ? `: ${str(d.text)}` : ''}`, details, actionId };
  }
}

/**
 * One line per entry, oldest first, each with the alert it belongs to. A remediation run's entries
 * carry its run id (the flow tags them); older entries without one belong to the suggestion before them.
 */
export function summarizeEntries(entries: readonly LedgerEntry[]): EntrySummary[] {
  const runAlert = new Map<string, { id?: string; name?: string }>();
  let lastSuggestion: { id?: string; name?: string } = {};
  return entries.map((e) => {
    const d = record(e.data);
    const run = str(d.run);
    let alert = alertOf(d);
    if (e.type === 'suggestion') {
      lastSuggestion = alert;
      if (run) runAlert.set(run, alert);
    } else if (!alert.id) alert = (run ? runAlert.get(run) : undefined) ?? (['hypothesis', 'hypothesis-wrong', 'note', 'ledger-repair'].includes(e.type) ? {} : lastSuggestion);
    const { title, details, actionId } = describe(e);
    const time = Date.parse(e.time);
    return {
      seq: e.seq,
      time: Number.isFinite(time) ? time : 0,
      type: e.type,
      title,
      details,
      ...(alert.id ? { alertId: alert.id } : {}),
      ...(alert.name ? { alertName: alert.name } : {}),
      ...(actionId ? { actionId } : {}),
      ...(run ? { run } : {}),
    };
  });
}

/** The entries one count counts, as summaries, newest first. */
export function entriesCounted(entries: readonly LedgerEntry[], key: CountKey): EntrySummary[] {
  const bySeq = new Set(entries.filter(countedEntries[key]).map((e) => e.seq));
  return summarizeEntries(entries).filter((s) => bySeq.has(s.seq)).reverse();
}

/** What the panel and the export need: the actions run for an alert, and their outcome, oldest first. */
export interface ActionTaken {
  actionId: string;
  /** When it was suggested (the run's first entry). */
  time: number;
  /** executed, recovered, not-recovered, rolled-back, failed, rejected, denied… as far as the ledger tells. */
  status: string;
  /** The verification's or the failure's reason. */
  message?: string;
  verification?: { ok: boolean; reason: string };
  entries: EntrySummary[];
}

/** The remediation runs recorded for an alert, each with the status its entries add up to. */
export function actionsTaken(entries: readonly LedgerEntry[], alertId: string): ActionTaken[] {
  const summaries = summarizeEntries(entries);
  const runs = new Map<string, ActionTaken>();
  const byRun = new Map<string, LedgerEntry[]>();
  const raw = new Map(entries.map((e) => [e.seq, e]));
  let current: string | undefined;
  for (const s of summaries) {
    if (s.alertId !== alertId) continue;
    const key = s.run ?? (s.type === 'suggestion' ? `seq:${s.seq}` : current);
    if (s.type === 'suggestion') current = key;
    if (!key) continue;
    let r = runs.get(key);
    if (!r) {
      if (s.type !== 'suggestion' && s.type !== 'execution') continue;
      r = { actionId: s.actionId ?? 'action', time: s.time, status: 'suggested', entries: [] };
      runs.set(key, r);
      byRun.set(key, []);
    }
    r.entries.push(s);
    byRun.get(key)!.push(raw.get(s.seq)!);
  }
  for (const [key, r] of runs) {
    for (const e of byRun.get(key)!) {
      const d = record(e.data);
      if (e.type === 'policy-decision' && d.verdict === 'deny') r.status = 'denied';
      else if (e.type === 'rejection') r.status = 'rejected';
      else if (e.type === 'execution') {
        r.status = d.kind === 'silence' || d.exitCode === 0 ? 'executed' : 'failed';
        if (d.kind === 'silence') r.actionId = 'silence-alert';
      } else if (e.type === 'verification' && !d.skipped) {
        const reason = str(d.reason) ?? '';
        r.verification = { ok: d.ok === true, reason };
        r.status = d.ok === true ? 'recovered' : 'not-recovered';
        r.message = reason;
      } else if (e.type === 'rollback') r.status = d.exitCode === 0 ? 'rolled-back' : 'rollback-failed';
    }
  }
  return [...runs.values()].sort((a, b) => a.time - b.time);
}
