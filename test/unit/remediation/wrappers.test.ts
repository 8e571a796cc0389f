import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planAction, type PlanContext } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { runRemediation, type ApprovalRequest } from '../../../src/remediation/flow';
import { Ledger, verifyLedger } from '../../../src/remediation/ledger';
import { loadPolicy } from '../../../src/policy/load';
import { parseArgocdHistory } from '../../../src/remediation/wrappers/argocd';
import { helmRollbackSucceeded, parseHelmHistory } from '../../../src/remediation/wrappers/helm';
import { parseKubectlResult } from '../../../src/remediation/wrappers/kubectl';
import { argocdHistoryOutput, helmHistoryOutput, installFakeTools } from './fakeTools';
import { envWithBin, readRecords, removeDir, tempDir } from './helpers';

describe('tool output parsers (documented output; no cluster here)', () => {
  it('kubectl: rollout undo / restart / scale / pause lines, with and without server dry run', () => {
    assert.deepEqual(parseKubectlResult('deployment.apps/checkout rolled back (server dry run)\n'), [{ kind: 'deployment.apps', name: 'checkout', outcome: 'rolled back', dryRun: 'server', detail: undefined }]);
    assert.deepEqual(parseKubectlResult('deployment.apps/checkout rolled back\n')[0].dryRun, undefined);
    assert.equal(parseKubectlResult('deployment.apps/checkout restarted')[0].outcome, 'restarted');
    assert.equal(parseKubectlResult('deployment.apps/checkout scaled (server dry run)')[0].dryRun, 'server');
    assert.equal(parseKubectlResult('deployment.apps/checkout paused')[0].outcome, 'paused');
    assert.deepEqual(parseKubectlResult('deployment.apps/checkout skipped rollback (current template already matches revision 2)')[0], {
      kind: 'deployment.apps',
      name: 'checkout',
      outcome: 'skipped rollback',
      dryRun: undefined,
      detail: 'current template already matches revision 2',
    });
    assert.deepEqual(parseKubectlResult('Error from server (NotFound): deployments.apps "checkout" not found'), []);
  });

  it('helm: the rollback success line and the history table', () => {
    assert.equal(helmRollbackSucceeded('Rollback was a success! Happy Helming!\n'), true);
    assert.equal(helmRollbackSucceeded('Error: release: not found\n'), false);
    const history = parseHelmHistory(helmHistoryOutput);
    assert.deepEqual(history.map((h) => [h.revision, h.status, h.appVersion]), [[1, 'superseded', '1.0'], [2, 'superseded', '1.1'], [3, 'deployed', '1.2']]);
    assert.equal(history[0].updated, 'Wed Oct  7 15:17:51 2026');
  });

  it('argocd: the app history table, with the SOURCE line newer versions print', () => {
    assert.deepEqual(parseArgocdHistory(argocdHistoryOutput), [
      { id: 10, date: '2026-11-20 09:12:44 +0000 UTC', revision: 'HEAD (8f3a2c1)' },
      { id: 11, date: '2026-11-27 08:01:02 +0000 UTC', revision: 'HEAD (c0ffee1)' },
    ]);
    assert.deepEqual(parseArgocdHistory('ID  DATE                           REVISION\n0   2024-01-10 10:00:00 +0000 UTC  v1.0.0\n'), [{ id: 0, date: '2024-01-10 10:00:00 +0000 UTC', revision: 'v1.0.0' }]);
  });
});

