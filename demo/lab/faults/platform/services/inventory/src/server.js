'use strict';
// Inventory: the catalogue with stock levels, and stock reservations for orders, on PostgreSQL.
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');

// Telemetry first: the pg instrumentation must be in place before pg is loaded.
const telemetry = createTelemetry('inventory');
const { pool } = require('./db');
const { migrate } = require('./migrate');
const { listProducts, reserve, release } = require('./stock');
const config = require('../../../config/inventory.json');

async function products() {
  return { status: 200, body: { products: await listProducts() } };
}

async function reservations({ body }) {
  const items = Array.isArray(body.items) ? body.items : [];
  if (typeof body.orderRef !== 'string' || body.orderRef === '') throw new HttpError(400, 'orderRef is required');
  if (items.length === 0 || items.some((i) => typeof i.sku !== 'string' || !(Number.isInteger(i.quantity) && i.quantity > 0))) {
    throw new HttpError(400, 'items must be [{ sku, quantity }] with whole quantities');
  }
  const result = await reserve(body.orderRef, items);
  if (!result.ok) {
    telemetry.log('warn', `reservation refused: ${result.sku} is out of stock`, { 'order.ref': body.orderRef, 'product.sku': result.sku });
    return { status: 409, body: { error: `${result.sku} is out of stock`, sku: result.sku } };
  }
  return { status: 201, body: { reservationIds: result.ids } };
}

async function releaseReservation({ body }) {
  if (typeof body.orderRef !== 'string' || body.orderRef === '') throw new HttpError(400, 'orderRef is required');
  return { status: 200, body: { released: await release(body.orderRef) } };
}

startServer({
  service: 'inventory',
  telemetry,
  port: Number(process.env.PORT || config.port),
  routes: {
    'GET /products': products,
    'POST /reservations': reservations,
    'POST /reservations/release': releaseReservation,
  },
});

// Pending migrations run beside the listener, so a deploy never waits on a long one.
migrate(pool, telemetry.log).catch((err) => {
  const attributes = telemetry.exceptionAttributes(err.cause || err);
  telemetry.log('error', err.message, attributes);
});
