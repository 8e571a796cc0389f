// Generates the demo incident lab's git workspace: a real repository of three small services with a
// plausible history by several authors, deploy tags, and one commit that breaks payments.
//
// demo/lab/template/ holds the tree as it was at the last good deploy. Older commits are derived by
// undoing each commit's edits in reverse; later commits (the fault and its neighbours) are applied
// forwards. Every edit must match exactly once, so a template change that breaks the history fails
// loudly at generation instead of producing a silently different repository.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const LAB_SERVICES = ['storefront', 'checkout', 'payments'] as const;
export type LabService = (typeof LAB_SERVICES)[number];

/** The file the faulty commit breaks, as a repository path. */
export const FAULT_FILE = 'services/payments/src/card-validation.js';
/** The exact source text of the faulty line (trimmed). */
export const FAULT_LINE_TEXT = 'const network = card.network.toUpperCase();';

export interface LabWorkspaceOptions {
  /** When the history ends; commit dates are spread over the six days before it. Default now. */
  now?: Date;
  /**
   * Whether the history ends with a deploy of the faulty commit (true, the default) or with the last
   * good deploy (false: the lab deploys the fault live, so its onset is visible in the telemetry).
   */
  deployBad?: boolean;
  /** End the history at the last good deploy, without the demo fault and its neighbours (the fault lab adds its own). */
  historyOnly?: boolean;
}

export interface LabWorkspace {
  dir: string;
  /** The commit of the last good deploy: every service runs it before the fault goes out. */
  goodSha: string;
  /** The commit that introduces the fault in payments' card validation. */
  badSha: string;
  /** The branch head: the faulty commit plus unrelated commits after it. Deploying it ships the fault. */
  headSha: string;
  /** The newest deploy tag: the one that shipped the fault when deployBad, else the last good deploy. */
  deployTag: string;
  /** The tag of the last good deploy. */
  goodDeployTag: string;
}

/** What deploy.js and the lab supervisor read: which commit each service runs. */
export interface DeployedState {
  services: Record<string, { sha: string; previousSha?: string; deployedAt: string; tag?: string }>;
}

export interface DeployRecord {
  time: string;
  service: string;
  sha: string;
  /** The sha the service ran before (the field name the git change source reads). */
  previous?: string;
  tag?: string;
  kind: 'deploy' | 'rollback';
  environment: string;
  actor: string;
}

export interface Author {
  name: string;
  email: string;
}

export const AUTHORS: Record<string, Author> = {
  alice: { name: 'Alice Moreau', email: 'alice.moreau@shop.example' },
  bob: { name: 'Bob Okafor', email: 'bob.okafor@shop.example' },
  carol: { name: 'Carol Lindqvist', email: 'carol.lindqvist@shop.example' },
  dave: { name: 'Dave Tanaka', email: 'dave.tanaka@shop.example' },
  erin: { name: 'Erin Walsh', email: 'erin.walsh@shop.example' },
};
export const DEPLOYER: Author = { name: 'Deploy Bot', email: 'deploy-bot@shop.example' };

type Edit =
  | { path: string; add: true }
  | { path: string; before: string; after: string };

interface PlannedCommit {
  author: keyof typeof AUTHORS;
  hoursAgo: number;
  message: string;
  edits: Edit[];
  /** Deploy every service at this commit, this many hours before now. */
  deployHoursAgo?: number;
  role?: 'good' | 'bad';
}

