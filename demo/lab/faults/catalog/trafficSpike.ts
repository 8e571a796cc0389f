// A newsletter campaign sends five times the usual shoppers: checkout's cap on orders in flight is
// reached and it sheds load with 503s. Nothing is broken; the shop is short of capacity.
import type { FaultDefinition } from '../types';

export const trafficSpike: FaultDefinition = {
  name: 'traffic-spike',
  title: 'A campaign\'s traffic spike exceeds checkout\'s capacity',
  injection: 'Starts a second shopper process at 45 requests/s, 80% of them orders (the steady load is 8/s), for five minutes. checkout allows 8 orders in flight; above that it answers 503 "checkout is at capacity" and the storefront 502.',
  innocent: 'storefront is deployed 30 s before the campaign with "storefront: campaign landing copy" (the campaign\'s own change).',
  truth: { causeKind: 'capacity', service: 'checkout', noCodeCause: true, scenario: 'lab:traffic-spike' },
  commits: [
    {
      id: 'campaign-copy',
      author: 'erin',
      minutesAgo: 20,
      message: 'storefront: campaign landing copy',
      edits: [{ path: 'services/storefront/src/server.js', before: "throw new HttpError(400, 'the cart is empty');", after: "throw new HttpError(400, 'the cart is empty: pick something from the autumn range');" }],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent storefront deploy', run: (lab) => lab.deploy('storefront', 'campaign-copy') },
    {
      atS: 30,
      what: 'the campaign traffic',
      run: async (lab) => lab.startCampaign(45, 300, 0.2),
    },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'checkout' },
};
