// A migration that holds an ACCESS EXCLUSIVE lock on the stock table for minutes: it adds a column
// and then backfills it in throttled batches, all inside the one transaction the migration runner
// opens, so every query of inventory that touches stock waits and hits the statement timeout.
import type { FaultDefinition } from '../types';

const BACKFILL = `-- Open reservations expire after 15 minutes; keep the deadline on the stock row for the expiry job.
ALTER TABLE stock ADD COLUMN reserved_until timestamptz;

-- Backfill in batches of 10 rows, pausing between batches so the replicas keep up.
DO $$
DECLARE
  batch text[];
BEGIN
  FOR batch IN
    SELECT array_agg(sku ORDER BY sku) FROM (SELECT sku, (row_number() OVER (ORDER BY sku) - 1) / 10 AS n FROM stock) numbered GROUP BY n ORDER BY n
  LOOP
    UPDATE stock s SET reserved_until = r.latest + interval '15 minutes'
    FROM (SELECT sku, max(created_at) AS latest FROM reservations WHERE sku = ANY (batch) GROUP BY sku) r
    WHERE s.sku = r.sku;
    PERFORM pg_sleep(8);
  END LOOP;
END $$;
`;

export const dbLockMigration: FaultDefinition = {
  name: 'db-lock-migration',
  title: 'A migration locks the stock table while it backfills a new column',
  injection: 'Deploys inventory with migration 0004, which runs at startup: ALTER TABLE stock (ACCESS EXCLUSIVE lock) and a batched backfill with pg_sleep between batches, all in one transaction, for about five minutes. Listing and reservations wait on the lock until their 2 s statement timeout.',
  innocent: 'storefront is deployed 30 s before with a copy change; the same inventory deploy ships an innocent migration 0003 that adds an index on reservations.',
  truth: {
    causeKind: 'code-change',
    service: 'inventory',
    commitRef: 'reserved-until',
    path: 'services/inventory/migrations/0004_stock_reserved_until.sql',
    startLine: 2,
    endLine: 17,
    scenario: 'lab:db-lock-migration',
  },
  commits: [
    {
      id: 'reservations-index',
      author: 'erin',
      minutesAgo: 90,
      message: 'inventory: index reservations by creation time for the expiry job',
      edits: [{ path: 'services/inventory/migrations/0003_reservations_created_at.sql', content: 'CREATE INDEX reservations_created_at_idx ON reservations (created_at);\n' }],
    },
    {
      id: 'storefront-copy',
      author: 'carol',
      minutesAgo: 60,
      message: 'storefront: say "cart" rather than "basket" in errors',
      edits: [{ path: 'services/storefront/src/server.js', before: "throw new HttpError(400, 'the cart is empty');", after: "throw new HttpError(400, 'your cart is empty');" }],
    },
    {
      id: 'reserved-until',
      author: 'dave',
      minutesAgo: 50,
      message: 'inventory: reserved_until on stock, backfilled from open reservations\n\nThe expiry job reads it instead of scanning reservations.',
      edits: [{ path: 'services/inventory/migrations/0004_stock_reserved_until.sql', content: BACKFILL }],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent storefront deploy', run: (lab) => lab.deploy('storefront', 'storefront-copy') },
    { atS: 30, what: 'the inventory deploy whose migration locks stock', run: (lab) => lab.deploy('inventory', 'reserved-until') },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'inventory' },
};