// Commits up to and including the last good deploy. The template is the tree after the last one.
const HISTORY: PlannedCommit[] = [
  {
    author: 'alice', hoursAgo: 146,
    message: 'Initial commit: storefront, checkout and payments services\n\nShared telemetry and HTTP helpers in shared/, one config file per service.',
    edits: [],
  },
  {
    author: 'bob', hoursAgo: 141,
    message: 'payments: reject card numbers that fail the Luhn check',
    edits: [
      { path: 'services/payments/test/card-validation.test.js', add: true },
      {
        path: 'services/payments/src/card-validation.js',
        before: '',
        after: `function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

`,
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: '',
        after: "  if (!luhnValid(digits)) throw new CardValidationError('card number fails the checksum');\n",
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: 'module.exports = { validateCard, CardValidationError };',
        after: 'module.exports = { validateCard, CardValidationError, luhnValid };',
      },
    ],
  },
  {
    author: 'carol', hoursAgo: 122,
    message: 'checkout: tax rates per region from config\n\nThe flat 20% was wrong for DE, NL and IE orders.',
    edits: [
      {
        path: 'services/checkout/src/pricing.js',
        before: '  const rate = 0.2;\n',
        after: '  const rate = config.taxRates[region] ?? config.taxRates.default;\n',
      },
      {
        path: 'config/checkout.json',
        before: '  "currency": "EUR"\n',
        after: '  "currency": "EUR",\n  "taxRates": { "default": 0.2, "DE": 0.19, "FR": 0.2, "NL": 0.21, "IE": 0.23 }\n',
      },
    ],
  },
  {
    author: 'dave', hoursAgo: 119.5,
    message: 'docs: architecture and local run instructions in the README',
    deployHoursAgo: 118,
    edits: [
      {
        path: 'README.md',
        before: '',
        after: `## Architecture

A request to the storefront recieves a W3C \`traceparent\` and passes it on, so one trace covers
storefront -> checkout -> payments. Every service exports traces, metrics and logs over OTLP/HTTP
to \`OTEL_EXPORTER_OTLP_ENDPOINT\` (default \`http://127.0.0.1:4318\`) and serves Prometheus metrics on
\`/metrics\`: \`http_server_requests_total\`, \`http_server_errors_total\` and the histogram
\`http_server_request_duration_seconds\`, labelled by service, route and status.

Shared code lives in \`shared/\` (telemetry, HTTP server and client); configuration in \`config/\`,
one file per service, which environment variables override (\`PORT\`, \`CHECKOUT_URL\`, \`PAYMENTS_URL\`).

## Running locally

The services need the OpenTelemetry SDK packages on the module path:

\`\`\`
NODE_PATH=/path/to/node_modules node services/payments/src/server.js
NODE_PATH=/path/to/node_modules node services/checkout/src/server.js
NODE_PATH=/path/to/node_modules node services/storefront/src/server.js
\`\`\`

`,
      },
    ],
  },
  {
    author: 'erin', hoursAgo: 98,
    message: 'storefront: GET /api/products lists the catalogue',
    edits: [
      {
        path: 'services/storefront/src/catalog.js',
        before: '',
        after: `function listProducts() {
  return PRODUCTS.map((product) => ({ ...product }));
}

`,
      },
      {
        path: 'services/storefront/src/catalog.js',
        before: 'module.exports = { findProduct };',
        after: 'module.exports = { findProduct, listProducts };',
      },
      {
        path: 'services/storefront/src/server.js',
        before: "const { findProduct } = require('./catalog');",
        after: "const { findProduct, listProducts } = require('./catalog');",
      },
      {
        path: 'services/storefront/src/server.js',
        before: '',
        after: `async function products() {
  return { status: 200, body: { products: listProducts() } };
}

`,
      },
      {
        path: 'services/storefront/src/server.js',
        before: '',
        after: "    'GET /api/products': products,\n",
      },
    ],
  },
  {
    author: 'alice', hoursAgo: 95,
    message: 'shared: retry once when a downstream refuses the connection\n\nDeploys restart a service and its callers saw a burst of 502s.',
    edits: [
      {
        path: 'shared/http-client.js',
        before: '    const response = await send(url, method, headers, payload, timeoutMs);\n',
        after: `    let response;
    try {
      response = await send(url, method, headers, payload, timeoutMs);
    } catch (err) {
      // A downstream that is restarting refuses connections for a moment: one retry covers a deploy.
      if (err.code !== 'ECONNREFUSED') throw err;
      await new Promise((resolve) => setTimeout(resolve, 150));
      response = await send(url, method, headers, payload, timeoutMs);
    }
`,
      },
    ],
  },
  {
    author: 'carol', hoursAgo: 74,
    message: 'payments: derive the card network from the number when the wallet omits it\n\nSaved cards from wallet v1 carry no network and were rejected with 422.',
    deployHoursAgo: 72,
    edits: [
      {
        path: 'services/payments/src/card-validation.js',
        before: '',
        after: `const NETWORK_PREFIXES = [
  ['VISA', /^4/],
  ['MASTERCARD', /^(5[1-5]|2[2-7])/],
  ['AMEX', /^3[47]/],
  ['DISCOVER', /^6(011|5)/],
];

`,
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: '',
        after: `// Saved cards from wallet v1 carry no network, so it is derived from the number's prefix.
function normalizeNetwork(network, digits) {
  if (typeof network === 'string' && network.trim() !== '') return network.trim().toUpperCase();
  const known = NETWORK_PREFIXES.find(([, prefix]) => prefix.test(digits));
  return known ? known[0] : 'UNKNOWN';
}

`,
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: "  const network = String(card.network || 'UNKNOWN').toUpperCase();\n",
        after: '  const network = normalizeNetwork(card.network, digits);\n',
      },
      {
        path: 'services/payments/test/card-validation.test.js',
        before: '',
        after: `
test('derives the network from the number when the wallet omits it', () => {
  assert.strictEqual(validateCard({ number: '5555555555554444' }, ACCEPTED).network, 'MASTERCARD');
});
`,
      },
    ],
  },
  {
    author: 'bob', hoursAgo: 50,
    message: 'config: raise the checkout -> payments timeout to 2 s\n\np99 of the acquirer is 1.4 s on Mondays.',
    edits: [{ path: 'config/checkout.json', before: '  "timeoutMs": 1000,\n', after: '  "timeoutMs": 2000,\n' }],
  },
  {
    author: 'dave', hoursAgo: 47,
    message: 'runbook: triage steps for payment errors',
    edits: [
      { path: 'docs/runbooks/payments.md', add: true },
      {
        path: 'README.md',
        before: 'Each service is deployed seperately.\n',
        after: 'Each service is deployed seperately; see `docs/runbooks/payments.md` for the on-call runbook.\n',
      },
    ],
  },
  {
    author: 'erin', hoursAgo: 30,
    message: 'telemetry: record where an exception was thrown on the span and the log\n\ncode.filepath, code.function and code.lineno from the first stack frame in our code.',
    edits: [
      {
        path: 'shared/telemetry.js',
        before: '',
        after: "const path = require('node:path');\n",
      },
      {
        path: 'shared/telemetry.js',
        before: '',
        after: `// Stack frames are reported relative to the release root, which makes them repository paths.
const RELEASE_ROOT = process.env.RELEASE_ROOT || path.resolve(__dirname, '..');
`,
      },
      {
        path: 'shared/telemetry.js',
        before: '',
        after: `    const location = codeLocation(err);
    if (location) {
      attributes['code.filepath'] = location.filepath;
      attributes['code.function'] = location.function;
      attributes['code.lineno'] = location.lineno;
      // The same location under the current semantic-convention names.
      attributes['code.file.path'] = location.filepath;
      attributes['code.function.name'] = location.function;
      attributes['code.line.number'] = location.lineno;
    }
`,
      },
      {
        path: 'shared/telemetry.js',
        before: '',
        after: `    for (const key of ['code.filepath', 'code.function', 'code.lineno']) {
      if (attributes[key] !== undefined) span.setAttribute(key, attributes[key]);
    }
`,
      },
      {
        path: 'shared/telemetry.js',
        before: '',
        after: `// The first stack frame that belongs to our code (not node: internals, not node_modules).
function codeLocation(err) {
  const stack = err && typeof err.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\\n').slice(1)) {
    const match = /^\\s*at (?:(.+?) \\()?(.+?):(\\d+):(\\d+)\\)?$/.exec(line);
    if (!match || match[2].startsWith('node:') || match[2].includes('node_modules')) continue;
    const file = match[2].replace(/^file:\\/\\//, '');
    const relative = path.relative(RELEASE_ROOT, file);
    return {
      filepath: relative.startsWith('..') ? file : relative.split(path.sep).join('/'),
      function: (match[1] || '<anonymous>').replace(/^async /, ''),
      lineno: Number(match[3]),
    };
  }
  return undefined;
}

`,
      },
    ],
  },
  {
    author: 'alice', hoursAgo: 26,
    message: 'payments: decline charges above the configured limit',
    deployHoursAgo: 24,
    role: 'good',
    edits: [
      {
        path: 'services/payments/src/server.js',
        before: '',
        after: `  if (amount > config.declineAbove) {
    telemetry.log('warn', 'charge declined: amount over the limit', { 'payment.amount': amount });
    return { status: 402, body: { declined: true, reason: 'amount over the limit' } };
  }
`,
      },
      {
        path: 'config/payments.json',
        before: '  "acceptedNetworks": ["VISA", "MASTERCARD", "AMEX", "DISCOVER"]\n',
        after: '  "acceptedNetworks": ["VISA", "MASTERCARD", "AMEX", "DISCOVER"],\n  "declineAbove": 500\n',
      },
    ],
  },
];