describe('kubectl, helm and argocd plans through the executor (no cluster here: fake tools on PATH)', () => {
  let dir: string;
  let bin: string;
  let records: string;
  beforeEach(() => {
    dir = tempDir('wrappers');
    bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    records = path.join(dir, 'argv.jsonl');
    installFakeTools(bin, records);
  });
  afterEach(() => removeDir(dir));

  const ctx: PlanContext = { environment: 'staging', workspaceDir: '/ws', kubeContext: 'staging-1', namespace: 'shop' };
  const policy = loadPolicy('rules:\n  - name: staging runs\n    if: { environment: staging }\n    then: allow\n');

  async function runWithFakes(planCtx: PlanContext, actionId: string, params: Record<string, string | number>) {
    const plan = planAction({ actionId, title: actionId, params, why: 'test' }, planCtx);
    const output: string[] = [];
    const prompts: ApprovalRequest[] = [];
    const ledgerFile = path.join(dir, 'ledger.jsonl');
    const outcome = await runRemediation(plan, {
      policy,
      autonomy: 'executeHighRisk',
      trusted: true,
      prompter: { approve: async (r) => (prompts.push(r), true) },
      executor: createProcessExecutor({ envSource: envWithBin(bin) }),
      ledger: Ledger.open(ledgerFile),
      output: (c) => output.push(c.text),
    });
    return { plan, outcome, output: output.join(''), prompts, ledgerFile };
  }

  it('kubectl rollout undo: server dry-run first, then the real undo (fake kubectl, no cluster here)', async () => {
    const { plan, outcome, output, prompts, ledgerFile } = await runWithFakes(ctx, 'rollback-deploy', { service: 'checkout', replicas: 3 });
    assert.equal(outcome.status, 'executed', outcome.message);
    assert.equal(prompts.length, 0, 'allowed at executeHighRisk: no prompt');
    assert.deepEqual(parseKubectlResult(outcome.dryRun?.stdout ?? ''), [{ kind: 'deployment.apps', name: 'checkout', outcome: 'rolled back', dryRun: 'server', detail: undefined }]);
    assert.deepEqual(parseKubectlResult(outcome.execution?.stdout ?? '')[0].dryRun, undefined);
    assert.deepEqual(readRecords(records), [
      ['kubectl', 'rollout', 'undo', 'deployment/checkout', '-n', 'shop', '--context', 'staging-1', '--dry-run=server'],
      ['kubectl', ...plan.argv.slice(1)],
    ]);
    assert.match(output, /rolled back \(server dry run\)/);
    assert.equal(verifyLedger(ledgerFile).ok, true);
  });

  it('kubectl scale and restart (fake kubectl, no cluster here)', async () => {
    const scale = await runWithFakes(ctx, 'scale', { service: 'checkout', replicas: 5, currentReplicas: 3 });
    assert.equal(scale.outcome.status, 'executed');
    assert.equal(parseKubectlResult(scale.outcome.execution?.stdout ?? '')[0].outcome, 'scaled');
    const restart = await runWithFakes(ctx, 'restart', { service: 'checkout', replicas: 3 });
    assert.equal(parseKubectlResult(restart.outcome.execution?.stdout ?? '')[0].outcome, 'restarted');
    assert.deepEqual(readRecords(records).map((r) => r.slice(1, 3).join(' ')), ['scale deployment/checkout', 'scale deployment/checkout', 'rollout restart', 'rollout restart']);
  });

  it('helm rollback: --dry-run then the rollback, both print the documented success line (fake helm, no cluster here)', async () => {
    const { outcome } = await runWithFakes(ctx, 'rollback-deploy', { tool: 'helm', release: 'checkout', revision: 2, replicas: 3 });
    assert.equal(outcome.status, 'executed', outcome.message);
    assert.equal(helmRollbackSucceeded(outcome.dryRun?.stdout ?? ''), true);
    assert.equal(helmRollbackSucceeded(outcome.execution?.stdout ?? ''), true);
    assert.deepEqual(readRecords(records), [
      ['helm', 'rollback', 'checkout', '2', '-n', 'shop', '--kube-context', 'staging-1', '--dry-run'],
      ['helm', 'rollback', 'checkout', '2', '-n', 'shop', '--kube-context', 'staging-1'],
    ]);
  });

  it('argocd app rollback: the history preview names the target revision (fake argocd, no Argo CD here)', async () => {
    const { outcome } = await runWithFakes(ctx, 'rollback-deploy', { tool: 'argocd', app: 'checkout', historyId: 10, replicas: 3 });
    assert.equal(outcome.status, 'executed', outcome.message);
    const target = parseArgocdHistory(outcome.dryRun?.stdout ?? '').find((h) => h.id === 10);
    assert.equal(target?.revision, 'HEAD (8f3a2c1)');
    assert.deepEqual(readRecords(records), [
      ['argocd', 'app', 'history', 'checkout'],
      ['argocd', 'app', 'rollback', 'checkout', '10'],
    ]);
  });

  it('a failing dry-run stops the action (fake kubectl, no cluster here)', async () => {
    const plan = planAction({ actionId: 'restart', title: 'r', params: { service: 'checkout', replicas: 1 }, why: '' }, ctx);
    const broken = { ...plan, dryRunArgv: ['kubectl', 'frobnicate'] };
    const outcome = await runRemediation(broken, {
      policy,
      autonomy: 'executeHighRisk',
      trusted: true,
      prompter: { approve: async () => true },
      executor: createProcessExecutor({ envSource: envWithBin(bin) }),
      ledger: Ledger.open(path.join(dir, 'ledger.jsonl')),
      output: () => {},
    });
    assert.equal(outcome.status, 'dry-run-failed');
    assert.deepEqual(readRecords(records), [['kubectl', 'frobnicate']], 'the real restart never ran');
  });
});
