'use strict';
// Checkout: prices the order and charges the card through payments.
const crypto = require('node:crypto');
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');
const { requestJson } = require('../../../shared/http-client');
const { priceOrder } = require('./pricing');
const config = require('../../../config/checkout.json');

const telemetry = createTelemetry('checkout');
const paymentsUrl = process.env.PAYMENTS_URL || config.paymentsUrl;

async function checkout({ body }) {
  const lines = Array.isArray(body.lines) ? body.lines : [];
  if (lines.length === 0) throw new HttpError(400, 'the order has no lines');
  const total = priceOrder(lines, body.region);
  const res = await requestJson(telemetry, 'POST', `${paymentsUrl}/charge`, { amount: total.amount, currency: total.currency, card: body.card }, {
    peer: 'payments',
    timeoutMs: config.timeoutMs,
  });
  if (res.status >= 500) throw new HttpError(502, `payments failed: ${res.body.error}`);
  if (res.status !== 201) return { status: res.status, body: res.body };
  const orderId = 'ord_' + crypto.randomBytes(6).toString('hex');
  telemetry.log('info', 'order paid', { 'order.id': orderId, 'order.amount': total.amount });
  return { status: 201, body: { orderId, chargeId: res.body.chargeId, total } };
}

startServer({
  service: 'checkout',
  telemetry,
  port: Number(process.env.PORT || config.port),
  routes: { 'POST /checkout': checkout },
});