// Commits after the last good deploy, applied forwards to the template.
const AFTER_GOOD: PlannedCommit[] = [
  {
    author: 'erin', hoursAgo: 5,
    message: 'storefront: list products by price, cheapest first',
    edits: [{
      path: 'services/storefront/src/catalog.js',
      before: '  return PRODUCTS.map((product) => ({ ...product }));\n',
      after: '  return PRODUCTS.map((product) => ({ ...product })).sort((a, b) => a.price - b.price);\n',
    }],
  },
  {
    author: 'bob', hoursAgo: 2.2,
    role: 'bad',
    message: 'payments: simplify card network handling\n\nWallet v2 sends the network with every saved card, so the prefix lookup is dead code.\nDrop it and normalise the network the wallet sends.',
    edits: [
      {
        path: 'services/payments/src/card-validation.js',
        before: `const NETWORK_PREFIXES = [
  ['VISA', /^4/],
  ['MASTERCARD', /^(5[1-5]|2[2-7])/],
  ['AMEX', /^3[47]/],
  ['DISCOVER', /^6(011|5)/],
];

`,
        after: '',
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: `// Saved cards from wallet v1 carry no network, so it is derived from the number's prefix.
function normalizeNetwork(network, digits) {
  if (typeof network === 'string' && network.trim() !== '') return network.trim().toUpperCase();
  const known = NETWORK_PREFIXES.find(([, prefix]) => prefix.test(digits));
  return known ? known[0] : 'UNKNOWN';
}

`,
        after: '',
      },
      {
        path: 'services/payments/src/card-validation.js',
        before: '  const network = normalizeNetwork(card.network, digits);\n',
        after: `  ${FAULT_LINE_TEXT}\n`,
      },
      {
        path: 'services/payments/test/card-validation.test.js',
        before: `
test('derives the network from the number when the wallet omits it', () => {
  assert.strictEqual(validateCard({ number: '5555555555554444' }, ACCEPTED).network, 'MASTERCARD');
});
`,
        after: '',
      },
    ],
  },
  {
    author: 'dave', hoursAgo: 1.6,
    message: 'docs: fix typos in the README',
    edits: [
      { path: 'README.md', before: 'recieves', after: 'receives' },
      { path: 'README.md', before: 'seperately', after: 'separately' },
    ],
  },
  {
    author: 'carol', hoursAgo: 1.1,
    message: 'checkout: log the number of order lines with each paid order',
    edits: [{
      path: 'services/checkout/src/server.js',
      before: "{ 'order.id': orderId, 'order.amount': total.amount }",
      after: "{ 'order.id': orderId, 'order.amount': total.amount, 'order.lines': lines.length }",
    }],
  },
];
const BAD_DEPLOY_HOURS_AGO = 0.75;

