// The demo lab's own fault, in the fault lab: a payments commit drops the card-network lookup, and
// cards saved without a network throw a TypeError. Innocent: a checkout deploy just before, and an
// unrelated payments commit that goes out in the same deploy.
import type { FaultDefinition } from '../types';

export const cardNetworkTypeError: FaultDefinition = {
  name: 'card-network-typeerror',
  title: 'A payments commit throws a TypeError for cards saved without a network',
  injection: 'Deploys the commit "payments: simplify card network handling" to payments; a quarter of the shoppers\' cards carry no network, and `card.network.toUpperCase()` throws for them.',
  innocent: 'checkout is deployed 45 s before with "checkout: log the number of order lines with each paid order"; the payments deploy also ships "payments: send the acquirer our request id as idempotency key context".',
  truth: {
    causeKind: 'code-change',
    service: 'payments',
    commitRef: 'simplify-network',
    path: 'services/payments/src/card-validation.js',
    startLine: 31,
    endLine: 31,
    scenario: 'lab:card-network-typeerror',
  },
  commits: [
    {
      id: 'acquirer-reference',
      author: 'dave',
      minutesAgo: 70,
      message: 'payments: send the acquirer our request id as idempotency key context',
      edits: [{ path: 'services/payments/src/acquirer.js', before: "    reference,\n  }, {", after: "    reference,\n    metadata: { source: 'shop-payments' },\n  }, {" }],
    },
    {
      id: 'order-lines-log',
      author: 'carol',
      minutesAgo: 55,
      message: 'checkout: log the number of order lines with each paid order',
      edits: [{ path: 'services/checkout/src/server.js', before: "{ 'order.id': orderRef, 'order.amount': total.amount }", after: "{ 'order.id': orderRef, 'order.amount': total.amount, 'order.lines': lines.length }" }],
    },
    {
      id: 'simplify-network',
      author: 'bob',
      minutesAgo: 40,
      message: 'payments: simplify card network handling\n\nWallet v2 sends the network with every saved card, so the prefix lookup is dead code.\nDrop it and normalise the network the wallet sends.',
      edits: [
        { path: 'services/payments/src/card-validation.js', before: "const NETWORK_PREFIXES = [\n  ['VISA', /^4/],\n  ['MASTERCARD', /^(5[1-5]|2[2-7])/],\n  ['AMEX', /^3[47]/],\n  ['DISCOVER', /^6(011|5)/],\n];\n\n", after: '' },
        { path: 'services/payments/src/card-validation.js', before: "// Saved cards from wallet v1 carry no network, so it is derived from the number's prefix.\nfunction normalizeNetwork(network, digits) {\n  if (typeof network === 'string' && network.trim() !== '') return network.trim().toUpperCase();\n  const known = NETWORK_PREFIXES.find(([, prefix]) => prefix.test(digits));\n  return known ? known[0] : 'UNKNOWN';\n}\n\n", after: '' },
        { path: 'services/payments/src/card-validation.js', before: '  const network = normalizeNetwork(card.network, digits);\n', after: '  const network = card.network.toUpperCase();\n' },
      ],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent checkout deploy', run: (lab) => lab.deploy('checkout', 'order-lines-log') },
    { atS: 45, what: 'the faulty payments deploy', run: (lab) => lab.deploy('payments', 'simplify-network') },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'payments' },
};
