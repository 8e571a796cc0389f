// The audit ledger: an append-only JSON-lines file where each entry carries the hash of the one
// before it, so an edited, deleted, reordered or inserted entry breaks the chain at a named place.
// Each append is written with one writeSync and fsync'd before append() returns: what the ledger
// says happened, happened in that order, even if the process dies right after.
//
// Entry: {"seq":1,"time":"<ISO>","type":"suggestion","data":{...},"prevHash":"<hex>","hash":"<hex>"}
// hash = sha256(canonicalJson({seq, time, type, data, prevHash})), the first prevHash is 64 zeros.
// A process killed mid-write can leave a torn last line; verifyLedger reports it as a torn tail,
// and the next append starts a fresh line after it, so no earlier entry is ever touched.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type LedgerEntryType =
  | 'suggestion'
  | 'policy-decision'
  | 'env-check'
  | 'dry-run'
  | 'approval'
  | 'rejection'
  | 'execution-start'
  | 'execution'
  | 'verification'
  | 'rollback'
  | 'hypothesis'
  | 'hypothesis-wrong'
  | 'note';

export interface LedgerEntry {
  seq: number;
  time: string;
  type: LedgerEntryType | string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level and no whitespace; the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(entry: Omit<LedgerEntry, 'hash'>): string {
  const body = { seq: entry.seq, time: entry.time, type: entry.type, data: entry.data, prevHash: entry.prevHash };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function defaultLedgerPath(workspaceDir: string): string {
  return path.join(workspaceDir, '.incident-lens', 'ledger.jsonl');
}

function parseEntry(line: string): LedgerEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.seq !== 'number' || typeof e.time !== 'string' || typeof e.type !== 'string' || typeof e.prevHash !== 'string' || typeof e.hash !== 'string' || !('data' in e)) return undefined;
  return e as unknown as LedgerEntry;
}

interface TailState {
  seq: number;
  prevHash: string;
  size: number;
  endsWithNewline: boolean;
}

function scan(filePath: string): TailState {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, prevHash: genesisHash, size: 0, endsWithNewline: true };
    throw err;
  }
  let seq = 0;
  let prevHash = genesisHash;
  for (const line of text.split('\n')) {
    const e = parseEntry(line);
    if (e && e.seq > seq) {
      seq = e.seq;
      prevHash = e.hash;
    }
  }
  return { seq, prevHash, size: Buffer.byteLength(text), endsWithNewline: text.length === 0 || text.endsWith('\n') };
}

export class Ledger {
  private state: TailState;

  private constructor(readonly path: string) {
    this.state = scan(path);
  }

  /** Opens (and creates on first append) the ledger file at path. */
  static open(filePath: string): Ledger {
    return new Ledger(filePath);
  }

  get lastSeq(): number {
    return this.state.seq;
  }

  get headHash(): string {
    return this.state.prevHash;
  }

  /** Appends one entry and returns once it is on disk (fsync). */
  append(type: LedgerEntryType | string, data: unknown, now: Date = new Date()): LedgerEntry {
    const dir = path.dirname(this.path);
    const created = !fs.existsSync(this.path);
    if (created) fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(this.path, 'a', 0o600);
    try {
      // Someone else (another window) appended since we last looked: continue their chain.
      const size = fs.fstatSync(fd).size;
      if (size !== this.state.size) this.state = scan(this.path);
      const body = {
        seq: this.state.seq + 1,
        time: now.toISOString(),
        type,
        // What is hashed is what a reader will parse back.
        data: JSON.parse(JSON.stringify(data ?? null)) as unknown,
        prevHash: this.state.prevHash,
      };
      const entry: LedgerEntry = { ...body, hash: entryHash(body) };
      const line = `${this.state.endsWithNewline ? '' : '\n'}${JSON.stringify(entry)}\n`;
      const buf = Buffer.from(line, 'utf8');
      let written = 0;
      while (written < buf.length) written += fs.writeSync(fd, buf, written, buf.length - written);
      fs.fsyncSync(fd);
      this.state = { seq: entry.seq, prevHash: entry.hash, size: size + buf.length, endsWithNewline: true };
      if (created) syncDir(dir);
      return entry;
    } finally {
      fs.closeSync(fd);
    }
  }
}

