// Incident memory: every finished investigation kept as a small record (alert, services, error
// signatures, log pattern ids, files, hypothesis), joined with what the audit ledger says happened
// next (the hypothesis marked wrong, actions and their outcomes). Host-free: a JSON file in a folder
// the caller chooses (the extension's storage), bounded in records and bytes, oldest dropped first.
// A new investigation asks for similar past incidents; the editor asks how many incidents a file had.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Investigation } from '../core/investigation';

export type ActionOutcome = 'suggested' | 'rejected' | 'executed' | 'failed' | 'recovered' | 'not-recovered' | 'rolled-back';

export interface IncidentAction {
  actionId: string;
  outcome: ActionOutcome;
  time: number;
}

export interface IncidentRecord {
  /** `${alertKey}@${startedAt}`: one record per firing of an alert. */
  id: string;
  /** `${sourceName}/${alertId}`. */
  alertKey: string;
  alertId: string;
  alertName: string;
  severity: string;
  /** When the alert started. */
  startedAt: number;
  recordedAt: number;
  /** The alert's service first, then the services the findings implicate. */
  services: string[];
  /** "TypeError: Cannot read properties of undefined (reading '#')": exception type and message, numbers masked. */
  errorSignatures: string[];
  /** Content-derived ids of the log patterns that rose (the same template has the same id everywhere). */
  logPatternIds: string[];
  logTemplates: string[];
  /** Repository paths: the suspect change's files, the located lines' file, stack frames in our code. */
  files: string[];
  hypothesis: { summary: string; causeKind: string; confidence: number; abstained: boolean; suspectSha?: string; location?: { path: string; startLine: number; endLine: number } };
  markedWrong: boolean;
  actions: IncidentAction[];
}

export interface SimilarIncident {
  record: IncidentRecord;
  /** 0..1 */
  score: number;
  /** What they share: "same service payments", "same error TypeError: …". */
  reasons: string[];
  /** Actions that ran and recovered the signal, then any that ran. */
  fixedBy: IncidentAction[];
}

/** The part of an audit ledger entry memory reads (src/remediation/ledger.ts LedgerEntry). */
export interface LedgerEntryLike {
  seq: number;
  time: string;
  type: string;
  data: unknown;
}

export interface IncidentMemoryOptions {
  /** Folder of the memory file (created when missing). */
  dir: string;
  maxRecords?: number;
  /** Largest memory file; the oldest records go first past it. */
  maxBytes?: number;
  now?: () => number;
}

const FILE = 'incident-memory.json';
const MAX_TEXT = 300;
const MAX_LIST = 20;

function clip(s: unknown, max = MAX_TEXT): string {
  const t = typeof s === 'string' ? s : '';
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function uniq(xs: (string | undefined)[], max = MAX_LIST): string[] {
  const out: string[] = [];
  for (const x of xs) {
    if (!x || out.includes(x)) continue;
    out.push(clip(x));
    if (out.length >= max) break;
  }
  return out;
}

/** An error as a signature that recurs: numbers, hex ids and quoted values masked. */
export function errorSignature(type: string | undefined, message: string | undefined): string | undefined {
  const msg = (message ?? '')
    .replace(/0x[0-9a-f]+/gi, '#')
    .replace(/\b[0-9a-f]{8,}\b/gi, '#')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
  if (!type && !msg) return undefined;
  return type ? (msg ? `${type}: ${msg}` : type) : msg;
}

function isRepoPath(p: string | undefined): p is string {
  return !!p && !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p) && !p.includes('node_modules') && !p.startsWith('node:');
}

/** The record of one finished investigation (no ledger outcome yet). */
export function incidentRecordOf(inv: Investigation, now = Date.now()): IncidentRecord {
  const a = inv.alert;
  const f = inv.findings;
  const h = inv.hypothesis;
  const alertKey = `${a.sourceName}/${a.id}`;
  const startedAt = Number.isFinite(a.startsAt) && a.startsAt > 0 ? a.startsAt : inv.startedAt;
  const services = uniq([a.service ?? a.labels?.service, h.service, ...f.alertServices, ...f.services.filter((s) => s.share >= 0.3).map((s) => s.service)], 5);
  const rising = f.logPatterns.filter((p) => p.rising && (p.level === 'error' || p.level === 'fatal' || p.level === 'warn' || p.isNew));
  const suspect = h.suspectCommit;
  const location = h.location ?? suspect?.location;
  return {
    id: `${alertKey}@${startedAt}`,
    alertKey,
    alertId: clip(a.id, 200),
    alertName: clip(a.name, 200),
    severity: a.severity,
    startedAt,
    recordedAt: now,
    services,
    errorSignatures: uniq(f.errorOrigins.map((o) => errorSignature(o.exceptionType, o.exceptionMessage ?? o.statusMessage)), 10),
    logPatternIds: uniq(rising.map((p) => p.id), 20),
    logTemplates: uniq(rising.map((p) => p.template), 5),
    files: uniq([location?.path, ...(h.abstained ? [] : (suspect?.files ?? [])), ...f.stackFrames.filter((s) => !s.library).map((s) => s.path)].filter(isRepoPath), 20),
    hypothesis: {
      summary: clip(h.summary, 500),
      causeKind: h.causeKind,
      confidence: h.confidence,
      abstained: h.abstained,
      ...(suspect && !h.abstained ? { suspectSha: suspect.sha } : {}),
      ...(location ? { location: { path: clip(location.path), startLine: location.startLine, endLine: location.endLine } } : {}),
    },
    markedWrong: false,
    actions: [],
  };
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  const sa = new Set(a);
  let both = 0;
  for (const x of new Set(b)) if (sa.has(x)) both++;
  return both / (sa.size + new Set(b).size - both);
}

