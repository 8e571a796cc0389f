'use strict';
// Stock queries: the catalogue with what is available to sell, and reservations that hold stock
// for an order between checkout and payment.
const { pool } = require('./db');

// Availability and 30-day sales of every product, for the product listing.
const LIST_PRODUCTS = `
  SELECT p.sku, p.name, p.category, p.price_cents, s.on_hand - s.reserved AS available,
         COALESCE(sales.sold, 0)::int AS sold_30d
  FROM products p
  JOIN stock s USING (sku)
  LEFT JOIN (
    SELECT sku, -SUM(delta) AS sold FROM stock_movements
    WHERE reason = 'sale' AND created_at > now() - interval '30 days'
    GROUP BY sku
  ) sales USING (sku)
  ORDER BY p.category, p.name`;

const RESERVE = `
  UPDATE stock SET reserved = reserved + $2, updated_at = now()
  WHERE sku = $1 AND on_hand - reserved >= $2
  RETURNING on_hand - reserved AS available`;

async function listProducts() {
  const { rows } = await pool.query(LIST_PRODUCTS);
  return rows.map((r) => ({ sku: r.sku, name: r.name, category: r.category, price: r.price_cents / 100, available: r.available, sold30d: r.sold_30d }));
}

/** Holds stock for every line of an order, all or nothing. */
async function reserve(orderRef, items) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ids = [];
    for (const item of items) {
      const updated = await client.query(RESERVE, [item.sku, item.quantity]);
      if (updated.rowCount === 0) {
        await client.query('ROLLBACK');
        return { ok: false, sku: item.sku };
      }
      const inserted = await client.query('INSERT INTO reservations (order_ref, sku, quantity) VALUES ($1, $2, $3) RETURNING id', [orderRef, item.sku, item.quantity]);
      ids.push(Number(inserted.rows[0].id));
      await client.query("INSERT INTO stock_movements (sku, delta, reason) VALUES ($1, $2, 'reservation')", [item.sku, -item.quantity]);
    }
    await client.query('COMMIT');
    return { ok: true, ids };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Gives back the stock of an order whose payment failed. */
async function release(orderRef) {
  const { rowCount } = await pool.query(`
    WITH released AS (DELETE FROM reservations WHERE order_ref = $1 RETURNING sku, quantity)
    UPDATE stock s SET reserved = s.reserved - r.quantity, updated_at = now()
    FROM released r WHERE s.sku = r.sku`, [orderRef]);
  return rowCount;
}

module.exports = { listProducts, reserve, release };
