// The real MCP SDK client against our stdio server (`incident-lens mcp`, spawned as a user's agent would),
// over a real Prometheus (Debian binary on 127.0.0.1) scraping a target this test serves, and a real git
// workspace. The same tools, checks, bounds and redaction as our own agent's.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { agentTools } from '../../../src/agent/tools/registry';
import { binariesAvailable, startPrometheus, waitFor, type RunningServer } from '../../support/promStack';

const bin = path.resolve(__dirname, '..', '..', '..', 'bin', 'incident-lens.js');
const textOf = (r: any): string => r.content.map((c: any) => c.text).join('');

describe('MCP server: the real MCP SDK client over stdio against `incident-lens mcp` (real Prometheus, real git)', function () {
  this.timeout(120_000);
  let target: http.Server;
  let prometheus: RunningServer | undefined;
  let workspace: string;
  let outside: string;
  let client: Client | undefined;
  let stderr = '';

  before(async function () {
    if (!binariesAvailable().ok) this.skip();
    target = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(['# TYPE payments_errors_total counter', 'payments_errors_total{service="payments"} 7', '# TYPE payments_up gauge', 'payments_up{service="payments",note="Authorization: Bearer PROMSECRET0123456789"} 1', ''].join('\n'));
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus(
      ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'rule_files: [RULES_FILE]', 'scrape_configs:', '  - job_name: shop', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'),
      ['groups:', '  - name: shop', '    rules:', '      - alert: PaymentsErrors', '        expr: payments_errors_total > 0', '        labels: { severity: critical }', '        annotations: { summary: payments is failing }', ''].join('\n'),
    );
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ws-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'OUTSIDE-MCP-CANARY\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd: workspace });
    git('init', '-q');
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src', 'pay.js'), 'function pay() {\n  return charge();\n}\n');
    git('add', '.');
    git('commit', '-qm', 'payments: charge directly');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin, 'mcp', '--source', `prometheus=${prometheus.url}`, '--workspace', workspace, '--trusted'],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    client = new Client({ name: 'incident-lens-test', version: '1.0.0' });
    await client.connect(transport);
    await waitFor('the rule to fire', async () => {
      const r = await client!.callTool({ name: 'list_alerts', arguments: { state: 'firing' } });
      return JSON.parse(textOf(r)).total > 0 ? true : undefined;
    }, 60_000, 500);
  });

  after(async () => {
    await client?.close();
    await prometheus?.stop();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    for (const d of [workspace, outside]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('lists the same tools as our own agent, with their schemas, and marks all but propose_remediation read-only', async () => {
    const { tools } = await client!.listTools();
    assert.deepEqual(tools.map((t) => t.name), agentTools.map((t) => t.name));
    const q = tools.find((t) => t.name === 'query_metrics')!;
    assert.deepEqual(q.inputSchema.required, ['query']);
    assert.ok(tools.filter((t) => t.name !== 'propose_remediation').every((t) => t.annotations?.readOnlyHint === true));
    assert.equal(tools.find((t) => t.name === 'propose_remediation')!.annotations?.readOnlyHint, false);
  });

  it('list_alerts and query_metrics answer from the real Prometheus, redacted', async () => {
    const alerts = JSON.parse(textOf(await client!.callTool({ name: 'list_alerts', arguments: {} })));
    assert.ok(alerts.alerts.some((a: any) => a.name === 'PaymentsErrors' && a.state === 'firing'), JSON.stringify(alerts));
    // A fresh Prometheus has its first samples only seconds old: ask until a step lands after them.
    const r = await waitFor('payments_up samples', async () => {
      const got = await client!.callTool({ name: 'query_metrics', arguments: { query: 'payments_up', start: '-2m', end: new Date().toISOString(), stepSeconds: 1 } });
      return JSON.parse(textOf(got)).seriesCount > 0 ? got : undefined;
    }, 30_000, 500);
    const text = textOf(r);
    assert.equal(r.isError, false, text);
    const data = JSON.parse(text);
    assert.equal(data.series[0]?.last, 1, text);
    assert.ok(!text.includes('PROMSECRET0123456789') && text.includes('Bearer <redacted>'), text);
  });

  it('get_findings runs the investigation of an alert once, over the same pipeline as the panel', async () => {
    const alerts = JSON.parse(textOf(await client!.callTool({ name: 'list_alerts', arguments: { state: 'firing' } })));
    const id = alerts.alerts[0].id;
    const r = await client!.callTool({ name: 'get_findings', arguments: { alertId: id } });
    assert.equal(r.isError, false, textOf(r));
    const f = JSON.parse(textOf(r));
    assert.ok(f.counts && f.onset, textOf(r));
    const h = JSON.parse(textOf(await client!.callTool({ name: 'get_hypothesis', arguments: {} })));
    assert.equal(typeof h.confidence, 'number');
  });

  it('the workspace: history, diff, blame and files from real git; nothing outside the workspace', async () => {
    const changes = JSON.parse(textOf(await client!.callTool({ name: 'list_changes', arguments: { start: '-1d' } })));
    assert.equal(changes.changes[0].message.trim(), 'payments: charge directly');
    const diff = JSON.parse(textOf(await client!.callTool({ name: 'show_diff', arguments: { sha: changes.changes[0].sha } })));
    assert.match(diff.diff, /\+ {2}return charge\(\);/);
    const blame = JSON.parse(textOf(await client!.callTool({ name: 'blame_lines', arguments: { path: 'src/pay.js', startLine: 1, endLine: 2 } })));
    assert.equal(blame.lines[1].text, '  return charge();');
    const file = JSON.parse(textOf(await client!.callTool({ name: 'read_file', arguments: { path: 'src/pay.js' } })));
    assert.equal(file.lines[0], '1: function pay() {');
    const out = await client!.callTool({ name: 'read_file', arguments: { path: path.relative(workspace, path.join(outside, 'secret.txt')) } });
    assert.equal(out.isError, true);
    assert.match(textOf(out), /outside the workspace/);
    assert.ok(!textOf(out).includes('OUTSIDE-MCP-CANARY'));
  });

  it('bad calls come back as errors the calling agent can act on', async () => {
    const bad = await client!.callTool({ name: 'query_logs', arguments: { limit: 'x' } });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /query is required.*limit must be an integer/);
    const none = await client!.callTool({ name: 'query_logs', arguments: { query: 'x' } });
    assert.match(textOf(none), /no log source is configured/);
  });

  it('propose_remediation records a proposal and runs nothing', async () => {
    const r = await client!.callTool({ name: 'propose_remediation', arguments: { actionId: 'restart', params: { service: 'payments' }, why: 'errors' } });
    const data = JSON.parse(textOf(r));
    assert.equal(data.executed, false);
    assert.equal(data.status, 'recorded');
    assert.match(data.message, /nothing ran/);
    assert.match(stderr, /proposal recorded, nothing ran: restart/);
    const cmd = await client!.callTool({ name: 'propose_remediation', arguments: { actionId: 'kubectl delete ns prod', why: 'x' } });
    assert.equal(cmd.isError, true);
  });
});
