// The incident lab supervisor: runs the workspace's three services from their deployed releases, a
// steady load, optionally Prometheus + Alertmanager, and ships a faulty deploy of payments after a
// delay so an incident unfolds in real telemetry.
//
// Deploys go through demo/lab/deploy.js (the same argv a remediation executor runs). The supervisor
// watches <workspace>/.lab/deployed.json and restarts a service whose deployed sha changed, and it
// reports what runs in <workspace>/.lab/status.json, which deploy.js waits on.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { Logger, scopedLogger, silentLogger } from '../../../src/core/logger';
import { createLabWorkspace, DeployedState, LAB_SERVICES, LabService, LabWorkspace, readLabWorkspace } from './workspace';

const LAB_ROOT = path.resolve(__dirname, '..');
const DEPLOY_SCRIPT = path.join(LAB_ROOT, 'deploy.js');
const LOADGEN_SCRIPT = path.join(LAB_ROOT, 'loadgen.js');
const GUARD_SCRIPT = path.join(LAB_ROOT, 'guard.js');
const EXIT_WITH_PARENT = path.join(LAB_ROOT, 'exit-with-parent.js');
const PROJECT_NODE_MODULES = path.resolve(LAB_ROOT, '..', '..', 'node_modules');
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

const HEALTH_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 4_000;
const DEPLOY_TIMEOUT_MS = 60_000;
const MAX_CRASH_RESTARTS = 5;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const deployTool = require(DEPLOY_SCRIPT) as { ensureRelease(workspace: string, service: string, sha: string): string };

export interface LabOptions {
  /** Where the lab's git workspace lives; created (with the fault not yet deployed) when missing. */
  workspaceDir: string;
  /** Where the services export OTLP/HTTP. Default http://127.0.0.1:4318. */
  otlpEndpoint?: string;
  /** Fixed ports: storefront = basePort, checkout +1, payments +2, Prometheus +3, Alertmanager +4. Default: free ports. */
  basePort?: number;
  /** Start Prometheus and Alertmanager when their binaries exist. Default false. */
  withPrometheus?: boolean;
  /** Requests per second of the load generator; 0 runs no load. Default 4. */
  loadRps?: number;
  /** Deploy the faulty head to payments this long after start; false never does. Default 5000. */
  deployBadAfterMs?: number | false;
  /** Where Alertmanager sends notifications (e.g. Incident Lens's webhook receiver). Default: nowhere. */
  alertWebhookUrl?: string;
  /** How often the services export telemetry. Default 1000 ms. */
  exportIntervalMs?: number;
  /** The node_modules that hold the OpenTelemetry SDK. Default the project's. */
  nodeModulesDir?: string;
  logger?: Logger;
  /** The services to run, callees first (the fault lab adds inventory). Default storefront, checkout, payments. */
  services?: readonly string[];
  /** Extra environment of a service (database, certificates, flags). */
  serviceEnv?: (service: string) => Record<string, string>;
  /** Extra node arguments of a service, e.g. a heap limit. */
  nodeArgs?: (service: string) => string[];
  /** How the other services reach a service; default http://127.0.0.1:<port>. Passed as <SERVICE>_URL. */
  serviceUrl?: (service: string, port: number) => string;
  /** The load generator script and its arguments (the target is added); default loadgen.js at loadRps. */
  load?: { script: string; args: string[] };
  /** Prometheus alert rules; default LAB_ALERT_RULES. */
  alertRules?: string;
}

export interface LabPorts {
  storefront: number;
  checkout: number;
  payments: number;
  prometheus?: number;
  alertmanager?: number;
  /** Further services (the fault lab's inventory). */
  [service: string]: number | undefined;
}

export interface Lab {
  workspaceDir: string;
  workspace: LabWorkspace;
  ports: LabPorts;
  /** Deploys `rev` to `service` with deploy.js and resolves when the service runs it. */
  deploy(service: LabService | string, rev: string): Promise<void>;
  /** Stops every process the lab started; safe to call twice. */
  stop(): Promise<void>;
}

type ServiceState = 'starting' | 'running' | 'failed' | 'stopped';

