import * as assert from 'node:assert/strict';
import { comparePatterns, patternId } from '../../../src/analysis/logPatterns';
import { LogTemplateMiner, OTHER_TEMPLATE_ID } from '../../../src/analysis/logs/miner';
import { defaultMinerOptions } from '../../../src/analysis/logs/minerOptions';
import { hashOfMaskedTokens, maskedTokens, scanMaskedLine } from '../../../src/analysis/logs/tokens';
import { stripLogHeader } from '../../../src/eval/logs/header';
import type { LogLevel, LogRecord } from '../../../src/core/model';

/** Adds every line and returns each line's final template id. */
function mine(lines: string[], miner = new LogTemplateMiner()): { ids: string[]; miner: LogTemplateMiner } {
  const first = lines.map((l) => miner.add(l).templateId);
  return { ids: first.map((id) => miner.resolveId(id)), miner };
}

/** A small deterministic PRNG, so the fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('LogTemplateMiner', () => {
  it('groups lines that differ only in numbers, ids, addresses, hex and UUIDs', () => {
    const { ids, miner } = mine([
      'Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6',
      'Received block blk_7503483334202473044 of size 233217 from /10.251.91.84',
      'Received block blk_3587508140051953248 of size 67108864 from /10.251.42.84',
      'request 6f1c2a9e-3b1d-4c55-9a0e-2f4e5d6c7b8a took 12ms status=500',
      'request 0b7e4c1d-aaaa-4bbb-8ccc-123456789abc took 3401ms status=200',
      'chip FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC stored 5.2 KB, free 317.1 KB',
      'chip 00:11:43:E3:BA:C3 stored 93.0 B, free 1.5 MB',
    ]);
    assert.equal(ids[5], ids[6], 'MAC addresses and sizes with units are values');
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[1], ids[2]);
    assert.equal(ids[3], ids[4]);
    assert.notEqual(ids[0], ids[3]);
    const templates = miner.templates().map((t) => t.template).sort();
    assert.deepEqual(templates, ['Received block blk_<*> of size <*> from /<*>', 'chip <*> stored <*> <*>, free <*>', 'request <*> took <*> status=<*>']);
    assert.equal(miner.templates().find((t) => t.template.startsWith('Received'))?.count, 3);
  });

  it('groups lists of numbered items whatever their length', () => {
    const { ids, miner } = mine([
      'failed to resolve data source name an14 an15 an16 an17',
      'failed to resolve data source name dadmin2 dadmin3',
      'failed to resolve data source name node7',
    ]);
    assert.equal(new Set(ids).size, 1);
    assert.equal(miner.templates()[0].template, 'failed to resolve data source name <*>');
  });

  it('keeps structurally different lines apart, even when they share most words', () => {
    const lines = [
      'Link error on port 3', 'Link ok on port 4',
      'Starting TrustedInstaller initialization.', 'Ending TrustedInstaller initialization.',
      'instruction address: 0x00004ed8', 'data address: 0x00000002',
      'connection closed by peer', 'connection reset by peer after 3 retries',
    ];
    const { ids } = mine(lines);
    assert.equal(new Set(ids).size, lines.length, `every line is its own event: ${ids.join(',')}`);
  });

  it('turns a word position into a variable once it takes several values', () => {
    const { ids, miner } = mine([
      'session opened for user alice by (uid=0)',
      'session opened for user bob by (uid=0)',
      'session opened for user carol by (uid=501)',
      'session opened for user dave by (uid=502)',
      'session closed for user alice',
    ]);
    assert.equal(new Set(ids.slice(0, 4)).size, 1, 'the four logins share one template, including the ids handed out early');
    assert.notEqual(ids[4], ids[0]);
    const eve = miner.add('session opened for user eve by (uid=503)');
    assert.deepEqual(eve, { templateId: ids[0], template: 'session opened for user <*> by (uid=<*>)', isNew: false });
    const login = miner.templates().find((t) => t.id === ids[0]);
    assert.equal(login?.template, 'session opened for user <*> by (uid=<*>)');
    assert.equal(login?.count, 5);
  });

  it('treats dotted names and paths as values, and quoted values with spaces as one token', () => {
    const { ids } = mine([
      'acquire lock=1, tag="View Lock", name=com.android.systemui, ws=null',
      'acquire lock=2, tag="RILJ_ACK_WL", name=com.android.phone, ws=null',
      'Error loading /home/alice/app.bin: invalid program image',
      'Error loading ./runtime_malloc: invalid program image',
    ]);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[2], ids[3]);
    assert.notEqual(ids[0], ids[2]);
  });

  it('reports whether a template is new, and bounds samples', () => {
    const miner = new LogTemplateMiner({ maxSamples: 2 });
    assert.equal(miner.add('worker 1 started').isNew, true);
    assert.equal(miner.add('worker 2 started').isNew, false);
    miner.add('worker 3 started');
    const [t] = miner.templates();
    assert.equal(t.template, 'worker <*> started');
    assert.deepEqual(t.samples, ['worker 1 started', 'worker 2 started']);
  });

  it('survives hostile input with bounded templates, tokens and samples', () => {
    const random = prng(42);
    const miner = new LogTemplateMiner({ maxTemplates: 50, maxSamples: 2, maxSampleLength: 100 });
    const hostile: string[] = ['', ' ', '\t\t', '\u0000\u0001\u0002', 'x'.repeat(1_000_000), 'a '.repeat(200_000), '"'.repeat(1000), '" a '.repeat(5000), '\uFFFD\uD800 broken surrogate', '=====', '<*> <*>'];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const len = Math.floor(random() * 80);
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(random() * 0x3000));
      hostile.push(s);
    }
    for (let i = 0; i < 500; i++) hostile.push(`unique${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'zyxwvutsrqponmlkjihgfedcba'[(i / 26) % 26 | 0]} event kind ${'qwertyuiop'[i % 10]}`);
    for (const line of hostile) {
      const r = miner.add(line);
      assert.equal(typeof r.templateId, 'string');
      assert.ok(r.template.length <= 128 * 260, 'template bounded by token caps');
    }
    const templates = miner.templates();
    assert.ok(templates.length <= 51, `at most maxTemplates plus 'other', got ${templates.length}`);
    assert.ok(templates.some((t) => t.id === OTHER_TEMPLATE_ID), 'overflow goes to the other template');
    assert.equal(templates.reduce((a, t) => a + t.count, 0), hostile.length, 'every line is counted once');
    for (const t of templates) {
      assert.ok(t.samples.length <= 2);
      for (const s of t.samples) assert.ok(s.length <= 100);
    }
  });

  it('keeps the key of a value slot, so values of another key stay apart', () => {
    const { ids, miner } = mine([
      'authentication failure; uid=0 rhost=10.0.0.1',
      'authentication failure; uid=0 rhost=mail.example.com',
      'authentication failure; uid=0 rhost=host7.example.org',
      'authentication failure; uid=0 ruser=alice.b',
    ]);
    assert.equal(new Set(ids.slice(0, 3)).size, 1);
    assert.notEqual(ids[3], ids[0]);
    assert.equal(miner.templates().find((t) => t.id === ids[0])?.template, 'authentication failure; uid=<*> rhost=<*>');
  });

  it('lets names with masked numbers share a slot, and treats a list of like tokens as one', () => {
    const { ids, miner } = mine([
      'Block broadcast_9_piece0 stored as bytes in memory',
      'Block rdd_2_2 stored as bytes in memory',
      'BLOCK* ask 10.250.18.114:50010 to delete blk_-5140072410813878235',
      'BLOCK* ask 10.250.17.177:50010 to delete blk_-857078030 blk_-912255740 blk_707975404',
    ]);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[2], ids[3]);
    assert.deepEqual(miner.templates().map((t) => t.template).sort(), ['BLOCK* ask <*> to delete blk_<*>', 'Block <*> stored as bytes in memory']);
  });

  it('reads a duration with its unit or a comparison sign as one value', () => {
    const { ids } = mine([
      'proxy.example.com:5070 close, 0 bytes sent, 0 bytes received, lifetime <1 sec',
      'proxy.example.com:5070 close, 3 bytes sent, 9 bytes received, lifetime 00:02',
      'proxy.example.com:5070 close, 5 bytes sent, 7 bytes received, lifetime 2 min',
    ]);
    assert.equal(new Set(ids).size, 1);
  });

  it('keeps the words of a bare quoted phrase (a request method names the event), but not of a keyed quoted value', () => {
    const { ids } = mine([
      '10.11.10.1 "GET /v2/54fadb412c4e/servers/detail HTTP/1.1" status: 200 len: 1893',
      '10.11.10.1 "GET /v2/9a8b7c6d5e4f/os-services HTTP/1.1" status: 200 len: 1100',
      '10.11.10.1 "POST /v2/54fadb412c4e/servers HTTP/1.1" status: 202 len: 733',
      'acquire tag="View Lock", uid=10037',
      'acquire tag="RILJ_ACK_WL", uid=1001',
    ]);
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[0], ids[2]);
    assert.equal(ids[3], ids[4]);
  });

  it('keeps a plain word under a key as a constant, while bare words that vary become a variable', () => {
    const { ids } = mine([
      'authentication failure; rhost=10.0.0.1  user=root',
      'authentication failure; rhost=10.0.0.2  user=guest',
      'authentication failure; rhost=10.0.0.3  user=test',
      'authentication failure; rhost=10.0.0.4  user=root',
      'session opened for user alice by (uid=0)',
      'session opened for user bob by (uid=0)',
      'session opened for user carol by (uid=0)',
    ]);
    assert.equal(new Set(ids.slice(0, 4)).size, 3, 'user=root, user=guest and user=test are three events');
    assert.equal(ids[0], ids[3]);
    assert.equal(new Set(ids.slice(4)).size, 1);
  });

  it('groups the same lines the same way whatever their order', () => {
    const random = prng(11);
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const ip = `${10 + (i % 50)}.${i % 7}.${i % 13}.${i % 251}`;
      const host = i % 3 === 0 ? '()' : i % 3 === 1 ? `(host${i}.example.net)` : `(dsl-${i}.isp.example.com)`;
      lines.push(`connection from ${ip} ${host} at Sun Jul ${1 + (i % 28)} 10:05:${10 + (i % 50)} 2005`);
      if (i % 4 === 0) lines.push(`session closed for user ${['alice', 'bob', 'carol', 'dave', 'erin'][i % 5]}`);
    }
    /** The partition as sets of line indices, independent of ids. */
    const partition = (order: number[]) => {
      const miner = new LogTemplateMiner();
      const handles = order.map((i) => miner.add(lines[i]).templateId);
      const byId = new Map<string, number[]>();
      handles.forEach((h, k) => { const id = miner.resolveId(h); (byId.get(id) ?? byId.set(id, []).get(id)!).push(order[k]); });
      return [...byId.values()].map((members) => members.sort((a, b) => a - b).join(',')).sort();
    };
    const natural = lines.map((_, i) => i);
    const reference = partition(natural);
    assert.equal(reference.length, 2, 'one connection event and one session event');
    assert.deepEqual(partition([...natural].reverse()), reference);
    assert.deepEqual(partition([...natural].sort(() => random() - 0.5)), reference);
  });

  it('with generalizedVariants, a word that varies against a template with variables becomes one too', () => {
    const lines = ['copy /data/a1.bin to backup-east done', 'copy /srv/x/y.bin to backup-east done', 'copy /srv/x/z.bin to backup-west done', 'copy /srv/q/r.bin to backup-north done'];
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ generalizedVariants: true })).ids).size, 1);
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ generalizedVariants: false })).ids).size, 3);
  });

  it('with a similarity threshold (Drain\'s rule), lines that agree on enough positions share a template', () => {
    const lines = ['Link error on port 3', 'Link ok on port 4'];
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ similarity: 0.7 })).ids).size, 1);
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ similarity: 0 })).ids).size, 2);
  });

  it('with variableLengthSlots, lets a variable between constants stand for a value with spaces', () => {
    const lines = ['Reading file /etc/a1.conf [line=1]', 'Reading file /etc/b2.conf [line=2]', 'Reading file /etc/My Docs/c3.conf [line=3]'];
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ variableLengthSlots: 2 })).ids).size, 1);
    assert.equal(new Set(mine(lines, new LogTemplateMiner({ variableLengthSlots: 0 })).ids).size, 2);
  });

  it('hashes a line exactly as its masked tokens (fast path and slow path agree)', () => {
    const limits = defaultMinerOptions;
    const random = prng(7);
    const alphabet = 'ab09-_.:/\\=" x,()[]fF-12<>~+';
    const lines = ['Translation=-24.0 a-5 -7 x--9 5-6 (-3) ab-cd 0x1f:ff_ee', 'key="a b 1" tail', '"GET /a/b1/c HTTP/1.1" <1 sec ~5 +3 a<2 x>7', 'blk_1 blk_2 blk_3 <*> <*> 4 5', 'deadbeefcafe ffffffff ABCDEF12', 'Jun 14 15:16:01 Junk Mon', '/a/b/1 /a/b c\\d\\2', 'size 5.2 KB, free 93 B) took 4 ms KB', 'FF:F2:9F:16:E2:DC 0b7e4c1d-aaaa-4bbb ab:cd:ef:12'];
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const len = Math.floor(random() * 40);
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(random() * alphabet.length)];
      lines.push(s);
    }
    // Under the defaults and with each masking switch flipped: the two paths must agree in every design.
    const switches = ['quotedStrings', 'sizeUnits', 'calendarWords', 'hexWords', 'collapseVariableRuns', 'repeatedTokenLists', 'wholeTokenNumbers', 'comparisonSigns'] as const;
    for (const flipped of [undefined, ...switches]) {
      const options = flipped ? { ...limits, [flipped]: !limits[flipped] } : limits;
      for (const line of lines) {
        const fast = { h1: 0, h2: 0, tokenCount: 0 };
        scanMaskedLine(line, options, fast);
        assert.deepEqual(fast, hashOfMaskedTokens(maskedTokens(line, options)), `${flipped ?? 'defaults'}: line ${JSON.stringify(line)}`);
      }
    }
  });
});

