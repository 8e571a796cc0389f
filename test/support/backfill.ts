// Real history in a real Prometheus: samples are written as OpenMetrics text, turned into TSDB blocks by
// `promtool tsdb create-blocks-from openmetrics` (Prometheus's own backfill), and served by the Debian
// prometheus started on that data directory on a free port. Used by the right-sizing tests (hours of
// data) and its benchmark (14 days, written in parts so no file grows past a few hundred MB).

import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, prometheusBinary, waitFor, type RunningServer } from './promStack';

export const promtoolBinary = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

export function promtoolAvailable(): boolean {
  try {
    fs.accessSync(promtoolBinary, fs.constants.X_OK);
    fs.accessSync(prometheusBinary, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One sample line; labels sorted for a stable text. Timestamps in ms, written as OpenMetrics seconds. */
export function sampleLine(name: string, labels: Record<string, string>, value: number, timeMs: number): string {
  const l = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${l}} ${Number.isInteger(value) ? value : value.toPrecision(12)} ${(timeMs / 1000).toFixed(3)}\n`;
}

/** Writes lines produced by `write` into an OpenMetrics file and turns it into blocks in `dataDir`. */
export async function backfill(dataDir: string, write: (out: (line: string) => void) => void, workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-om-'))): Promise<{ blocks: string[]; bytes: number }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(workDir, `input-${process.pid}-${Date.now()}.om`);
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  let size = 0;
  let bytes = 0;
  const flush = () => {
    const text = buf.join('');
    fs.writeSync(fd, text);
    bytes += Buffer.byteLength(text);
    buf = [];
    size = 0;
  };
  try {
    write((line) => {
      buf.push(line);
      size += line.length;
      if (size > 8 * 1024 * 1024) flush();
    });
    buf.push('# EOF\n');
    flush();
  } finally {
    fs.closeSync(fd);
  }
  const before = new Set(fs.readdirSync(dataDir));
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(promtoolBinary, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`promtool create-blocks-from openmetrics failed: ${stderr || err.message}`)) : resolve())),
    );
  } finally {
    fs.rmSync(file, { force: true });
  }
  return { blocks: fs.readdirSync(dataDir).filter((d) => !before.has(d)), bytes };
}

/** Starts Prometheus on an existing data directory (blocks from backfill), scraping nothing. */
export async function startPrometheusOnData(dataDir: string, readyBoundMs = 60_000, extraArgs: string[] = []): Promise<RunningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-prom-bf-'));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const child = spawn(prometheusBinary, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=60d', '--log.level=warn', '--query.max-samples=200000000', ...(extraArgs.some((a) => a.startsWith('--query.timeout')) ? [] : ['--query.timeout=10m']), ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  const keep = (b: Buffer) => (out = (out + b.toString('utf8')).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      process.removeListener('exit', killOnExit);
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
  try {
    await waitFor(
      'Prometheus ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${out}`);
        const r = await fetch(`${url}/-/ready`).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      readyBoundMs,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dir, output: () => out, stop };
}
