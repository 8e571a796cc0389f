// The fault lab's git workspace: the demo lab's history up to its last good deploy, then the
// platform commits that add inventory on PostgreSQL, the acquirer over HTTPS, TLS between checkout
// and payments, feature flags and runtime metrics (deployed to all four services the day before),
// then the fault's own plan: its innocent and guilty commits, not yet deployed.
//
// The platform's files live in platform/ as they are after its last commit; each platform commit
// writes whole files from there, and no file is written by two platform commits.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AUTHORS, createLabWorkspace, DEPLOYER, type DeployRecord, type DeployedState, type LabWorkspace, runGit } from '../src/workspace';
import type { FaultDefinition, FileEdit, LabAuthor, PlannedChange } from './types';

export const FAULT_LAB_SERVICES = ['payments', 'inventory', 'checkout', 'storefront'] as const;
export const PLATFORM_DIR = path.resolve(__dirname, 'platform');
/** Where the services read feature flags from (synced from the repository, as flagd's file sync does). */
export const LIVE_FLAGS_FILE = path.join('.lab', 'flags', 'flags.flagd.json');
export const FLAGS_PATH = 'config/flags.flagd.json';

interface PlatformCommit {
  author: LabAuthor;
  hoursAgo: number;
  message: string;
  files: string[];
}

const PLATFORM: PlatformCommit[] = [
  {
    author: 'erin', hoursAgo: 30,
    message: 'inventory: stock service on PostgreSQL\n\nProducts, stock levels and reservations move out of the storefront into their own service.\nMigrations in services/inventory/migrations run at startup.',
    files: [
      'services/inventory/package.json', 'services/inventory/src/db.js', 'services/inventory/src/migrate.js', 'services/inventory/src/stock.js',
      'services/inventory/src/server.js', 'services/inventory/migrations/0001_create_stock.sql', 'services/inventory/migrations/0002_seed_catalogue.sql',
      'config/inventory.json',
    ],
  },
  {
    author: 'alice', hoursAgo: 29,
    message: 'shared: HTTPS for internal calls; servers recycle keep-alive connections\n\nTLS_CERT_FILE/TLS_KEY_FILE turn a server to HTTPS; clients trust NODE_EXTRA_CA_CERTS.',
    files: ['shared/http-client.js', 'shared/http-server.js'],
  },
  {
    author: 'bob', hoursAgo: 28,
    message: 'payments: authorize charges with the acquirer over HTTPS\n\nReplaces the simulated settlement. 429s from the acquirer become 503s, its errors 502s.',
    files: ['services/payments/src/acquirer.js', 'services/payments/src/server.js', 'config/payments.json'],
  },
  {
    author: 'dave', hoursAgo: 27,
    message: 'telemetry: runtime metrics and database spans\n\nprocess.memory.usage, process.cpu.time, v8js.memory.heap.used and the event-loop delay over OTLP,\nprom-client\'s process metrics on /metrics, and the pg instrumentation.',
    files: ['shared/telemetry.js'],
  },
  {
    author: 'carol', hoursAgo: 26.5,
    message: 'feature flags from a flagd file; tax engine v2 behind new-tax-engine\n\nEvaluations are recorded on the span as feature_flag.evaluation events.',
    files: ['shared/flags.js', 'config/flags.flagd.json', 'services/checkout/src/pricing-v2.js'],
  },
  {
    author: 'carol', hoursAgo: 26,
    message: 'checkout: hold stock in inventory before charging; cap orders in flight',
    files: ['services/checkout/src/server.js', 'config/checkout.json'],
  },
  {
    author: 'erin', hoursAgo: 25.5,
    message: 'storefront: product listing with stock from inventory',
    files: ['services/storefront/src/server.js', 'config/storefront.json'],
  },
  {
    author: 'dave', hoursAgo: 25,
    message: 'README: inventory, the acquirer, flags and the runtime metrics',
    files: ['README.md'],
  },
];
const PLATFORM_DEPLOY_HOURS_AGO = 22;

export interface FaultWorkspace extends LabWorkspace {
  /** The sha of every commit of the fault's plan, by id (live commits once committed). */
  plan: Record<string, string>;
  fault: string;
}

function identity(author: LabAuthor, date: Date) {
  return { author: AUTHORS[author], date };
}

