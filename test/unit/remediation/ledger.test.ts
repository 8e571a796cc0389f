import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalJson, keyValueHeadStore, Ledger, ledgerCounts, readLedger, recordHypothesisShown, recordHypothesisWrong, verifyLedger } from '../../../src/remediation/ledger';
import { sidecarHeadPath } from '../../../src/remediation/ledgerHead';
import { acquireLock } from '../../../src/remediation/ledgerLock';
import { removeDir, tempDir } from './helpers';

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

function writeLines(file: string, ls: string[]): void {
  fs.writeFileSync(file, ls.map((l) => l + '\n').join(''));
}

describe('audit ledger', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir('ledger');
    file = path.join(dir, '.incident-lens', 'ledger.jsonl');
  });
  afterEach(() => removeDir(dir));

  function fill(n: number): Ledger {
    const ledger = Ledger.open(file);
    for (let i = 1; i <= n; i++) ledger.append(i % 2 ? 'suggestion' : 'approval', { i, note: `entry ${i}` });
    return ledger;
  }

  it('appends hash-chained JSON lines that verify', () => {
    const ledger = fill(5);
    assert.equal(ledger.lastSeq, 5);
    const v = verifyLedger(file);
    assert.deepEqual({ ok: v.ok, entries: v.entries }, { ok: true, entries: 5 });
    assert.equal(v.headHash, ledger.headHash);
    const entries = readLedger(file);
    assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(entries[0].prevHash, '0'.repeat(64));
    assert.equal(entries[3].prevHash, entries[2].hash);
  });

  it('a reopened ledger continues the same chain', () => {
    fill(3);
    Ledger.open(file).append('execution', { exitCode: 0 });
    assert.deepEqual(verifyLedger(file), { ok: true, entries: 4, tornTail: undefined, warnings: [], headHash: readLedger(file)[3].hash });
  });

  it('detects an edited entry and names it', () => {
    fill(5);
    const ls = lines(file);
    ls[2] = ls[2].replace('entry 3', 'entry 3 (nothing to see)');
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.deepEqual({ seq: v.firstBad?.seq, line: v.firstBad?.line }, { seq: 3, line: 3 });
    assert.match(v.firstBad?.reason ?? '', /entry 3 was edited/);
    assert.equal(v.entries, 2, 'entries before the bad one are still intact');
  });

  it('detects an edit whose hash was recomputed, at the next entry', () => {
    fill(5);
    const entries = readLedger(file);
    const forged = { ...entries[2], data: { i: 3, note: 'forged' } };
    forged.hash = createHash('sha256').update(canonicalJson({ seq: forged.seq, time: forged.time, type: forged.type, data: forged.data, prevHash: forged.prevHash })).digest('hex');
    const ls = lines(file);
    ls[2] = JSON.stringify(forged);
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.equal(v.firstBad?.seq, 4);
    assert.match(v.firstBad?.reason ?? '', /does not chain/);
  });

  it('detects a deleted entry and names the missing seq', () => {
    fill(5);
    const ls = lines(file);
    ls.splice(2, 1);
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.deepEqual({ seq: v.firstBad?.seq, line: v.firstBad?.line }, { seq: 3, line: 3 });
    assert.match(v.firstBad?.reason ?? '', /entry 3 is missing/);
  });

  it('detects reordered entries', () => {
    fill(5);
    const ls = lines(file);
    [ls[1], ls[2]] = [ls[2], ls[1]];
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.deepEqual({ ok: v.ok, seq: v.firstBad?.seq, line: v.firstBad?.line }, { ok: false, seq: 2, line: 2 });
    assert.match(v.firstBad?.reason ?? '', /entry 2 is missing: found entry 3/);
  });

  it('detects an inserted entry', () => {
    fill(4);
    const ls = lines(file);
    const copy = JSON.parse(ls[1]);
    ls.splice(2, 0, JSON.stringify({ ...copy, data: { injected: true } }));
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.equal(v.firstBad?.line, 3);
    assert.equal(v.firstBad?.seq, 3);
  });

  it('a torn last line is a warning that says what was lost; the next append cuts it off and records that', () => {
    const ledger = fill(3);
    const full = JSON.stringify({ seq: 4, time: new Date().toISOString(), type: 'execution', data: { exitCode: 0 }, prevHash: ledger.headHash, hash: 'x'.repeat(64) });
    const fragment = full.slice(0, 60);
    // As a crash mid-append leaves it: the head still names entry 3, the fragment has no newline.
    fs.appendFileSync(file, fragment);
    const torn = verifyLedger(file);
    assert.deepEqual({ ok: torn.ok, entries: torn.entries, tornTail: torn.tornTail }, { ok: true, entries: 3, tornTail: { line: 4, bytes: 60, seq: 4 } });
    assert.match(torn.warnings.join(' '), /line 4 is a torn write: entry 4 was being appended .* only 60 bytes of it reached the disk.*its content is lost/);
    const e = Ledger.open(file).append('execution', { exitCode: 0 });
    assert.equal(e.seq, 5, 'entry 4 is the repair record');
    const after = verifyLedger(file);
    assert.deepEqual({ ok: after.ok, entries: after.entries, tornTail: after.tornTail }, { ok: true, entries: 5, tornTail: undefined });
    assert.match(after.warnings.join(' '), /entry 4 \(line 4\) records a torn write that the next append removed/);
    const repair = readLedger(file)[3];
    assert.deepEqual({ type: repair.type, fragment: (repair.data as { fragment: string }).fragment }, { type: 'ledger-repair', fragment });
  });

  it('a process killed while appending in a loop leaves every earlier entry intact', async function () {
    this.timeout(30000);
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('tsx/cjs'),
        '-e',
        `const { Ledger } = require(${JSON.stringify(path.join(root, 'src/remediation/ledger.ts'))});
         const ledger = Ledger.open(${JSON.stringify(file)});
         const big = 'x'.repeat(20000);
         for (let i = 1; ; i++) { const e = ledger.append('execution', { i, big }); process.stdout.write(e.seq + '\\n'); }`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the writer never acknowledged 20 appends'));
      }, 25000);
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const p of parts) acknowledged.push(Number(p));
        if (acknowledged.length >= 20 && child.exitCode === null && !child.killed) {
          clearTimeout(timer);
          child.kill('SIGKILL');
        }
      });
      child.on('exit', () => resolve());
    });
    const v = verifyLedger(file);
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    const entries = readLedger(file);
    // Every append the writer acknowledged (returned from append, so fsync'd) is there and verifies.
    const lastAck = Math.max(...acknowledged);
    assert.ok(v.entries >= lastAck, `verified ${v.entries}, acknowledged ${lastAck}`);
    assert.deepEqual(entries.slice(0, lastAck).map((e) => e.seq), acknowledged.slice(0, lastAck));
    // Whatever state the kill left, the next append continues the chain (after a repair record if it tore a line).
    Ledger.open(file).append('note', { after: 'kill' });
    const after = verifyLedger(file);
    assert.equal(after.ok, true, JSON.stringify(after.firstBad));
    assert.equal(after.entries, v.entries + (v.tornTail ? 2 : 1));
  });

  it('counts suggestions, approvals, actions, recoveries, rollbacks and the false-positive rate', () => {
    const ledger = Ledger.open(file);
    for (const [type, data] of [
      ['hypothesis', { alertId: 'a1' }],
      ['hypothesis', { alertId: 'a2' }],
      ['hypothesis', { alertId: 'a3' }],
      ['hypothesis', { alertId: 'a4' }],
      ['hypothesis-wrong', { alertId: 'a2' }],
      ['suggestion', {}],
      ['suggestion', {}],
      ['suggestion', {}],
      ['approval', {}],
      ['rejection', {}],
      ['execution', { exitCode: 0 }],
      ['verification', { ok: true }],
      ['execution', { exitCode: 0 }],
      ['verification', { ok: false }],
      ['rollback', { exitCode: 0 }],
    ] as const) {
      ledger.append(type, data);
    }
    const c = ledgerCounts(file);
    assert.deepEqual(
      { s: c.suggestions, a: c.approvals, r: c.rejections, x: c.actions, ok: c.recoveries, rb: c.rollbacks, h: c.hypothesesShown, w: c.hypothesesWrong, fp: c.falsePositiveRate, intact: c.integrity.ok },
      { s: 3, a: 1, r: 1, x: 2, ok: 1, rb: 1, h: 4, w: 1, fp: 0.25, intact: true },
    );
  });

  it('"mark hypothesis wrong" moves the false-positive rate', () => {
    const ledger = Ledger.open(file);
    recordHypothesisShown(ledger, { alertId: 'a1', summary: 'payments deploy f00ba47 broke checkout', confidence: 0.8 });
    recordHypothesisShown(ledger, { alertId: 'a2', summary: 'db capacity', confidence: 0.6 });
    assert.equal(ledgerCounts(file).falsePositiveRate, 0);
    recordHypothesisWrong(ledger, { alertId: 'a2', reason: 'it was the network' });
    assert.equal(ledgerCounts(file).falsePositiveRate, 0.5);
  });

  it('an empty or missing ledger verifies with zero entries and no false-positive rate', () => {
    assert.equal(verifyLedger(file).entries, 0);
    assert.equal(ledgerCounts(file).falsePositiveRate, null);
  });
});