const GITIGNORE = '# Lab runtime state: releases, deploy records, logs.\n.lab/\nnode_modules/\n';

type Tree = Map<string, string>;

/** Where the template of the generated workspace lives. */
export function templateDir(): string {
  return path.resolve(__dirname, '..', 'template');
}

async function readTemplate(): Promise<Tree> {
  const root = templateDir();
  const tree: Tree = new Map();
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) tree.set(path.relative(root, full).split(path.sep).join('/'), await fs.readFile(full, 'utf8'));
    }
  }
  await walk(root);
  tree.set('.gitignore', GITIGNORE);
  return tree;
}

function replaceOnce(tree: Tree, file: string, from: string, to: string, what: string): void {
  const text = tree.get(file);
  if (text === undefined) throw new Error(`lab history (${what}): ${file} does not exist at that point`);
  const first = text.indexOf(from);
  if (from === '' || first < 0 || text.indexOf(from, first + 1) >= 0) {
    throw new Error(`lab history (${what}): the text to replace in ${file} must occur exactly once:\n${from}`);
  }
  tree.set(file, text.slice(0, first) + to + text.slice(first + from.length));
}

function applyForward(tree: Tree, commit: PlannedCommit, added: Map<Edit, string>): Tree {
  const next = new Map(tree);
  for (const edit of commit.edits) {
    if ('add' in edit) {
      const content = added.get(edit);
      if (content === undefined) throw new Error(`lab history: no content for added file ${edit.path}`);
      next.set(edit.path, content);
    } else if (edit.before === '') {
      // An insertion: undone in reverse by deleting `after`; forwards it goes back where it was.
      throw new Error('lab history: insertions are only valid in HISTORY');
    } else {
      replaceOnce(next, edit.path, edit.before, edit.after, commit.message.split('\n')[0]);
    }
  }
  return next;
}

