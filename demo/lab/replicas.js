#!/usr/bin/env node
'use strict';
// The lab's replicated workload: N replicas of a service as real processes behind a round-robin front,
// a steady load, and the replicas' real CPU and memory (from /proc) exported in cAdvisor's and
// kube-state-metrics' formats, so right-sizing and staged scale-downs work on it as on a cluster.
//
//   node demo/lab/replicas.js --workspace DIR [--otlp URL] [--service recommend] [--replicas 6]
//                             [--rps 16] [--service-ms 200] [--port N] [--metrics-port N]
//
// The desired count lives in <workspace>/.lab/replicas.json; demo/lab/scale.js changes it (the same
// argv a remediation runs) and this supervisor starts or stops processes to match, reporting what runs
// in .lab/replicas-status.json. Children stop when the supervisor goes away.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const LAB_ROOT = __dirname;
const NODE_MODULES = path.resolve(LAB_ROOT, '..', '..', 'node_modules');
const NAMESPACE = 'lab';
const REQUESTS = { cpu: 0.5, memory: 256 * 1024 * 1024 };
const CLK_TCK = 100;

function parseArgs(argv) {
  const o = { service: 'recommend', replicas: 6, rps: 16, serviceMs: 200, port: 0, metricsPort: 0, otlp: 'http://127.0.0.1:4318' };
  const map = { '--workspace': 'workspace', '--otlp': 'otlp', '--service': 'service', '--replicas': 'replicas', '--rps': 'rps', '--service-ms': 'serviceMs', '--port': 'port', '--metrics-port': 'metricsPort' };
  for (let i = 0; i < argv.length; i++) {
    const key = map[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${JSON.stringify(argv[i])}`);
    o[key] = ['workspace', 'otlp', 'service'].includes(key) ? argv[++i] : Number(argv[++i]);
  }
  if (!o.workspace) throw new Error('--workspace is required');
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(o.service)) throw new Error(`not a service name: ${o.service}`);
  return o;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function writeJsonAtomic(file, value) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** CPU seconds and resident bytes of a process, from /proc (Linux). */
function usage(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    return { cpu, rss };
  } catch {
    return undefined;
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const labDir = path.join(path.resolve(o.workspace), '.lab');
  fs.mkdirSync(path.join(labDir, 'logs'), { recursive: true });
  const desiredFile = path.join(labDir, 'replicas.json');
  const statusFile = path.join(labDir, 'replicas-status.json');
  if (!fs.existsSync(desiredFile)) writeJsonAtomic(desiredFile, { service: o.service, replicas: o.replicas, requests: REQUESTS });
  const replicas = new Map(); // index -> { child, port, ready }
  let stopping = false;
  let frontPort = o.port;
  let metricsPort = o.metricsPort;
  const hash = '7f9c4';
  const podName = (i) => `${o.service}-${hash}-${i}`;

  const writeStatus = () => {
    const desired = JSON.parse(fs.readFileSync(desiredFile, 'utf8')).replicas;
    const ready = [...replicas.values()].filter((r) => r.ready);
    writeJsonAtomic(statusFile, { supervisorPid: stopping ? null : process.pid, service: o.service, desired, running: ready.length, pids: ready.map((r) => r.child.pid), frontPort, metricsPort, updatedAt: new Date().toISOString() });
  };

  const start = async (i) => {
    const port = await freePort();
    const out = fs.openSync(path.join(labDir, 'logs', `${podName(i)}.log`), 'a');
    const child = spawn(process.execPath, ['--require', path.join(LAB_ROOT, 'exit-with-parent.js'), path.join(LAB_ROOT, 'replica.js')], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_PATH: NODE_MODULES, LAB_WORKSPACE: path.resolve(o.workspace), SERVICE_NAME: o.service, SERVICE_MS: String(o.serviceMs), PORT: String(port), HOST: '127.0.0.1', REPLICA_INDEX: String(i), OTEL_EXPORTER_OTLP_ENDPOINT: o.otlp, OTEL_EXPORT_INTERVAL_MS: '1000', SERVICE_VERSION: hash, RELEASE_ROOT: path.resolve(o.workspace) },
      stdio: ['ignore', out, out, 'ipc'],
    });
    fs.closeSync(out);
    const r = { child, port, ready: false };
    replicas.set(i, r);
    child.on('exit', () => {
      if (replicas.get(i) === r) replicas.delete(i);
      if (!stopping) writeStatus();
    });
    for (let t = 0; t < 100 && child.exitCode === null; t++) {
      const ok = await new Promise((resolve) => http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 500 }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)));
      if (ok) {
        r.ready = true;
        break;
      }
      await new Promise((res) => setTimeout(res, 150));
    }
  };
  const stop = (i) =>
    new Promise((resolve) => {
      const r = replicas.get(i);
      if (!r) return resolve();
      r.ready = false;
      const kill = setTimeout(() => r.child.kill('SIGKILL'), 4000);
      r.child.once('exit', () => (clearTimeout(kill), resolve()));
      r.child.kill('SIGTERM');
    });

  let reconciling = Promise.resolve();
  const reconcile = () =>
    (reconciling = reconciling.then(async () => {
      if (stopping) return;
      let desired;
      try {
        desired = Number(JSON.parse(fs.readFileSync(desiredFile, 'utf8')).replicas);
      } catch (err) {
        console.error(`replicas: cannot read ${desiredFile}: ${err.message}`);
        return;
      }
      if (!Number.isInteger(desired) || desired < 0 || desired > 50) return console.error(`replicas: ignoring desired count ${desired}`);
      const have = [...replicas.keys()].sort((a, b) => a - b);
      // Scale down removes the newest replicas first, as a ReplicaSet does with equally ranked pods.
      for (const i of have.slice(desired).reverse()) await stop(i);
      for (let i = 0; replicas.size < desired; i++) if (!replicas.has(i)) await start(i);
      writeStatus();
    }));

  // The front: round-robin over ready replicas, like a Service's iptables rules.
  let next = 0;
  const front = http.createServer((req, res) => {
    const ready = [...replicas.values()].filter((r) => r.ready);
    if (!ready.length) {
      res.writeHead(503);
      return res.end('no replica ready');
    }
    const r = ready[next++ % ready.length];
    const up = http.request({ host: '127.0.0.1', port: r.port, path: req.url, method: req.method, headers: req.headers }, (u) => {
      res.writeHead(u.statusCode || 502, u.headers);
      u.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise((r) => front.listen(frontPort, '127.0.0.1', r));
  frontPort = front.address().port;

  // cAdvisor and kube-state-metrics, for the replicas that run: real CPU seconds and resident memory.
  const metrics = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404);
      return res.end();
    }
    const desired = JSON.parse(fs.readFileSync(desiredFile, 'utf8'));
    const lines = [`kube_deployment_spec_replicas{namespace="${NAMESPACE}",deployment="${o.service}"} ${desired.replicas}`, `kube_replicaset_owner{namespace="${NAMESPACE}",replicaset="${o.service}-${hash}",owner_kind="Deployment",owner_name="${o.service}",owner_is_controller="true"} 1`];
    for (const [i, r] of replicas) {
      const u = r.ready ? usage(r.child.pid) : undefined;
      if (!u) continue;
      const pod = `namespace="${NAMESPACE}",pod="${podName(i)}"`;
      const c = `${pod},container="${o.service}"`;
      lines.push(
        `container_cpu_usage_seconds_total{${c}} ${u.cpu}`,
        `container_memory_working_set_bytes{${c}} ${u.rss}`,
        `kube_pod_owner{${pod},owner_kind="ReplicaSet",owner_name="${o.service}-${hash}",owner_is_controller="true"} 1`,
        `kube_pod_status_phase{${pod},phase="Running"} 1`,
        `kube_pod_container_resource_requests{${c},resource="cpu",unit="core"} ${desired.requests?.cpu ?? REQUESTS.cpu}`,
        `kube_pod_container_resource_requests{${c},resource="memory",unit="byte"} ${desired.requests?.memory ?? REQUESTS.memory}`,
      );
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n') + '\n');
  });
  await new Promise((r) => metrics.listen(metricsPort, '127.0.0.1', r));
  metricsPort = metrics.address().port;

  await reconcile();
  fs.watchFile(desiredFile, { interval: 300 }, () => void reconcile());

  // The load: a steady rate of requests at the front, no tracing of its own.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const load = o.rps > 0 ? setInterval(() => {
    http.get({ host: '127.0.0.1', port: frontPort, path: '/recommend', agent, timeout: 30_000 }, (res) => res.resume()).on('error', () => undefined);
  }, 1000 / o.rps) : undefined;

  console.log(`replicas: ${o.service} x ${replicas.size} behind http://127.0.0.1:${frontPort}, metrics on http://127.0.0.1:${metricsPort}/metrics, ${o.rps} requests/s`);
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    if (load) clearInterval(load);
    fs.unwatchFile(desiredFile);
    await Promise.all([...replicas.keys()].map(stop));
    front.close();
    metrics.close();
    try {
      writeStatus();
    } catch {
      // the workspace may be gone
    }
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (typeof process.send === 'function') process.on('disconnect', shutdown);
}

main().catch((err) => {
  console.error(`replicas: ${err.message}`);
  process.exit(2);
});
