// What looking where an alert looks costs: seriesForAlert against a real Prometheus (Debian binary)
// scraping a real node_exporter every second, with the community rule HostHighCpuLoad loaded from
// ../shared/data/prometheus-alert-rules (its range shortened to [15s] so a young TSDB has data). The
// alert is an Alertmanager-style copy (no rule attached), so each call also matches it to its rule.
// Cold: the first call (rules, scrape interval and metadata read); warm: the median and p95 of the next
// --runs calls (rules and metadata cached as in a session). Request counts come from a counting proxy.
// Usage: npm run bench -- alert-series [--runs 20] [--seconds 20]

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Alert } from '../src/core/model';
import { PrometheusSource } from '../src/sources/prometheus';
import { parseBenchArgs, printResult, resolveDataDir, round } from './common';
import { freePort, startPrometheus, waitFor } from '../test/support/promStack';

const args = parseBenchArgs();
const runs = Number(args.flags.runs ?? 20);
const seconds = Number(args.flags.seconds ?? 20);
const rulesFile = path.join(resolveDataDir(args, 'prometheus-alert-rules'), 'dist/rules/host-and-hardware/node-exporter.yml');
const exporterBin = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter';

async function main(): Promise<void> {
  const doc = parseYaml(fs.readFileSync(rulesFile, 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
  const group = doc.groups.find((g) => g.rules.some((r) => r.alert === 'HostHighCpuLoad'))!;
  const rule = { ...group.rules.find((r) => r.alert === 'HostHighCpuLoad')!, for: '0s' };
  rule.expr = rule.expr.replace('[5m]', '[15s]');
  const port = await freePort();
  const instance = `127.0.0.1:${port}`;
  const exporter = spawn(exporterBin, [`--web.listen-address=${instance}`, '--log.level=warn'], { stdio: 'ignore' });
  process.once('exit', () => exporter.kill('SIGKILL'));
  const prometheus = await startPrometheus(
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'rule_files: [RULES_FILE]', 'scrape_configs:', '  - job_name: node', '    static_configs:', `      - targets: ['${instance}']`, ''].join('\n'),
    JSON.stringify({ groups: [{ name: group.name, rules: [rule] }] }),
  );
  // A counting proxy in front of Prometheus: how many requests one investigation's metrics cost.
  let requests = 0;
  const target = new URL(prometheus.url);
  const proxy = http.createServer((req, res) => {
    requests++;
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const prom = new PrometheusSource({ name: 'prom', url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, timeoutMs: 10_000 });
    await waitFor('the first scrape', async () => ((await prom.query(`up{instance="${instance}"}`)).series.length ? true : undefined), 30_000, 300);
    console.log(`alert-series: letting Prometheus collect ${seconds} s of node_exporter data`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const alert: Alert = { id: 'bench', name: 'HostHighCpuLoad', state: 'firing', severity: 'warning', labels: { alertname: 'HostHighCpuLoad', instance, job: 'node', severity: 'warning' }, annotations: {}, startsAt: Date.now() - 60_000, sourceName: 'am', sourceKind: 'alertmanager' };
    const window = () => ({ start: Date.now() - 3600_000, end: Date.now() });
    const timed = async () => {
      const before = requests;
      const t = performance.now();
      const series = await prom.seriesForAlert(alert, window());
      return { ms: performance.now() - t, series: series.length, requests: requests - before, own: series.filter((s) => s.role === 'alert').length };
    };
    const cold = await timed();
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push(await timed());
    const ms = warm.map((w) => w.ms).sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    const p95 = ms[Math.min(ms.length - 1, Math.ceil(0.95 * ms.length) - 1)];
    console.log(`cold: ${round(cold.ms, 1)} ms, ${cold.requests} requests, ${cold.series} series (${cold.own} of the alert's own expression)`);
    console.log(`warm: median ${round(median, 1)} ms, p95 ${round(p95, 1)} ms over ${runs} calls, ${warm[0].requests} requests, ${warm[0].series} series`);
    console.log('aim: well inside the panel-ready budget of 1.5 s (no published figure for this); the 2-core machine is shared, so figures vary with its load');
    printResult({ coldMs: round(cold.ms, 1), warmMedianMs: round(median, 1), warmP95Ms: round(p95, 1), coldRequests: cold.requests, warmRequests: warm[0].requests, series: warm[0].series, ownSeries: warm[0].own, runs });
  } finally {
    await new Promise<void>((r) => proxy.close(() => r()));
    await prometheus.stop();
    exporter.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
