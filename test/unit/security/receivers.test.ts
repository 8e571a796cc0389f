// Cross-site and rebinding requests to the local receivers, over real HTTP (issue 9, item 3): a web
// page can POST to 127.0.0.1 without a CORS preflight (text/plain), or reach it under its own name
// through DNS rebinding (Host: evil.example). Also the OTLP receiver's answers under memory pressure.

import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { OtlpReceiver } from '../../../src/sources/otlp/receiver';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { WebhookReceiver } from '../../../src/sources/webhook';
import { labelsFingerprint } from '../../../src/sources/alertFields';

interface Answer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

function send(port: number, path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-length': String(data.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const now = BigInt(Date.now()) * 1_000_000n;
function spansBody(n: number, attrs = 1): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: crypto.randomBytes(16).toString('hex'),
    spanId: crypto.randomBytes(8).toString('hex'),
    name: 'POST /charge',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    attributes: Array.from({ length: attrs }, (_, j) => ({ key: `attr.${j}`, value: { stringValue: `value ${i}.${j}` } })),
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payments' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
}

describe('the OTLP receiver refuses cross-site and rebinding requests (security, real HTTP)', () => {
  let store: TelemetryStore;
  let receiver: OtlpReceiver;
  let port: number;
  beforeEach(async () => {
    store = new TelemetryStore({ maxBytes: 8 * 1024 * 1024 });
    receiver = new OtlpReceiver({ port: 0, store });
    ({ port } = await receiver.start());
  });
  afterEach(() => receiver.stop());
  const json = { 'content-type': 'application/json' };

  it('answers 403 to Host: evil.example (DNS rebinding) and stores nothing', async () => {
    const r = await send(port, '/v1/traces', spansBody(3), { ...json, host: `evil.example:${port}` });
    assert.equal(r.status, 403);
    assert.match(JSON.parse(r.text).message, /not this receiver's address/);
    assert.equal(store.stats().spans, 0);
  });

  it('answers 403 to another port in Host, and accepts the loopback names with the right port', async () => {
    assert.equal((await send(port, '/v1/traces', spansBody(1), { ...json, host: `127.0.0.1:${port + 1}` })).status, 403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await send(port, '/v1/traces', spansBody(1), { ...json, host })).status, 200, host);
    }
    assert.equal(store.stats().spans, 4);
  });

  it('answers 403 to a request from a web page (foreign Origin, Sec-Fetch-Site), and stores nothing', async () => {
    const fromPage = await send(port, '/v1/traces', spansBody(2), { ...json, origin: 'https://evil.example' });
    assert.equal(fromPage.status, 403);
    assert.match(JSON.parse(fromPage.text).message, /web pages/);
    assert.equal((await send(port, '/v1/traces', spansBody(2), { ...json, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal(store.stats().spans, 0);
  });

  it('answers 415 to text/plain (a POST a page can send without a preflight) and to undocumented types', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/protobuf']) {
      assert.equal((await send(port, '/v1/traces', spansBody(1), { 'content-type': type })).status, 415, type);
    }
    assert.equal(store.stats().spans, 0);
  });

  it('drops attributes over the limit of 128, counts them on the span, and says so in a partial-success warning', async () => {
    const r = await send(port, '/v1/traces', spansBody(1, 200), json);
    assert.equal(r.status, 200);
    const answer = JSON.parse(r.text) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(answer.partialSuccess.rejectedSpans, '0', 'a warning rejects nothing (the spec: rejected 0, message non-empty)');
    assert.match(answer.partialSuccess.errorMessage, /72 attribute\(s\) dropped over the limit of 128/);
    const [span] = store.spansInWindow({ start: 0, end: Infinity });
    assert.equal(Object.keys(span.attributes).length, 128);
    assert.equal(span.droppedAttributesCount, 72);
  });
});

describe('the OTLP receiver answers 429 with Retry-After under memory pressure (real HTTP)', () => {
  const json = { 'content-type': 'application/json' };

  it('when the heap is near its limit, without decoding the body', async () => {
    const store = new TelemetryStore({ maxBytes: 8 * 1024 * 1024 });
    const receiver = new OtlpReceiver({ port: 0, store, heapPressureRatio: 0 });
    const { port } = await receiver.start();
    try {
      const r = await send(port, '/v1/traces', spansBody(5), json);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '5');
      assert.match(JSON.parse(r.text).message, /memory pressure/);
      assert.equal(store.stats().spans, 0);
      assert.equal(receiver.stats.throttled, 1);
    } finally {
      await receiver.stop();
    }
  });

  it('when request bodies held at once would pass the in-flight budget; the first request still succeeds', async () => {
    const store = new TelemetryStore({ maxBytes: 8 * 1024 * 1024 });
    const receiver = new OtlpReceiver({ port: 0, store, maxInflightBytes: 150_000 });
    const { port } = await receiver.start();
    try {
      const first = Buffer.from(spansBody(300));
      assert.ok(first.length > 75_000 && first.length < 150_000, `first body is ${first.length} bytes`);
      // The first request declares its length and sends half its body, then waits.
      const firstAnswer = new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { ...json, 'content-length': String(first.length) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.write(first.subarray(0, first.length >> 1));
        setTimeout(() => req.end(first.subarray(first.length >> 1)), 400);
      });
      await new Promise((r) => setTimeout(r, 150));
      const second = await send(port, '/v1/traces', spansBody(300), json);
      assert.equal(second.status, 429);
      assert.equal(second.headers['retry-after'], '1');
      assert.equal(await firstAnswer, 200);
      assert.equal(store.stats().spans, 300);
      // Nothing is held any more: the next request passes.
      assert.equal((await send(port, '/v1/traces', spansBody(300), json)).status, 200);
    } finally {
      await receiver.stop();
    }
  });

  it('stores at most half the cap from one request and rejects the rest as a partial success', async () => {
    const store = new TelemetryStore({ maxBytes: 256 * 1024 });
    const receiver = new OtlpReceiver({ port: 0, store });
    const { port } = await receiver.start();
    try {
      const r = await send(port, '/v1/traces', spansBody(2000, 4), json);
      assert.equal(r.status, 200);
      const answer = JSON.parse(r.text) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      const rejected = Number(answer.partialSuccess.rejectedSpans);
      assert.ok(rejected > 0 && rejected < 2000, `rejected ${rejected}`);
      assert.match(answer.partialSuccess.errorMessage, /larger than half the store's memory cap/);
      assert.equal(store.stats().spans, 2000 - rejected);
      assert.ok(store.approxBytes <= store.maxBytes / 2 + 4096);
    } finally {
      await receiver.stop();
    }
  });
});

