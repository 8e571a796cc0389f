'use strict';
// A small JSON HTTP server with a server span, metrics and a log line for every request. With
// TLS_CERT_FILE and TLS_KEY_FILE set it serves HTTPS with that certificate.
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const api = require('@opentelemetry/api');

const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size === 0) return resolve({});
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body === undefined ? {} : body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function startServer({ service, telemetry, port, routes }) {
  const host = process.env.HOST || '127.0.0.1';
  const version = process.env.SERVICE_VERSION || 'dev';
  const tls = process.env.TLS_CERT_FILE && process.env.TLS_KEY_FILE
    ? { cert: fs.readFileSync(process.env.TLS_CERT_FILE), key: fs.readFileSync(process.env.TLS_KEY_FILE) }
    : undefined;
  const scheme = tls ? 'https' : 'http';

  async function handle(req, res, url, route, handler) {
    const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    const span = telemetry.tracer.startSpan(`${req.method} ${route}`, {
      kind: api.SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': url.pathname, 'url.scheme': scheme, 'server.port': port },
    }, parent);
    const started = process.hrtime.bigint();
    await api.context.with(api.trace.setSpan(parent, span), async () => {
      let status = 500;
      let payload;
      let failure;
      try {
        if (!handler) throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
        const result = await handler({ body: await readJson(req), query: url.searchParams, url });
        status = result.status;
        payload = result.body;
      } catch (err) {
        status = Number.isInteger(err && err.status) ? err.status : 500;
        payload = { error: String((err && err.message) || err) };
        if (status >= 500) failure = err;
      }
      span.setAttribute('http.response.status_code', status);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (failure) {
        const attributes = telemetry.recordError(span, failure);
        telemetry.log('error', `${req.method} ${route} failed with ${status}: ${attributes['exception.message']}`, {
          ...attributes, 'http.route': route, 'http.request.method': req.method, 'http.response.status_code': status,
        });
      } else {
        if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
        telemetry.log('info', `${req.method} ${route} ${status} in ${Math.round(seconds * 1000)} ms`, {
          'http.route': route, 'http.request.method': req.method, 'http.response.status_code': status,
        });
      }
      sendJson(res, status, payload);
      span.end();
      telemetry.recordRequest({ method: req.method, route, status, seconds });
    });
  }

  const onRequest = (req, res) => {
    const url = new URL(req.url || '/', 'http://localhost');
    // Health checks and scrapes are not traffic: no span, no metric.
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { ok: true, service, version, pid: process.pid });
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      return res.end(telemetry.prometheusText());
    }
    const handler = routes[`${req.method} ${url.pathname}`];
    handle(req, res, url, handler ? url.pathname : 'unmatched', handler).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 5000;
  // Recycle keep-alive connections now and then, so callers spread over new instances after a deploy.
  server.maxRequestsPerSocket = 100;
  server.listen(port, host, () => telemetry.log('info', `${service} ${version} listening on ${scheme}://${host}:${port}`));

  let stopping = false;
  async function stop() {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    server.close();
    server.closeIdleConnections();
    await telemetry.shutdown();
    process.exit(0);
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

module.exports = { startServer, HttpError };
