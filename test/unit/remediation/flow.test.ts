// The whole remediation flow with real processes: a workspace's own deploy tool (a node script) changes a
// real state file, a real HTTP server on 127.0.0.1 serves the error rate that state implies, and
// the verifier polls it. The prompter is scripted, as the VS Code layer's dialog would answer.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { loadRunbookActions, planAction } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { runRemediation, type ApprovalRequest, type RemediationDeps } from '../../../src/remediation/flow';
import { Ledger, ledgerCounts, readLedger, verifyLedger } from '../../../src/remediation/ledger';
import type { CommandPlan, Verification } from '../../../src/remediation/plan';
import type { Verifier } from '../../../src/remediation/verify';
import { loadPolicy } from '../../../src/policy/load';
import type { AutonomyLevel } from '../../../src/policy/types';
import { readRecords, removeDir, tempDir, writeScript } from './helpers';

describe('remediation flow (real processes, real HTTP verification)', () => {
  let dir: string;
  let stateFile: string;
  let runsFile: string;
  let ledgerFile: string;
  let deployJs: string;
  let server: http.Server;
  let port: number;

  beforeEach(async () => {
    dir = tempDir('flow');
    stateFile = path.join(dir, 'state.json');
    runsFile = path.join(dir, 'runs.jsonl');
    ledgerFile = path.join(dir, '.incident-lens', 'ledger.jsonl');
    fs.writeFileSync(stateFile, JSON.stringify({ revision: 'v1' }));
    // The deploy tool records each call with whether the ledger already held its execution-start.
    deployJs = writeScript(
      dir,
      'deploy.js',
      `const fs = require('fs');
const a = process.argv.slice(2);
const service = a[a.indexOf('--service') + 1];
const to = a[a.indexOf('--to') + 1];
const dry = a.includes('--dry-run');
let sawStart = false;
try {
  const lines = fs.readFileSync(${JSON.stringify(ledgerFile)}, 'utf8').trim().split('\\n').map((l) => JSON.parse(l));
  const last = lines[lines.length - 1];
  sawStart = last.type === 'execution-start' && JSON.stringify(last.data.argv) === JSON.stringify(process.argv.slice(0, 1).concat(process.argv.slice(1)));
} catch {}
fs.appendFileSync(${JSON.stringify(runsFile)}, JSON.stringify({ argv: process.argv, dry, sawStart }) + '\\n');
const current = JSON.parse(fs.readFileSync(${JSON.stringify(stateFile)}, 'utf8')).revision;
if (dry) { console.log('would deploy ' + service + ' at ' + to + ' (now ' + current + ')'); process.exit(0); }
fs.writeFileSync(${JSON.stringify(stateFile)}, JSON.stringify({ revision: to }));
console.log('deployed ' + service + ' at ' + to);`,
    );
    server = http.createServer((req, res) => {
      const revision = JSON.parse(fs.readFileSync(stateFile, 'utf8')).revision as string;
      res.setHeader('content-type', 'text/plain');
      res.end(req.url === '/error-rate' ? (revision === 'good' ? '0.002' : '0.31') : 'NaN');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeDir(dir);
  });

  const verification: Verification = { description: 'payments 5xx ratio under 1%', signal: { kind: 'promql', query: 'job:http_errors:ratio1m{service="payments"}' }, condition: { op: '<', value: 0.01 }, timeoutMs: 1500, intervalMs: 100 };
  /** Reads the ratio the state implies from the real HTTP server, whatever the query says. */
  const verifier: Verifier = {
    read: async () => {
      const res = await fetch(`http://127.0.0.1:${port}/error-rate`);
      return Number(await res.text());
    },
  };

  // The workspace declares its own deploy tool for "rollback-deploy", as the demo lab does.
  const runbooks = () =>
    loadRunbookActions(`actions:
  - id: rollback-deploy
    title: Deploy payments
    argv: [node, ${JSON.stringify(deployJs)}, --service, "{{service}}", --to, "{{revision}}"]
    dryRunArgv: [node, ${JSON.stringify(deployJs)}, --service, "{{service}}", --to, "{{revision}}", --dry-run]
    params: { service: {}, revision: {}, fromRevision: {} }
    risk: medium
    blastRadius: { pods: 2, replicas: 2, description: two payments processes }
    rollback: { description: deploy back, argv: [node, ${JSON.stringify(deployJs)}, --service, "{{service}}", --to, "{{fromRevision}}"] }
`).actions;

  function plan(to: string, from = 'v1'): CommandPlan {
    return planAction(
      { actionId: 'rollback-deploy', title: 'deploy', params: { service: 'payments', revision: to, fromRevision: from }, why: 'error rate rose after v1' },
      { environment: 'production', workspaceDir: dir, runbooks: runbooks(), verification },
    );
  }

  function deps(answers: boolean[], over: Partial<RemediationDeps> & { autonomy?: AutonomyLevel } = {}): RemediationDeps & { prompts: ApprovalRequest[]; output: RemediationDeps['output']; printed: string[] } {
    const prompts: ApprovalRequest[] = [];
    const printed: string[] = [];
    return {
      policy: loadPolicy(''),
      autonomy: 'executeLowRisk',
      trusted: true,
      prompter: {
        approve: async (r) => {
          prompts.push(r);
          return answers.shift() ?? false;
        },
      },
      executor: createProcessExecutor(),
      ledger: Ledger.open(ledgerFile),
      verifier,
      output: (c) => printed.push(c.text),
      prompts,
      printed,
      ...over,
    };
  }

  const revision = () => JSON.parse(fs.readFileSync(stateFile, 'utf8')).revision as string;
  const types = () => readLedger(ledgerFile).map((e) => e.type);

  it('approval required -> approved -> runs exactly the approved argv -> recovers; the ledger holds every step', async () => {
    const d = deps([true]);
    const p = plan('good');
    const outcome = await runRemediation(p, d);
    assert.equal(outcome.status, 'recovered', outcome.message);
    assert.equal(revision(), 'good');

    // What the person saw.
    assert.equal(d.prompts.length, 1);
    const asked = d.prompts[0];
    assert.equal(asked.kind, 'action');
    assert.deepEqual(asked.plan.argv, [process.execPath, deployJs, '--service', 'payments', '--to', 'good']);
    assert.match(asked.decision.reasons.join(' '), /"production" is not declared in the policy.s environments, and an undeclared environment counts as production/);
    assert.match(asked.dryRunOutput ?? '', /would deploy payments at good \(now v1\)/);
    assert.equal(asked.plan.blastRadius.pods, 2);
    assert.deepEqual(asked.plan.rollback?.argv, [process.execPath, deployJs, '--service', 'payments', '--to', 'v1']);

    // What ran: the dry-run, then exactly the approved argv, after its ledger entry was on disk.
    const runs = readRecords(runsFile) as unknown as { argv: string[]; dry: boolean; sawStart: boolean }[];
    assert.deepEqual(runs.map((r) => r.dry), [true, false]);
    assert.deepEqual(runs[1].argv, asked.plan.argv);
    assert.equal(runs[1].sawStart, true, 'the execution-start entry was on disk before the process started');

    assert.deepEqual(types(), ['suggestion', 'policy-decision', 'env-check', 'dry-run', 'approval', 'execution-start', 'execution', 'verification']);
    assert.deepEqual(verifyLedger(ledgerFile).ok, true);
    const counts = ledgerCounts(ledgerFile);
    assert.deepEqual([counts.suggestions, counts.approvals, counts.actions, counts.recoveries, counts.rollbacks], [1, 1, 1, 1, 0]);
    assert.ok(d.printed.some((t) => t.includes('recovered')));
  });

  it('verification fails -> the rollback is offered, approved and runs', async () => {
    const d = deps([true, true]);
    const outcome = await runRemediation(plan('v2'), d);
    assert.equal(outcome.status, 'rolled-back', outcome.message);
    assert.equal(outcome.verification?.ok, false);
    assert.match(outcome.verification?.reason ?? '', /last value 0\.31, wanted < 0\.01/);
    assert.equal(revision(), 'v1', 'the rollback put v1 back');
    assert.deepEqual(d.prompts.map((r) => r.kind), ['action', 'rollback']);
    assert.deepEqual(d.prompts[1].plan.argv, [process.execPath, deployJs, '--service', 'payments', '--to', 'v1']);
    assert.match(d.prompts[1].decision.reasons[0], /Verification failed/);
    assert.deepEqual(types(), [
      'suggestion', 'policy-decision', 'env-check', 'dry-run', 'approval', 'execution-start', 'execution', 'verification',
      'policy-decision', 'approval', 'execution-start', 'rollback',
    ]);
    assert.equal(verifyLedger(ledgerFile).ok, true);
    assert.equal(ledgerCounts(ledgerFile).rollbacks, 1);
  });

  it('a declined rollback leaves the failure reported and nothing else run', async () => {
    const d = deps([true, false]);
    const outcome = await runRemediation(plan('v2'), d);
    assert.equal(outcome.status, 'not-recovered');
    assert.equal(revision(), 'v2');
    assert.deepEqual(types().slice(-2), ['policy-decision', 'rejection']);
  });

  it('rejected: only the dry-run ran, and the ledger says so', async () => {
    const d = deps([false]);
    const outcome = await runRemediation(plan('good'), d);
    assert.equal(outcome.status, 'rejected');
    assert.equal(revision(), 'v1');
    assert.deepEqual((readRecords(runsFile) as unknown as { dry: boolean }[]).map((r) => r.dry), [true]);
    assert.deepEqual(types(), ['suggestion', 'policy-decision', 'env-check', 'dry-run', 'rejection']);
  });

  for (const [name, over] of [
    ['untrusted workspace', { trusted: false }],
    ['observe autonomy', { autonomy: 'observe' as AutonomyLevel }],
  ] as const) {
    it(`${name}: nothing runs at all, not even the dry-run`, async () => {
      const d = deps([true], over);
      const outcome = await runRemediation(plan('good'), d);
      assert.equal(outcome.status, 'denied');
      assert.equal(d.prompts.length, 0);
      assert.equal(fs.existsSync(runsFile), false);
      assert.deepEqual(types(), ['suggestion', 'policy-decision']);
    });
  }

  it('a prompter cannot change what runs: the approved plan is frozen', async () => {
    const d = deps([]);
    d.prompter = {
      approve: async (r) => {
        try {
          (r.plan.argv as string[])[5] = 'evil';
        } catch {
          /* frozen */
        }
        return true;
      },
    };
    const outcome = await runRemediation(plan('good'), d);
    assert.equal(outcome.status, 'recovered');
    const runs = readRecords(runsFile) as unknown as { argv: string[] }[];
    assert.equal(runs[1].argv[5], 'good');
  });

  it('dry-run-only policy: the preview runs, the action does not', async () => {
    const d = deps([true], { policy: loadPolicy('rules:\n  - name: preview deploys\n    if: { action: rollback-deploy }\n    then: dry-run-only\n') });
    const outcome = await runRemediation(plan('good'), d);
    assert.equal(outcome.status, 'dry-run-only');
    assert.equal(d.prompts.length, 0);
    assert.deepEqual((readRecords(runsFile) as unknown as { dry: boolean }[]).map((r) => r.dry), [true]);
  });

  it('allowed low-risk action at executeLowRisk runs without a prompt', async () => {
    const p = { ...plan('good'), risk: 'low' as const };
    const d = deps([], { policy: loadPolicy('rules:\n  - name: lab deploys run\n    if: { action: rollback-deploy, environment: production }\n    then: allow\n') });
    const outcome = await runRemediation(p, d);
    assert.equal(outcome.status, 'recovered');
    assert.equal(d.prompts.length, 0);
  });

  it('cancelling while the action runs stops it and the ledger records the cancelled execution', async () => {
    const slow = writeScript(dir, 'slow-deploy.js', `process.stdout.write('deploying\\n'); setInterval(() => {}, 1000);`);
    const p: CommandPlan = { ...plan('good'), argv: [process.execPath, slow, '--service', 'payments'], dryRunArgv: undefined };
    const abort = new AbortController();
    const d = deps([true], { signal: abort.signal, executor: createProcessExecutor({ graceMs: 200 }) });
    d.output = (c) => c.text.includes('deploying') && abort.abort();
    const outcome = await runRemediation(p, d);
    assert.equal(outcome.status, 'cancelled');
    const last = readLedger(ledgerFile).at(-1);
    assert.equal(last?.type, 'execution');
    assert.equal((last?.data as { cancelled: boolean }).cancelled, true);
    assert.equal(verifyLedger(ledgerFile).ok, true);
  });

  it('an environment check failure blocks before anything runs', async () => {
    const p: CommandPlan = { ...plan('good'), blastRadius: { pods: 40, description: '40 pods' } };
    const d = deps([true], { envChecks: { limits: { maxPods: 10 } } });
    const outcome = await runRemediation(p, d);
    assert.equal(outcome.status, 'blocked');
    assert.match(outcome.message, /above the limit of 10 pods/);
    assert.equal(fs.existsSync(runsFile), false);
  });
});
