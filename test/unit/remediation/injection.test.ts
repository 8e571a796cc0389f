// Hostile strings (labels, values an alert or a person supplies) flow into plans and are executed
// for real. The program must receive each one byte for byte as a single argv element, and the
// canary file that a shell would create must never appear.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRunbookActions, planAction, type PlanContext } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { runRemediation } from '../../../src/remediation/flow';
import { Ledger, readLedger, verifyLedger } from '../../../src/remediation/ledger';
import { loadPolicy } from '../../../src/policy/load';
import { installFakeTools } from './fakeTools';
import { envWithBin, readRecords, removeDir, tempDir, writeArgvRecorder } from './helpers';

/** Control characters (newlines, tabs, escapes) are refused at planning time; everything else is data. */
const hasControl = (v: string) => /[\u0000-\u001f\u007f]/.test(v);

function hostileValues(canary: string): string[] {
  return [
    `; touch ${canary}`,
    `&& touch ${canary}`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `' ; touch ${canary} ; '`,
    `" ; touch ${canary} ; "`,
    `| touch ${canary}`,
    `> ${canary}`,
    `x\ntouch ${canary}`,
    `--output=${canary}`,
    '-rf',
    '--',
    '$HOME ${PATH} %PATH% *',
    'checkout\\nevil\t\r',
    'ünïcödé ✓ 🚀',
    '',
    ' leading and trailing spaces ',
  ];
}

describe('injection: hostile values are data, never shell (executed for real)', () => {
  let dir: string;
  let canary: string;
  let records: string;
  let recorder: string;
  beforeEach(() => {
    dir = tempDir('inject');
    canary = path.join(dir, 'CANARY');
    records = path.join(dir, 'argv.jsonl');
    recorder = writeArgvRecorder(dir, 'record-argv.js', records);
  });
  afterEach(() => removeDir(dir));

  const runbooks = (recorderPath: string) =>
    loadRunbookActions(`
actions:
  - id: annotate
    title: Annotate the incident
    argv: [node, ${JSON.stringify(recorderPath)}, "{{value}}", "--label={{value}}", "prefix {{value}} suffix", "{{value}}{{value}}"]
    params:
      value: { pattern: ".*", allowLeadingDash: true, description: any text at all }
    risk: low
`);

  it('each value reaches the program as single, byte-identical argv elements', async () => {
    const { actions, error } = runbooks(recorder);
    assert.equal(error, undefined);
    const ctx: PlanContext = { environment: 'staging', workspaceDir: dir, runbooks: actions };
    const executor = createProcessExecutor();
    const all = hostileValues(canary);
    for (const value of all.filter(hasControl)) {
      assert.throws(() => planAction({ actionId: 'annotate', title: 'a', params: { value }, why: 'test' }, ctx), /contains the control character/, JSON.stringify(value));
    }
    const values = all.filter((v) => !hasControl(v));
    for (const value of values) {
      const plan = planAction({ actionId: 'annotate', title: 'a', params: { value }, why: 'test' }, ctx);
      const r = await executor.run({ argv: plan.argv, cwd: plan.cwd });
      assert.equal(r.exitCode, 0, r.stderr);
    }
    const got = readRecords(records);
    assert.equal(got.length, values.length);
    values.forEach((value, i) => {
      assert.deepEqual(got[i], [value, `--label=${value}`, `prefix ${value} suffix`, `${value}${value}`], JSON.stringify(value));
    });
    assert.equal(fs.existsSync(canary), false, 'no shell ran: the canary was never created');
  });

  it('/bin/echo prints the value verbatim', async function () {
    if (!fs.existsSync('/bin/echo')) this.skip();
    const executor = createProcessExecutor();
    for (const value of hostileValues(canary).filter((v) => !v.startsWith('-'))) {
      const r = await executor.run({ argv: ['/bin/echo', value] });
      assert.equal(r.stdout, `${value}\n`);
    }
    assert.equal(fs.existsSync(canary), false);
  });

  it('through the whole flow (policy, ledger, execution), the values still arrive intact', async () => {
    const { actions } = runbooks(recorder);
    const ledgerFile = path.join(dir, 'ledger.jsonl');
    const values = hostileValues(canary).filter((v) => !hasControl(v));
    for (const value of values) {
      const plan = planAction({ actionId: 'annotate', title: 'a', params: { value }, why: 'test' }, { environment: 'staging', workspaceDir: dir, runbooks: actions });
      const outcome = await runRemediation(plan, {
        policy: loadPolicy('environments:\n  staging: { production: false }\n'),
        autonomy: 'executeLowRisk',
        trusted: true,
        prompter: { approve: async () => assert.fail('a low-risk staging action needs no prompt') },
        executor: createProcessExecutor(),
        ledger: Ledger.open(ledgerFile),
        output: () => {},
      });
      assert.equal(outcome.status, 'executed', outcome.message);
    }
    assert.deepEqual(readRecords(records).map((r) => r[0]), values);
    assert.equal(fs.existsSync(canary), false);
    // The ledger stores the argv as data too, and still verifies.
    assert.equal(verifyLedger(ledgerFile).ok, true);
    const started = readLedger(ledgerFile).filter((e) => e.type === 'execution-start');
    assert.deepEqual(started.map((e) => (e.data as { argv: string[] }).argv[2]), values);
  });

  it('alert label values in a silence stay inside their matcher (fake amtool, no Alertmanager here)', async () => {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const toolRecords = path.join(dir, 'tools.jsonl');
    installFakeTools(bin, toolRecords);
    const executor = createProcessExecutor({ envSource: envWithBin(bin) });
    for (const value of hostileValues(canary)) {
      const plan = planAction({ actionId: 'silence-alert', title: 's', params: { 'match.alertname': 'HighErrorRate', 'match.pod': value, comment: value }, why: '' }, { environment: 'staging', workspaceDir: dir, alertmanagerUrl: 'http://127.0.0.1:9093' });
      const r = await executor.run({ argv: plan.argv });
      assert.equal(r.exitCode, 0);
      const argv = readRecords(toolRecords).at(-1) ?? [];
      assert.equal(argv[5], `--comment=${value.trim() === '' ? 'Silenced from Incident Lens' : value}`);
      const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
      assert.deepEqual(argv.slice(-2), ['alertname="HighErrorRate"', `pod="${escaped}"`]);
    }
    assert.equal(fs.existsSync(canary), false);
  });

  it('hostile values are refused where a strict name is required', () => {
    const ctx: PlanContext = { environment: 'staging', workspaceDir: dir, kubeContext: 'staging-1', namespace: 'shop' };
    for (const value of hostileValues(canary)) {
      assert.throws(() => planAction({ actionId: 'restart', title: 'r', params: { service: value }, why: '' }, ctx), /Missing parameter|not a valid Kubernetes name/, JSON.stringify(value));
    }
  });
});
