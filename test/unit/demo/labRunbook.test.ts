import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadRunbookFile, planAction } from '../../../src/remediation/catalog';

// The demo lab declares its deploy tool like any team would: its workspace's own actions file.
describe('the demo lab declares its deploy tool as a runbook action', function () {
  const file = path.resolve(__dirname, '../../../demo/lab/template/.incident-lens/actions.yaml');

  it('loads without errors and replaces the built-in rollback there', function () {
    const { actions, error } = loadRunbookFile(file);
    assert.equal(error, undefined);
    const plan = planAction(
      { actionId: 'rollback-deploy', title: 'Roll back payments', why: 'bad deploy', params: { service: 'payments', fromRevision: 'f'.repeat(40), revision: 'a'.repeat(40) } },
      { environment: 'production', workspaceDir: '/ws', runbooks: actions },
    );
    assert.equal(plan.tool, 'runbook');
    assert.deepEqual(plan.argv.slice(1, 8), ['.lab/deploy.js', '--workspace', '.', '--service', 'payments', '--to', 'a'.repeat(40)]);
    assert.ok(plan.dryRunArgv?.includes('--dry-run'));
    assert.deepEqual(plan.verification?.signal, { kind: 'error-ratio', service: 'payments' });
    assert.ok(plan.rollback?.argv.includes('f'.repeat(40)));
  });
});
