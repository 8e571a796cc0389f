// An operator's psql session left "idle in transaction" holding row locks on the products every
// order reserves: reservations wait on the locks until their statement timeout. Nothing in the
// repository changed.
import type { FaultDefinition } from '../types';

export const dbIdleTransactionLock: FaultDefinition = {
  name: 'db-idle-transaction-lock',
  title: 'An operator\'s open transaction holds row locks on stock',
  injection: "Opens a real psql session to the shop database (application_name psql) that runs BEGIN and SELECT ... FROM stock WHERE sku IN (the six storefront products) FOR UPDATE, and leaves the transaction open. Every reservation's UPDATE waits on those row locks until inventory's 2 s statement timeout; the listing (plain SELECT) keeps working.",
  innocent: 'none',
  truth: { causeKind: 'dependency', service: 'postgresql', noCodeCause: true, scenario: 'lab:db-idle-transaction-lock' },
  commits: [],
  steps: [
    {
      atS: 0,
      what: 'an operator locks the storefront products\' stock rows and walks away',
      run: (lab) => lab.openPsqlSession([
        'BEGIN;',
        "SELECT sku, on_hand, reserved FROM stock WHERE sku IN ('MUG-01', 'BEANS-1K', 'GRINDER-H', 'KETTLE-G', 'FILTER-100', 'ESPRESSO-M') FOR UPDATE;",
      ]),
    },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'inventory' },
};
