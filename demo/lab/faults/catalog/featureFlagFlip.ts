// A GitOps commit turns on the new-tax-engine flag; the flag file is synced to the services, and the
// dormant tax engine v2 throws for regions it has no rules for (US orders).
import type { FaultDefinition } from '../types';

export const featureFlagFlip: FaultDefinition = {
  name: 'feature-flag-flip',
  title: 'A flag flip turns on a tax engine that throws for US orders',
  injection: 'Commits "flags: new tax engine on" (defaultVariant off -> on in config/flags.flagd.json) while the lab runs and syncs the file to where the services read it (FLAGD_OFFLINE_FLAG_SOURCE_PATH); no deploy. checkout re-reads it, evaluates new-tax-engine = true (recorded as feature_flag.evaluation span events), and priceOrderV2 throws "Cannot read properties of undefined (reading \'vat\')" for US orders, a fifth of all orders.',
  innocent: 'checkout is deployed 40 s before the flip with "checkout: log the region with each paid order"; the code that throws (pricing-v2.js) was committed a day earlier and never ran.',
  truth: {
    causeKind: 'config-change',
    service: 'checkout',
    commitRef: 'tax-engine-on',
    path: 'config/flags.flagd.json',
    startLine: 7,
    endLine: 7,
    scenario: 'lab:feature-flag-flip',
  },
  commits: [
    {
      id: 'region-log',
      author: 'dave',
      minutesAgo: 30,
      message: 'checkout: log the region with each paid order',
      edits: [{ path: 'services/checkout/src/server.js', before: "{ 'order.id': orderRef, 'order.amount': total.amount }", after: "{ 'order.id': orderRef, 'order.amount': total.amount, 'order.region': String(body.region) }" }],
    },
    {
      id: 'tax-engine-on',
      author: 'carol',
      minutesAgo: 0,
      live: true,
      message: 'flags: new tax engine on\n\nFinance signed off the v2 rates.',
      edits: [{ path: 'config/flags.flagd.json', before: '"defaultVariant": "off"', after: '"defaultVariant": "on"' }],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent checkout deploy', run: (lab) => lab.deploy('checkout', 'region-log') },
    { atS: 40, what: 'the flag commit', run: (lab) => lab.commitLive('tax-engine-on') },
    { atS: 45, what: 'the GitOps sync of the flag file', run: (lab) => lab.syncFlags() },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'checkout' },
};
