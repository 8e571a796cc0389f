'use strict';
// Storefront: the public API. Lists the catalogue with stock from inventory; places orders through checkout.
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');
const { requestJson } = require('../../../shared/http-client');
const { createFlags } = require('../../../shared/flags');
const { findProduct } = require('./catalog');
const config = require('../../../config/storefront.json');

const telemetry = createTelemetry('storefront');
const flags = createFlags(telemetry);
const checkoutUrl = process.env.CHECKOUT_URL || config.checkoutUrl;
const inventoryUrl = process.env.INVENTORY_URL || config.inventoryUrl;

async function placeOrder({ body }) {
  const items = Array.isArray(body.items) ? body.items : [];
  if (items.length === 0) throw new HttpError(400, 'the cart is empty');
  const lines = items.map((item) => {
    const product = findProduct(item.sku);
    if (!product) throw new HttpError(400, `unknown product ${item.sku}`);
    return { sku: product.sku, price: product.price, quantity: Math.max(1, Math.floor(Number(item.quantity) || 1)) };
  });
  const express = flags.booleanValue('express-shipping', false);
  const res = await requestJson(telemetry, 'POST', `${checkoutUrl}/checkout`, { lines, region: body.region, card: body.card, express }, {
    peer: 'checkout',
    timeoutMs: config.timeoutMs,
  });
  if (res.status >= 500) throw new HttpError(502, `checkout failed: ${res.body.error}`);
  return { status: res.status, body: res.body };
}

async function products() {
  const res = await requestJson(telemetry, 'GET', `${inventoryUrl}/products`, undefined, { peer: 'inventory', timeoutMs: config.timeoutMs });
  if (res.status >= 500) throw new HttpError(502, `inventory failed: ${res.body.error}`);
  return { status: res.status, body: res.body };
}

startServer({
  service: 'storefront',
  telemetry,
  port: Number(process.env.PORT || config.port),
  routes: {
    'POST /api/checkout': placeOrder,
    'GET /api/products': products,
  },
});