interface RunningService {
  service: string;
  sha: string;
  port: number;
  process?: ChildProcess;
  state: ServiceState;
  error?: string;
  crashes: number;
}

/** Starts the lab. Call stop() when done; children also exit when this process does. */
export async function startLab(opts: LabOptions): Promise<Lab> {
  const log = scopedLogger(opts.logger ?? silentLogger, 'lab');
  const workspaceDir = path.resolve(opts.workspaceDir);
  const labDir = path.join(workspaceDir, '.lab');
  const logsDir = path.join(labDir, 'logs');

  let workspace = await readLabWorkspace(workspaceDir);
  if (!workspace) {
    log.info(`creating the lab workspace in ${workspaceDir}`);
    workspace = await createLabWorkspace(workspaceDir, { deployBad: false });
  }
  await fs.promises.mkdir(logsDir, { recursive: true });

  const children = new Set<ChildProcess>();
  // SIGTERM, not SIGKILL: a guard process must live long enough to stop its Prometheus.
  const killAllNow = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('exit', killAllNow);

  let stopping = false;
  const services = new Map<string, RunningService>();
  const serviceNames = opts.services ?? LAB_SERVICES;
  const urlOf = (service: string): string => (opts.serviceUrl ? opts.serviceUrl(service, ports[service]!) : `http://127.0.0.1:${ports[service]}`);
  let loadgen: ChildProcess | undefined;
  const extras: ChildProcess[] = [];
  let badDeployTimer: NodeJS.Timeout | undefined;
  let watching = false;
  const deployedFile = path.join(labDir, 'deployed.json');
  const statusFile = path.join(labDir, 'status.json');

  const spawnChild = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess => {
    const out = fs.openSync(path.join(logsDir, `${name}.log`), 'a');
    try {
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out, 'ipc'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      child.on('error', (err) => log.error(`${name}: ${err.message}`));
      return child;
    } finally {
      fs.closeSync(out);
    }
  };

  const writeStatus = () => {
    const status = {
      supervisorPid: stopping ? null : process.pid,
      updatedAt: new Date().toISOString(),
      ports: ports,
      services: Object.fromEntries([...services.values()].map((s) => [s.service, { sha: s.sha, pid: s.process?.pid, port: s.port, state: s.state, error: s.error }])),
    };
    const tmp = `${statusFile}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(status, null, 2) + '\n');
    fs.renameSync(tmp, statusFile);
  };

  const readDeployed = (): DeployedState => JSON.parse(fs.readFileSync(deployedFile, 'utf8')) as DeployedState;

  const serviceEnv = (service: string, sha: string, releaseDir: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    // The services get a clean environment: an outer OTEL_* or NODE_OPTIONS must not redirect them.
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith('OTEL_') && key !== 'NODE_OPTIONS' && !key.startsWith('npm_')) env[key] = value;
    }
    const urls = Object.fromEntries(serviceNames.map((s) => [`${s.toUpperCase().replace(/-/g, '_')}_URL`, urlOf(s)]));
    return {
      ...env,
      ...urls,
      ...(service && serviceNames.includes(service) ? opts.serviceEnv?.(service) : {}),
      NODE_PATH: opts.nodeModulesDir ?? PROJECT_NODE_MODULES,
      HOST: '127.0.0.1',
      PORT: String(ports[service] ?? ''),
      OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpEndpoint ?? 'http://127.0.0.1:4318',
      OTEL_EXPORT_INTERVAL_MS: String(opts.exportIntervalMs ?? 1000),
      RELEASE_ROOT: releaseDir,
      SERVICE_VERSION: sha.slice(0, 12),
      DEPLOYMENT_ENVIRONMENT: 'production',
    };
  };

  const startService = async (entry: RunningService): Promise<void> => {
    entry.state = 'starting';
    entry.error = undefined;
    writeStatus();
    try {
      const releaseDir = deployTool.ensureRelease(workspaceDir, entry.service, entry.sha);
      const script = path.join(releaseDir, 'services', entry.service, 'src', 'server.js');
      const child = spawnChild(entry.service, process.execPath, [...(opts.nodeArgs?.(entry.service) ?? []), '--require', EXIT_WITH_PARENT, script], serviceEnv(entry.service, entry.sha, releaseDir), releaseDir);
      entry.process = child;
      child.on('exit', (code, signal) => {
        if (entry.process !== child || stopping || entry.state === 'stopped') return;
        entry.process = undefined;
        entry.state = 'failed';
        entry.error = `exited with ${signal ?? code}`;
        writeStatus();
        log.warn(`${entry.service} exited unexpectedly (${signal ?? code})`);
        if (entry.crashes++ < MAX_CRASH_RESTARTS) setTimeout(() => { if (!stopping && entry.state === 'failed') enqueue(() => startService(entry)); }, 1000);
      });
      await waitUntilReady(`${urlOf(entry.service)}/healthz`, child, HEALTH_TIMEOUT_MS, 'the service');
      entry.state = 'running';
      log.info(`${entry.service} running ${entry.sha.slice(0, 7)} on port ${entry.port} (pid ${child.pid})`);
    } catch (err) {
      entry.state = 'failed';
      entry.error = (err as Error).message;
      log.error(`${entry.service} did not start at ${entry.sha.slice(0, 7)}: ${entry.error}`);
    }
    writeStatus();
  };

  const stopService = async (entry: RunningService): Promise<void> => {
    const child = entry.process;
    entry.state = 'stopped';
    entry.process = undefined;
    if (child) await stopChild(child);
  };

  // Restarts are serialized: a burst of deploys must never run two copies of a service.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(task, task).catch((err) => log.error(err as Error));
    return queue;
  };

  const reconcile = () => enqueue(async () => {
    if (stopping) return;
    let deployed: DeployedState;
    try {
      deployed = readDeployed();
    } catch (err) {
      log.error(`cannot read ${deployedFile}: ${(err as Error).message}`);
      return;
    }
    for (const entry of services.values()) {
      const wanted = deployed.services[entry.service]?.sha;
      if (!wanted || wanted === entry.sha) continue;
      log.info(`deploying ${entry.service}: ${entry.sha.slice(0, 7)} -> ${wanted.slice(0, 7)}`);
      await stopService(entry);
      entry.sha = wanted;
      entry.crashes = 0;
      await startService(entry);
    }
  });

  const ports = await allocatePorts(opts.basePort, !!opts.withPrometheus, serviceNames);

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (badDeployTimer) clearTimeout(badDeployTimer);
    if (watching) fs.unwatchFile(deployedFile);
    await queue;
    const all = [loadgen, ...extras, ...[...services.values()].map((s) => s.process)].filter((c): c is ChildProcess => !!c);
    for (const s of services.values()) s.state = 'stopped';
    await Promise.all(all.map((child) => stopChild(child)));
    killAllNow();
    process.removeListener('exit', killAllNow);
    try {
      writeStatus();
    } catch {
      // The workspace may be gone already (a test removed it); nothing to report to.
    }
    log.info('lab stopped');
  };

  try {
    const deployed = readDeployed();
    for (const service of serviceNames) {
      const sha = deployed.services[service]?.sha ?? workspace.goodSha;
      services.set(service, { service, sha, port: ports[service]!, state: 'stopped', crashes: 0 });
    }
    // Callees first, so the first requests find their downstreams up.
    const order = opts.services ?? ['payments', 'checkout', 'storefront'];
    for (const service of order) await enqueue(() => startService(services.get(service)!));
    const failed = [...services.values()].filter((s) => s.state !== 'running');
    if (failed.length > 0) throw new Error(`services did not start: ${failed.map((s) => `${s.service} (${s.error})`).join(', ')}; see ${logsDir}`);

    fs.watchFile(deployedFile, { interval: 500 }, () => void reconcile());
    watching = true;

    if (opts.withPrometheus && fs.existsSync(PROMETHEUS_BIN) && fs.existsSync(ALERTMANAGER_BIN)) {
      extras.push(...(await startPrometheus(labDir, ports, serviceNames, new Set(serviceNames.filter((s) => urlOf(s).startsWith('https:'))), opts.alertRules ?? LAB_ALERT_RULES, opts.alertWebhookUrl, spawnChild)));
    } else if (opts.withPrometheus) {
      log.warn(`Prometheus not started: ${PROMETHEUS_BIN} or ${ALERTMANAGER_BIN} is missing`);
      delete ports.prometheus;
      delete ports.alertmanager;
    }

    const rps = opts.loadRps ?? 4;
    if (opts.load) {
      loadgen = spawnChild('loadgen', process.execPath, ['--require', EXIT_WITH_PARENT, opts.load.script, '--target', urlOf('storefront'), ...opts.load.args], serviceEnv('', '', labDir), labDir);
    } else if (rps > 0) {
      loadgen = spawnChild('loadgen', process.execPath, ['--require', EXIT_WITH_PARENT, LOADGEN_SCRIPT, '--target', `http://127.0.0.1:${ports.storefront}`, '--rps', String(rps)], serviceEnv('storefront', '', labDir), labDir);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const deploy = async (service: LabService | string, rev: string): Promise<void> => {
    if (stopping) throw new Error('the lab is stopped');
    const output = await runNode([DEPLOY_SCRIPT, '--workspace', workspaceDir, '--service', service, '--to', rev, '--actor', 'incident-lab', '--wait-s', '30']);
    // The watcher normally catches the change first; this makes the restart certain before we return.
    await reconcile();
    log.info(output.trim());
  };

  const faultyHead = workspace.headSha;
  const bad = opts.deployBadAfterMs ?? 5000;
  if (bad !== false) {
    if (services.get('payments')?.sha === workspace.goodSha) {
      badDeployTimer = setTimeout(() => {
        badDeployTimer = undefined;
        deploy('payments', faultyHead).catch((err) => log.error(`the faulty deploy failed: ${(err as Error).message}`));
      }, bad);
    } else {
      log.info(`payments already runs ${services.get('payments')?.sha.slice(0, 7)}; not deploying the fault again`);
    }
  }

  return { workspaceDir, workspace, ports, deploy, stop };
}

