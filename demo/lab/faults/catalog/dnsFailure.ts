// A configuration commit points payments at an acquirer host name that does not resolve: every
// authorization fails in getaddrinfo with ENOTFOUND.
import type { FaultDefinition } from '../types';

export const dnsFailure: FaultDefinition = {
  name: 'dns-failure',
  title: 'The acquirer\'s host name does not resolve',
  injection: 'Deploys "config: acquirer EU gateway" to payments: config/payments.json\'s acquirer host becomes eu.gateway.acquirer.invalid (the .invalid top-level domain never resolves, RFC 6761). Every authorization fails with "getaddrinfo ENOTFOUND eu.gateway.acquirer.invalid" and payments answers 502.',
  innocent: 'the same deploy ships "config: acquirer timeout 3 s -> 2.5 s", two lines below in the same file; inventory is deployed 40 s before.',
  truth: {
    causeKind: 'config-change',
    service: 'payments',
    commitRef: 'eu-gateway',
    path: 'config/payments.json',
    startLine: 6,
    endLine: 6,
    scenario: 'lab:dns-failure',
  },
  commits: [
    {
      id: 'acquirer-timeout',
      author: 'bob',
      minutesAgo: 55,
      message: 'config: acquirer timeout 3 s -> 2.5 s\n\nCheckout gives up on payments after 2 s anyway.',
      edits: [{ path: 'config/payments.json', before: '"timeoutMs": 3000', after: '"timeoutMs": 2500' }],
    },
    {
      id: 'inventory-low-stock-log',
      author: 'erin',
      minutesAgo: 45,
      message: 'inventory: say "sold out" in refusals',
      edits: [{ path: 'services/inventory/src/server.js', before: 'reservation refused: ${result.sku} is out of stock', after: 'reservation refused: ${result.sku} is sold out' }],
    },
    {
      id: 'eu-gateway',
      author: 'dave',
      minutesAgo: 30,
      message: 'config: acquirer EU gateway\n\nThe acquirer asks EU merchants to move to the regional endpoint.',
      edits: [{ path: 'config/payments.json', before: '"host": "localhost",', after: '"host": "eu.gateway.acquirer.invalid",' }],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent inventory deploy', run: (lab) => lab.deploy('inventory', 'inventory-low-stock-log') },
    { atS: 40, what: 'the payments deploy with the new host', run: (lab) => lab.deploy('payments', 'eu-gateway') },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'payments' },
};
