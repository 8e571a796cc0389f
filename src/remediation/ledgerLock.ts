// One writer at a time across processes and VS Code windows. Node has no portable flock, so the
// lock is a file created by hard-linking a fully written private file to its name, which the kernel does for exactly one of the
// racing writers, holding {pid, host, time, token}. A holder that died leaves its file behind; the
// next writer breaks it when its pid is gone (same host) or when it is older than staleMs (appends
// take milliseconds, so an old lock is a dead one). Breaking renames the lock away first, which
// only one breaker can do, and puts it back if what it moved turns out to be a fresh lock.
//
// What it does not cover: a writer that does not take the lock (an editor), and two breakers and a
// third writer racing inside the microseconds between a rename and its undo.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface LockOptions {
  /** Give up after this long; default 10 s. */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it; default 30 s. */
  staleMs?: number;
}

interface LockBody {
  pid: number;
  host: string;
  time: string;
  token: string;
}

const JUNK_GRACE_MS = 2000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread: the ledger's append is synchronous (it is on disk before the action starts). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockPath: string): { text: string; body?: LockBody; ageMs: number } | undefined {
  try {
    const text = fs.readFileSync(lockPath, 'utf8');
    const ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    let body: LockBody | undefined;
    try {
      const v = JSON.parse(text) as Partial<LockBody>;
      if (typeof v.pid === 'number' && typeof v.token === 'string') body = v as LockBody;
    } catch {
      /* being written, or junk: judged by age */
    }
    return { text, body, ageMs };
  } catch {
    return undefined;
  }
}

function staleReason(lock: { body?: LockBody; ageMs: number }, staleMs: number): string | undefined {
  if (lock.body && lock.body.host === os.hostname() && lock.body.pid !== process.pid && !pidAlive(lock.body.pid)) return `its holder, pid ${lock.body.pid}, is gone`;
  if (lock.ageMs > staleMs) return `it is ${Math.round(lock.ageMs / 1000)} s old`;
  // Locks are created whole (tryCreate); one that cannot be read was left by an older version or
  // damaged, and is not being written.
  if (!lock.body && lock.ageMs > JUNK_GRACE_MS) return 'it cannot be read';
  return undefined;
}

function tryBreak(lockPath: string, staleMs: number): void {
  const lock = readLock(lockPath);
  if (!lock || !staleReason(lock, staleMs)) return;
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return; // someone else broke it first
  }
  let moved = '';
  try {
    moved = fs.readFileSync(aside, 'utf8');
  } catch {
    /* gone: nothing to put back */
  }
  if (moved !== lock.text) {
    // Between our read and our rename the stale lock was replaced by a live one: put it back.
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      /* a newer lock exists already; the moved one's holder will find its lock gone on release */
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * Creates the lock with its whole body at once: the body goes to a private file that is then
 * hard-linked to the lock's name, which the kernel does for exactly one racer (EEXIST for the
 * rest). A writer killed half-way thus never leaves an empty lock that only age could break.
 */
function tryCreate(lockPath: string, text: string, token: string): boolean {
  const tmp = `${lockPath}.new-${token}`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  try {
    fs.linkSync(tmp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Takes the lock at lockPath, waiting for it; returns the function that releases it. */
export function acquireLock(lockPath: string, options: LockOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const body: LockBody = { pid: process.pid, host: os.hostname(), time: new Date().toISOString(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  for (;;) {
    if (tryCreate(lockPath, JSON.stringify({ ...body, time: new Date().toISOString() }), body.token)) {
      return () => releaseLock(lockPath, body.token);
    }
    tryBreak(lockPath, staleMs);
    if (Date.now() > deadline) {
      const holder = readLock(lockPath)?.body;
      throw new Error(`the audit ledger is locked${holder ? ` by pid ${holder.pid} on ${holder.host} since ${holder.time}` : ''} (${lockPath}); gave up after ${timeoutMs} ms`);
    }
    sleepSync(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 25);
  }
}

function releaseLock(lockPath: string, token: string): void {
  const lock = readLock(lockPath);
  // Only our own lock: if ours was broken as stale, the file now belongs to someone else.
  if (lock?.body?.token === token) fs.rmSync(lockPath, { force: true });
}
