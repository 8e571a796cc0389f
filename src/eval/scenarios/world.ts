// The made-up shop the scenario generator draws incidents from: services, their code files, routes,
// dependencies and log lines, plus a small seeded PRNG so a seed always gives the same bundle.

export type Lang = 'node' | 'python' | 'go' | 'java';

export interface CodeFile {
  path: string;
  /** Functions defined in the file with the line each starts on. */
  functions: { name: string; line: number }[];
  lines: number;
}

export interface ServiceDef {
  name: string;
  lang: Lang;
  /** The handler file (stack frames end here), the code files and the client file per dependency. */
  handler: CodeFile;
  code: CodeFile[];
  clients: Record<string, CodeFile>;
  config: string;
  routes: string[];
  downstream: string[];
  baseRps: number;
  baseP99Ms: number;
  baseMemMB: number;
  hosts: string[];
}

export const EXTERNALS = ['bank-api', 'postgres', 'redis'] as const;
export const HOSTS = ['node-a', 'node-b', 'node-c'];

function file(path: string, lines: number, ...functions: [string, number][]): CodeFile {
  return { path, lines, functions: functions.map(([name, line]) => ({ name, line })) };
}

export const SERVICES: ServiceDef[] = [
  {
    name: 'frontend',
    lang: 'node',
    handler: file('apps/frontend/src/server.ts', 180, ['handleRequest', 40], ['renderPage', 110]),
    code: [
      file('apps/frontend/src/routes/checkout.ts', 140, ['postCheckout', 22], ['renderSummary', 80]),
      file('apps/frontend/src/routes/catalog.ts', 120, ['listProducts', 18], ['productPage', 70]),
      file('apps/frontend/src/session.ts', 90, ['loadSession', 12], ['refreshToken', 55]),
    ],
    clients: {
      checkout: file('apps/frontend/src/clients/checkoutClient.ts', 70, ['placeOrder', 15]),
      catalog: file('apps/frontend/src/clients/catalogClient.ts', 60, ['fetchProducts', 12]),
    },
    config: 'apps/frontend/config/production.yaml',
    routes: ['GET /', 'GET /products/:id', 'POST /checkout'],
    downstream: ['checkout', 'catalog'],
    baseRps: 120,
    baseP99Ms: 180,
    baseMemMB: 310,
    hosts: ['node-a', 'node-b'],
  },
  {
    name: 'checkout',
    lang: 'node',
    handler: file('services/checkout/src/handlers/placeOrder.ts', 160, ['placeOrder', 30], ['validateCart', 95]),
    code: [
      file('services/checkout/src/pricing/discounts.ts', 210, ['applyDiscounts', 25], ['couponValue', 120], ['loyaltyBonus', 170]),
      file('services/checkout/src/cart/cartTotals.ts', 150, ['computeTotals', 18], ['roundCurrency', 101]),
      file('services/checkout/src/orders/orderRepository.ts', 130, ['saveOrder', 20], ['markPaid', 88]),
      file('services/checkout/src/cache/sessionCache.ts', 95, ['remember', 14], ['evictExpired', 60]),
    ],
    clients: {
      payments: file('services/checkout/src/clients/paymentsClient.ts', 90, ['charge', 21], ['refund', 64]),
      inventory: file('services/checkout/src/clients/inventoryClient.ts', 85, ['reserveItems', 19], ['releaseItems', 58]),
      redis: file('services/checkout/src/clients/redisClient.ts', 70, ['getCart', 16], ['setCart', 40]),
    },
    config: 'services/checkout/config/production.yaml',
    routes: ['POST /orders', 'GET /orders/:id'],
    downstream: ['payments', 'inventory', 'redis'],
    baseRps: 40,
    baseP99Ms: 240,
    baseMemMB: 420,
    hosts: ['node-b', 'node-c'],
  },
  {
    name: 'payments',
    lang: 'python',
    handler: file('services/payments/app/views.py', 140, ['create_charge', 28], ['refund_charge', 90]),
    code: [
      file('services/payments/app/fraud.py', 180, ['score_transaction', 22], ['velocity_check', 110]),
      file('services/payments/app/ledger.py', 160, ['record_entry', 30], ['balance_for', 100]),
      file('services/payments/app/currency.py', 90, ['convert', 12], ['round_minor_units', 50]),
    ],
    clients: {
      'bank-api': file('services/payments/app/clients/bank.py', 110, ['authorize', 24], ['capture', 70]),
    },
    config: 'services/payments/config/settings.toml',
    routes: ['POST /charges', 'POST /refunds'],
    downstream: ['bank-api'],
    baseRps: 35,
    baseP99Ms: 320,
    baseMemMB: 260,
    hosts: ['node-a', 'node-c'],
  },
  {
    name: 'inventory',
    lang: 'go',
    handler: file('services/inventory/internal/api/handlers.go', 170, ['ReserveHandler', 35], ['StockHandler', 120]),
    code: [
      file('services/inventory/internal/stock/reserve.go', 190, ['Reserve', 27], ['release', 140]),
      file('services/inventory/internal/stock/levels.go', 120, ['Levels', 15], ['lowStock', 77]),
      file('services/inventory/internal/warehouse/allocate.go', 150, ['Allocate', 20], ['nearestWarehouse', 96]),
    ],
    clients: {
      postgres: file('services/inventory/internal/store/postgres.go', 140, ['QueryStock', 30], ['UpdateStock', 85]),
    },
    config: 'services/inventory/config/production.yaml',
    routes: ['POST /reservations', 'GET /stock/:sku'],
    downstream: ['postgres'],
    baseRps: 60,
    baseP99Ms: 90,
    baseMemMB: 180,
    hosts: ['node-a', 'node-b'],
  },
  {
    name: 'catalog',
    lang: 'java',
    handler: file('services/catalog/src/main/java/com/acme/catalog/ProductController.java', 150, ['getProduct', 40], ['listProducts', 95]),
    code: [
      file('services/catalog/src/main/java/com/acme/catalog/PriceService.java', 170, ['priceFor', 33], ['applyPromotion', 110]),
      file('services/catalog/src/main/java/com/acme/catalog/SearchIndex.java', 200, ['search', 45], ['reindex', 150]),
    ],
    clients: {
      inventory: file('services/catalog/src/main/java/com/acme/catalog/InventoryClient.java', 100, ['stockFor', 28]),
    },
    config: 'services/catalog/src/main/resources/application.properties',
    routes: ['GET /products', 'GET /products/{id}'],
    downstream: ['inventory'],
    baseRps: 90,
    baseP99Ms: 150,
    baseMemMB: 640,
    hosts: ['node-b', 'node-c'],
  },
];

