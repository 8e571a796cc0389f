// A model rollback from proposal to verified outcome: the plan is real curl argv, the flow runs it
// through the policy, the scripted approval and the ledger, against a registry that answers in MLflow's
// documented REST format (test/support/mlflowRegistry.ts; no MLflow server here), and the verifier reads
// the registry until the alias points at the version it was moved back to.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { planAction } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { runRemediation, type ApprovalRequest } from '../../../src/remediation/flow';
import { Ledger, readLedger, verifyLedger } from '../../../src/remediation/ledger';
import { VerifierSet } from '../../../src/remediation/verify';
import { loadPolicy } from '../../../src/policy/load';
import { MlflowPointerVerifier } from '../../../src/agent/models/registryVerifier';
import { startMlflowRegistry, type FakeRegistry } from '../../support/mlflowRegistry';
import { removeDir, tempDir } from './helpers';

describe('model rollback through the registry (curl against a server answering in MLflow\'s documented REST format)', function () {
  this.timeout(30_000);
  let registry: FakeRegistry;
  let dir: string;
  beforeEach(async () => {
    dir = tempDir('model-rollback');
    registry = await startMlflowRegistry('sold-model', {
      versions: [
        { version: '4', current_stage: 'Archived', run_id: 'r4', creation_timestamp: 1 },
        { version: '5', current_stage: 'Production', run_id: 'r5', creation_timestamp: 2 },
      ],
      aliases: { champion: '5' },
    });
  });
  afterEach(async () => {
    await registry.close();
    removeDir(dir);
  });

  const propose = (params: Record<string, string>) => planAction({ actionId: 'rollback-model', title: 'roll back', params: { trackingUri: registry.url, model: 'sold-model', version: '4', currentVersion: '5', ...params }, why: 'ROC AUC fell' }, { environment: 'production', workspaceDir: dir });

  it('plans one POST as argv, previews where the alias points, and keeps the way forward as its rollback', () => {
    const plan = propose({ alias: 'champion' });
    assert.equal(plan.argv[0], 'curl');
    assert.deepEqual(plan.argv.slice(-2), ['{"name":"sold-model","alias":"champion","version":"4"}', `${registry.url}/api/2.0/mlflow/registered-models/alias`]);
    assert.ok(plan.dryRunArgv?.includes('--get'));
    assert.deepEqual(plan.rollback?.argv.slice(-2), ['{"name":"sold-model","alias":"champion","version":"5"}', `${registry.url}/api/2.0/mlflow/registered-models/alias`]);
    assert.equal(plan.destructive, false);
    assert.deepEqual(plan.blastRadius.pods, 0);
  });

  it('refuses what would not be a registry call: credentials in the URL, a bad alias, a version that already serves', () => {
    assert.throws(() => planAction({ actionId: 'rollback-model', title: 'x', params: { trackingUri: 'http://user:pw@mlflow:5000', model: 'm', alias: 'champion', version: '4' }, why: '' }, { environment: 'production', workspaceDir: dir }), /carries credentials/);
    assert.throws(() => propose({ alias: '--output=/tmp/x' }), /not a valid MLflow alias/);
    assert.throws(() => propose({ alias: 'champion', currentVersion: '4' }), /already serves/);
    assert.throws(() => propose({}), /names the alias or the stage/);
    assert.throws(() => propose({ alias: 'champion', version: '4; rm -rf /' }), /not a version number/);
  });

  it('needs approval by default, runs, is verified against the registry, and every step is in the ledger', async () => {
    const ledgerFile = path.join(dir, 'ledger.jsonl');
    const prompts: ApprovalRequest[] = [];
    const outcome = await runRemediation(propose({ alias: 'champion' }), {
      policy: loadPolicy(''),
      autonomy: 'suggest',
      trusted: true,
      prompter: { approve: async (r) => (prompts.push(r), true) },
      executor: createProcessExecutor(),
      ledger: Ledger.open(ledgerFile),
      verifier: new VerifierSet({ 'mlflow-pointer': new MlflowPointerVerifier() }),
      output: () => undefined,
    });
    assert.equal(outcome.status, 'recovered', outcome.message);
    assert.equal(prompts.length, 1);
    assert.equal(prompts[0].decision.verdict, 'require-approval');
    assert.match(prompts[0].dryRunOutput ?? '', /"version":\s*"5"/, 'the preview shows the version that serves now');
    assert.equal(registry.aliases.champion, '4');
    assert.match(outcome.message, /alias champion of sold-model points at version 4/);
    const types = readLedger(ledgerFile).map((e) => e.type);
    assert.deepEqual(types, ['suggestion', 'policy-decision', 'env-check', 'dry-run', 'approval', 'execution-start', 'execution', 'verification']);
    assert.ok(verifyLedger(ledgerFile).ok);
  });

  it('moves a stage in a registry that uses stages, archiving the version that was there', async () => {
    const outcome = await runRemediation(propose({ stage: 'Production' }), {
      policy: loadPolicy(''),
      autonomy: 'suggest',
      trusted: true,
      prompter: { approve: async () => true },
      executor: createProcessExecutor(),
      ledger: Ledger.open(path.join(dir, 'ledger.jsonl')),
      verifier: new VerifierSet({ 'mlflow-pointer': new MlflowPointerVerifier() }),
      output: () => undefined,
    });
    assert.equal(outcome.status, 'recovered', outcome.message);
    assert.deepEqual(registry.versions.map((v) => [v.version, v.current_stage]), [['4', 'Production'], ['5', 'Archived']]);
  });

  it('a rejected approval runs nothing and is recorded', async () => {
    const ledgerFile = path.join(dir, 'ledger.jsonl');
    const outcome = await runRemediation(propose({ alias: 'champion' }), {
      policy: loadPolicy(''),
      autonomy: 'suggest',
      trusted: true,
      prompter: { approve: async () => false },
      executor: createProcessExecutor(),
      ledger: Ledger.open(ledgerFile),
      output: () => undefined,
    });
    assert.equal(outcome.status, 'rejected');
    assert.equal(registry.aliases.champion, '5');
    assert.ok(!registry.calls.some((c) => c.method === 'POST'));
    assert.ok(readLedger(ledgerFile).some((e) => e.type === 'rejection'));
  });
});
