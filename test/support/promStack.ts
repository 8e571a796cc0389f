// Starts a real Prometheus and a real Alertmanager (the Debian binaries) on 127.0.0.1 with temp
// config and data dirs and free ports, waits for them to be ready within a bound, and stops them.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const prometheusBinary = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const alertmanagerBinary = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export function binariesAvailable(): { ok: boolean; missing: string[] } {
  const missing = [prometheusBinary, alertmanagerBinary].filter((b) => {
    try {
      fs.accessSync(b, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  return { ok: missing.length === 0, missing };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dir: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ready:\n${output()}`);
    if ((await getStatus(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not ready at ${url} within ${boundMs} ms:\n${output()}`);
}

function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function startProcess(binary: string, args: (dir: string, port: number) => string[], files: Record<string, string>, prefix: string, readyBoundMs: number, prepare?: (dir: string) => void): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  prepare?.(dir);
  const port = await freePort();
  const child = spawn(binary, args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  // If the test run dies without its after hooks, do not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const server: RunningServer = { url, port, dir, output: () => out, stop: () => stopChild(child, dir) };
  try {
    await waitReady(`${url}/-/ready`, child, () => out, readyBoundMs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

export function startAlertmanager(configYaml: string, readyBoundMs = 20_000): Promise<RunningServer> {
  return startProcess(
    alertmanagerBinary,
    (dir, port) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty turns clustering (gossip on :9094) off.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { 'alertmanager.yml': configYaml },
    'il-am-',
    readyBoundMs,
  );
}

/** `prepare` runs before the server starts, with the folder whose `data` is the TSDB (to backfill history). */
export function startPrometheus(configYaml: string, rulesYaml: string, readyBoundMs = 30_000, prepare?: (dir: string) => void): Promise<RunningServer> {
  return startProcess(
    prometheusBinary,
    (dir, port) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { 'prometheus.yml': configYaml.replace('RULES_FILE', 'rules.yml'), 'rules.yml': rulesYaml },
    'il-prom-',
    readyBoundMs,
    prepare,
  );
}

/** Polls `check` until it returns a value, within a bound; the last error explains a timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, boundMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + boundMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what} after ${boundMs} ms${last ? `: ${String(last)}` : ''}`);
}