describe('comparePatterns', () => {
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const minute = 60_000;
  const onset = t0 + 30 * minute;

  function record(time: number, body: string, level: LogLevel = 'info', service = 'checkout'): LogRecord {
    return { time, body, level, service };
  }

  /** 60 minutes of logs: a steady heartbeat, a slow trickle that surges after the onset, a new error. */
  function incident(): LogRecord[] {
    const records: LogRecord[] = [];
    for (let m = 0; m < 60; m++) {
      const t = t0 + m * minute;
      for (let k = 0; k < 10; k++) records.push(record(t + k * 1000, `heartbeat from worker ${k} queue depth ${m * k}`));
      const retries = m < 30 ? (m % 10 === 0 ? 1 : 0) : 8;
      for (let k = 0; k < retries; k++) records.push(record(t + 500 + k, `retrying call to payments attempt ${k + 1} after ${100 * k}ms`, 'warn'));
      if (m >= 31) records.push(record(t + 700, `payment failed for order ${1000 + m}: upstream timeout after 3000ms`, 'error', 'payments'));
      if (m < 30) records.push(record(t + 800, `cache warmed ${m} entries`, 'debug'));
    }
    // Unsorted input must not matter.
    return records.reverse();
  }

  it('puts the new error pattern first, then the surge, and flags what is new', () => {
    const report = comparePatterns(incident(), onset);
    assert.equal(report.onset, onset);
    const [first, second] = report.patterns;
    assert.equal(first.template, 'payment failed for order <*>: upstream timeout after <*>');
    assert.equal(first.isNew, true);
    assert.equal(first.level, 'error');
    assert.equal(first.service, 'payments');
    assert.equal(first.countBefore, 0);
    assert.equal(first.countAfter, 29);
    assert.equal(second.template, 'retrying call to payments attempt <*> after <*>');
    assert.equal(second.isNew, false);
    assert.equal(second.level, 'warn');
    assert.ok(second.rateChange > 3, `surge scores high: ${second.rateChange}`);
    assert.equal(second.countBefore, 3);
    assert.equal(second.countAfter, 240);
    const heartbeat = report.patterns.find((p) => p.template.startsWith('heartbeat'))!;
    assert.ok(Math.abs(heartbeat.rateChange) < 0.2, `steady pattern stays near 0: ${heartbeat.rateChange}`);
    assert.ok(Math.abs(heartbeat.ratePerMinBefore - heartbeat.ratePerMinAfter) < 0.5);
    const cache = report.patterns.find((p) => p.template.startsWith('cache warmed'))!;
    assert.ok(cache.rateChange < -3, `pattern that stopped scores negative: ${cache.rateChange}`);
    assert.equal(report.patterns[report.patterns.length - 1], cache, 'the vanished pattern ranks last');
  });

  it('counts per bucket over the whole span and keeps samples from after the onset first', () => {
    const report = comparePatterns(incident(), onset, { bucketMs: 10 * minute, maxSamples: 2 });
    for (const p of report.patterns) {
      assert.equal(p.buckets.length, 6);
      assert.equal(p.buckets.reduce((a, b) => a + b.count, 0), p.countBefore + p.countAfter);
      for (let i = 1; i < p.buckets.length; i++) assert.equal(p.buckets[i].t - p.buckets[i - 1].t, 10 * minute);
      assert.ok(p.samples.length <= 2);
    }
    const surge = report.patterns.find((p) => p.template.startsWith('retrying'))!;
    assert.deepEqual(surge.buckets.map((b) => b.count), [1, 1, 1, 80, 80, 80]);
    assert.ok(surge.samples.every((s) => s.startsWith('retrying call to payments')));
  });

  it('over the lines of disjoint levels and the whole span, two reports are one report in two parts: same ids, counts, rates and buckets', () => {
    const records = incident();
    // Lines outside the mined levels still set the span: the chatter runs past the last error.
    records.push(record(t0 + 75 * minute, 'heartbeat from worker 1 queue depth 0'));
    const all = comparePatterns(records, onset, { maxPatterns: 100 });
    const times = records.map((r) => r.time);
    const span = { min: Math.min(...times), max: Math.max(...times) };
    const isRoutine = (r: LogRecord) => r.level === 'trace' || r.level === 'debug' || r.level === 'info';
    const signal = comparePatterns(records.filter((r) => !isRoutine(r)), onset, { maxPatterns: 100, span });
    const routine = comparePatterns(records.filter(isRoutine), onset, { maxPatterns: 100, span });
    assert.ok(signal.patterns.length > 0 && routine.patterns.length > 0);
    assert.ok(signal.patterns.every((p) => p.level === 'warn' || p.level === 'error'));
    assert.ok(routine.patterns.every((p) => p.level === 'info' || p.level === 'debug'));
    const byId = (ps: typeof all.patterns) => new Map(ps.map((p) => [p.id, p]));
    assert.deepEqual(byId([...signal.patterns, ...routine.patterns]), byId(all.patterns));
    assert.equal(signal.patterns.length + routine.patterns.length, all.patterns.length);
  });

  it('keeps at most maxPatterns', () => {
    assert.equal(comparePatterns(incident(), onset, { maxPatterns: 2 }).patterns.length, 2);
  });

  it('rejects a bad onset, skips records without a time, and copes with no records', () => {
    assert.throws(() => comparePatterns([], Number.NaN), /onset/);
    assert.deepEqual(comparePatterns([], onset), { onset, patterns: [] });
    const report = comparePatterns([
      { time: Number.NaN, body: 'broken', level: 'info' },
      record(onset + 1, 'after only'),
      { time: onset + 2, body: undefined as unknown as string, level: 'error' },
    ], onset);
    assert.equal(report.patterns.reduce((a, p) => a + p.countBefore + p.countAfter, 0), 2);
    assert.ok(report.patterns.every((p) => p.isNew));
  });
});