function syncDir(dir: string): void {
  // Makes the new file's directory entry durable too; not supported on every platform.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** Records that a hypothesis was shown to a person: the denominator of the false-positive rate. */
export function recordHypothesisShown(ledger: Ledger, data: { alertId: string; summary: string; confidence: number; causeKind?: string }): LedgerEntry {
  return ledger.append('hypothesis', data);
}

/** Records a person's "this hypothesis is wrong": the numerator of the false-positive rate. */
export function recordHypothesisWrong(ledger: Ledger, data: { alertId: string; summary?: string; reason?: string }): LedgerEntry {
  return ledger.append('hypothesis-wrong', data);
}

export interface LedgerVerification {
  ok: boolean;
  /** Entries verified intact, in order. */
  entries: number;
  firstBad?: { seq: number; line: number; reason: string };
  /** The last line was cut short (a write interrupted by a crash); every entry before it is intact. */
  tornTail?: { line: number };
  /** Torn lines earlier in the file that later appends stepped over, the chain intact across them. */
  repairedTears: number[];
  /** Hash of the last intact entry: keep it elsewhere to detect removal of the newest entries. */
  headHash: string;
  /** The file could not be read. */
  error?: string;
}

export function verifyLedger(filePath: string): LedgerVerification {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, entries: 0, repairedTears: [], headHash: genesisHash };
    return { ok: false, entries: 0, repairedTears: [], headHash: genesisHash, error: `cannot read ${filePath}: ${(err as Error).message}` };
  }
  const lines = text.split('\n');
  // A complete file ends with "\n", so the last split element is empty.
  const last = lines.length - 1;
  let prevHash = genesisHash;
  let expectedSeq = 1;
  let entries = 0;
  const repairedTears: number[] = [];
  let pendingTear: number | undefined;
  const bad = (line: number, reason: string): LedgerVerification => ({ ok: false, entries, firstBad: { seq: expectedSeq, line, reason }, repairedTears, headHash: prevHash });
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    if (i === last && line === '') break;
    const entry = parseEntry(line);
    if (!entry) {
      if (i === last) return { ok: true, entries, tornTail: { line: lineNo }, repairedTears, headHash: prevHash };
      if (line === '') return bad(lineNo, `line ${lineNo} is empty: something was inserted or removed here`);
      pendingTear = lineNo;
      continue;
    }
    const where = pendingTear !== undefined ? pendingTear : lineNo;
    const after = pendingTear !== undefined ? ` (line ${pendingTear} is unreadable and the chain does not continue past it)` : '';
    if (entry.seq !== expectedSeq) {
      const reason = entry.seq > expectedSeq ? `entry ${expectedSeq} is missing: found entry ${entry.seq} where it should be` : `entry ${entry.seq} is out of order: expected entry ${expectedSeq}`;
      return bad(where, reason + after);
    }
    if (entry.prevHash !== prevHash) return bad(where, `entry ${entry.seq} does not chain to the entry before it: an earlier entry was edited, removed or reordered${after}`);
    if (entryHash(entry) !== entry.hash) return bad(lineNo, `entry ${entry.seq} was edited: its content does not match its hash`);
    if (pendingTear !== undefined) repairedTears.push(pendingTear);
    pendingTear = undefined;
    prevHash = entry.hash;
    expectedSeq++;
    entries++;
  }
  if (pendingTear !== undefined) return bad(pendingTear, `line ${pendingTear} is not a ledger entry`);
  return { ok: true, entries, repairedTears, headHash: prevHash };
}

/** Every readable entry in file order, whether or not the chain verifies. */
export function readLedger(filePath: string): LedgerEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map(parseEntry)
    .filter((e): e is LedgerEntry => !!e);
}

export interface LedgerCounts {
  suggestions: number;
  approvals: number;
  rejections: number;
  /** Actions that ran (execution entries). */
  actions: number;
  /** Verifications whose condition held. */
  recoveries: number;
  rollbacks: number;
  hypothesesShown: number;
  hypothesesWrong: number;
  /** hypothesesWrong / hypothesesShown; null before any hypothesis was shown. */
  falsePositiveRate: number | null;
  integrity: LedgerVerification;
}

export function ledgerCounts(filePath: string): LedgerCounts {
  const entries = readLedger(filePath);
  const count = (type: string, pred: (e: LedgerEntry) => boolean = () => true) => entries.filter((e) => e.type === type && pred(e)).length;
  const hypothesesShown = count('hypothesis');
  const hypothesesWrong = count('hypothesis-wrong');
  return {
    suggestions: count('suggestion'),
    approvals: count('approval'),
    rejections: count('rejection'),
    actions: count('execution'),
    recoveries: count('verification', (e) => (e.data as { ok?: unknown } | null)?.ok === true),
    rollbacks: count('rollback'),
    hypothesesShown,
    hypothesesWrong,
    falsePositiveRate: hypothesesShown > 0 ? hypothesesWrong / hypothesesShown : null,
    integrity: verifyLedger(filePath),
  };
}