export function serviceDef(name: string): ServiceDef {
  const s = SERVICES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown service ${name}`);
  return s;
}

export function callersOf(name: string): string[] {
  return SERVICES.filter((s) => s.downstream.includes(name)).map((s) => s.name);
}

/** Mulberry32: tiny, fast, good enough for test data, and the same everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hiInclusive: number): number {
    return Math.floor(this.range(lo, hiInclusive + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  normal(): number {
    const u = Math.max(1e-12, this.next());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}

export const AUTHORS: [string, string][] = [
  ['Priya Raman', 'priya@acme.dev'],
  ['Tomás Ortega', 'tomas@acme.dev'],
  ['Mei Chen', 'mei@acme.dev'],
  ['Jonas Weber', 'jonas@acme.dev'],
  ['Aisha Bello', 'aisha@acme.dev'],
  ['Sam Okafor', 'sam@acme.dev'],
];

export const NOISE_MESSAGES = [
  'Refactor {svc} logging setup',
  'Add metrics for {svc} request sizes',
  'Tidy up {svc} error messages',
  'Rename helpers in {svc}',
  'Extract constants in {svc}',
  'Tune {svc} log levels',
];

/** Messages that fit what a noise commit touched, so the history reads like a real one. */
export const NOISE_MESSAGES_BY_KIND = {
  docs: ['Improve {svc} README', 'Document {svc} runbook steps'],
  test: ['Add tests for {svc} edge cases', 'Fix flaky {svc} test'],
  config: ['Document {svc} configuration', 'Raise {svc} log retention', 'Bump {svc} dependencies'],
  code: NOISE_MESSAGES,
};

/** Messages of commits that cause an incident: they read like ordinary work, not like confessions. */
export const CAUSE_MESSAGES: Record<string, string[]> = {
  exception: ['Handle partial refunds in {fn}', 'Support gift cards in {fn}', 'Simplify {fn} null checks', 'Speed up {fn} for large carts'],
  latency: ['Retry {dep} calls on conflict', 'Fetch {dep} data per item for accuracy', 'Disable {dep} response cache while debugging', 'Add consistency read to {dep} lookups'],
  config: ['Tune {svc} connection pool', 'Lower {svc} upstream timeouts', 'Adjust {svc} rate limits for launch', 'Update {svc} production settings'],
  leak: ['Cache rendered results in {fn}', 'Keep request context for tracing in {fn}', 'Memoize {fn} lookups'],
};

export const INFO_LOGS: Record<Lang, string[]> = {
  node: ['request completed route={route} status=200 durationMs={ms}', 'cache hit key=cart:{id}', 'session refreshed user={id}', 'GET /healthz 200 {ms}ms'],
  python: ['INFO request finished path={route} status=200 elapsed={ms}ms', 'INFO ledger entry recorded id={id}', 'INFO fraud score computed score=0.{ms} txn={id}'],
  go: ['level=info msg="request served" route={route} status=200 dur={ms}ms', 'level=info msg="stock level read" sku=SKU-{id} qty={ms}', 'level=info msg="reservation created" id={id}'],
  java: ['INFO  c.a.c.ProductController - served {route} in {ms} ms', 'INFO  c.a.c.SearchIndex - query took {ms} ms hits={id}', 'DEBUG c.a.c.PriceService - price cache refreshed entries={id}'],
};

export const NOISE_WARNINGS = [
  'deprecated API version v1 used by client mobile-{id}',
  'feature flag service slow to respond, using cached flags ({ms}ms)',
  'retrying message publish to topic orders.events attempt={id}',
  'certificate for internal-metrics expires in {id} days',
];