/** How alike two incidents are, 0..1, and why: service, alert, error signature, log patterns, files. */
export function incidentSimilarity(a: IncidentRecord, b: IncidentRecord): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  const service = a.services[0] && b.services.includes(a.services[0]) ? a.services[0] : a.services.find((s) => b.services.includes(s));
  if (service) {
    score += 0.3;
    reasons.push(`same service ${service}`);
  }
  if (a.alertName === b.alertName) {
    score += 0.1;
    reasons.push(`same alert ${a.alertName}`);
  }
  const sig = jaccard(a.errorSignatures, b.errorSignatures);
  if (sig > 0) {
    score += 0.25 * sig;
    reasons.push(`same error ${a.errorSignatures.find((s) => b.errorSignatures.includes(s))}`);
  }
  const pat = jaccard(a.logPatternIds, b.logPatternIds);
  if (pat > 0) {
    score += 0.2 * pat;
    const shared = a.logPatternIds.filter((p) => b.logPatternIds.includes(p)).length;
    reasons.push(`${shared} log pattern${shared === 1 ? '' : 's'} in common`);
  }
  const files = jaccard(a.files, b.files);
  if (files > 0) {
    score += 0.15 * files;
    reasons.push(`same file ${a.files.find((p) => b.files.includes(p))}`);
  }
  return { score: Math.min(1, score), reasons };
}

function fixesOf(r: IncidentRecord): IncidentAction[] {
  const order: ActionOutcome[] = ['recovered', 'rolled-back', 'executed'];
  return r.actions.filter((x) => order.includes(x.outcome)).sort((x, y) => order.indexOf(x.outcome) - order.indexOf(y.outcome));
}

/**
 * Folds the audit ledger into the records: "hypothesis-wrong" marks the latest firing of its alert
 * that had started by then; a suggestion made from an alert, then its approval or rejection, execution, verification and
 * rollback, become one action with its last outcome. Entries are read in ledger order.
 */
export function applyLedger(records: IncidentRecord[], entries: readonly LedgerEntryLike[]): IncidentRecord[] {
  const out = records.map((r) => ({ ...r, actions: [] as IncidentAction[], markedWrong: false }));
  const recordFor = (alertId: unknown, time: number): IncidentRecord | undefined => {
    if (typeof alertId !== 'string') return undefined;
    let best: IncidentRecord | undefined;
    // The firing of that alert that had started by then (an alert id recurs when it fires again).
    for (const r of out) if (r.alertId === alertId && r.startedAt <= time && (!best || r.startedAt > best.startedAt)) best = r;
    return best;
  };
  let open: { record: IncidentRecord; action: IncidentAction; argvHash?: string } | undefined;
  for (const e of entries) {
    const time = Date.parse(e.time);
    const d = (e.data ?? {}) as Record<string, any>;
    if (e.type === 'hypothesis-wrong') {
      const r = recordFor(d.alert?.id ?? d.alertId, time);
      if (r) r.markedWrong = true;
    } else if (e.type === 'suggestion') {
      const r = recordFor(d.origin?.alertId, time);
      const actionId = typeof d.plan?.actionId === 'string' ? clip(d.plan.actionId, 100) : undefined;
      open = r && actionId ? { record: r, action: { actionId, outcome: 'suggested', time }, argvHash: typeof d.plan?.argvHash === 'string' ? d.plan.argvHash : undefined } : undefined;
      if (open) open.record.actions.push(open.action);
    } else if (open) {
      const sameRun = !open.argvHash || d.argvHash === undefined || d.argvHash === open.argvHash;
      if (e.type === 'rejection' && sameRun && d.kind !== 'rollback') open.action.outcome = 'rejected';
      else if (e.type === 'execution' && sameRun) open.action.outcome = d.exitCode === 0 ? 'executed' : 'failed';
      else if (e.type === 'verification' && open.action.outcome === 'executed' && !d.skipped) open.action.outcome = d.ok ? 'recovered' : 'not-recovered';
      else if (e.type === 'rollback') open.action.outcome = 'rolled-back';
      if (e.type !== 'suggestion') open.action.time = Number.isFinite(time) ? time : open.action.time;
    }
  }
  return out;
}

