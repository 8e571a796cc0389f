// Staged, reversible scale-downs through the real remediation flow: a workspace's own scale tool (a node
// script, a real process) changes a state file, the verifier reads the latency that state implies from a
// real HTTP server on 127.0.0.1, the prompter is scripted, and every step lands in a real ledger.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { loadRunbookActions, planAction } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { Ledger, readLedger, verifyLedger } from '../../../src/remediation/ledger';
import { latencyBound, runStaged, stagedSteps, workloadVerification } from '../../../src/remediation/staged';
import type { Verifier } from '../../../src/remediation/verify';
import { loadPolicy } from '../../../src/policy/load';
import { removeDir, tempDir, writeScript } from './helpers';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { binariesAvailable, startPrometheus } from '../../support/promStack';

describe('staged steps: none above the share of the value it starts from', () => {
  it('replicas 8 -> 2 at 25 %: 8, 6, 5, 4, 3 and stops short (one replica is 33 % of 3)', () => {
    const p = stagedSteps(8, 2, 0.25, { integer: true });
    assert.deepEqual(p.steps, [6, 5, 4, 3]);
    assert.match(p.stoppedShort ?? '', /from 3, even the smallest step \(1\) is 33 %/);
  });
  it('reaches the target when the share allows it, and scales up in steps too', () => {
    assert.deepEqual(stagedSteps(8, 2, 0.5, { integer: true }).steps, [4, 2]);
    assert.deepEqual(stagedSteps(4, 8, 0.25, { integer: true }).steps, [5, 6, 7, 8]);
  });
  it('quantities step by whole units: 1000 m -> 400 m CPU request at 25 %', () => {
    assert.deepEqual(stagedSteps(1000, 400, 0.25, { unit: 1 }).steps, [750, 563, 423, 400]);
  });
  it('refuses a share outside (0, 1]', () => {
    assert.throws(() => stagedSteps(4, 2, 0), /share between 0 and 1/);
  });
  it('the latency bound is twice the baseline, at least 250 ms more', () => {
    assert.equal(latencyBound(0.2), 0.45);
    assert.equal(latencyBound(1), 2);
  });
});

