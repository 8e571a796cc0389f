'use strict';
// Checkout: holds stock in inventory, prices the order and charges the card through payments.
const crypto = require('node:crypto');
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');
const { requestJson } = require('../../../shared/http-client');
const { createFlags } = require('../../../shared/flags');
const { priceOrder } = require('./pricing');
const { priceOrderV2 } = require('./pricing-v2');
const config = require('../../../config/checkout.json');

const telemetry = createTelemetry('checkout');
const flags = createFlags(telemetry);
const paymentsUrl = process.env.PAYMENTS_URL || config.paymentsUrl;
const inventoryUrl = process.env.INVENTORY_URL || config.inventoryUrl;
let inFlight = 0;

async function reserveStock(orderRef, lines) {
  const res = await requestJson(telemetry, 'POST', `${inventoryUrl}/reservations`, {
    orderRef,
    items: lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
  }, { peer: 'inventory', timeoutMs: config.inventoryTimeoutMs });
  if (res.status >= 500) throw new HttpError(502, `inventory failed: ${res.body.error}`);
  return res;
}

async function releaseStock(orderRef) {
  try {
    await requestJson(telemetry, 'POST', `${inventoryUrl}/reservations/release`, { orderRef }, { peer: 'inventory', timeoutMs: config.inventoryTimeoutMs });
  } catch (err) {
    telemetry.log('warn', `could not release the stock of ${orderRef}: ${err.message}`, { 'order.ref': orderRef });
  }
}

async function placeOrder(body) {
  const lines = Array.isArray(body.lines) ? body.lines : [];
  if (lines.length === 0) throw new HttpError(400, 'the order has no lines');
  const orderRef = 'ord_' + crypto.randomBytes(6).toString('hex');
  const reserved = await reserveStock(orderRef, lines);
  if (reserved.status !== 201) return { status: reserved.status, body: reserved.body };
  const newTaxEngine = flags.booleanValue('new-tax-engine', false, { targetingKey: orderRef });
  const total = newTaxEngine ? priceOrderV2(lines, body.region) : priceOrder(lines, body.region);
  let res;
  try {
    res = await requestJson(telemetry, 'POST', `${paymentsUrl}/charge`, { amount: total.amount, currency: total.currency, card: body.card }, {
      peer: 'payments',
      timeoutMs: config.timeoutMs,
    });
  } catch (err) {
    await releaseStock(orderRef);
    throw err;
  }
  if (res.status !== 201) await releaseStock(orderRef);
  if (res.status >= 500) throw new HttpError(502, `payments failed: ${res.body.error}`);
  if (res.status !== 201) return { status: res.status, body: res.body };
  telemetry.log('info', 'order paid', { 'order.id': orderRef, 'order.amount': total.amount });
  return { status: 201, body: { orderId: orderRef, chargeId: res.body.chargeId, total } };
}

async function checkout({ body }) {
  // A bounded number of orders at once: past it, fail fast instead of queueing behind payments.
  if (inFlight >= config.maxInFlight) {
    telemetry.log('warn', `rejecting order: ${inFlight} orders in flight (limit ${config.maxInFlight})`, { 'checkout.in_flight': inFlight });
    throw new HttpError(503, `checkout is at capacity (${inFlight} orders in flight)`);
  }
  inFlight += 1;
  try {
    return await placeOrder(body);
  } finally {
    inFlight -= 1;
  }
}

startServer({
  service: 'checkout',
  telemetry,
  port: Number(process.env.PORT || config.port),
  routes: { 'POST /checkout': checkout },
});