describe('comparePatterns pattern ids', () => {
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const onset = t0 + 30 * 60_000;

  /** Two services' logs over an hour: info chatter, warnings, and errors that start at the onset. */
  function twoSources(): { checkout: LogRecord[]; payments: LogRecord[] } {
    const checkout: LogRecord[] = [];
    const payments: LogRecord[] = [];
    for (let s = 0; s < 3600; s += 7) {
      const time = t0 + s * 1000;
      checkout.push({ time, body: `GET /cart/${s % 97} 200 in ${s % 40}ms`, level: 'info', service: 'checkout' });
      if (s % 5 === 0) checkout.push({ time: time + 1, body: `session ${['alice', 'bob', 'carol', 'dave'][s % 4]} renewed`, level: 'info', service: 'checkout' });
      if (s % 11 === 0) checkout.push({ time: time + 2, body: `retrying call to payments attempt ${s % 3 + 1}`, level: 'warn', service: 'checkout' });
      payments.push({ time: time + 3, body: `charge ${s} accepted for order ${1000 + s}`, level: 'info', service: 'payments' });
      if (time >= onset && s % 3 === 0) payments.push({ time: time + 4, body: `charge ${s} failed: upstream timeout after ${3000 + s % 5}ms`, level: 'error', service: 'payments' });
      // The same text from both services is two patterns.
      if (s % 13 === 0) {
        checkout.push({ time: time + 5, body: `connection pool exhausted (${s % 8} waiting)`, level: 'error', service: 'checkout' });
        payments.push({ time: time + 5, body: `connection pool exhausted (${s % 8} waiting)`, level: 'error', service: 'payments' });
      }
    }
    return { checkout, payments };
  }

  const idsByPattern = (records: LogRecord[]) => new Map(comparePatterns(records, onset, { maxPatterns: 1000 }).patterns.map((p) => [`${p.service} ${p.level} ${p.template}`, p.id]));

  it('gives an error pattern the same id whether all lines or only warnings and errors were mined', () => {
    const { checkout, payments } = twoSources();
    const all = [...checkout, ...payments];
    const warnAndError = all.filter((r) => r.level === 'warn' || r.level === 'error');
    const fromAll = comparePatterns(all, onset, { maxPatterns: 1000 }).patterns;
    const fromErrors = comparePatterns(warnAndError, onset, { maxPatterns: 1000 }).patterns;
    const timeout = fromAll.find((p) => p.template.startsWith('charge <*> failed'));
    assert.ok(timeout, 'the new error pattern is found');
    assert.equal(timeout.template, 'charge <*> failed: upstream timeout after <*>');
    assert.equal(fromErrors.find((p) => p.template === timeout.template)?.id, timeout.id);
    // Every warning and error pattern keeps its id, its counts and its template.
    for (const p of fromErrors) {
      const same = fromAll.find((q) => q.id === p.id);
      assert.ok(same, `pattern ${p.id} (${p.template}) is in the full report`);
      assert.deepEqual([same.template, same.service, same.level, same.countBefore, same.countAfter], [p.template, p.service, p.level, p.countBefore, p.countAfter]);
    }
  });

  it('gives the same ids however two log sources are interleaved', () => {
    const { checkout, payments } = twoSources();
    const reference = idsByPattern([...checkout, ...payments]);
    const random = prng(3);
    const shuffled = [...checkout, ...payments].sort(() => random() - 0.5);
    for (const order of [[...payments, ...checkout], [...checkout, ...payments].reverse(), [...checkout, ...payments].sort((a, b) => a.time - b.time), shuffled]) {
      assert.deepEqual(idsByPattern(order), reference);
    }
  });

  it('counts every record and keeps ids content-derived past the per-stream miner limit (many services)', () => {
    const records: LogRecord[] = [];
    for (let s = 0; s < 700; s++) for (let k = 0; k < 3; k++) records.push({ time: t0 + s * 1000 + k, body: `worker ${k} of svc-${s} ready`, level: 'info', service: `svc-${s}` });
    const patterns = comparePatterns(records, onset, { maxPatterns: 10_000 }).patterns;
    assert.equal(patterns.length, 700);
    assert.equal(patterns.reduce((a, p) => a + p.countBefore + p.countAfter, 0), records.length);
    for (const p of patterns) assert.equal(p.id, patternId(p.template, p.service, p.level));
  });

  it('derives ids from service, level and template; the same text from two services is two patterns', () => {
    const { checkout, payments } = twoSources();
    const patterns = comparePatterns([...checkout, ...payments], onset, { maxPatterns: 1000 }).patterns;
    const exhausted = patterns.filter((p) => p.template === 'connection pool exhausted (<*> waiting)');
    assert.deepEqual(exhausted.map((p) => p.service).sort(), ['checkout', 'payments']);
    for (const p of patterns) {
      assert.match(p.id, /^p[0-9a-f]{12}$/);
      assert.equal(p.id, patternId(p.template, p.service, p.level));
    }
    assert.equal(new Set(patterns.map((p) => p.id)).size, patterns.length, 'ids are unique within a report');
  });
});