describe('staged scale-down through policy, approval, soak verification and rollback (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let state: string;
  let server: http.Server;
  let url: string;

  beforeEach(async () => {
    dir = tempDir('staged');
    state = path.join(dir, 'replicas.json');
    fs.writeFileSync(state, JSON.stringify({ replicas: 6 }));
    writeScript(dir, 'scale.js', `const fs = require('fs');
const a = process.argv.slice(2);
const n = Number(a[a.indexOf('--replicas') + 1]);
if (a.includes('--dry-run')) { console.log('would scale to ' + n); process.exit(0); }
fs.writeFileSync(${JSON.stringify(state)}, JSON.stringify({ replicas: n }));
console.log('scaled to ' + n);`);
    // 16 requests/s at 200 ms each: 4 replicas keep up (80 %), 3 cannot (107 %), and the queue grows.
    server = http.createServer((_req, res) => {
      const n = (JSON.parse(fs.readFileSync(state, 'utf8')) as { replicas: number }).replicas;
      res.end(String(n >= 4 ? 0.2 : 1.5));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    removeDir(dir);
  });

  const verifier: Verifier = {
    async read(signal) {
      if (signal.kind === 'error-ratio') return 0;
      if (signal.kind !== 'latency-p95') throw new Error(`unexpected ${signal.kind}`);
      return Number(await (await fetch(url)).text());
    },
  };
  const runbooks = () =>
    loadRunbookActions(
      `actions:
  - id: scale
    title: Scale a workload
    argv: [node, scale.js, --service, "{{service}}", --replicas, "{{replicas}}"]
    dryRunArgv: [node, scale.js, --service, "{{service}}", --replicas, "{{replicas}}", --dry-run]
    params:
      service: {}
      replicas: { pattern: "[0-9]{1,3}" }
      currentReplicas: { pattern: "[0-9]{1,3}" }
    risk: medium
    blastRadius: { pods: 1, replicas: 1, description: one replica per step }
    rollback: { description: scale back, argv: [node, scale.js, --service, "{{service}}", --replicas, "{{currentReplicas}}"] }
`,
      'actions.yaml',
    ).actions;

  it('6 -> 2: steps 5 and 4 hold their soak, step 3 breaks the latency bound and is rolled back to 4; every step is in the ledger', async () => {
    const ledgerFile = path.join(dir, 'ledger.jsonl');
    const ledger = Ledger.open(ledgerFile);
    const approvals: string[] = [];
    const verification = { ...workloadVerification({ namespace: 'lab', workload: 'recommend', latencyP95Seconds: latencyBound(0.2), holdMs: 600, intervalMs: 100 }) };
    const outcome = await runStaged(
      {
        what: 'replicas of recommend',
        from: 6,
        to: 2,
        maxStepShare: 0.25,
        integer: true,
        verification,
        planStep: (value, previous) => planAction({ actionId: 'scale', title: 'scale', params: { service: 'recommend', replicas: value, currentReplicas: previous }, why: 'over-provisioned' }, { environment: 'production', workspaceDir: dir, runbooks: runbooks() }),
      },
      { policy: loadPolicy('version: 1\n'), autonomy: 'suggest', trusted: true, prompter: { approve: async (r) => (approvals.push(`${r.kind}: ${r.commandLine}`), true) }, executor: createProcessExecutor(), ledger, verifier, output: () => undefined },
    );
    assert.equal(outcome.status, 'rolled-back');
    assert.equal(outcome.value, 4);
    assert.deepEqual(outcome.steps.map((s) => [s.from, s.to, s.outcome.status]), [[6, 5, 'recovered'], [5, 4, 'recovered'], [4, 3, 'rolled-back']]);
    assert.equal((JSON.parse(fs.readFileSync(state, 'utf8')) as { replicas: number }).replicas, 4, 'the real state is back at the last verified step');
    assert.match(outcome.steps[2].outcome.verification!.reason, /p95 latency under 450 ms broke after \d+ s: 1\.5/);
    assert.deepEqual(approvals.map((a) => a.replace(process.execPath, 'node')), ['action: node scale.js --service recommend --replicas 5', 'action: node scale.js --service recommend --replicas 4', 'action: node scale.js --service recommend --replicas 3', 'rollback: node scale.js --service recommend --replicas 4']);
    const types = readLedger(ledgerFile).map((e) => e.type);
    assert.equal(types[0], 'staged-plan');
    assert.equal(types.filter((t) => t === 'staged-step').length, 3);
    assert.equal(types.at(-1), 'staged-outcome');
    assert.ok(types.includes('rollback'));
    assert.equal(verifyLedger(ledgerFile).ok, true);
  });

  it('a rejected step stops the change where it is, and the plan says where it would have stopped short', async () => {
    const ledger = Ledger.open(path.join(dir, 'ledger.jsonl'));
    let asked = 0;
    const outcome = await runStaged(
      { what: 'replicas of recommend', from: 6, to: 2, maxStepShare: 0.25, integer: true, verification: workloadVerification({ namespace: 'lab', workload: 'recommend', latencyP95Seconds: 0.45, holdMs: 300, intervalMs: 100 }), planStep: (value, previous) => planAction({ actionId: 'scale', title: 'scale', params: { service: 'recommend', replicas: value, currentReplicas: previous }, why: 'w' }, { environment: 'production', workspaceDir: dir, runbooks: runbooks() }) },
      { policy: loadPolicy('version: 1\n'), autonomy: 'suggest', trusted: true, prompter: { approve: async () => ++asked < 2 }, executor: createProcessExecutor(), ledger, verifier, output: () => undefined },
    );
    assert.equal(outcome.status, 'stopped');
    assert.equal(outcome.value, 5);
    assert.match(outcome.plan.stoppedShort ?? '', /from 3/);
  });
});

describe('the workload checks of a staged step run on the real Prometheus', function () {
  this.timeout(60_000);
  it('throttling and OOM-kill checks parse and read 0 where the series do not exist (no limit, no kill)', async function () {
    if (!binariesAvailable().ok) this.skip();
    const prom = await startPrometheus('global:\n  scrape_interval: 15s\nscrape_configs: []\n', 'groups: []\n');
    try {
      const source = new PrometheusSource({ name: 'prom', url: prom.url });
      const v = workloadVerification({ namespace: 'lab', workload: 'recommend', kubernetesMetrics: true });
      const promql = (v.checks ?? []).filter((c) => c.signal.kind === 'promql');
      assert.equal(promql.length, 2);
      for (const c of promql) {
        const r = await source.query((c.signal as { query: string }).query);
        assert.deepEqual(r.series.map((x) => x.values.at(-1)), [0], c.description);
      }
    } finally {
      await prom.stop();
    }
  });
});
