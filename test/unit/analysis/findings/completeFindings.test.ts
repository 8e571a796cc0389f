import * as assert from 'node:assert/strict';
import { completeFindings, computeFindings } from '../../../../src/analysis/findings/computeFindings';
import { diagnose, diagnoseInStages } from '../../../../src/agent/diagnose';
import { generateScenario } from '../../../../src/eval/scenarios/generator';
import type { IncidentBundle } from '../../../../src/core/bundle';
import type { Findings } from '../../../../src/core/investigation';
import { collect } from '../../../../src/agent/hypothesis/collect';
import { infrastructureCandidates } from '../../../../src/agent/hypothesis/candidates/platform';

function blind(kind: Parameters<typeof generateScenario>[0], seed: number): IncidentBundle {
  const { truth: _truth, ...bundle } = generateScenario(kind, seed);
  return bundle as IncidentBundle;
}

describe('findings in two parts (the panel\'s part after the hypothesis)', () => {
  for (const [kind, seed] of [['deploy-exception', 3], ['dependency-outage', 5], ['memory-leak', 8]] as const) {
    it(`${kind}: deferred then completed findings equal findings computed at once`, () => {
      const bundle = blind(kind, seed);
      const eager = computeFindings(bundle);
      const deferred = computeFindings(bundle, { deferPanel: true });
      assert.equal(deferred.panelPending, true);
      assert.equal(eager.panelPending, undefined);
      // The hypothesis's part holds no routine line's pattern, no trace to draw, no detector's shading.
      assert.ok(deferred.logPatterns.every((p) => p.level !== 'info' && p.level !== 'debug' && p.level !== 'trace'));
      assert.deepEqual(deferred.traces, { slowest: [], failing: [], waterfalls: [] });
      const cited = new Set(deferred.logPatterns.map((p) => p.id));
      completeFindings(deferred);
      assert.equal(deferred.panelPending, undefined);
      assert.deepEqual(deferred, eager);
      assert.ok(eager.logPatterns.some((p) => p.level === 'info'), 'the bundle has routine lines');
      for (const id of cited) assert.ok(deferred.logPatterns.some((p) => p.id === id), `pattern ${id} of the first part is still listed`);
      // Completing twice changes nothing.
      const again = structuredClone(deferred) as Findings;
      completeFindings(deferred);
      assert.deepEqual(deferred, again);
    });
  }

  it('the hypothesis does not depend on the panel\'s part', () => {
    const bundle = blind('deploy-exception', 4);
    const staged = diagnoseInStages(bundle);
    const before = structuredClone(staged.hypothesis);
    staged.complete();
    assert.deepEqual(staged.hypothesis, before);
    assert.deepEqual(diagnose(bundle).hypothesis, before);
    assert.deepEqual(staged.findings, diagnose(bundle).findings);
  });
});

describe('a clock step written only at info level', () => {
  it('is still seen by the hypothesis, though routine lines\' patterns come after it', () => {
    const bundle = blind('dependency-outage', 6);
    const at = bundle.alert.startsAt - 5 * 60_000;
    const without = computeFindings(bundle, { deferPanel: true });
    assert.equal(without.clockLines, undefined);
    assert.ok(!infrastructureCandidates(collect(without, bundle.changes)).some((c) => c.key === 'infrastructure|clock'));
    // The kernel's message, once per host: a routine template, and at info level.
    for (let h = 0; h < 30; h++) bundle.logs.push({ time: at + h, level: 'info', body: 'Clock: inserting leap second 23:59:60 UTC', attributes: { 'host.name': `edge-${h}` } });
    const f = computeFindings(bundle, { deferPanel: true });
    assert.ok(f.logPatterns.every((p) => !/leap second/.test(p.template)), 'info lines are not mined before the hypothesis');
    assert.deepEqual(f.clockLines?.slice(0, 1), ['Clock: inserting leap second 23:59:60 UTC']);
    assert.ok(infrastructureCandidates(collect(f, bundle.changes)).some((c) => c.key === 'infrastructure|clock'));
  });
});
