'use strict';
// The card acquirer's authorization API (HTTPS, JSON). Its answers map onto ours: a decline is the
// customer's (402), a rate limit or an outage of the acquirer is ours to report (503 / 502).
const { requestJson } = require('../../../shared/http-client');
const { HttpError } = require('../../../shared/http-server');
const config = require('../../../config/payments.json');

function acquirerUrl(path) {
  const port = process.env.ACQUIRER_PORT || config.acquirer.port;
  return `https://${config.acquirer.host}:${port}${path}`;
}

async function authorize(telemetry, { amount, currency, card, reference }) {
  const res = await requestJson(telemetry, 'POST', acquirerUrl('/v1/authorizations'), {
    amount: Math.round(amount * 100),
    currency,
    card: { last4: card.last4, network: card.network },
    reference,
  }, {
    peer: 'acquirer',
    timeoutMs: config.acquirer.timeoutMs,
    headers: { authorization: `Bearer ${process.env.ACQUIRER_API_KEY || 'sk_test_lab'}`, 'idempotency-key': reference },
  });
  if (res.status === 201) return res.body;
  const message = (res.body && res.body.error && res.body.error.message) || `HTTP ${res.status}`;
  if (res.status === 402) throw new HttpError(402, `card declined: ${message}`);
  if (res.status === 429) {
    telemetry.log('warn', `acquirer rate limit: ${message}`, { 'http.response.status_code': 429, 'http.response.header.retry-after': String(res.headers['retry-after'] || '') });
    throw new HttpError(503, `acquirer rate limit: ${message}`);
  }
  throw new HttpError(502, `acquirer error ${res.status}: ${message}`);
}

module.exports = { authorize };