/**
 * Derives the tree after each HISTORY commit from the template (the tree after the last one) by
 * undoing commits newest first. Insertions (before === '') are undone by deleting their text; when
 * replayed forwards the full snapshot is used, so an insertion needs no anchor.
 */
function historyTrees(template: Tree): Tree[] {
  const trees: Tree[] = new Array(HISTORY.length);
  let tree = new Map(template);
  for (let i = HISTORY.length - 1; i >= 0; i--) {
    trees[i] = tree;
    const previous = new Map(tree);
    for (const edit of [...HISTORY[i].edits].reverse()) {
      const what = HISTORY[i].message.split('\n')[0];
      if ('add' in edit) {
        if (!previous.has(edit.path)) throw new Error(`lab history (${what}): ${edit.path} is added but missing`);
        previous.delete(edit.path);
      } else {
        replaceOnce(previous, edit.path, edit.after, edit.before, what);
      }
    }
    tree = previous;
  }
  if (HISTORY[0].edits.length !== 0) throw new Error('lab history: the initial commit must be the remaining tree');
  return trees;
}

interface GitEnv {
  author: Author;
  date: Date;
}

function gitEnv(identity?: GitEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never let an outer repository, hook or user config leak into the generated one.
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_PREFIX']) delete env[key];
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.GIT_TERMINAL_PROMPT = '0';
  if (identity) {
    const date = `@${Math.floor(identity.date.getTime() / 1000)} +0000`;
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = identity.author.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = identity.author.email;
    env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = date;
  }
  return env;
}

