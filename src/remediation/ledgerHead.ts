// The ledger's head (sequence number and hash of its newest entry), kept outside the ledger file.
// A hash chain alone cannot tell "the newest entries were cut off" from "there were no more", nor
// "the last entry was replaced by a fragment" from "the last write was torn by a crash": the head
// can. The sidecar file beside the ledger is always written; the VS Code side adds its global
// state through keyValueHeadStore, so an editor must rewrite both to hide a truncation.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LedgerHead {
  seq: number;
  hash: string;
  time?: string;
}

export interface HeadStore {
  /** Where it lives, for messages. */
  readonly name: string;
  /** Written after the entry is on disk, possibly asynchronously: a head behind the file is a warning, not tampering. */
  readonly mayLag?: boolean;
  read(): LedgerHead | undefined;
  write(head: LedgerHead): void;
}

export function isLedgerHead(v: unknown): v is LedgerHead {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return typeof h.seq === 'number' && Number.isInteger(h.seq) && h.seq >= 0 && typeof h.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash);
}

export function sidecarHeadPath(ledgerPath: string): string {
  return `${ledgerPath}.head`;
}

/** `<ledger>.head`, replaced atomically (write, fsync, rename) so a crash leaves the old or the new head. */
export function sidecarHeadStore(ledgerPath: string): HeadStore {
  const file = sidecarHeadPath(ledgerPath);
  return {
    name: `the head file ${path.basename(file)}`,
    read() {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      const v: unknown = JSON.parse(text);
      if (!isLedgerHead(v)) throw new Error(`${file} is not a ledger head`);
      return v;
    },
    write(head) {
      const tmp = `${file}.${process.pid}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(head));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    },
  };
}

/** A head kept in a key-value store such as VS Code's ExtensionContext.globalState (a Memento). */
export function keyValueHeadStore(kv: { get(key: string): unknown; update(key: string, value: unknown): unknown }, key: string, name = 'VS Code global state'): HeadStore {
  return {
    name,
    mayLag: true,
    read() {
      const v = kv.get(key);
      if (v === undefined) return undefined;
      if (!isLedgerHead(v)) throw new Error(`the value under ${key} is not a ledger head`);
      return v;
    },
    write(head) {
      // Memento.update returns a promise; a failure only leaves this head behind, which verify reports.
      const r = kv.update(key, head) as Promise<unknown> | undefined;
      if (r && typeof (r as Promise<unknown>).catch === 'function') (r as Promise<unknown>).catch(() => undefined);
    },
  };
}
