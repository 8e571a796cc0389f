// A refactor of inventory's reservation returns early, before the try/finally that releases the pool
// client: every order for an out-of-stock product leaks a connection, and once the pool's ten are
// gone every request waits for a connection until pg-pool's connection timeout.
import type { FaultDefinition } from '../types';

export const dbConnectionLeak: FaultDefinition = {
  name: 'db-connection-leak',
  title: 'An early return leaks pooled database connections',
  injection: 'Deploys "inventory: refuse short reservations before opening a transaction" to inventory. Orders that contain the sold-out hand grinder return 409 without releasing their pool client; after ten such orders the pool (max 10) is empty and every query fails with pg-pool\'s "timeout exceeded when trying to connect" after 2 s.',
  innocent: 'checkout is deployed 30 s before with a log change; the inventory deploy also ships "inventory: application_name with the process id".',
  truth: {
    causeKind: 'code-change',
    service: 'inventory',
    commitRef: 'refuse-early',
    path: 'services/inventory/src/stock.js',
    startLine: 37,
    endLine: 39,
    scenario: 'lab:db-connection-leak',
  },
  commits: [
    {
      id: 'application-name',
      author: 'carol',
      minutesAgo: 80,
      message: 'inventory: application_name with the process id\n\nTells the instances apart in pg_stat_activity.',
      edits: [{ path: 'services/inventory/src/db.js', before: "  application_name: 'inventory',", after: '  application_name: `inventory-${process.pid}`,' }],
    },
    {
      id: 'release-warning',
      author: 'bob',
      minutesAgo: 55,
      message: 'checkout: say which order could not give its stock back',
      edits: [{ path: 'services/checkout/src/server.js', before: 'could not release the stock of ${orderRef}: ${err.message}', after: 'order ${orderRef}: stock not released: ${err.message}' }],
    },
    {
      id: 'refuse-early',
      author: 'erin',
      minutesAgo: 45,
      message: 'inventory: refuse short reservations before opening a transaction\n\nMost refusals are for sold-out products; no need for BEGIN/ROLLBACK for them.',
      edits: [
        {
          path: 'services/inventory/src/stock.js',
          before: '/** Holds stock for every line of an order, all or nothing. */\nasync function reserve(orderRef, items) {\n  const client = await pool.connect();\n  try {\n',
          after: "async function firstShortItem(client, items) {\n  const { rows } = await client.query('SELECT sku FROM stock WHERE sku = ANY ($1) AND on_hand - reserved < 1', [items.map((i) => i.sku)]);\n  return rows.length ? rows[0].sku : undefined;\n}\n\n/** Holds stock for every line of an order, all or nothing. */\nasync function reserve(orderRef, items) {\n  const client = await pool.connect();\n  // Refuse without a transaction when a product is sold out.\n  const short = await firstShortItem(client, items);\n  if (short) return { ok: false, sku: short };\n  try {\n",
        },
      ],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent checkout deploy', run: (lab) => lab.deploy('checkout', 'release-warning') },
    { atS: 30, what: 'the leaking inventory deploy', run: (lab) => lab.deploy('inventory', 'refuse-early') },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'inventory' },
};