async function allocatePorts(basePort: number | undefined, withPrometheus: boolean, serviceNames: readonly string[]): Promise<LabPorts> {
  const extra = serviceNames.filter((s) => !(LAB_SERVICES as readonly string[]).includes(s));
  if (basePort !== undefined) {
    if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65530 - extra.length) throw new Error(`basePort must be an integer from 1024 to ${65530 - extra.length}, not ${basePort}`);
    return {
      storefront: basePort, checkout: basePort + 1, payments: basePort + 2,
      ...(withPrometheus ? { prometheus: basePort + 3, alertmanager: basePort + 4 } : {}),
      ...Object.fromEntries(extra.map((s, i) => [s, basePort + 5 + i])),
    };
  }
  // Hold every listener until all are chosen so no two roles get the same port.
  const servers: net.Server[] = [];
  const free = async (): Promise<number> => {
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    return (server.address() as net.AddressInfo).port;
  };
  try {
    const ports: LabPorts = {
      storefront: await free(), checkout: await free(), payments: await free(),
      ...(withPrometheus ? { prometheus: await free(), alertmanager: await free() } : {}),
    };
    for (const s of extra) ports[s] = await free();
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    // A health check asks whether the process serves, not whether its certificate is still valid.
    const get = url.startsWith('https:') ? (u: string, o: https.RequestOptions, cb: (res: http.IncomingMessage) => void) => https.get(u, { ...o, rejectUnauthorized: false }, cb) : http.get;
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited during startup (${child.signalCode ?? child.exitCode})`);
    if ((await httpStatus(url)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: DEPLOY_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(args[0])} failed: ${String(stderr).trim() || String(stdout).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

/** The alert rules of the lab, over the services' Prometheus metrics. */
export const LAB_ALERT_RULES = `groups:
  - name: shop
    rules:
      - alert: PaymentsErrorRatioHigh
        expr: |
          sum by (service) (rate(http_server_errors_total{service="payments"}[30s]))
            / sum by (service) (rate(http_server_requests_total{service="payments"}[30s])) > 0.05
        for: 10s
        labels:
          severity: critical
          env: production
          team: payments
        annotations:
          summary: 'payments answers {{ $value | humanizePercentage }} of requests with a 5xx'
          description: 'More than 5% of payments requests failed for 10 seconds.'
          runbook_url: 'docs/runbooks/payments.md'
      - alert: ServiceErrorRatioHigh
        expr: |
          sum by (service) (rate(http_server_errors_total{service!="payments"}[1m]))
            / sum by (service) (rate(http_server_requests_total{service!="payments"}[1m])) > 0.05
        for: 30s
        labels:
          severity: warning
          env: production
        annotations:
          summary: '{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with a 5xx'
      - alert: ServiceLatencyHigh
        expr: |
          histogram_quantile(0.95, sum by (service, le) (rate(http_server_request_duration_seconds_bucket[1m]))) > 1
        for: 1m
        labels:
          severity: warning
          env: production
        annotations:
          summary: '{{ $labels.service }} p95 latency is {{ $value | humanizeDuration }}'
`;

type SpawnChild = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) => ChildProcess;

async function startPrometheus(labDir: string, ports: LabPorts, serviceNames: readonly string[], tlsServices: Set<string>, rules: string, webhookUrl: string | undefined, spawnChild: SpawnChild): Promise<ChildProcess[]> {
  const promDir = path.join(labDir, 'prometheus');
  const amDir = path.join(labDir, 'alertmanager');
  // Fresh data each run: yesterday's series would only blur today's incident.
  await fs.promises.rm(promDir, { recursive: true, force: true });
  await fs.promises.rm(amDir, { recursive: true, force: true });
  await fs.promises.mkdir(path.join(promDir, 'data'), { recursive: true });
  await fs.promises.mkdir(path.join(amDir, 'data'), { recursive: true });
  const httpTargets = serviceNames.filter((s) => !tlsServices.has(s)).map((s) => `'127.0.0.1:${ports[s]}'`).join(', ');
  const httpsTargets = serviceNames.filter((s) => tlsServices.has(s)).map((s) => `'localhost:${ports[s]}'`).join(', ');
  await fs.promises.writeFile(path.join(promDir, 'rules.yml'), rules);
  await fs.promises.writeFile(path.join(promDir, 'prometheus.yml'), `global:
  scrape_interval: 2s
  evaluation_interval: 2s
  external_labels:
    lab: incident-lab
rule_files:
  - ${JSON.stringify(path.join(promDir, 'rules.yml'))}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${ports.alertmanager}']
scrape_configs:
  - job_name: shop
    static_configs:
      - targets: [${httpTargets}]
${httpsTargets ? `  - job_name: shop-tls
    scheme: https
    tls_config:
      insecure_skip_verify: true
    static_configs:
      - targets: [${httpsTargets}]
` : ''}`);
  const receiver = webhookUrl
    ? `  - name: lab\n    webhook_configs:\n      - url: ${JSON.stringify(webhookUrl)}\n        send_resolved: true\n`
    : '  - name: lab\n';
  await fs.promises.writeFile(path.join(amDir, 'alertmanager.yml'), `route:
  receiver: lab
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
${receiver}`);

  const env = { ...process.env };
  const alertmanager = spawnChild('alertmanager', process.execPath, [GUARD_SCRIPT, '--', ALERTMANAGER_BIN,
    `--config.file=${path.join(amDir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(amDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
    '--cluster.listen-address=',
  ], env, amDir);
  const prometheus = spawnChild('prometheus', process.execPath, [GUARD_SCRIPT, '--', PROMETHEUS_BIN,
    `--config.file=${path.join(promDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(promDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    '--storage.tsdb.retention.time=1d',
  ], env, promDir);
  try {
    await waitUntilReady(`http://127.0.0.1:${ports.alertmanager}/-/ready`, alertmanager, 20_000, 'Alertmanager');
    await waitUntilReady(`http://127.0.0.1:${ports.prometheus}/-/ready`, prometheus, 20_000, 'Prometheus');
  } catch (err) {
    await Promise.all([stopChild(alertmanager), stopChild(prometheus)]);
    throw err;
  }
  return [alertmanager, prometheus];
}
