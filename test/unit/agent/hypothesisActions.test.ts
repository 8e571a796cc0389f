import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { diagnose } from '../../../src/agent/diagnose';
import { CATALOG_ACTION_IDS } from '../../../src/core/actions';
import { builtinActionIds } from '../../../src/remediation/catalog';
import { kubeActionIds } from '../../../src/remediation/kubeActions';
import { withoutTruth } from '../../../src/eval/truth';
import { generateScenario } from '../../../src/eval/scenarios/generator';
import { loadLabelledBundles } from '../../../bench/lib/bundles';

describe('the actions a hypothesis proposes', () => {
  it('the catalog ids the hypothesis knows are exactly the ones remediation plans', () => {
    assert.deepEqual([...CATALOG_ACTION_IDS].sort(), [...builtinActionIds, ...kubeActionIds].sort());
  });

  it('on every case of the corpus, only ids of the catalog, each with the parameters its plan reads', function () {
    this.timeout(120000);
    const { bundles } = loadLabelledBundles(path.join(__dirname, '..', '..', 'corpus'));
    assert.ok(bundles.length >= 30, `corpus has ${bundles.length} cases`);
    let proposed = 0;
    for (const { file, bundle } of bundles) {
      const { hypothesis } = diagnose(withoutTruth(bundle));
      for (const a of hypothesis.proposedActions) {
        proposed++;
        assert.ok(CATALOG_ACTION_IDS.includes(a.actionId), `${path.basename(file)} proposes ${a.actionId}`);
        if (['rollback-deploy', 'restart', 'scale', 'pause-rollout'].includes(a.actionId)) assert.equal(typeof a.params.service, 'string', `${a.actionId} without a service in ${file}`);
        if (a.actionId === 'cordon-node') assert.equal(typeof a.params.node, 'string');
      }
    }
    assert.ok(proposed > 0, 'some case proposes an action');
  });

  it('a failing host gets its node cordoned, unless the catalog in effect has no node action', () => {
    const bundle = withoutTruth(generateScenario('node-fault', 1));
    const { hypothesis } = diagnose(bundle);
    assert.equal(hypothesis.causeKind, 'infrastructure');
    assert.deepEqual(hypothesis.proposedActions.map((a) => [a.actionId, a.params.node]), [['cordon-node', hypothesis.host]]);
    const without = diagnose(bundle, { actionIds: builtinActionIds }).hypothesis;
    assert.deepEqual(without.proposedActions, []);
  });
});
