// A response cache keyed by the full URL, query string included, that never evicts: every listing
// request from a newsletter link (a unique click id) adds a copy of the whole catalogue to the heap.
import type { FaultDefinition } from '../types';

export const memoryLeak: FaultDefinition = {
  name: 'memory-leak',
  title: 'An unbounded listing cache leaks memory in the storefront',
  injection: 'Deploys "storefront: cache the product listing for 60 s" to storefront. The cache key is pathname + search, and half the listing requests carry a unique click_id from the newsletter, so entries are never hit again and never evicted (expiry is only checked on read). Resident memory grows by several hundred KiB per second; the lab\'s Prometheus rule ProcessMemoryGrowing fires through Alertmanager.',
  innocent: 'checkout is deployed 40 s before with "checkout: 10 orders in flight".',
  truth: {
    causeKind: 'code-change',
    service: 'storefront',
    commitRef: 'listing-cache',
    path: 'services/storefront/src/server.js',
    startLine: 32,
    endLine: 42,
    scenario: 'lab:memory-leak',
  },
  commits: [
    {
      id: 'in-flight-10',
      author: 'carol',
      minutesAgo: 65,
      message: 'checkout: 10 orders in flight',
      edits: [{ path: 'config/checkout.json', before: '"maxInFlight": 8,', after: '"maxInFlight": 10,' }],
    },
    {
      id: 'listing-cache',
      author: 'erin',
      minutesAgo: 45,
      message: 'storefront: cache the product listing for 60 s\n\nThe catalogue changes a few times a day; inventory does not need to see every page view.',
      edits: [
        {
          path: 'services/storefront/src/server.js',
          before: "async function products() {\n  const res = await requestJson(telemetry, 'GET', `${inventoryUrl}/products`, undefined, { peer: 'inventory', timeoutMs: config.timeoutMs });\n  if (res.status >= 500) throw new HttpError(502, `inventory failed: ${res.body.error}`);\n  return { status: res.status, body: res.body };\n}\n",
          after: "// Listing responses by URL, for a minute.\nconst listingCache = new Map();\nconst LISTING_TTL_MS = 60_000;\n\nasync function products({ url }) {\n  const key = url.pathname + url.search;\n  const cached = listingCache.get(key);\n  if (cached && cached.expires > Date.now()) return { status: 200, body: cached.body };\n  const res = await requestJson(telemetry, 'GET', `${inventoryUrl}/products`, undefined, { peer: 'inventory', timeoutMs: config.timeoutMs });\n  if (res.status >= 500) throw new HttpError(502, `inventory failed: ${res.body.error}`);\n  if (res.status === 200) listingCache.set(key, { body: res.body, expires: Date.now() + LISTING_TTL_MS });\n  return { status: res.status, body: res.body };\n}\n",
        },
      ],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent checkout deploy', run: (lab) => lab.deploy('checkout', 'in-flight-10') },
    { atS: 40, what: 'the storefront deploy with the unbounded cache', run: (lab) => lab.deploy('storefront', 'listing-cache') },
  ],
  alert: { via: 'alertmanager', alertname: 'ProcessMemoryGrowing', service: 'storefront' },
  withPrometheus: true,
  rps: 10,
  browseShare: 0.75,
  alertTimeoutS: 480,
};
