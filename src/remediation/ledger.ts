// The audit ledger: an append-only JSON-lines file where each entry carries the hash of the one
// before it, so an edited, deleted, reordered or inserted entry breaks the chain at a named place.
// Each append is written with one writeSync and fsync'd before append() returns: what the ledger
// says happened, happened in that order, even if the process dies right after.
//
// Entry: {"seq":1,"time":"<ISO>","type":"suggestion","data":{...},"prevHash":"<hex>","hash":"<hex>"}
// hash = sha256(canonicalJson({seq, time, type, data, prevHash})), the first prevHash is 64 zeros.
//
// Appends hold a lock across processes and windows (ledgerLock.ts) and re-read the tail under it,
// so concurrent writers continue one chain. After each append the head (seq and hash of the newest
// entry) is saved outside the file (ledgerHead.ts), which is what detects the newest entries being
// cut off or replaced. A process killed mid-write leaves a torn last line (no final newline): it is
// reported as a warning naming what was lost, and the next append cuts it off and records a
// "ledger-repair" entry saying so. Any other unreadable line is tampering.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sidecarHeadStore, type HeadStore, type LedgerHead } from './ledgerHead';
import { acquireLock, type LockOptions } from './ledgerLock';
import { countedEntries, type CountKey } from './ledgerEntries';

export { keyValueHeadStore, sidecarHeadStore, type HeadStore, type LedgerHead } from './ledgerHead';

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
  | 'ledger-repair'
  | 'staged-plan'
  | 'staged-step'
  | 'staged-outcome'
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

export interface LedgerOptions extends LockOptions {
  /** Head stores besides the sidecar file beside the ledger (the VS Code side adds its global state). */
  extraHeadStores?: HeadStore[];
}

function headStoresFor(filePath: string, options: LedgerOptions): HeadStore[] {
  return [sidecarHeadStore(filePath), ...(options.extraHeadStores ?? [])];
}

/** A last line without its newline: an append interrupted mid-write. */
export interface TornWrite {
  line: number;
  bytes: number;
  /** What the fragment says it was, when that much of it was written. */
  seq?: number;
  type?: string;
}

function describeTorn(fragment: string, line: number): TornWrite {
  const seq = /"seq":(\d+)/.exec(fragment);
  const type = /"type":"([A-Za-z0-9:_-]{1,64})"/.exec(fragment);
  return { line, bytes: Buffer.byteLength(fragment), ...(seq ? { seq: Number(seq[1]) } : {}), ...(type ? { type: type[1] } : {}) };
}

function tornMessage(t: TornWrite): string {
  const what = t.seq !== undefined ? `entry ${t.seq}${t.type ? ` (${t.type})` : ''}` : 'an entry';
  return `line ${t.line} is a torn write: ${what} was being appended when its writer stopped, and only ${t.bytes} bytes of it reached the disk. Its append never returned, so nothing that waited for it went ahead; its content is lost. Every entry before it is intact.`;
}

interface TailState {
  seq: number;
  prevHash: string;
  size: number;
  /** Byte offset where the last complete line starts; the bytes from there to the end. */
  tailStart: number;
  tail: Buffer;
  torn?: TornWrite & { offset: number; text: string };
}

const emptyState: TailState = { seq: 0, prevHash: genesisHash, size: 0, tailStart: 0, tail: Buffer.alloc(0) };

function scanBuffer(buf: Buffer): TailState {
  if (buf.length === 0) return emptyState;
  const lastNl = buf.lastIndexOf(0x0a);
  const completeEnd = lastNl + 1;
  const lines = buf.subarray(0, completeEnd).toString('utf8').split('\n');
  lines.pop();
  let seq = 0;
  let prevHash = genesisHash;
  // The chain continues from the last readable entry; verifyLedger reports anything wrong before it.
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = parseEntry(lines[i]);
    if (e) {
      seq = e.seq;
      prevHash = e.hash;
      break;
    }
  }
  const tailStart = lastNl <= 0 ? 0 : buf.lastIndexOf(0x0a, lastNl - 1) + 1;
  const fragment = buf.subarray(completeEnd).toString('utf8');
  const torn = completeEnd < buf.length ? { ...describeTorn(fragment, lines.length + 1), offset: completeEnd, text: fragment } : undefined;
  return { seq, prevHash, size: buf.length, tailStart, tail: Buffer.from(buf.subarray(tailStart)), torn };
}

