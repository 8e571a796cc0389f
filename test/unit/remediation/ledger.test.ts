import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, Ledger, ledgerCounts, readLedger, recordHypothesisShown, recordHypothesisWrong, verifyLedger } from '../../../src/remediation/ledger';
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
    assert.deepEqual(verifyLedger(file), { ok: true, entries: 4, repairedTears: [], headHash: readLedger(file)[3].hash });
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

  it('a torn last line is a torn tail: earlier entries verify, and the next append starts a new line', () => {
    const ledger = fill(3);
    const full = JSON.stringify({ seq: 4, time: new Date().toISOString(), type: 'execution', data: { exitCode: 0 }, prevHash: ledger.headHash, hash: 'x'.repeat(64) });
    fs.appendFileSync(file, full.slice(0, 40));
    const torn = verifyLedger(file);
    assert.deepEqual({ ok: torn.ok, entries: torn.entries, tornTail: torn.tornTail }, { ok: true, entries: 3, tornTail: { line: 4 } });
    const reopened = Ledger.open(file);
    const e = reopened.append('execution', { exitCode: 0 });
    assert.equal(e.seq, 4);
    const after = verifyLedger(file);
    assert.deepEqual({ ok: after.ok, entries: after.entries, repairedTears: after.repairedTears, tornTail: after.tornTail }, { ok: true, entries: 4, repairedTears: [4], tornTail: undefined });
    assert.equal(lines(file)[3], full.slice(0, 40), 'the torn fragment is left as it was, on its own line');
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
    // Whatever state the kill left, the next append continues the chain.
    Ledger.open(file).append('note', { after: 'kill' });
    const after = verifyLedger(file);
    assert.equal(after.ok, true, JSON.stringify(after.firstBad));
    assert.equal(after.entries, v.entries + 1);
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
