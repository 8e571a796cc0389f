import * as assert from 'node:assert/strict';
import type { Alert } from '../../../src/core/model';
import { loadPolicy } from '../../../src/policy/load';
import { checkName } from '../../../src/policy/names';
import { classifyEnvironment, planTarget } from '../../../src/policy/target';

const policy = loadPolicy(`
services:
  payments: { tier: critical }
  storefront: { tier: standard }
environments:
  staging: { production: false }
  "qa-*": { production: false }
  lab: { production: false }
`);

function alert(labels: Record<string, string>, extra: Partial<Pick<Alert, 'environment' | 'service'>> = {}): Pick<Alert, 'labels' | 'environment' | 'service'> {
  return { labels, ...extra };
}

describe('planTarget: the alert names the place, the policy says what it is', () => {
  it('takes the environment and service from the alert, normalised', () => {
    const t = planTarget(alert({}, { environment: '  QA-2 ', service: 'Payments' }), { environment: 'production' }, policy);
    assert.deepEqual({ env: t.environment, from: t.environmentFrom, prod: t.production, service: t.service, tier: t.tier }, { env: 'qa-2', from: 'alert', prod: false, service: 'payments', tier: 'critical' });
  });

  it('falls back to the incidentLens.environment setting when the alert names none', () => {
    const t = planTarget(alert({ service: 'storefront' }), { environment: 'staging' }, policy);
    assert.deepEqual({ env: t.environment, from: t.environmentFrom, prod: t.production, service: t.service }, { env: 'staging', from: 'settings', prod: false, service: 'storefront' });
  });

  it('an environment the policy does not declare is production (env=eu-prod, env=anything)', () => {
    for (const env of ['eu-prod', 'production', 'PROD', 'live', 'canary', 'staging-eu', 'dev']) {
      const t = planTarget(alert({ env }, { environment: env }), { environment: 'staging' }, policy);
      assert.equal(t.production, true, env);
      assert.match(t.productionReason, /not declared in the policy's environments/);
    }
  });

  it('a tier label is ignored, and said so; the tier comes from the policy only', () => {
    const critical = planTarget(alert({ tier: 'batch' }, { environment: 'staging', service: 'payments' }), { environment: 'staging' }, policy);
    assert.equal(critical.tier, 'critical');
    assert.match(critical.ignored.join(' '), /tier="batch" is ignored: the policy says tier critical/);
    const unknown = planTarget(alert({ tier: 'batch' }, { environment: 'staging', service: 'search' }), { environment: 'staging' }, policy);
    assert.equal(unknown.tier, undefined);
    assert.match(unknown.ignored.join(' '), /the policy gives this service no tier/);
  });

  it('refuses names with newlines or invisible characters instead of matching them', () => {
    assert.throws(() => planTarget(alert({}, { environment: 'staging\nprod' }), { environment: 'staging' }, policy), /The alert's environment "staging\\nprod" contains the control or invisible character U\+000A/);
    assert.throws(() => planTarget(alert({}, { environment: 'staging', service: 'pay\u202ements' }), { environment: 'staging' }, policy), /U\+202E/);
    assert.throws(() => planTarget(alert({}, { environment: 'x'.repeat(300) }), { environment: 'staging' }, policy), /more than the 253/);
  });

  it('a declared environment is matched however it is spelled', () => {
    for (const env of ['Staging', ' staging', 'STAGING ', 'ｓｔａｇｉｎｇ']) assert.equal(classifyEnvironment(policy, env).production, false, env);
  });
});

describe('checkName', () => {
  it('collapses inner whitespace and lower-cases', () => {
    assert.deepEqual(checkName('  EU   West  1 ', 'x'), { ok: true, name: 'eu west 1' });
  });
  it('refuses C0/C1 controls, DEL, line separators and bidi overrides', () => {
    for (const bad of ['a\u0000', 'a\u0007', 'a\r', 'a\u007f', 'a\u0085', 'a\u2028', 'a\u202e', 'a\u2066', 'a\ufeff']) {
      assert.equal(checkName(bad, 'x').ok, false, JSON.stringify(bad));
    }
    assert.equal(checkName('', 'x').ok, false);
    assert.equal(checkName(42, 'x').ok, false);
  });
});