function readAll(fd: number): Buffer {
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function makeEntry(seq: number, type: string, data: unknown, prevHash: string, now: Date): LedgerEntry {
  // What is hashed is what a reader will parse back.
  const body = { seq, time: now.toISOString(), type, data: JSON.parse(JSON.stringify(data ?? null)) as unknown, prevHash };
  return { ...body, hash: entryHash(body) };
}

export class Ledger {
  private state: TailState;
  private readonly heads: HeadStore[];
  /** The last error saving a head, if any: the entry is on disk, only the truncation check is weaker. */
  lastHeadError: string | undefined;

  private constructor(
    readonly path: string,
    private readonly options: LedgerOptions,
  ) {
    this.heads = headStoresFor(path, options);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      buf = Buffer.alloc(0);
    }
    this.state = scanBuffer(buf);
  }

  /** Opens (and creates on first append) the ledger file at path. */
  static open(filePath: string, options: LedgerOptions = {}): Ledger {
    return new Ledger(filePath, options);
  }

  get lastSeq(): number {
    return this.state.seq;
  }

  get headHash(): string {
    return this.state.prevHash;
  }

  private tailUnchanged(fd: number): boolean {
    if (fs.fstatSync(fd).size !== this.state.size) return false;
    const buf = Buffer.alloc(this.state.tail.length);
    const n = buf.length === 0 ? 0 : fs.readSync(fd, buf, 0, buf.length, this.state.tailStart);
    return n === buf.length && buf.equals(this.state.tail);
  }

  /** Appends one entry and returns once it is on disk (fsync) and its head is saved. */
  append(type: LedgerEntryType | string, data: unknown, now: Date = new Date()): LedgerEntry {
    const dir = path.dirname(this.path);
    fs.mkdirSync(dir, { recursive: true });
    const release = acquireLock(`${this.path}.lock`, this.options);
    try {
      const created = !fs.existsSync(this.path);
      const fd = fs.openSync(this.path, 'a+', 0o600);
      try {
        // Another process or window appended since we last looked: continue their chain.
        if (!this.tailUnchanged(fd)) this.state = scanBuffer(readAll(fd));
        let { seq, prevHash, size } = this.state;
        const entries: LedgerEntry[] = [];
        const torn = this.state.torn;
        if (torn) {
          fs.ftruncateSync(fd, torn.offset);
          size = torn.offset;
          const { offset: _o, text, ...what } = torn;
          const repair = makeEntry(++seq, 'ledger-repair', { removed: 'torn write', ...what, fragment: text.slice(0, 200), message: tornMessage(torn) }, prevHash, now);
          entries.push(repair);
          prevHash = repair.hash;
        }
        const entry = makeEntry(seq + 1, type, data, prevHash, now);
        entries.push(entry);
        const lastLine = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
        const buf = Buffer.concat([...entries.slice(0, -1).map((e) => Buffer.from(`${JSON.stringify(e)}\n`, 'utf8')), lastLine]);
        let written = 0;
        while (written < buf.length) written += fs.writeSync(fd, buf, written, buf.length - written);
        fs.fsyncSync(fd);
        const end = size + buf.length;
        this.state = { seq: entry.seq, prevHash: entry.hash, size: end, tailStart: end - lastLine.length, tail: lastLine };
        if (created) syncDir(dir);
        this.saveHead({ seq: entry.seq, hash: entry.hash, time: entry.time });
        return entry;
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      release();
    }
  }

  private saveHead(head: LedgerHead): void {
    this.lastHeadError = undefined;
    for (const store of this.heads) {
      try {
        store.write(head);
      } catch (err) {
        this.lastHeadError = `${store.name}: ${(err as Error).message}`;
      }
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
  tornTail?: TornWrite;
  /** What a person should know that is not tampering: a torn tail, repaired tears, a head that is missing or behind. */
  warnings: string[];
  /** Hash of the last intact entry. */
  headHash: string;
  /** The file could not be read. */
  error?: string;
}

interface HeadReading {
  store: HeadStore;
  head?: LedgerHead;
  error?: string;
}

function readHeads(stores: HeadStore[]): HeadReading[] {
  return stores.map((store) => {
    try {
      return { store, head: store.read() };
    } catch (err) {
      return { store, error: (err as Error).message };
    }
  });
}

/** Verifies the chain, and the newest entry against every head store. Reads under the append lock, so a concurrent append is never half-seen. */
export function verifyLedger(filePath: string, options: LedgerOptions = {}): LedgerVerification {
  let release: (() => void) | undefined;
  if (fs.existsSync(path.dirname(filePath))) {
    try {
      release = acquireLock(`${filePath}.lock`, { ...options, timeoutMs: options.timeoutMs ?? 5000 });
    } catch {
      // A read-only copy cannot be locked; verify it as it is.
    }
  }
  try {
    return verifyUnlocked(filePath, readHeads(headStoresFor(filePath, options)));
  } finally {
    release?.();
  }
}

function verifyUnlocked(filePath: string, heads: HeadReading[]): LedgerVerification {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, entries: 0, warnings: [], headHash: genesisHash, error: `cannot read ${filePath}: ${(err as Error).message}` };
    const claimed = heads.find((h) => h.head && h.head.seq > 0);
    if (claimed?.head) return { ok: false, entries: 0, warnings: [], headHash: genesisHash, firstBad: { seq: 1, line: 1, reason: `the ledger file is missing, but ${claimed.store.name} records ${claimed.head.seq} entries: it was deleted` } };
    return { ok: true, entries: 0, warnings: [], headHash: genesisHash };
  }
  const segments = text.split('\n');
  // A complete file ends with "\n", so the last segment is empty; otherwise it is a torn write.
  const fragment = segments.pop() ?? '';
  const warnings: string[] = [];
  const hashes: string[] = [genesisHash];
  let prevHash = genesisHash;
  let expectedSeq = 1;
  let entries = 0;
  const bad = (line: number, reason: string, seq = expectedSeq): LedgerVerification => ({ ok: false, entries, firstBad: { seq, line, reason }, warnings, headHash: prevHash });
  for (let i = 0; i < segments.length; i++) {
    const lineNo = i + 1;
    const line = segments[i];
    const entry = parseEntry(line);
    if (!entry) {
      if (line === '') return bad(lineNo, `line ${lineNo} is empty: something was inserted or removed here`);
      return bad(lineNo, `line ${lineNo} is not a ledger entry: only a last line cut short by an interrupted write may be unreadable, and this one is complete`);
    }
    if (entry.seq !== expectedSeq) {
      return bad(lineNo, entry.seq > expectedSeq ? `entry ${expectedSeq} is missing: found entry ${entry.seq} where it should be` : `entry ${entry.seq} is out of order: expected entry ${expectedSeq}`);
    }
    if (entry.prevHash !== prevHash) return bad(lineNo, `entry ${entry.seq} does not chain to the entry before it: an earlier entry was edited, removed or reordered`);
    if (entryHash(entry) !== entry.hash) return bad(lineNo, `entry ${entry.seq} was edited: its content does not match its hash`);
    if (entry.type === 'ledger-repair') {
      const d = entry.data as { message?: unknown } | null;
      warnings.push(`entry ${entry.seq} (line ${lineNo}) records a torn write that the next append removed: ${typeof d?.message === 'string' ? d.message : 'an interrupted append'}`);
    }
    prevHash = entry.hash;
    hashes.push(entry.hash);
    expectedSeq++;
    entries++;
  }
  const tornTail = fragment !== '' ? describeTorn(fragment, segments.length + 1) : undefined;
  if (tornTail) warnings.push(tornMessage(tornTail));
  for (const { store, head, error } of heads) {
    if (error) {
      warnings.push(`${store.name} could not be read (${error}): whether the newest entries were removed cannot be checked against it.`);
      continue;
    }
    if (!head) {
      if (entries > 0 && !store.mayLag) warnings.push(`no head is recorded in ${store.name}: whether the newest entries were removed cannot be checked until the next append saves one.`);
      continue;
    }
    if (head.seq > entries) {
      const ending = tornTail
        ? `ends at entry ${entries} followed by an unreadable fragment (line ${tornTail.line}); a torn write never reaches the head, so entry ${entries + 1} was replaced, not torn`
        : `ends at entry ${entries}`;
      return bad(segments.length + (tornTail ? 1 : 0) || 1, `${store.name} records entry ${head.seq} as the newest, but the file ${ending}: the newest ${head.seq - entries === 1 ? 'entry was' : `${head.seq - entries} entries were`} removed or replaced`, entries + 1);
    }
    if (hashes[head.seq] !== head.hash) {
      return { ...bad(head.seq, `entry ${head.seq} is not the one ${store.name} recorded: it and every entry after it were rewritten`, head.seq), entries: head.seq - 1 };
    }
    if (head.seq < entries && !store.mayLag) {
      warnings.push(
        entries - head.seq === 1
          ? `entry ${entries} is on disk but ${store.name} still records entry ${head.seq}: that append stopped before it saved the head.`
          : `entries ${head.seq + 1} to ${entries} were appended without updating ${store.name}, so their removal would not be detected.`,
      );
    }
  }
  return { ok: true, entries, tornTail, warnings, headHash: prevHash };
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

export function ledgerCounts(filePath: string, options: LedgerOptions = {}): LedgerCounts {
  const entries = readLedger(filePath);
  // One definition of what each count counts, shared with the views that list those entries.
  const count = (key: CountKey) => entries.filter(countedEntries[key]).length;
  const hypothesesShown = count('hypothesesShown');
  const hypothesesWrong = count('hypothesesWrong');
  return {
    suggestions: count('suggestions'),
    approvals: count('approvals'),
    rejections: count('rejections'),
    actions: count('actions'),
    recoveries: count('recoveries'),
    rollbacks: count('rollbacks'),
    hypothesesShown,
    hypothesesWrong,
    falsePositiveRate: hypothesesShown > 0 ? hypothesesWrong / hypothesesShown : null,
    integrity: verifyLedger(filePath, options),
  };
}