describe('audit ledger: concurrent writers and tampering the chain alone cannot show', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir('ledger-sec');
    file = path.join(dir, 'ledger.jsonl');
  });
  afterEach(() => removeDir(dir));

  function fill(n: number, options = {}): Ledger {
    const ledger = Ledger.open(file, options);
    for (let i = 1; i <= n; i++) ledger.append('note', { i });
    return ledger;
  }

  it('four real processes appending at once: one chain, no false tamper alarm, no entry lost', async function () {
    this.timeout(60000);
    const root = path.resolve(__dirname, '../../..');
    const writers = 4;
    const perWriter = 30;
    // Every child loads, says it is ready, and waits for the same "go", so their appends overlap.
    const go = path.join(dir, 'go');
    const children = Array.from({ length: writers }, (_, w) =>
      spawn(
        process.execPath,
        [
          '--require',
          require.resolve('tsx/cjs'),
          '-e',
          `const fs = require('fs');
           const { Ledger } = require(${JSON.stringify(path.join(root, 'src/remediation/ledger.ts'))});
           // Each writer opens once and keeps its cached tail, as a long-lived VS Code window does.
           const ledger = Ledger.open(${JSON.stringify(file)});
           fs.writeFileSync(${JSON.stringify(dir)} + '/ready-${w}', '');
           while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
           for (let i = 0; i < ${perWriter}; i++) {
             ledger.append('note', { writer: ${w}, i, pid: process.pid });
             // A window appends a step at a time, not in a tight loop.
             Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
           }`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    const deadline = Date.now() + 45000;
    while (Array.from({ length: writers }, (_, w) => fs.existsSync(path.join(dir, `ready-${w}`))).includes(false)) {
      if (Date.now() > deadline) throw new Error('the writers never got ready');
      await new Promise((r) => setTimeout(r, 20));
    }
    fs.writeFileSync(go, '');
    const exits = await Promise.all(
      children.map(
        (c) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            let stderr = '';
            c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            c.on('exit', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const e of exits) assert.equal(e.code, 0, e.stderr);
    const v = verifyLedger(file);
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.deepEqual(v.warnings, []);
    assert.equal(v.entries, writers * perWriter);
    const seen = readLedger(file).map((e) => e.data as { writer: number; i: number });
    for (let w = 0; w < writers; w++) {
      assert.deepEqual(seen.filter((d) => d.writer === w).map((d) => d.i), Array.from({ length: perWriter }, (_, i) => i), `writer ${w}'s entries, in its order`);
    }
    // The writers really interleaved: entries of one writer are not all in one run.
    const runs = seen.filter((d, k) => k === 0 || d.writer !== seen[k - 1].writer).length;
    assert.ok(runs > writers, `only ${runs} runs of consecutive entries by one writer: the appends did not overlap`);
    assert.equal(JSON.parse(fs.readFileSync(sidecarHeadPath(file), 'utf8')).seq, writers * perWriter);
  });

  it('truncating the newest entries is detected through the head file', () => {
    fill(5);
    writeLines(file, lines(file).slice(0, 3));
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.equal(v.entries, 3);
    assert.equal(v.firstBad?.seq, 4);
    assert.match(v.firstBad?.reason ?? '', /head file ledger\.jsonl\.head records entry 5 as the newest, but the file ends at entry 3: the newest 2 entries were removed or replaced/);
  });

  it('replacing the last entry with a complete garbage line is rejected, head or not', () => {
    fill(4);
    const ls = lines(file);
    ls[3] = '{"seq":4,"oops":true}';
    writeLines(file, ls);
    fs.rmSync(sidecarHeadPath(file));
    const v = verifyLedger(file);
    assert.deepEqual({ ok: v.ok, seq: v.firstBad?.seq, line: v.firstBad?.line }, { ok: false, seq: 4, line: 4 });
    assert.match(v.firstBad?.reason ?? '', /line 4 is not a ledger entry: only a last line cut short by an interrupted write may be unreadable/);
  });

  it('replacing the last entry with garbage that looks torn is detected: a torn write never reaches the head', () => {
    fill(4);
    const ls = lines(file);
    fs.writeFileSync(file, ls.slice(0, 3).map((l) => l + '\n').join('') + '{"seq":4,"time":"20');
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.match(v.firstBad?.reason ?? '', /records entry 4 as the newest, but the file ends at entry 3 followed by an unreadable fragment \(line 4\); a torn write never reaches the head, so entry 4 was replaced, not torn/);
  });

  it('a junk line in the middle is rejected, even when the chain continues after it', () => {
    fill(5);
    const ls = lines(file);
    ls.splice(2, 0, 'junk');
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.deepEqual({ ok: v.ok, line: v.firstBad?.line, entries: v.entries }, { ok: false, line: 3, entries: 2 });
    assert.match(v.firstBad?.reason ?? '', /line 3 is not a ledger entry/);
  });

  it('rewriting the last entry with a valid chain and hash is caught by the head', () => {
    fill(3);
    const entries = readLedger(file);
    const forged = { ...entries[2], data: { i: 'forged' } };
    forged.hash = createHash('sha256').update(canonicalJson({ seq: forged.seq, time: forged.time, type: forged.type, data: forged.data, prevHash: forged.prevHash })).digest('hex');
    const ls = lines(file);
    ls[2] = JSON.stringify(forged);
    writeLines(file, ls);
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.match(v.firstBad?.reason ?? '', /entry 3 is not the one the head file ledger\.jsonl\.head recorded/);
  });

  it('with the head file deleted too, a second head store (VS Code global state) still catches the truncation', () => {
    const memento = new Map<string, unknown>();
    const kv = { get: (k: string) => memento.get(k), update: (k: string, v: unknown) => void memento.set(k, v) };
    const stores = { extraHeadStores: [keyValueHeadStore(kv, 'ledgerHead')] };
    fill(4, stores);
    writeLines(file, lines(file).slice(0, 2));
    fs.rmSync(sidecarHeadPath(file));
    const alone = verifyLedger(file);
    assert.equal(alone.ok, true, 'the file alone cannot show the truncation');
    assert.match(alone.warnings.join(' '), /no head is recorded in the head file/);
    const v = verifyLedger(file, stores);
    assert.equal(v.ok, false);
    assert.match(v.firstBad?.reason ?? '', /VS Code global state records entry 4 as the newest, but the file ends at entry 2/);
  });

  it('deleting the whole ledger file is detected through the head', () => {
    fill(2);
    fs.rmSync(file);
    const v = verifyLedger(file);
    assert.equal(v.ok, false);
    assert.match(v.firstBad?.reason ?? '', /the ledger file is missing, but the head file .* records 2 entries/);
  });

  it('a lock left by a dead process is broken; a live one makes append wait, then fail with who holds it', async function () {
    this.timeout(20000);
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid as number)));
    fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid, host: os.hostname(), time: new Date().toISOString(), token: 'stale' }));
    assert.equal(Ledger.open(file).append('note', { after: 'stale lock' }).seq, 1);
    assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock is released after the append');
    const release = acquireLock(`${file}.lock`);
    try {
      assert.throws(() => Ledger.open(file, { timeoutMs: 300 }).append('note', {}), new RegExp(`the audit ledger is locked by pid ${process.pid}`));
    } finally {
      release();
    }
    assert.equal(Ledger.open(file).append('note', {}).seq, 2);
  });

  it('an empty lock (a writer killed as it created one, by an older version) is broken once it is a few seconds old', function () {
    this.timeout(20000);
    fs.writeFileSync(`${file}.lock`, '');
    // Fresh: it might be being written, so append waits and gives up.
    assert.throws(() => Ledger.open(file, { timeoutMs: 200 }).append('note', {}), /the audit ledger is locked/);
    const old = new Date(Date.now() - 5000);
    fs.utimesSync(`${file}.lock`, old, old);
    assert.equal(Ledger.open(file).append('note', { after: 'empty lock' }).seq, 1);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.lock')), [], 'no lock or private lock files left');
  });
});
