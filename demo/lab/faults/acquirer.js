#!/usr/bin/env node
'use strict';
// A stand-in for the shop's card acquirer: a third party's HTTPS authorization API, so it sends no
// telemetry of ours. It answers POST /v1/authorizations in the shape of a typical payments API
// (201 with an authorization, 402 declined, 429 with Retry-After when the merchant's rate limit is
// exceeded), works on at most `concurrency` requests at once and queues the rest.
//
//   node acquirer.js --port N --cert FILE --key FILE [--concurrency 16] [--latency-ms 60] [--rate-limit 0]
//
// The lab changes its behaviour at run time over IPC: { set: { latencyMs, concurrency, rateLimitPerS } }.
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');

const MAX_QUEUE = 2000;

function parseArgs(argv) {
  const opts = { port: 0, cert: '', key: '', concurrency: 16, latencyMs: 60, rateLimitPerS: 0 };
  const names = { '--port': 'port', '--cert': 'cert', '--key': 'key', '--concurrency': 'concurrency', '--latency-ms': 'latencyMs', '--rate-limit': 'rateLimitPerS' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument: ${argv[i]}`);
    opts[key] = key === 'cert' || key === 'key' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!opts.cert || !opts.key) throw new Error('--cert and --key are required');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
let active = 0;
const queue = [];
// A token bucket per API key, refilled every second when a rate limit is set.
const buckets = new Map();

function takeToken(apiKey) {
  if (!(opts.rateLimitPerS > 0)) return true;
  const now = Date.now();
  const bucket = buckets.get(apiKey) || { tokens: opts.rateLimitPerS, at: now };
  bucket.tokens = Math.min(opts.rateLimitPerS, bucket.tokens + ((now - bucket.at) / 1000) * opts.rateLimitPerS);
  bucket.at = now;
  buckets.set(apiKey, bucket);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': 'req_' + crypto.randomBytes(8).toString('hex'), ...headers });
  res.end(text);
}

function serviceTime() {
  // Mostly quick, with the long tail a card network has.
  return opts.latencyMs * (0.6 + -Math.log(1 - Math.random()) * 0.4);
}

function work(job) {
  active += 1;
  setTimeout(() => {
    active -= 1;
    const { res, body } = job;
    if (!res.destroyed) {
      send(res, 201, {
        id: 'auth_' + crypto.randomBytes(8).toString('hex'),
        object: 'authorization',
        status: 'approved',
        amount: body.amount,
        currency: body.currency,
        reference: body.reference,
        created: Math.floor(Date.now() / 1000),
      });
    }
    const next = queue.shift();
    if (next) work(next);
  }, serviceTime());
}

const server = https.createServer({ cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true });
    if (req.method !== 'POST' || req.url !== '/v1/authorizations') return send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } });
    const apiKey = String(req.headers.authorization || '').replace(/^Bearer /, '');
    if (!apiKey) return send(res, 401, { error: { type: 'invalid_request_error', message: 'You did not provide an API key.' } });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { type: 'invalid_request_error', message: 'Invalid JSON body.' } });
    }
    if (!takeToken(apiKey)) {
      return send(res, 429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. Retry after 1 second.' } }, { 'retry-after': '1' });
    }
    if (queue.length >= MAX_QUEUE) return send(res, 503, { error: { type: 'api_error', message: 'The service is temporarily overloaded.' } });
    const job = { res, body };
    if (active < opts.concurrency) work(job);
    else queue.push(job);
  });
});
server.keepAliveTimeout = 5000;
server.listen(opts.port, '127.0.0.1', () => process.stdout.write(`acquirer listening on https://localhost:${server.address().port}\n`));

process.on('message', (message) => {
  if (!message || typeof message.set !== 'object') return;
  for (const key of ['latencyMs', 'concurrency', 'rateLimitPerS']) {
    if (Number.isFinite(message.set[key])) opts[key] = message.set[key];
  }
  buckets.clear();
  process.stdout.write(`acquirer settings ${JSON.stringify({ latencyMs: opts.latencyMs, concurrency: opts.concurrency, rateLimitPerS: opts.rateLimitPerS })}\n`);
  while (active < opts.concurrency && queue.length) work(queue.shift());
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
