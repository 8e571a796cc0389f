// The agent inside the real extension host of VS Code 1.103: our tools as language-model tools invoked
// through vscode.lm.invokeTool, the MCP server definition provider (its definition started and spoken
// to with the real MCP SDK client), and the panel's agent answering a question through the real openai
// SDK against a Chat Completions server on 127.0.0.1 that replays scripted turns. The alert arrives
// through the extension's own Alertmanager webhook receiver (payload version 4, as Alertmanager posts it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Alert } from '../../../src/core/model';
import type { IncidentLensApi } from '../../../src/extension';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../support/chatCompletionsServer';

const toolNames = ['list_alerts', 'get_alert', 'query_metrics', 'query_logs', 'search_traces', 'get_trace', 'list_changes', 'show_diff', 'blame_lines', 'read_file', 'get_findings', 'get_hypothesis', 'propose_remediation'];

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function post(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function invoke(name: string, input: object): Promise<string> {
  const lm = (vscode as any).lm;
  const result = await lm.invokeTool(name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
  return result.content.map((p: { value?: string }) => p.value ?? '').join('');
}

describe('the agent in VS Code 1.103 (language-model tools, MCP definition provider, the panel\'s agent)', function () {
  this.timeout(180_000);
  let api: IncidentLensApi;
  let alert: Alert;
  let workspace: string;
  let model: ChatCompletionsServer | undefined;
  const config = vscode.workspace.getConfiguration('incidentLens');

  before(async () => {
    workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const ext = vscode.extensions.getExtension<IncidentLensApi>('incident-lens.incident-lens');
    assert.ok(ext, 'the extension is not installed');
    api = await ext.activate();
    await api.started;
    const port = await freePort();
    await config.update('webhook.port', port, vscode.ConfigurationTarget.Global);
    await waitFor('the webhook receiver', 30_000, () => api.services.alerts.sources?.alerts.some((s) => s.kind === 'webhook'));
    const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const status = await post(`http://127.0.0.1:${port}/`, {
      version: '4', groupKey: '{}:{alertname="PaymentsErrorRate"}', status: 'firing', receiver: 'incident-lens', groupLabels: { alertname: 'PaymentsErrorRate' },
      commonLabels: { alertname: 'PaymentsErrorRate', service: 'payments', severity: 'critical' }, commonAnnotations: { summary: 'payments 5xx above 5%' }, externalURL: 'http://alertmanager.example:9093',
      alerts: [{ status: 'firing', labels: { alertname: 'PaymentsErrorRate', service: 'payments', severity: 'critical' }, annotations: { summary: 'payments 5xx above 5%' }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.example:9090/graph', fingerprint: 'a1b2c3d4e5f60718' }],
    });
    assert.equal(status, 200);
    alert = await waitFor('the webhook alert', 30_000, async () => {
      await api.services.alerts.refresh();
      return api.services.alerts.snapshot.alerts.find((a) => a.name === 'PaymentsErrorRate');
    });
  });

  after(async () => {
    await config.update('webhook.port', undefined, vscode.ConfigurationTarget.Global);
    for (const k of ['agent.provider', 'agent.baseUrl', 'agent.model']) await config.update(k, undefined, vscode.ConfigurationTarget.Global);
    await model?.close();
  });

  it('registers every tool with vscode.lm.registerTool, and VS Code lists them', () => {
    assert.deepEqual([...api.agent.lmTools], toolNames);
    const listed = ((vscode as any).lm.tools as { name: string }[]).map((t) => t.name);
    for (const n of toolNames) assert.ok(listed.includes(n), `vscode.lm.tools lacks ${n}`);
  });

  it('vscode.lm.invokeTool runs our tools over the live sources and the workspace, and refuses files outside it', async () => {
    const alerts = JSON.parse(await invoke('list_alerts', {}));
    assert.ok(alerts.alerts.some((a: any) => a.name === 'PaymentsErrorRate' && a.source === 'webhook'), JSON.stringify(alerts));
    const changes = JSON.parse(await invoke('list_changes', { start: '-20d' }));
    assert.ok(changes.total > 0, JSON.stringify(changes).slice(0, 400));
    const file = JSON.parse(await invoke('read_file', { path: 'services/payments/package.json', endLine: 3 }));
    assert.equal(file.startLine, 1);
    const outside = await invoke('read_file', { path: '../../etc/passwd' });
    assert.match(outside, /outside the workspace/);
    assert.ok(!outside.includes('root:'));
    const bad = await invoke('query_metrics', {});
    assert.match(bad, /query is required/);
  });

  it('the MCP server definition provider gives VS Code a stdio server that serves the same tools', async () => {
    const provider = api.agent.mcpProvider;
    assert.ok(provider, 'no MCP server definition provider was registered');
    const defs = (await provider.provideMcpServerDefinitions(new vscode.CancellationTokenSource().token)) as any[];
    assert.equal(defs.length, 1);
    const def = defs[0];
    assert.ok(def instanceof (vscode as any).McpStdioServerDefinition);
    assert.equal(def.label, 'Incident Lens');
    assert.ok(fs.existsSync(def.args[0]), `${def.args[0]} is missing: build first`);
    assert.ok(def.args.includes('--workspace') && def.args.includes(workspace));
    const client = new Client({ name: 'itest', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: def.command, args: def.args, env: { ...(process.env as Record<string, string>), ...def.env } }));
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), toolNames);
      const r = await client.callTool({ name: 'list_changes', arguments: { start: '-20d' } });
      assert.ok(JSON.parse((r.content as { text: string }[])[0].text).total > 0);
    } finally {
      await client.close();
    }
  });

  it('the panel\'s agent answers through the real openai SDK, grounded in its trail, beside the hypothesis', async () => {
    model = await startChatCompletionsServer([
      { content: 'Reading the recent changes.', toolCalls: [{ name: 'list_changes', arguments: { start: '-20d', limit: 3 } }] },
      (req) => {
        const tool = [...req.body.messages].reverse().find((m: any) => m.role === 'tool');
        const changes = JSON.parse(tool.content.slice(tool.content.indexOf('\n') + 1));
        const first = changes.changes[0];
        return { toolCalls: [{ name: 'submit_answer', arguments: { summary: `The latest change is ${first.sha.slice(0, 8)}.`, causeKind: 'unknown', claims: [{ text: 'the newest commit', citations: [{ source: 't1', quote: first.message.split('\n')[0] }] }] } }] };
      },
    ]);
    await config.update('agent.provider', 'openai', vscode.ConfigurationTarget.Global);
    await config.update('agent.baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    await config.update('agent.model', 'itest-model', vscode.ConfigurationTarget.Global);
    const panel = api.services.panels.open(alert);
    await panel.whenReady();
    const run = await panel.agent.ask('What changed before this alert?');
    assert.ok(run, JSON.stringify(panel.agent.current));
    assert.equal(run.stopped, 'answered', JSON.stringify(run.error));
    assert.deepEqual(run.trail.map((t) => t.name), ['list_changes']);
    assert.equal(run.answer?.supported, true);
    const view = panel.agent.current;
    assert.equal(view.state, 'done');
    assert.equal(view.text, 'Reading the recent changes.');
    assert.equal(view.answer?.claims[0].supported, true);
    assert.equal(model.requests[0].body.model, 'itest-model');
    assert.ok(model.requests[0].body.messages[1].content.includes('PaymentsErrorRate'));
    assert.ok(path.isAbsolute(workspace));
  });

  it('the VS Code language-model provider with no chat model says so, and nothing is asked of a model', async () => {
    await config.update('agent.provider', 'vscode', vscode.ConfigurationTarget.Global);
    const sent = model!.requests.length;
    const panel = api.services.panels.open(alert);
    await panel.whenReady();
    await panel.agent.ask('anything?');
    const view = panel.agent.current;
    assert.equal(view.state, 'done');
    assert.match(view.error ?? '', /No language model is available in VS Code/);
    assert.equal(model!.requests.length, sent);
  });

  it('with the provider off, the panel says how to turn the agent on', async () => {
    await config.update('agent.provider', 'off', vscode.ConfigurationTarget.Global);
    const panel = api.services.panels.open(alert);
    await panel.agent.ask('anything?');
    assert.equal(panel.agent.current.state, 'off');
    assert.match(panel.agent.current.hint ?? '', /incidentLens\.agent\.provider/);
  });
});
