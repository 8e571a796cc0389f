// The fault-injection lab at run time: a fault's workspace, an internal CA and certificates, a real
// PostgreSQL, the acquirer stand-in over HTTPS, feature flags in a flagd file, and the four services
// under the lab supervisor with their OpenTelemetry SDKs exporting to the given OTLP endpoint; plus
// the controls a fault's steps use to inject it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { type Logger, scopedLogger, silentLogger } from '../../../src/core/logger';
import { LAB_ALERT_RULES, type Lab, startLab } from '../src/lab';
import { createCertificateAuthority, issueServerCertificate } from './certs';
import { type PostgresServer, startPostgres } from './postgres';
import type { FaultDefinition, FaultLabControl } from './types';
import { commitLiveChange, createFaultWorkspace, FAULT_LAB_SERVICES, FLAGS_PATH, type FaultWorkspace, LIVE_FLAGS_FILE } from './workspace';
import { runGit } from '../src/workspace';

const LAB_ROOT = path.resolve(__dirname, '..');
const GUARD_SCRIPT = path.join(LAB_ROOT, 'guard.js');
const EXIT_WITH_PARENT = path.join(LAB_ROOT, 'exit-with-parent.js');
const ACQUIRER_SCRIPT = path.join(__dirname, 'acquirer.js');
const SHOPPER_SCRIPT = path.join(__dirname, 'shopper.js');
const PROJECT_NODE_MODULES = path.resolve(LAB_ROOT, '..', '..', 'node_modules');
const DAY_MS = 24 * 3600_000;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const deployTool = require(path.join(LAB_ROOT, 'deploy.js')) as { ensureRelease(workspace: string, service: string, sha: string): string };

/** The lab's Prometheus rules: the demo's request rules, and runtime rules over prom-client's process metrics. */
export const FAULT_LAB_ALERT_RULES = `${LAB_ALERT_RULES}  - name: runtime
    rules:
      - alert: ProcessMemoryHigh
        expr: process_resident_memory_bytes > 300 * 1024 * 1024
        for: 30s
        labels:
          severity: warning
          env: production
        annotations:
          summary: '{{ $labels.service }} uses {{ $value | humanize1024 }}B of resident memory'
          description: 'Resident memory of {{ $labels.service }} has been above 300 MiB for 30 seconds.'
      - alert: ProcessMemoryGrowing
        expr: deriv(process_resident_memory_bytes[2m]) > 256 * 1024
        for: 1m
        labels:
          severity: warning
          env: production
        annotations:
          summary: '{{ $labels.service }} resident memory grows by {{ $value | humanize1024 }}B/s'
          description: 'Resident memory of {{ $labels.service }} has grown by more than 256 KiB/s over 2 minutes, for a minute: a leak, or a cache without bounds.'
      - alert: ProcessCpuSaturated
        expr: rate(process_cpu_seconds_total[1m]) > 0.8
        for: 30s
        labels:
          severity: warning
          env: production
        annotations:
          summary: '{{ $labels.service }} uses {{ $value | humanizePercentage }} of a CPU'
          description: 'The process of {{ $labels.service }} has been using more than 80% of a CPU for 30 seconds.'
`;

export interface FaultLabOptions {
  fault: FaultDefinition;
  /** Missing or empty: the fault's workspace is created there. */
  workspaceDir: string;
  otlpEndpoint: string;
  /** When payments' certificate expires, if the fault says so (ms since epoch). */
  paymentsCertificateNotAfter?: number;
  logger?: Logger;
}

