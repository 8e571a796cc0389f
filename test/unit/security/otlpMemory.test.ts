// The memory-cap attack of issue 9 against the real receiver over HTTP: sixty requests, each one span
// with 150,000 resource attributes, grew the extension host's heap by 1.1 GB while the store reported
// about 0 MB, until the process died. The receiver and store run in a child process with --expose-gc,
// so the heap measured after GC is theirs alone.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { type ChildProcess, fork } from 'node:child_process';

const CAP = 16 * 1024 * 1024;

interface Measure {
  heapUsed: number;
  store: { bytes: number; spans: number; resources: number; evicted: { spans: number }; refused: { spans: number } };
  receiver: { throttled: number; limited: { droppedAttributes: number } };
}

class Child {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static start(maxBytes: number): Promise<Child> {
    const proc = fork(path.join(__dirname, 'receiverProcess.ts'), [String(maxBytes)], { execArgv: ['--expose-gc', '--require', require.resolve('tsx/cjs')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      proc.once('message', (m: { port: number }) => resolve(new Child(proc, m.port)));
      proc.once('exit', (code) => reject(new Error(`the receiver process exited with ${code}`)));
    });
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  measure(): Promise<Measure> {
    return new Promise((resolve) => {
      this.proc.once('message', (m: Measure) => resolve(m));
      this.proc.send({ cmd: 'measure' });
    });
  }

  stop(): void {
    if (this.alive) this.proc.kill();
  }
}

function post(port: number, body: Buffer, contentType: string): Promise<{ status: number; body: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const now = BigInt(Date.now()) * 1_000_000n;

// Every request's values are its own (as an attacker's would be): a template is built once and the
// placeholder replaced, because building 150,000 attributes sixty times takes longer than the attack.
const PLACEHOLDER = '@@@@@@@@';
const withFreshValues = (template: Buffer): Buffer => Buffer.from(template.toString('latin1').replaceAll(PLACEHOLDER, crypto.randomBytes(4).toString('hex')), 'latin1');

/** One span whose resource carries `n` attributes with values unique to this request. */
function hugeResourceJson(n: number): Buffer {
  const tag = PLACEHOLDER;
  const attrs = Array.from({ length: n }, (_, i) => `{"key":"attr.${i}","value":{"stringValue":"${tag}-${i}"}}`).join(',');
  const span = `{"traceId":"${crypto.randomBytes(16).toString('hex')}","spanId":"${crypto.randomBytes(8).toString('hex')}","name":"GET /","kind":2,"startTimeUnixNano":"${now}","endTimeUnixNano":"${now + 1000n}"}`;
  return Buffer.from(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"attacker"}},${attrs}]},"scopeSpans":[{"scope":{"name":"x"},"spans":[${span}]}]}]}`);
}

// ---- a minimal protobuf writer for the same request ----
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (no: number, payload: Buffer): Buffer => Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
const fixed64 = (no: number, v: bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = (no << 3) | 1;
  b.writeBigUInt64LE(v, 1);
  return b;
};
const kv = (key: string, value: string): Buffer => field(1, Buffer.concat([field(1, Buffer.from(key)), field(2, field(1, Buffer.from(value)))]));

function hugeResourceProto(n: number): Buffer {
  const tag = PLACEHOLDER;
  const attrs = [kv('service.name', 'attacker'), ...Array.from({ length: n }, (_, i) => kv(`attr.${i}`, `${tag}-${i}`))];
  const span = Buffer.concat([field(1, crypto.randomBytes(16)), field(2, crypto.randomBytes(8)), field(5, Buffer.from('GET /')), fixed64(7, now), fixed64(8, now + 1000n)]);
  const resourceSpans = Buffer.concat([field(1, Buffer.concat(attrs)), field(2, field(2, span))]);
  return field(1, resourceSpans);
}

/** A batch at every limit the decoders allow: new resources of 128 attributes, spans of 128 new keys. */
function hostileBatchJson(spans: number): Buffer {
  const u = () => crypto.randomBytes(6).toString('hex');
  const resources = Array.from({ length: spans }, () => {
    const attrs = [`{"key":"service.name","value":{"stringValue":"attacker"}}`, ...Array.from({ length: 127 }, (_, i) => `{"key":"r.${i}","value":{"stringValue":"${u()}"}}`)].join(',');
    const sattrs = Array.from({ length: 128 }, (_, i) => `{"key":"k.${u()}.${i}","value":{"stringValue":"${u()}${u()}"}}`).join(',');
    const span = `{"traceId":"${crypto.randomBytes(16).toString('hex')}","spanId":"${crypto.randomBytes(8).toString('hex')}","name":"${u()}","startTimeUnixNano":"${now}","endTimeUnixNano":"${now + 1000n}","attributes":[${sattrs}]}`;
    return `{"resource":{"attributes":[${attrs}]},"scopeSpans":[{"scope":{"name":"${u()}"},"spans":[${span}]}]}`;
  });
  return Buffer.from(`{"resourceSpans":[${resources.join(',')}]}`);
}

describe('the OTLP memory cap holds against the attack of issue 9 (real receiver over HTTP, heap measured after GC)', function () {
  this.timeout(300_000);
  let child: Child;
  before(async () => {
    child = await Child.start(CAP);
  });
  after(() => child?.stop());

  it('sixty requests of one span with 150,000 resource attributes: answered, attributes dropped and counted, heap bounded', async () => {
    const base = await child.measure();
    const statuses: number[] = [];
    const json = hugeResourceJson(150_000);
    const proto = hugeResourceProto(150_000);
    for (let i = 0; i < 60; i++) {
      const r = i % 2 ? await post(child.port, withFreshValues(proto), 'application/x-protobuf') : await post(child.port, withFreshValues(json), 'application/json');
      statuses.push(r.status);
      if (r.status === 429) assert.ok(r.retryAfter, 'a 429 without Retry-After');
      if (i === 0) assert.match(r.body, /partialSuccess.*attribute\(s\) dropped over the limit of 128/, `the warning is missing: ${r.body}`);
    }
    assert.ok(child.alive, 'the receiver process died');
    assert.ok(statuses.every((s) => s === 200 || s === 429), `unexpected answers: ${[...new Set(statuses)].join(', ')}`);
    const m = await child.measure();
    const grown = m.heapUsed - base.heapUsed;
    assert.ok(m.receiver.limited.droppedAttributes >= 60 * (150_000 - 127) * 0.9, `only ${m.receiver.limited.droppedAttributes} attributes were dropped`);
    assert.ok(m.store.resources <= 60, `${m.store.resources} resources held`);
    assert.ok(grown < 2 * CAP, `the heap grew by ${(grown / 1048576).toFixed(1)} MB for a ${CAP / 1048576} MB cap`);
    assert.ok(m.store.bytes <= CAP);
  });

  it('a flood at every limit the decoders allow: the heap stays within 2x the cap and the estimate within 2x of the heap', async () => {
    const base = await child.measure();
    const startEvicted = base.store.evicted.spans;
    let rounds = 0;
    for (;;) {
      const r = await post(child.port, hostileBatchJson(60), 'application/json');
      assert.ok(r.status === 200 || r.status === 429, `status ${r.status}: ${r.body}`);
      const m = rounds++ % 10 === 0 ? await child.measure() : undefined;
      if (m && m.store.evicted.spans - startEvicted > 3 * m.store.spans) break;
      assert.ok(rounds < 5000, 'the store never filled');
    }
    assert.ok(child.alive, 'the receiver process died');
    const m = await child.measure();
    const grown = m.heapUsed - base.heapUsed + base.store.bytes;
    assert.ok(m.store.bytes <= CAP, `the store reports ${m.store.bytes} bytes over its cap`);
    assert.ok(m.heapUsed - base.heapUsed < 2 * CAP, `the heap grew by ${((m.heapUsed - base.heapUsed) / 1048576).toFixed(1)} MB for a ${CAP / 1048576} MB cap`);
    const ratio = m.store.bytes / grown;
    assert.ok(ratio > 0.5 && ratio < 2, `the store estimates ${(m.store.bytes / 1048576).toFixed(1)} MB for ${(grown / 1048576).toFixed(1)} MB of heap (ratio ${ratio.toFixed(2)})`);
  });
});