describe('the Alertmanager webhook refuses forged and cross-site posts (security, real HTTP)', () => {
  let receiver: WebhookReceiver;
  afterEach(() => receiver?.stop());
  const json = { 'content-type': 'application/json' };
  const labels = { alertname: 'PaymentsDown', service: 'payments', severity: 'critical' };
  const realId = labelsFingerprint(labels);
  const payload = (alerts: object[]) => JSON.stringify({ version: '4', status: 'firing', receiver: 'incident-lens', alerts, externalURL: 'http://alertmanager.example:9093' });
  const firing = { status: 'firing', labels, annotations: { summary: 'payments is down' }, startsAt: '2026-01-10T12:00:00Z', generatorURL: 'https://prometheus.example/graph?g0.expr=up' };

  async function start(opts: Partial<ConstructorParameters<typeof WebhookReceiver>[0]> = {}): Promise<number> {
    receiver = new WebhookReceiver({ port: 0, ...opts });
    return receiver.start();
  }

  it('answers 403 to Host: evil.example and to a page with a foreign Origin, and injects nothing', async () => {
    const port = await start();
    assert.equal((await send(port, '/', payload([firing]), { ...json, host: `evil.example:${port}` })).status, 403);
    assert.equal((await send(port, '/', payload([firing]), { ...json, origin: 'https://evil.example' })).status, 403);
    // The demonstrated attack: a text/plain post from a page.
    assert.equal((await send(port, '/', payload([firing]), { 'content-type': 'text/plain', origin: 'https://evil.example' })).status, 403);
    assert.deepEqual(await receiver.listAlerts(), []);
  });

  it('answers 415 to text/plain even without an Origin', async () => {
    const port = await start();
    const r = await send(port, '/', payload([firing]), { 'content-type': 'text/plain;charset=UTF-8' });
    assert.equal(r.status, 415);
    assert.deepEqual(await receiver.listAlerts(), []);
  });

  it("a forged fingerprint cannot resolve a real alert: ids come from the labels, not the payload's claim", async () => {
    const port = await start();
    assert.equal((await send(port, '/', payload([firing]), json)).status, 200);
    const forged = { status: 'resolved', fingerprint: realId, labels: { alertname: 'Harmless', phishing: 'yes' }, startsAt: '2026-01-10T12:00:00Z', endsAt: '2026-01-10T12:05:00Z' };
    assert.equal((await send(port, '/', payload([forged]), json)).status, 200);
    const alerts = await receiver.listAlerts();
    const real = alerts.find((a) => a.id === realId);
    assert.equal(real?.state, 'firing', 'the real alert was resolved by a forged post');
    assert.equal(real?.name, 'PaymentsDown');
    assert.notEqual(alerts.find((a) => a.name === 'Harmless')?.id, realId);
  });

  it('keeps only http(s) generator and external URLs as links', async () => {
    const port = await start();
    const hostile = { ...firing, labels: { ...labels, instance: 'x' }, generatorURL: 'javascript:alert(document.cookie)' };
    const body = JSON.stringify({ version: '4', status: 'firing', alerts: [hostile], externalURL: 'command:workbench.action.terminal.new' });
    assert.equal((await send(port, '/', body, json)).status, 200);
    const [a] = await receiver.listAlerts();
    assert.equal(a.generatorURL, undefined);
    assert.equal(receiver.uiLink(a), undefined);
    assert.equal((await send(port, '/', payload([firing]), json)).status, 200);
    const ok = (await receiver.listAlerts()).find((x) => x.id === realId)!;
    assert.equal(receiver.uiLink(ok), 'https://prometheus.example/graph?g0.expr=up');
  });

  it('with a token set, refuses a missing or wrong bearer token with 401 and accepts the right one', async () => {
    const port = await start({ expectedToken: async () => 'hook-secret-1' });
    const missing = await send(port, '/', payload([firing]), json);
    assert.equal(missing.status, 401);
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
    assert.equal((await send(port, '/', payload([firing]), { ...json, authorization: 'Bearer hook-secret-2' })).status, 401);
    assert.equal((await send(port, '/', payload([firing]), { ...json, authorization: 'Basic aG9vay1zZWNyZXQtMQ==' })).status, 401);
    assert.deepEqual(await receiver.listAlerts(), []);
    assert.equal((await send(port, '/', payload([firing]), { ...json, authorization: 'Bearer hook-secret-1' })).status, 200);
    assert.equal((await receiver.listAlerts()).length, 1);
  });
});
