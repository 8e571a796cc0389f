#!/usr/bin/env node
'use strict';
// Steady, bounded load on the lab storefront: a few orders and catalogue reads per second.
//
//   node demo/lab/loadgen.js --target http://127.0.0.1:8080 [--rps 4] [--duration-s N] [--max-in-flight 8]
//
// Stops on SIGINT/SIGTERM (or when its parent lab goes away) and prints what it sent.
const http = require('node:http');

const PRODUCTS = ['MUG-01', 'BEANS-1K', 'GRINDER-H', 'KETTLE-G', 'FILTER-100'];
const REGIONS = ['DE', 'FR', 'NL', 'IE', 'US'];
// Valid test numbers. A quarter of the saved cards come from wallet v1, which sends no network.
const CARDS = [
  { number: '4111 1111 1111 1111', network: 'visa' },
  { number: '5555 5555 5555 4444', network: 'mastercard' },
  { number: '3782 822463 10005', network: 'amex' },
  { number: '6011 1111 1111 1117', network: 'discover' },
];
const SHARE_WITHOUT_NETWORK = 0.25;
const SHARE_OF_CATALOGUE_READS = 0.15;
const SHARE_OVER_LIMIT = 0.03;
const REQUEST_TIMEOUT_MS = 5000;

function parseArgs(argv) {
  const opts = { target: undefined, rps: 4, durationS: 0, maxInFlight: 8 };
  const names = { '--target': 'target', '--rps': 'rps', '--duration-s': 'durationS', '--max-in-flight': 'maxInFlight' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument: ${argv[i]}`);
    opts[key] = key === 'target' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!opts.target) throw new Error('--target URL is required');
  new URL(opts.target);
  if (!(opts.rps > 0 && opts.rps <= 50)) throw new Error('--rps must be between 0 and 50');
  if (!(opts.maxInFlight >= 1 && opts.maxInFlight <= 100)) throw new Error('--max-in-flight must be between 1 and 100');
  if (!(opts.durationS >= 0)) throw new Error('--duration-s must be 0 (run until stopped) or more');
  return opts;
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function nextRequest() {
  if (Math.random() < SHARE_OF_CATALOGUE_READS) return { method: 'GET', path: '/api/products' };
  const card = { ...pick(CARDS) };
  if (Math.random() < SHARE_WITHOUT_NETWORK) delete card.network;
  const items = [{ sku: pick(PRODUCTS), quantity: 1 + Math.floor(Math.random() * 2) }];
  if (Math.random() < 0.4) items.push({ sku: pick(PRODUCTS), quantity: 1 });
  if (Math.random() < SHARE_OVER_LIMIT) items.push({ sku: 'ESPRESSO-M', quantity: 1 });
  return { method: 'POST', path: '/api/checkout', body: { items, region: pick(REGIONS), card } };
}

function send(target, { method, path, body }) {
  return new Promise((resolve) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = http.request(new URL(path, target), {
      method,
      timeout: REQUEST_TIMEOUT_MS,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode || 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`loadgen: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const counts = { sent: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0, skipped: 0 };
  let inFlight = 0;
  const timer = setInterval(() => {
    // Bounded: when the system is slow, skip a tick instead of piling up requests.
    if (inFlight >= opts.maxInFlight) {
      counts.skipped += 1;
      return;
    }
    inFlight += 1;
    counts.sent += 1;
    send(opts.target, nextRequest()).then((status) => {
      inFlight -= 1;
      if (status === 0) counts.failed += 1;
      else if (status >= 500) counts.serverErrors += 1;
      else if (status >= 400) counts.clientErrors += 1;
      else counts.ok += 1;
    });
  }, Math.round(1000 / opts.rps));
  const report = setInterval(() => process.stdout.write(`loadgen ${JSON.stringify(counts)}\n`), 10_000);
  report.unref();

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.stdout.write(`loadgen stopped ${JSON.stringify(counts)}\n`);
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  if (opts.durationS > 0) setTimeout(stop, opts.durationS * 1000).unref();
}

main();