function isRecord(x: unknown): x is IncidentRecord {
  const r = x as IncidentRecord;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.alertKey === 'string' && typeof r.startedAt === 'number' && Array.isArray(r.services) && Array.isArray(r.files) && Array.isArray(r.errorSignatures) && Array.isArray(r.logPatternIds) && typeof r.hypothesis === 'object' && r.hypothesis !== null;
}

export class IncidentMemory {
  private readonly file: string;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private records: IncidentRecord[] | undefined;
  /** Why the file could not be read, when it could not (a corrupt file is kept aside, not lost). */
  loadProblem: string | undefined;

  constructor(opts: IncidentMemoryOptions) {
    this.file = path.join(opts.dir, FILE);
    this.maxRecords = opts.maxRecords ?? 500;
    this.maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
  }

  get path(): string {
    return this.file;
  }

  /** Every record, oldest first. */
  all(): IncidentRecord[] {
    return [...this.load()];
  }

  private load(): IncidentRecord[] {
    if (this.records) return this.records;
    let text: string;
    try {
      const stat = fs.statSync(this.file);
      if (!stat.isFile()) throw new Error('not a regular file');
      if (stat.size > this.maxBytes * 4) throw new Error(`larger than ${this.maxBytes * 4} bytes`);
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadProblem = `incident memory not read: ${(err as Error).message}`;
      return (this.records = []);
    }
    try {
      const parsed = JSON.parse(text) as { version?: number; records?: unknown[] };
      this.records = (Array.isArray(parsed.records) ? parsed.records : []).filter(isRecord);
    } catch (err) {
      // Keep the unreadable file for a person to look at; start a new memory beside it.
      const aside = `${this.file}.corrupt-${this.now()}`;
      try {
        fs.renameSync(this.file, aside);
      } catch {
        /* keep going with an empty memory */
      }
      this.loadProblem = `incident memory was unreadable (${(err as Error).message}); kept as ${path.basename(aside)}`;
      this.records = [];
    }
    return this.records;
  }

  /** Adds (or replaces, for the same firing) the record of a finished investigation. */
  record(inv: Investigation): IncidentRecord {
    const rec = incidentRecordOf(inv, this.now());
    this.update((rs) => [...rs.filter((r) => r.id !== rec.id), rec]);
    return rec;
  }

  /** Re-derives marked-wrong flags and action outcomes from the ledger's entries. */
  applyLedger(entries: readonly LedgerEntryLike[]): void {
    this.update((rs) => applyLedger(rs, entries));
  }

  /** Past incidents like this one, most similar first (the record itself and other firings' duplicates excluded). */
  similar(to: IncidentRecord | Investigation, opts: { limit?: number; minScore?: number } = {}): SimilarIncident[] {
    const probe = 'findings' in to ? incidentRecordOf(to, this.now()) : to;
    return this.load()
      .filter((r) => r.id !== probe.id)
      .map((record) => ({ record, ...incidentSimilarity(probe, record), fixedBy: fixesOf(record) }))
      .filter((s) => s.score >= (opts.minScore ?? 0.3))
      .sort((a, b) => b.score - a.score || b.record.startedAt - a.record.startedAt)
      .slice(0, opts.limit ?? 5);
  }

  /** Incidents whose files include `repoPath`, started within `days` before now. */
  incidentsForFile(repoPath: string, days = 30): IncidentRecord[] {
    const since = this.now() - days * 86_400_000;
    return this.load().filter((r) => r.startedAt >= since && r.files.includes(repoPath));
  }

  /** Incidents on a service, started within `days` before now. */
  incidentsForService(service: string, days = 30): IncidentRecord[] {
    const since = this.now() - days * 86_400_000;
    return this.load().filter((r) => r.startedAt >= since && r.services.includes(service));
  }

  private update(change: (rs: IncidentRecord[]) => IncidentRecord[]): void {
    // Another window may have written since this one read: merge with what is on disk, by id.
    this.records = undefined;
    const onDisk = this.load();
    let next = change(onDisk).sort((a, b) => a.recordedAt - b.recordedAt);
    if (next.length > this.maxRecords) next = next.slice(next.length - this.maxRecords);
    let text = JSON.stringify({ version: 1, records: next });
    while (next.length > 1 && Buffer.byteLength(text) > this.maxBytes) {
      next = next.slice(Math.ceil(next.length / 10));
      text = JSON.stringify({ version: 1, records: next });
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, this.file);
    this.records = next;
  }
}
