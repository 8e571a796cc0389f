// Hostile policy files: each one is an error with its line, and the engine then denies everything.
// Nothing here may throw out of loadPolicy, whatever the file holds.

import * as assert from 'node:assert/strict';
import { evaluatePolicy } from '../../../src/policy/engine';
import { loadPolicy } from '../../../src/policy/load';
import { maxYamlBytes } from '../../../src/core/safeYaml';
import type { PolicySubject } from '../../../src/policy/types';

const plan: PolicySubject = {
  actionId: 'restart',
  argv: ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'staging-1'],
  target: { environment: 'staging', service: 'checkout', namespace: 'shop' },
  risk: 'low',
  blastRadius: { pods: 1, replicas: 1, description: '1 pod' },
  destructive: false,
};
const ctx = { autonomy: 'executeHighRisk' as const, now: new Date('2026-11-25T10:00:00Z'), trusted: true };

/** A billion-laughs document: nine aliases per level, nine levels deep (9^9 strings if expanded). */
function aliasBomb(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${levels.join('\n')}\nrules: []\n`;
}

describe('policy loader: hostile files fail closed, with the reason', () => {
  it('an alias bomb is refused, not expanded, and loadPolicy does not throw', () => {
    const p = loadPolicy(aliasBomb(), 'policy.yaml');
    assert.match(p.error ?? '', /policy file is refused: policy\.yaml: its aliases expand past 50 copies/);
    assert.equal(evaluatePolicy(plan, ctx, p).decidedBy, 'default:policy-error');
  });

  it('a few aliases, as a person writes them, still work', () => {
    const p = loadPolicy('x: &envs [staging, "qa-*"]\nrules:\n  - if: { environment: *envs }\n    then: allow\n'.replace('x:', 'rules_unused:'), 'policy.yaml');
    // rules_unused is an unknown key: the point is that the alias itself resolves.
    assert.match(p.error ?? '', /unknown key "rules_unused"/);
    const ok = loadPolicy('rules:\n  - if: { environment: &envs [staging, "qa-*"] }\n    then: allow\n  - if: { environment: *envs, action: scale }\n    then: deny\n');
    assert.equal(ok.error, undefined);
    assert.deepEqual(ok.rules[1].if.environment, ['staging', 'qa-*']);
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`a "${key}" key in services is rejected with an error naming it and its line`, () => {
      const p = loadPolicy(`services:\n  checkout: { tier: critical }\n  ${key}: { tier: batch }\n`, 'policy.yaml');
      assert.match(p.error ?? '', new RegExp(`policy\\.yaml:3:3: the key "${key}" is not allowed`));
      assert.equal(evaluatePolicy(plan, ctx, p).verdict, 'deny');
    });
  }

  it('a "__proto__" key anywhere (here in a rule condition) is rejected too', () => {
    assert.match(loadPolicy('rules:\n  - if: { __proto__: { action: restart } }\n    then: allow\n').error ?? '', /the key "__proto__" is not allowed/);
  });

  it('a file over the size cap is refused without being parsed', () => {
    const p = loadPolicy(`# ${'x'.repeat(maxYamlBytes)}\n`, 'policy.yaml');
    assert.match(p.error ?? '', /more than the 1048576 a workspace file may have/);
  });

  it('service and environment names are normalised; two spellings of one name are an error', () => {
    const p = loadPolicy('services:\n  " Checkout ": { tier: Critical }\nenvironments:\n  Staging: { production: false }\n');
    assert.equal(p.error, undefined);
    assert.deepEqual({ ...p.services }, { checkout: { tier: 'critical' } });
    assert.deepEqual({ ...p.environments }, { staging: { production: false } });
    assert.match(loadPolicy('services:\n  checkout: {}\n  CHECKOUT: {}\n').error ?? '', /"CHECKOUT" and "checkout" are the same name/);
  });

  it('control characters in a name or a pattern are an error', () => {
    assert.match(loadPolicy('services:\n  "check\\nout": { tier: critical }\n').error ?? '', /U\+000A/);
    assert.match(loadPolicy('rules:\n  - if: { environment: "prod\\u0000" }\n    then: deny\n').error ?? '', /U\+0000/);
  });

  it('environments must say production: true or false', () => {
    assert.match(loadPolicy('environments:\n  staging: non-production\n').error ?? '', /environments\.staging: expected \{ production: true \} or \{ production: false \}/);
    assert.match(loadPolicy('environments:\n  staging: { production: "no" }\n').error ?? '', /expected \{ production: true \}/);
    assert.match(loadPolicy('environments:\n  staging: { production: false, tier: x }\n').error ?? '', /unknown key "tier"/);
  });

  it('deep nesting, odd scalars and binary junk never throw', () => {
    const texts = ['['.repeat(1000), '{a: '.repeat(500), '\u0000\u0001\u0002', '--- !!binary |\n  R0lGODlhDAAMAIQAAP\n', 'rules: !!set { a, b }', '%YAML 9.9\n---\na: 1', '? [a, b]\n: c\n'];
    for (const text of texts) {
      const p = loadPolicy(text);
      assert.ok(p.error, `${JSON.stringify(text.slice(0, 20))} should be an error`);
      assert.equal(evaluatePolicy(plan, ctx, p).verdict, 'deny');
    }
  });
});