/** Runs git with an argv array in `cwd`; rejects with git's stderr on failure. */
export function runGit(cwd: string, args: string[], identity?: GitEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: gitEnv(identity), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

async function writeTree(dir: string, tree: Tree, previous: Tree | undefined): Promise<void> {
  for (const file of previous?.keys() ?? []) {
    if (!tree.has(file)) await fs.rm(path.join(dir, file), { force: true });
  }
  for (const [file, content] of tree) {
    if (previous?.get(file) === content) continue;
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
}

/**
 * Creates the lab workspace in `dir` (which must be missing or empty): a git repository with 15
 * commits by five authors over six days, deploy tags `deploy/<n>` (annotated, dated), the lab's
 * deploy records in `.lab/deploys.jsonl`, the deployed state in `.lab/deployed.json` and the
 * generation facts in `.lab/workspace.json`.
 */
export async function createLabWorkspace(dir: string, opts: LabWorkspaceOptions = {}): Promise<LabWorkspace> {
  const now = opts.now ?? new Date();
  const deployBad = opts.deployBad ?? true;
  const target = path.resolve(dir);
  await fs.mkdir(target, { recursive: true });
  const existing = await fs.readdir(target);
  if (existing.length > 0) throw new Error(`cannot create the lab workspace in ${target}: the directory is not empty`);

  const template = await readTemplate();
  const trees = historyTrees(template);
  const added = new Map<Edit, string>();
  HISTORY.forEach((commit, i) => {
    for (const edit of commit.edits) if ('add' in edit) added.set(edit, trees[i].get(edit.path) ?? '');
  });
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3600_000);

  await runGit(target, ['init', '-q', '-b', 'main']);
  const shas: string[] = [];
  const deploys: Array<{ sha: string; hoursAgo: number; services: readonly string[] }> = [];
  let goodSha = '';
  let badSha = '';
  let previousTree: Tree | undefined;
  const commitTree = async (commit: PlannedCommit, tree: Tree) => {
    await writeTree(target, tree, previousTree);
    previousTree = tree;
    const identity = { author: AUTHORS[commit.author], date: at(commit.hoursAgo) };
    await runGit(target, ['add', '-A'], identity);
    await runGit(target, ['commit', '-q', '-m', commit.message], identity);
    const sha = (await runGit(target, ['rev-parse', 'HEAD'])).trim();
    shas.push(sha);
    if (commit.role === 'good') goodSha = sha;
    if (commit.role === 'bad') badSha = sha;
    if (commit.deployHoursAgo !== undefined) deploys.push({ sha, hoursAgo: commit.deployHoursAgo, services: LAB_SERVICES });
    return sha;
  };

  for (let i = 0; i < HISTORY.length; i++) await commitTree(HISTORY[i], trees[i]);
  let tree = trees[trees.length - 1];
  for (const commit of opts.historyOnly ? [] : AFTER_GOOD) {
    tree = applyForward(tree, commit, added);
    await commitTree(commit, tree);
  }
  const headSha = shas[shas.length - 1];
  if (deployBad && !opts.historyOnly) deploys.push({ sha: headSha, hoursAgo: BAD_DEPLOY_HOURS_AGO, services: ['payments'] });

  // Tags and records exactly as deploy.js writes them, dated when each deploy went out.
  const deployed: DeployedState = { services: {} };
  const records: DeployRecord[] = [];
  let goodDeployTag = '';
  let deployTag = '';
  for (let n = 0; n < deploys.length; n++) {
    const { sha, hoursAgo, services } = deploys[n];
    const tag = `deploy/${n + 1}`;
    const time = at(hoursAgo);
    await runGit(target, ['tag', '-a', tag, '-m', `deploy ${services.join(', ')} at ${sha.slice(0, 12)}`, sha], { author: DEPLOYER, date: time });
    for (const service of services) {
      const previousSha = deployed.services[service]?.sha;
      deployed.services[service] = { sha, previousSha, deployedAt: time.toISOString(), tag };
      records.push({ time: time.toISOString(), service, sha, previous: previousSha, tag, kind: 'deploy', environment: 'production', actor: DEPLOYER.email });
    }
    if (sha === goodSha) goodDeployTag = tag;
    deployTag = tag;
  }

  const labDir = path.join(target, '.lab');
  await fs.mkdir(labDir, { recursive: true });
  // The shop's deploy tool, where its .incident-lens/actions.yaml says it is, and its deploy records,
  // where its workspace settings say they are (the same files a team would write; kept out of git).
  await fs.copyFile(path.resolve(__dirname, '..', 'deploy.js'), path.join(labDir, 'deploy.js'));
  await fs.mkdir(path.join(target, '.vscode'), { recursive: true });
  await fs.writeFile(path.join(target, '.vscode', 'settings.json'), JSON.stringify({ 'incidentLens.git.deployRecords': '.lab/deploys.jsonl' }, null, 2) + '\n');
  await fs.appendFile(path.join(target, '.git', 'info', 'exclude'), '/.vscode/settings.json\n');
  await fs.writeFile(path.join(labDir, 'deployed.json'), JSON.stringify(deployed, null, 2) + '\n');
  await fs.writeFile(path.join(labDir, 'deploys.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const facts: LabWorkspace = { dir: target, goodSha, badSha, headSha, deployTag, goodDeployTag };
  await fs.writeFile(path.join(labDir, 'workspace.json'), JSON.stringify(facts, null, 2) + '\n');
  return facts;
}

/** Reads the facts createLabWorkspace recorded, or undefined when `dir` is not a lab workspace. */
export async function readLabWorkspace(dir: string): Promise<LabWorkspace | undefined> {
  try {
    const facts = JSON.parse(await fs.readFile(path.join(dir, '.lab', 'workspace.json'), 'utf8')) as LabWorkspace;
    return { ...facts, dir: path.resolve(dir) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path.join(dir, '.lab', 'workspace.json')} is unreadable: ${(err as Error).message}`);
  }
}
