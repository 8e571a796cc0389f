// `npm run bench -- agent` end to end against a scripted Chat Completions server on 127.0.0.1: with no
// endpoint it says so and exits 0; with one it scores every case and prints the RESULT line. The
// scripted model repeats the deterministic hypothesis, so this checks the pipeline, not a model.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startChatCompletionsServer, type ChatCompletionsServer, type ScriptedTurn } from '../../support/chatCompletionsServer';
import { incidentBundle } from './llm/fixture';

const root = path.resolve(__dirname, '..', '..', '..');

function bench(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bench', 'run.js'), 'agent', ...args], { env, cwd: root });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Asks for the hypothesis, then submits it with a citation of the result. */
const echoBaseline = (): ScriptedTurn[] => [
  { toolCalls: [{ name: 'get_hypothesis', arguments: {} }] },
  (req) => {
    const tool = [...req.body.messages].reverse().find((m: any) => m.role === 'tool');
    const h = JSON.parse(tool.content.slice(tool.content.indexOf('\n') + 1));
    return { toolCalls: [{ name: 'submit_answer', arguments: { summary: h.summary, causeKind: h.abstained ? 'unknown' : h.causeKind, service: h.service, commit: h.suspectCommit?.sha, claims: [{ text: h.summary, citations: [{ source: 't1', quote: h.summary.slice(0, 60) }] }] } }] };
  },
];

describe('bench agent (scripted Chat Completions server on 127.0.0.1)', function () {
  this.timeout(120_000);
  let server: ChatCompletionsServer | undefined;
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-agent-'));
    const b = incidentBundle();
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ ...b, truth: { causeKind: 'code-change', service: 'payments', commit: b.changes[0].sha, scenario: 'test:a' } }));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ ...b, truth: { causeKind: 'dependency', service: 'postgres', noCodeCause: true, scenario: 'test:b' } }));
  });
  after(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('with no endpoint it says so and exits 0', async () => {
    const env = { ...process.env };
    delete env.INCIDENT_LENS_MODEL;
    delete env.OPENAI_BASE_URL;
    const r = await bench(env, ['--data', dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /no model endpoint is configured/);
    assert.match(r.out, /RESULT \{"bench":"agent","skipped":true/);
  });

  it('scores each case with the cases scorer, beside the baseline, with tokens and seconds', async () => {
    server = await startChatCompletionsServer([...echoBaseline(), ...echoBaseline()]);
    const r = await bench({ ...process.env, OPENAI_BASE_URL: server.baseUrl, INCIDENT_LENS_MODEL: 'echo' }, ['--data', dir]);
    assert.equal(r.code, 0, r.out);
    const result = JSON.parse(/^RESULT (.*)$/m.exec(r.out)![1]);
    assert.equal(result.cases, 2);
    assert.equal(result.fullyCorrect, result.baselineFullyCorrect);
    assert.ok(result.tokensPerCaseMedian > 0);
    assert.deepEqual(result.stops, { answered: 2 });
  });
});