/** Applies one edit to the working tree; text to replace must occur exactly once. */
export async function applyEdit(dir: string, edit: FileEdit, what: string): Promise<void> {
  const file = path.join(dir, edit.path);
  if ('content' in edit) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, edit.content);
    return;
  }
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new Error(`fault plan (${what}): ${edit.path} does not exist`);
  });
  const first = text.indexOf(edit.before);
  if (edit.before === '' || first < 0 || text.indexOf(edit.before, first + 1) >= 0) {
    throw new Error(`fault plan (${what}): the text to replace in ${edit.path} must occur exactly once:\n${edit.before}`);
  }
  await fs.writeFile(file, text.slice(0, first) + edit.after + text.slice(first + edit.before.length));
}

async function commitAll(dir: string, message: string, who: ReturnType<typeof identity>): Promise<string> {
  await runGit(dir, ['add', '-A'], who);
  await runGit(dir, ['commit', '-q', '-m', message], who);
  return (await runGit(dir, ['rev-parse', 'HEAD'])).trim();
}

/** Commits one change of the plan with the given date; returns its sha. */
export async function commitPlannedChange(dir: string, change: PlannedChange, date: Date): Promise<string> {
  for (const edit of change.edits) await applyEdit(dir, edit, change.id);
  return commitAll(dir, change.message, identity(change.author, date));
}

/** Creates the workspace for one fault in `dir` (missing or empty), with the plan's non-live commits. */
export async function createFaultWorkspace(dir: string, fault: FaultDefinition, now = new Date()): Promise<FaultWorkspace> {
  const base = await createLabWorkspace(dir, { now, deployBad: false, historyOnly: true });
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3600_000);
  let head = base.goodSha;
  for (const commit of PLATFORM) {
    for (const file of commit.files) {
      await applyEdit(base.dir, { path: file, content: await fs.readFile(path.join(PLATFORM_DIR, file), 'utf8') }, commit.message);
    }
    head = await commitAll(base.dir, commit.message, identity(commit.author, at(commit.hoursAgo)));
  }

  // The platform's deploy of all four services, recorded as deploy.js records deploys.
  const labDir = path.join(base.dir, '.lab');
  const deployed = JSON.parse(await fs.readFile(path.join(labDir, 'deployed.json'), 'utf8')) as DeployedState;
  const tags = (await runGit(base.dir, ['tag', '--list', 'deploy/*'])).trim().split('\n').filter(Boolean);
  const tag = `deploy/${tags.length + 1}`;
  const time = at(PLATFORM_DEPLOY_HOURS_AGO);
  await runGit(base.dir, ['tag', '-a', tag, '-m', `deploy ${FAULT_LAB_SERVICES.join(', ')} at ${head.slice(0, 12)}`, head], { author: DEPLOYER, date: time });
  const records: DeployRecord[] = [];
  for (const service of FAULT_LAB_SERVICES) {
    const previousSha = deployed.services[service]?.sha;
    deployed.services[service] = { sha: head, previousSha, deployedAt: time.toISOString(), tag };
    records.push({ time: time.toISOString(), service, sha: head, previous: previousSha, tag, kind: 'deploy', environment: 'production', actor: DEPLOYER.email });
  }
  await fs.writeFile(path.join(labDir, 'deployed.json'), JSON.stringify(deployed, null, 2) + '\n');
  await fs.appendFile(path.join(labDir, 'deploys.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const plan: Record<string, string> = {};
  for (const change of fault.commits) {
    if (change.live) continue;
    if (plan[change.id]) throw new Error(`fault ${fault.name}: two plan commits have the id ${change.id}`);
    plan[change.id] = await commitPlannedChange(base.dir, change, new Date(now.getTime() - change.minutesAgo * 60_000));
  }
  const headSha = (await runGit(base.dir, ['rev-parse', 'HEAD'])).trim();
  const facts: FaultWorkspace = { ...base, goodSha: head, badSha: '', headSha, deployTag: tag, goodDeployTag: tag, plan, fault: fault.name };
  await fs.writeFile(path.join(labDir, 'workspace.json'), JSON.stringify(facts, null, 2) + '\n');
  return facts;
}

/** Commits a live change of the plan now and records its sha in the workspace facts. */
export async function commitLiveChange(ws: FaultWorkspace, fault: FaultDefinition, id: string): Promise<string> {
  const change = fault.commits.find((c) => c.id === id);
  if (!change || !change.live) throw new Error(`fault ${fault.name}: no live plan commit ${id}`);
  if (ws.plan[id]) throw new Error(`fault ${fault.name}: ${id} is committed already`);
  ws.plan[id] = await commitPlannedChange(ws.dir, change, new Date());
  ws.headSha = ws.plan[id];
  await fs.writeFile(path.join(ws.dir, '.lab', 'workspace.json'), JSON.stringify(ws, null, 2) + '\n');
  return ws.plan[id];
}
