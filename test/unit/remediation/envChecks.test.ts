import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPlanEnvironment } from '../../../src/remediation/envChecks';
import { createProcessExecutor } from '../../../src/remediation/executor';
import type { CommandPlan } from '../../../src/remediation/plan';
import { installFakeTools } from './fakeTools';
import { envWithBin, readRecords, removeDir, tempDir } from './helpers';

type Checked = Pick<CommandPlan, 'argv' | 'target' | 'blastRadius'>;

function plan(argv: string[], target: Partial<CommandPlan['target']> = {}, pods = 2): Checked {
  return { argv, target: { environment: 'production', context: 'prod-eu-1', namespace: 'shop', ...target }, blastRadius: { pods, description: `${pods} pods` } };
}

describe('environment checks', () => {
  it('passes when the explicit --context is the one the environment uses', async () => {
    const r = await checkPlanEnvironment(plan(['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1']), { contextForEnvironment: { production: 'prod-eu-1' } });
    assert.deepEqual(r.problems, []);
    assert.ok(r.checked.some((c) => c.includes('kube context is "prod-eu-1"')));
  });

  it('refuses a command aimed at another environment\'s cluster', async () => {
    const r = await checkPlanEnvironment(plan(['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context=staging-1']));
    assert.equal(r.ok, false);
    assert.match(r.problems.join(' '), /would run against kube context "staging-1", but environment "production" uses "prod-eu-1"/);
  });

  it('refuses a plan whose target context is not the one configured for its environment', async () => {
    const r = await checkPlanEnvironment(plan(['kubectl', 'rollout', 'restart', 'deployment/checkout', '--context', 'prod-us-1'], { context: 'prod-us-1' }), { contextForEnvironment: { production: 'prod-eu-1' } });
    assert.match(r.problems.join(' '), /targets kube context "prod-us-1", but environment "production" uses "prod-eu-1"/);
  });

  it('helm uses --kube-context', async () => {
    assert.equal((await checkPlanEnvironment(plan(['helm', 'rollback', 'checkout', '2', '-n', 'shop', '--kube-context', 'prod-eu-1']))).ok, true);
    assert.equal((await checkPlanEnvironment(plan(['helm', 'rollback', 'checkout', '2', '-n', 'shop', '--kube-context', 'dev']))).ok, false);
  });

  it('refuses a namespace other than the target one, and several contexts', async () => {
    assert.match((await checkPlanEnvironment(plan(['kubectl', 'scale', 'deployment/x', '--replicas=2', '-n', 'kube-system', '--context', 'prod-eu-1']))).problems.join(' '), /namespace "kube-system", but the plan targets "shop"/);
    assert.match((await checkPlanEnvironment(plan(['kubectl', 'scale', 'deployment/x', '--context', 'prod-eu-1', '--context', 'dev']))).problems.join(' '), /several kube contexts/);
  });

  it('refuses all-namespaces, --all and cluster-wide deletes', async () => {
    for (const argv of [
      ['kubectl', 'delete', 'pods', '--all', '-n', 'shop', '--context', 'prod-eu-1'],
      ['kubectl', 'rollout', 'restart', 'deployment', '--all-namespaces', '--context', 'prod-eu-1'],
      ['kubectl', 'delete', 'deployment', '-A', '--context', 'prod-eu-1'],
      ['kubectl', 'delete', 'ns/shop', '--context', 'prod-eu-1'],
      ['kubectl', 'drain', 'node-1', '--context', 'prod-eu-1'],
    ]) {
      const r = await checkPlanEnvironment(plan(argv));
      assert.equal(r.ok, false, argv.join(' '));
      assert.match(r.problems.join(' '), /Cluster-wide forms are refused/);
    }
  });

  it('enforces blast-radius limits; an unknown size is above any limit', async () => {
    const argv = ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1'];
    assert.equal((await checkPlanEnvironment(plan(argv, {}, 4), { limits: { maxPods: 5 } })).ok, true);
    assert.match((await checkPlanEnvironment(plan(argv, {}, 8), { limits: { maxPods: 5 } })).problems.join(' '), /Blast radius of 8 pods is above the limit of 5/);
    const unknown = { ...plan(argv), blastRadius: { unknown: true, description: '?' } };
    assert.match((await checkPlanEnvironment(unknown, { limits: { maxPods: 5 } })).problems.join(' '), /Blast radius is unknown/);
  });

  describe('without an explicit --context (fake kubectl on PATH, no cluster here)', () => {
    let dir: string;
    beforeEach(() => {
      dir = tempDir('envcheck');
      fs.mkdirSync(path.join(dir, 'bin'));
    });
    afterEach(() => removeDir(dir));

    it('reads `kubectl config current-context` through the executor and compares it', async () => {
      const records = path.join(dir, 'argv.jsonl');
      installFakeTools(path.join(dir, 'bin'), records, { currentContext: 'staging-1' });
      const executor = createProcessExecutor({ envSource: envWithBin(path.join(dir, 'bin')) });
      const argv = ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop'];
      const wrong = await checkPlanEnvironment(plan(argv), { executor });
      assert.match(wrong.problems.join(' '), /would run against kube context "staging-1", but environment "production" uses "prod-eu-1"/);
      const right = await checkPlanEnvironment(plan(argv, { environment: 'staging', context: 'staging-1' }), { executor });
      assert.deepEqual(right.problems, []);
      assert.deepEqual(readRecords(records), [['kubectl', 'config', 'current-context'], ['kubectl', 'config', 'current-context']]);
    });

    it('without any way to read the context, it refuses', async () => {
      const r = await checkPlanEnvironment(plan(['kubectl', 'rollout', 'restart', 'deployment/checkout']));
      assert.match(r.problems.join(' '), /names no kube context and there is no way to read the current one/);
    });
  });
});
