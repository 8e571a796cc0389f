'use strict';
// JSON calls to other services, each with a client span and the W3C traceparent header. HTTPS
// targets are verified against the system CAs plus NODE_EXTRA_CA_CERTS (the internal CA).
const http = require('node:http');
const https = require('node:https');
const api = require('@opentelemetry/api');

// Keep-alive connections; no TLS session cache, so every new connection checks the peer's
// certificate in full (as Go's default transport does).
const httpsAgent = new https.Agent({ keepAlive: true, maxCachedSessions: 0 });

function send(url, method, headers, payload, timeoutMs) {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(url, { method, headers, timeout: timeoutMs, ...(secure ? { agent: httpsAgent } : {}) }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body;
        try {
          body = text ? JSON.parse(text) : {};
        } catch {
          body = { error: text.slice(0, 200) };
        }
        resolve({ status: res.statusCode || 0, body, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

async function requestJson(telemetry, method, target, body, { peer, timeoutMs = 2000, headers: extraHeaders = {} } = {}) {
  const url = new URL(target);
  const span = telemetry.tracer.startSpan(method, {
    kind: api.SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      'url.full': url.toString(),
      ...(peer ? { 'peer.service': peer } : {}),
    },
  });
  const headers = { 'content-type': 'application/json', ...extraHeaders };
  api.propagation.inject(api.trace.setSpan(api.context.active(), span), headers);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  try {
    let response;
    try {
      response = await send(url, method, headers, payload, timeoutMs);
    } catch (err) {
      // A downstream that is restarting refuses connections for a moment: one retry covers a deploy.
      if (err.code !== 'ECONNREFUSED') throw err;
      await new Promise((resolve) => setTimeout(resolve, 150));
      response = await send(url, method, headers, payload, timeoutMs);
    }
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
    return response;
  } catch (err) {
    span.recordException(err);
    span.setAttribute('error.type', err.code || err.name);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: err.message });
    throw Object.assign(new Error(`${peer || url.host} unreachable: ${err.message}`), { status: 502, code: err.code });
  } finally {
    span.end();
  }
}

module.exports = { requestJson };
