// The product listing turns one query into one per product: 406 sequential round trips to
// PostgreSQL per listing, each with its own client span.
import type { FaultDefinition } from '../types';

export const nPlusOneQuery: FaultDefinition = {
  name: 'n-plus-one-query',
  title: 'An N+1 query in the product listing',
  injection: 'Deploys "inventory: listing reads availability through stockFor()" to inventory: listProducts() reads the products, then awaits one availability query per product (406 of them) instead of the single join.',
  innocent: 'the same deploy ships "inventory: low-stock threshold 5 -> 3" (config); payments is deployed 40 s before with a log change.',
  truth: {
    causeKind: 'code-change',
    service: 'inventory',
    commitRef: 'stock-for',
    path: 'services/inventory/src/stock.js',
    startLine: 34,
    endLine: 40,
    scenario: 'lab:n-plus-one-query',
  },
  commits: [
    {
      id: 'low-stock',
      author: 'alice',
      minutesAgo: 75,
      message: 'inventory: low-stock threshold 5 -> 3',
      edits: [{ path: 'config/inventory.json', before: '"lowStockThreshold": 5', after: '"lowStockThreshold": 3' }],
    },
    {
      id: 'decline-log',
      author: 'bob',
      minutesAgo: 50,
      message: 'payments: log the card network with declined charges',
      edits: [{ path: 'services/payments/src/server.js', before: "{ 'payment.amount': amount }", after: "{ 'payment.amount': amount, 'card.network': card.network }" }],
    },
    {
      id: 'stock-for',
      author: 'erin',
      minutesAgo: 40,
      message: 'inventory: listing reads availability through stockFor()\n\nThe product page and the listing now compute availability the same way.',
      edits: [
        {
          path: 'services/inventory/src/stock.js',
          before: "async function listProducts() {\n  const { rows } = await pool.query(LIST_PRODUCTS);\n  return rows.map((r) => ({ sku: r.sku, name: r.name, category: r.category, price: r.price_cents / 100, available: r.available, sold30d: r.sold_30d }));\n}\n",
          after: "// Availability and 30-day sales of one product, as the product page shows them.\nasync function stockFor(sku) {\n  const { rows } = await pool.query(`\n    SELECT s.on_hand - s.reserved AS available,\n           COALESCE((SELECT -SUM(delta) FROM stock_movements m WHERE m.sku = s.sku AND m.reason = 'sale' AND m.created_at > now() - interval '30 days'), 0)::int AS sold_30d\n    FROM stock s WHERE s.sku = $1`, [sku]);\n  return { available: rows[0].available, sold30d: rows[0].sold_30d };\n}\n\nasync function listProducts() {\n  const { rows } = await pool.query('SELECT sku, name, category, price_cents FROM products ORDER BY category, name');\n  const products = [];\n  for (const r of rows) {\n    const stock = await stockFor(r.sku);\n    products.push({ sku: r.sku, name: r.name, category: r.category, price: r.price_cents / 100, ...stock });\n  }\n  return products;\n}\n",
        },
      ],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent payments deploy', run: (lab) => lab.deploy('payments', 'decline-log') },
    { atS: 40, what: 'the inventory deploy with the N+1 listing', run: (lab) => lab.deploy('inventory', 'stock-for') },
  ],
  alert: { via: 'receiver', alertname: 'HighLatencyP95', service: 'inventory' },
};
