import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { OtlpReceiver } from '../../../src/sources/otlp/receiver';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { createEmbeddedDefault } from '../../../src/sources/otlp/embeddedSource';
import { SourceError } from '../../../src/core/errors';
import { request } from './helpers';

const JSON_CT = { 'Content-Type': 'application/json' };
const PROTO_CT = { 'Content-Type': 'application/x-protobuf' };

function traceBody(spans: { traceId: string; spanId: string; name: string }[], service = 'checkout'): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans: spans.map((s) => ({ ...s, kind: 2, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now) })) }],
      },
    ],
  });
}

const GOOD_SPAN = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'GET /health' };

/** google.rpc.Status from a protobuf body: field 1 code (varint), field 2 message (string). */
function readStatus(body: Buffer): { code: number; message: string } {
  let pos = 0;
  let code = 0;
  let message = '';
  while (pos < body.length) {
    const tag = body[pos++];
    if (tag === 0x08) code = body[pos++];
    else if (tag === 0x12) {
      const len = body[pos++];
      message = body.subarray(pos, pos + len).toString('utf8');
      pos += len;
    } else break;
  }
  return { code, message };
}

describe('OtlpReceiver', () => {
  let store: TelemetryStore;
  let receiver: OtlpReceiver;
  let port: number;

  beforeEach(async () => {
    store = new TelemetryStore({ maxBytes: 1 << 24 });
    receiver = new OtlpReceiver({ port: 0, store, maxBodyBytes: 64 * 1024 });
    port = (await receiver.start()).port;
  });

  afterEach(async () => {
    await receiver.stop();
  });

  it('accepts OTLP/JSON and answers 200 with an empty ExportTraceServiceResponse', async () => {
    const r = await request(port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN]) });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()), {});
    assert.equal(store.getTrace(GOOD_SPAN.traceId)[0].name, 'GET /health');
  });

  it('accepts gzip-compressed bodies', async () => {
    const r = await request(port, { path: '/v1/traces', headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(traceBody([GOOD_SPAN], 'gzipped')) });
    assert.equal(r.status, 200);
    assert.equal(store.getTrace(GOOD_SPAN.traceId)[0].service, 'gzipped');
  });

  it('reports rejected spans as a partial success, in JSON and in protobuf', async () => {
    const bad = { traceId: 'zz', spanId: 'b7ad6b7169203331', name: 'bad' };
    const r = await request(port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN, bad]) });
    assert.equal(r.status, 200);
    const reply = JSON.parse(r.body.toString());
    assert.equal(reply.partialSuccess.rejectedSpans, '1');
    assert.match(reply.partialSuccess.errorMessage, /trace id/);
    assert.equal(store.stats().spans, 1);

    // An ExportTraceServiceRequest whose only span has a 3-byte trace id.
    const span = Buffer.from([0x0a, 3, 1, 2, 3, 0x12, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x2a, 1, 0x78]);
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
    const req = Buffer.concat([Buffer.from([0x0a, rs.length]), rs]);
    const p = await request(port, { path: '/v1/traces', headers: PROTO_CT, body: req });
    assert.equal(p.status, 200);
    assert.equal(p.headers['content-type'], 'application/x-protobuf');
    // partial_success (field 1) { rejected_spans (field 1) = 1, error_message (field 2) }
    assert.deepEqual([...p.body.subarray(0, 1)], [0x0a]);
    assert.deepEqual([...p.body.subarray(2, 4)], [0x08, 0x01]);
    assert.match(p.body.toString('latin1'), /trace id/);
  });

  it('answers garbage with 400 and a Status message, and keeps serving', async () => {
    const garbage: [Record<string, string>, Uint8Array | string][] = [
      [JSON_CT, '{"resourceSpans": [ {'],
      [JSON_CT, '"just a string"'],
      [JSON_CT, '{"resourceSpans": 5, "resourceMetrics": "x", "resourceLogs": {"a": 1}}'],
      [JSON_CT, '['.repeat(50_000)],
      [JSON_CT, `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(200)}{}${']}}}'.repeat(200)}}]}]}]}`],
      [PROTO_CT, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])],
      [PROTO_CT, Buffer.from('<script>alert(1)</script>; rm -rf /')],
      [{ ...JSON_CT, 'Content-Encoding': 'gzip' }, 'not gzip at all'],
    ];
    for (const [headers, body] of garbage) {
      for (const path of ['/v1/traces', '/v1/metrics', '/v1/logs']) {
        const r = await request(port, { path, headers, body });
        assert.equal(r.status, 400, `${path} ${String(body).slice(0, 40)}: ${r.body.toString().slice(0, 200)}`);
        if (headers['Content-Type'] === 'application/json') {
          const status = JSON.parse(r.body.toString());
          assert.equal(status.code, 3);
          assert.ok(status.message.length > 0);
        } else assert.ok(readStatus(r.body).message.length > 0);
      }
    }
    const ok = await request(port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN]) });
    assert.equal(ok.status, 200, 'the receiver still serves after hostile input');
  });

  it('answers 413 over the size limit, also for a small gzip body that inflates past it', async () => {
    const big = traceBody(Array.from({ length: 1000 }, (_, i) => ({ ...GOOD_SPAN, name: `span ${i}` })));
    assert.ok(big.length > 64 * 1024);
    const r = await request(port, { path: '/v1/traces', headers: JSON_CT, body: big });
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body.toString()).message, /larger than/);
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 64 * 1024);
    const b = await request(port, { path: '/v1/logs', headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: bomb });
    assert.equal(b.status, 413);
    assert.equal(store.stats().spans, 0);
    const ok = await request(port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN]) });
    assert.equal(ok.status, 200);
  });

  it('answers 415 for other content types, 405 for other methods and 404 for other paths', async () => {
    const t = await request(port, { path: '/v1/traces', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    assert.equal(t.status, 415);
    assert.match(JSON.parse(t.body.toString()).message, /application\/x-protobuf/);
    const g = await request(port, { method: 'GET', path: '/v1/metrics' });
    assert.equal(g.status, 405);
    assert.equal(g.headers.allow, 'POST');
    const n = await request(port, { path: '/v2/everything', headers: JSON_CT, body: '{}' });
    assert.equal(n.status, 404);
    const br = await request(port, { path: '/v1/logs', headers: { ...JSON_CT, 'Content-Encoding': 'br' }, body: '{}' });
    assert.equal(br.status, 415);
  });

  it('survives a client that disconnects mid-body', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { ...JSON_CT, 'Content-Length': '10000' } });
      req.on('error', () => resolve());
      req.write('{"resourceSpans": [');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const ok = await request(port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN]) });
    assert.equal(ok.status, 200);
  });
});

describe('createEmbeddedDefault', () => {
  it('says which port is taken and which setting changes it', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      await assert.rejects(
        createEmbeddedDefault({ host: '127.0.0.1', port: taken, maxMemoryMB: 8 }),
        (err: Error) => err instanceof SourceError && err.kind === 'config' && err.message.includes(String(taken)) && err.message.includes('incidentLens.receiver.port'),
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('starts on a free port and stops cleanly', async () => {
    const local = await createEmbeddedDefault({ host: '127.0.0.1', port: 0, maxMemoryMB: 8 });
    try {
      assert.ok(local.port > 0);
      assert.equal(local.source.name, 'local');
      assert.equal(local.source.kind, 'otlp');
      const r = await request(local.port, { path: '/v1/traces', headers: JSON_CT, body: traceBody([GOOD_SPAN]) });
      assert.equal(r.status, 200);
      assert.equal((await local.source.getTrace(GOOD_SPAN.traceId)).length, 1);
    } finally {
      await local.dispose();
    }
    await assert.rejects(request(local.port, { path: '/v1/traces', headers: JSON_CT, body: '{}' }));
  });
});