export interface FaultLab {
  workspace: FaultWorkspace;
  lab: Lab;
  postgres: PostgresServer;
  control: FaultLabControl;
  /** What the steps did, with times, for the recording's notes. */
  notes: { time: number; message: string }[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpsReady(url: string, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const probe = () => {
      if (child.exitCode !== null) return reject(new Error(`${what} exited during startup (${child.exitCode})`));
      const req = https.get(url, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else retry();
      });
      req.on('error', retry);
      req.on('timeout', () => req.destroy());
    };
    const retry = () => (Date.now() > deadline ? reject(new Error(`${what} was not ready at ${url} within ${timeoutMs / 1000} s`)) : setTimeout(probe, 200));
    probe();
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}

function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(args[0])} failed: ${String(stderr).trim() || String(stdout).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

/** Starts everything for one fault; the fault itself is injected later through `control`. */
export async function startFaultLab(opts: FaultLabOptions): Promise<FaultLab> {
  const log = scopedLogger(opts.logger ?? silentLogger, 'fault-lab');
  const { fault } = opts;
  const workspace = await createFaultWorkspace(opts.workspaceDir, fault);
  const labDir = path.join(workspace.dir, '.lab');
  const logsDir = path.join(labDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const children = new Set<ChildProcess>();
  const notes: FaultLab['notes'] = [];
  const killAll = () => {
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('exit', killAll);
  const spawnLogged = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env, ipc = true): ChildProcess => {
    const out = fs.openSync(path.join(logsDir, `${name}.log`), 'a');
    try {
      const child = spawn(command, args, { env, cwd: labDir, stdio: ['ignore', out, out, ...(ipc ? ['ipc' as const] : [])] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      child.on('error', (err) => log.error(`${name}: ${err.message}`));
      return child;
    } finally {
      fs.closeSync(out);
    }
  };

  let postgres: PostgresServer | undefined;
  let acquirer: ChildProcess | undefined;
  let lab: Lab | undefined;
  const campaigns: ChildProcess[] = [];
  const psqlSessions: ChildProcess[] = [];
  const stop = async () => {
    for (const c of [...campaigns, ...psqlSessions]) await stopChild(c);
    await lab?.stop();
    if (acquirer) await stopChild(acquirer);
    await postgres?.stop();
    killAll();
    process.removeListener('exit', killAll);
  };

  try {
    // Certificates: the internal CA, the acquirer's, and payments' (which may be about to expire).
    const secrets = path.join(labDir, 'secrets');
    const caFile = await createCertificateAuthority(secrets);
    const now = Date.now();
    const acquirerCert = await issueServerCertificate(secrets, 'acquirer', ['localhost', '127.0.0.1'], new Date(now - 30 * DAY_MS), new Date(now + 365 * DAY_MS));
    const paymentsNotAfter = opts.paymentsCertificateNotAfter ?? now + 60 * DAY_MS;
    const paymentsCert = await issueServerCertificate(secrets, 'payments', ['localhost', '127.0.0.1'], new Date(paymentsNotAfter - 90 * DAY_MS), new Date(paymentsNotAfter));

    postgres = await startPostgres({
      owner: 'inventory',
      spawnGuarded: (name, command, args, uid, gid) => spawnLogged(name, process.execPath, [GUARD_SCRIPT, ...(uid === undefined ? [] : ['--uid', String(uid), '--gid', String(gid)]), '--stop-signal', 'SIGINT', '--', command, ...args]),
    });
    log.info(`PostgreSQL on 127.0.0.1:${postgres.port}`);

    const acquirerPort = await freePort();
    acquirer = spawnLogged('acquirer', process.execPath, ['--require', EXIT_WITH_PARENT, ACQUIRER_SCRIPT, '--port', String(acquirerPort), '--cert', acquirerCert.certFile, '--key', acquirerCert.keyFile]);
    await httpsReady(`https://127.0.0.1:${acquirerPort}/healthz`, acquirer, 15_000, 'the acquirer stand-in');

    // Flags as the services read them: the file at the deployed commit, synced by the lab.
    const liveFlags = path.join(workspace.dir, LIVE_FLAGS_FILE);
    fs.mkdirSync(path.dirname(liveFlags), { recursive: true });
    fs.writeFileSync(liveFlags, await runGit(workspace.dir, ['show', `${workspace.goodSha}:${FLAGS_PATH}`]));

    const databaseEnv = { PGHOST: '127.0.0.1', PGPORT: String(postgres.port) };
    const common = {
      NODE_EXTRA_CA_CERTS: caFile,
      FLAGD_OFFLINE_FLAG_SOURCE_PATH: liveFlags,
      OTEL_SEMCONV_STABILITY_OPT_IN: 'database/dup',
    };
    // The schema and seed data as the good release's migrations make them, before any traffic.
    const inventoryRelease = deployTool.ensureRelease(workspace.dir, 'inventory', workspace.goodSha);
    await runNode([path.join(inventoryRelease, 'services', 'inventory', 'src', 'migrate.js')], { ...process.env, ...databaseEnv, NODE_PATH: PROJECT_NODE_MODULES }, inventoryRelease, 120_000);

    lab = await startLab({
      workspaceDir: workspace.dir,
      otlpEndpoint: opts.otlpEndpoint,
      services: FAULT_LAB_SERVICES,
      withPrometheus: !!fault.withPrometheus,
      alertRules: FAULT_LAB_ALERT_RULES,
      deployBadAfterMs: false,
      serviceUrl: (service, port) => (service === 'payments' ? `https://localhost:${port}` : `http://127.0.0.1:${port}`),
      serviceEnv: (service) => ({
        ...common,
        ...(service === 'inventory' ? databaseEnv : {}),
        ...(service === 'payments' ? { ACQUIRER_PORT: String(acquirerPort), ACQUIRER_API_KEY: 'sk_live_shop_4eC39HqLyjWDarjtT1zdp7dc', TLS_CERT_FILE: paymentsCert.certFile, TLS_KEY_FILE: paymentsCert.keyFile } : {}),
      }),
      // A container-sized heap: a leak ends in the out-of-memory crash it would end in production.
      nodeArgs: () => ['--max-old-space-size=384'],
      load: { script: SHOPPER_SCRIPT, args: ['--rps', String(fault.rps ?? 8), '--browse-share', String(fault.browseShare ?? 0.4)] },
      logger: opts.logger,
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const note = (message: string) => {
    notes.push({ time: Date.now(), message });
    log.info(message);
  };
  const resolveCommit = (id: string): string => {
    if (id === 'good') return workspace.goodSha;
    const sha = workspace.plan[id];
    if (!sha) throw new Error(`fault ${fault.name}: no plan commit ${id} (live commits must be committed first)`);
    return sha;
  };
  const runningLab = lab;
  const runningPostgres = postgres;
  const control: FaultLabControl = {
    async deploy(service, commit) {
      note(`deploy ${service} at ${commit}`);
      try {
        await runningLab.deploy(service, resolveCommit(commit));
      } catch (err) {
        // A release that went out but does not pass its health check (a saturated event loop) is
        // part of the incident, not a failure of the lab; anything else is.
        const message = (err as Error).message;
        if (!/recorded in \.lab\/deploys\.jsonl/.test(message)) throw err;
        note(`deploy of ${service} at ${commit} went out, but the service is not healthy: ${message.split('\n').pop()}`);
      }
    },
    async commitLive(id) {
      const sha = await commitLiveChange(workspace, fault, id);
      note(`committed ${id} (${sha.slice(0, 7)})`);
    },
    async syncFlags() {
      const text = await runGit(workspace.dir, ['show', `HEAD:${FLAGS_PATH}`]);
      const liveFlags = path.join(workspace.dir, LIVE_FLAGS_FILE);
      fs.writeFileSync(`${liveFlags}.tmp`, text);
      fs.renameSync(`${liveFlags}.tmp`, liveFlags);
      note('flags synced from HEAD');
    },
    async openPsqlSession(lines) {
      const a = runningPostgres.psqlArgs('-d', 'shop');
      const child = spawn(a.command, [...a.args, '-v', 'ON_ERROR_STOP=0'], { uid: a.uid, gid: a.gid, cwd: '/', env: { ...process.env, PGAPPNAME: 'psql' }, stdio: ['pipe', fs.openSync(path.join(logsDir, 'psql.log'), 'a'), fs.openSync(path.join(logsDir, 'psql.log'), 'a')] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      psqlSessions.push(child);
      // The session stays open: stdin is never ended, like an operator's terminal left alone.
      for (const line of lines) child.stdin!.write(line + '\n');
      note(`psql session: ${lines.join(' ')}`);
    },
    setAcquirer(settings) {
      acquirer?.send({ set: settings });
      note(`acquirer ${JSON.stringify(settings)}`);
    },
    async stopAcquirer() {
      if (acquirer) await stopChild(acquirer, 'SIGKILL');
      note('acquirer stopped');
    },
    startCampaign(rps, durationS, browseShare = 0.4) {
      const child = spawnLogged(`campaign-${campaigns.length + 1}`, process.execPath, ['--require', EXIT_WITH_PARENT, SHOPPER_SCRIPT, '--target', `http://127.0.0.1:${runningLab.ports.storefront}`, '--rps', String(rps), '--browse-share', String(browseShare), '--max-in-flight', '200', '--duration-s', String(durationS)]);
      campaigns.push(child);
      note(`campaign traffic ${rps} rps for ${durationS} s`);
    },
    note,
  };
  return { workspace, lab, postgres, control, notes, stop };
}