describe('stripLogHeader', () => {
  it('strips timestamps, levels, pids, threads and components of common formats', () => {
    const cases: [string, string][] = [
      ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1', 'Created MRAppMaster for application appattempt_1'],
      ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating', 'PacketResponder 1 for block blk_38865049064139660 terminating'],
      ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', 'check pass; user unknown'],
      ['03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs', 'printFreezingDisplayLogs'],
      ['2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200', 'Notification time out: 3200'],
      ['2026-01-01T12:00:00.123Z ERROR payment failed: timeout', 'payment failed: timeout'],
    ];
    for (const [raw, message] of cases) assert.equal(stripLogHeader(raw), message);
  });

  it('ends the header at its one level, reads fields before a time as header, and keeps a message\'s own first words', () => {
    const cases: [string, string][] = [
      ['- 1118771302 2005.06.14 R27-M1-N8-C:J09-U11 2005-06-14-10.48.22.614188 R27-M1-N8-C:J09-U11 RAS KERNEL FATAL debug interrupt enable............0', 'debug interrupt enable............0'],
      ['APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix', 'ciod: failed to read message prefix'],
      ['134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component "alt0" is in the unavailable state', 'Component State Change: Component "alt0" is in the unavailable state'],
      ['365140 node-69 unix.hw net.niff.down 1085075228 1 NIFF: node node-69 detected a failed network connection', 'NIFF: node node-69 detected a failed network connection'],
      ['Jun 17 07:07:00 combo ftpd[29504]: connection from 24.54.76.216 (host.example.net) at Fri Jun 17 07:07:00 2005', 'connection from 24.54.76.216 (host.example.net) at Fri Jun 17 07:07:00 2005'],
    ];
    for (const [raw, message] of cases) assert.equal(stripLogHeader(raw), message);
  });

  it('leaves a line without a header alone', () => {
    assert.equal(stripLogHeader('payment failed: timeout'), 'payment failed: timeout');
    assert.equal(stripLogHeader(''), '');
  });
});
