import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { SourceError } from '../../../src/core/errors';
import { authorizationFromSecret, buildUrl, getJson, httpRequest, isAbortError } from '../../../src/sources/http';
import { sendJson, startLocalServer, type LocalServer } from './localServer';

describe('httpRequest / getJson (against a real local server)', () => {
  let server: LocalServer;
  beforeEach(async () => {
    server = await startLocalServer((_req, res) => sendJson(res, { ok: true }));
  });
  afterEach(async () => {
    await server.close();
  });

  const base = { source: 'src', timeoutMs: 2000, maxBytes: 1024 * 1024 };

  it('retries an idempotent GET after a 503 and succeeds', async () => {
    let calls = 0;
    server.setHandler((_req, res) => (++calls === 1 ? sendJson(res, { error: 'warming up' }, 503) : sendJson(res, { ok: calls })));
    assert.deepEqual(await getJson({ ...base, url: `${server.url}/x`, retries: 2 }), { ok: 2 });
    assert.equal(server.requests.length, 2);
  });

  it('never retries a POST, and says what the server said', async () => {
    server.setHandler((_req, res) => sendJson(res, { error: 'overloaded' }, 503));
    await assert.rejects(getJson({ ...base, url: `${server.url}/x`, method: 'POST', json: { a: 1 }, retries: 3 }), (e: unknown) => e instanceof SourceError && e.kind === 'server' && /HTTP 503 .*overloaded/.test(e.message));
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].body, '{"a":1}');
    assert.equal(server.requests[0].headers['content-type'], 'application/json');
  });

  it('does not retry a 4xx', async () => {
    server.setHandler((_req, res) => sendJson(res, { error: 'nope' }, 400));
    await assert.rejects(getJson({ ...base, url: `${server.url}/x`, retries: 3 }), (e: unknown) => e instanceof SourceError && e.kind === 'client');
    assert.equal(server.requests.length, 1);
  });

  it('decodes gzip and applies the size limit to the decoded body', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(200_000) });
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(big));
    });
    const got = await getJson<{ pad: string }>({ ...base, url: server.url });
    assert.equal(got.pad.length, 200_000);
    // 200 kB of x compresses to a few hundred bytes: the limit must still see 200 kB.
    await assert.rejects(getJson({ ...base, maxBytes: 50_000, url: server.url }), (e: unknown) => e instanceof SourceError && e.kind === 'oversized');
  });

  it('refuses a declared body over the limit without reading it', async () => {
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-length': String(10_000_000) });
      res.write('[');
      // never sends the rest: only the header can have decided
    });
    await assert.rejects(httpRequest({ ...base, url: server.url }), (e: unknown) => e instanceof SourceError && e.kind === 'oversized' && e.status === 200);
  });

  it('a 404 says to check the URL', async () => {
    server.setHandler((_req, res) => sendJson(res, { message: 'page not found' }, 404));
    await assert.rejects(httpRequest({ ...base, url: `${server.url}/api/v2/alerts` }), (e: unknown) => e instanceof SourceError && e.kind === 'not-found' && /404 Not Found at http:\/\/127\.0\.0\.1:\d+\/api\/v2\/alerts: check the URL/.test(e.message));
  });

  it('credentials in the URL go as Basic auth and never into messages', async () => {
    server.setHandler((_req, res) => sendJson(res, {}, 403));
    const url = server.url.replace('http://', 'http://admin:hunter2@') + '/api';
    await assert.rejects(httpRequest({ ...base, url }), (e: unknown) => e instanceof SourceError && e.kind === 'auth' && /403 Forbidden/.test(e.message) && !e.message.includes('hunter2') && !e.message.includes('admin'));
    assert.equal(server.requests[0].headers.authorization, `Basic ${Buffer.from('admin:hunter2').toString('base64')}`);
  });

  it('stops when the caller cancels', async () => {
    server.setHandler(() => undefined);
    const ac = new AbortController();
    const p = httpRequest({ ...base, url: server.url, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: unknown) => isAbortError(e));
  });

  it('a failing secret store is a config error, and nothing is sent', async () => {
    await assert.rejects(
      httpRequest({ ...base, url: server.url, authorization: async () => { throw new Error('keychain locked'); } }),
      (e: unknown) => e instanceof SourceError && e.kind === 'config' && /could not read the stored token or password: keychain locked/.test(e.message),
    );
    assert.equal(server.requests.length, 0);
  });

  it('a bad URL is a config error', async () => {
    await assert.rejects(httpRequest({ ...base, url: 'ftp://example.org/x' }), (e: unknown) => e instanceof SourceError && e.kind === 'config');
    await assert.rejects(httpRequest({ ...base, url: 'not a url' }), (e: unknown) => e instanceof SourceError && e.kind === 'config');
  });
});

describe('URL and credential helpers', () => {
  it('buildUrl keeps a base path prefix and repeats array parameters', () => {
    assert.equal(buildUrl('http://h:3000/grafana/', '/api/v2/alerts', { filter: ['a="1"', 'b=~"x|y"'], active: true, skip: undefined }), 'http://h:3000/grafana/api/v2/alerts?filter=a%3D%221%22&filter=b%3D%7E%22x%7Cy%22&active=true');
  });
  it('authorizationFromSecret: bare token -> Bearer, user:password -> Basic, explicit scheme kept', () => {
    assert.equal(authorizationFromSecret('glsa_abc'), 'Bearer glsa_abc');
    assert.equal(authorizationFromSecret('elastic:changeme'), `Basic ${Buffer.from('elastic:changeme').toString('base64')}`);
    assert.equal(authorizationFromSecret('ApiKey Zm9vOmJhcg=='), 'ApiKey Zm9vOmJhcg==');
    assert.equal(authorizationFromSecret('  '), undefined);
    assert.equal(authorizationFromSecret(undefined), undefined);
  });
});
