#!/usr/bin/env node
'use strict';
// Shoppers for the fault lab's storefront: people browsing the catalogue (some arriving from a
// newsletter link that carries a click id) and placing orders, at a steady, bounded rate.
//
//   node shopper.js --target URL [--rps 8] [--browse-share 0.4] [--max-in-flight 16] [--duration-s N]
//
// Stops on SIGINT/SIGTERM (or when its parent lab goes away) and prints what it sent.
const crypto = require('node:crypto');
const http = require('node:http');

const PRODUCTS = ['MUG-01', 'BEANS-1K', 'GRINDER-H', 'KETTLE-G', 'FILTER-100'];
const REGIONS = ['DE', 'FR', 'NL', 'IE', 'US'];
const CARDS = [
  { number: '4111 1111 1111 1111', network: 'visa' },
  { number: '5555 5555 5555 4444', network: 'mastercard' },
  { number: '3782 822463 10005', network: 'amex' },
  { number: '6011 1111 1111 1117', network: 'discover' },
];
// Saved cards from wallet v1 carry no network.
const SHARE_WITHOUT_NETWORK = 0.25;
const SHARE_FROM_NEWSLETTER = 0.5;
const SHARE_OVER_LIMIT = 0.03;
const REQUEST_TIMEOUT_MS = 10_000;

function parseArgs(argv) {
  const opts = { target: undefined, rps: 8, browseShare: 0.4, maxInFlight: 16, durationS: 0 };
  const names = { '--target': 'target', '--rps': 'rps', '--browse-share': 'browseShare', '--max-in-flight': 'maxInFlight', '--duration-s': 'durationS' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument: ${argv[i]}`);
    opts[key] = key === 'target' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!opts.target) throw new Error('--target URL is required');
  new URL(opts.target);
  if (!(opts.rps > 0 && opts.rps <= 200)) throw new Error('--rps must be between 0 and 200');
  if (!(opts.browseShare >= 0 && opts.browseShare <= 1)) throw new Error('--browse-share must be between 0 and 1');
  if (!(opts.maxInFlight >= 1 && opts.maxInFlight <= 500)) throw new Error('--max-in-flight must be between 1 and 500');
  if (!(opts.durationS >= 0)) throw new Error('--duration-s must be 0 (run until stopped) or more');
  return opts;
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function nextRequest(browseShare) {
  if (Math.random() < browseShare) {
    const path = Math.random() < SHARE_FROM_NEWSLETTER
      ? `/api/products?utm_source=newsletter&utm_medium=email&click_id=${crypto.randomBytes(8).toString('hex')}`
      : '/api/products';
    return { method: 'GET', path };
  }
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
    process.stderr.write(`shopper: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const counts = { sent: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0, skipped: 0 };
  let inFlight = 0;
  const timer = setInterval(() => {
    // Bounded: when the shop is slow, skip a tick instead of piling up requests.
    if (inFlight >= opts.maxInFlight) {
      counts.skipped += 1;
      return;
    }
    inFlight += 1;
    counts.sent += 1;
    send(opts.target, nextRequest(opts.browseShare)).then((status) => {
      inFlight -= 1;
      if (status === 0) counts.failed += 1;
      else if (status >= 500) counts.serverErrors += 1;
      else if (status >= 400) counts.clientErrors += 1;
      else counts.ok += 1;
    });
  }, Math.max(1, Math.round(1000 / opts.rps)));
  const report = setInterval(() => process.stdout.write(`shopper ${JSON.stringify(counts)}\n`), 10_000);
  report.unref();

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.stdout.write(`shopper stopped ${JSON.stringify(counts)}\n`);
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  if (opts.durationS > 0) setTimeout(stop, opts.durationS * 1000).unref();
}

main();
