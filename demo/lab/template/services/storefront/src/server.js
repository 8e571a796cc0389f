'use strict';
// Storefront: the public API. Places orders through checkout.
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');
const { requestJson } = require('../../../shared/http-client');
const { findProduct, listProducts } = require('./catalog');
const config = require('../../../config/storefront.json');

const telemetry = createTelemetry('storefront');
const checkoutUrl = process.env.CHECKOUT_URL || config.checkoutUrl;

async function placeOrder({ body }) {
  const items = Array.isArray(body.items) ? body.items : [];
  if (items.length === 0) throw new HttpError(400, 'the cart is empty');
  const lines = items.map((item) => {
    const product = findProduct(item.sku);
    if (!product) throw new HttpError(400, `unknown product ${item.sku}`);
    return { sku: product.sku, price: product.price, quantity: Math.max(1, Math.floor(Number(item.quantity) || 1)) };
  });
  const res = await requestJson(telemetry, 'POST', `${checkoutUrl}/checkout`, { lines, region: body.region, card: body.card }, {
    peer: 'checkout',
    timeoutMs: config.timeoutMs,
  });
  if (res.status >= 500) throw new HttpError(502, `checkout failed: ${res.body.error}`);
  return { status: res.status, body: res.body };
}

async function products() {
  return { status: 200, body: { products: listProducts() } };
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
