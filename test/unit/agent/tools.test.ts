import * as assert from 'node:assert/strict';
import { boundResult } from '../../../src/agent/tools/bound';
import { runTool } from '../../../src/agent/tools/registry';
import { bundleToolContext, investigateBundle } from '../../../src/agent/tools/bundleContext';
import { checkArgs } from '../../../src/agent/tools/schema';
import { incidentBundle } from './llm/fixture';

describe('agent tools over a saved bundle', () => {
  const bundle = incidentBundle();
  const ctx = bundleToolContext(bundle, investigateBundle(bundle), { actionIds: ['restart'] });

  it('a result that has to be cut says so: what was kept of how many, and how to narrow the query', async () => {
    const r = await runTool('query_logs', { query: '', limit: 500 }, ctx, { maxChars: 3000 });
    assert.equal(r.ok, true);
    assert.equal(r.truncated, true);
    assert.ok(r.text.length <= 3000);
    const data = JSON.parse(r.text);
    assert.match(data._truncated, /lines: kept \d+ of 100; add a line filter, a service, a shorter window or a lower limit/);
    assert.equal(data.count, 100);
    assert.ok(data.lines.length < 100);
  });

  it('LogQL over a bundle: stream selector and line filters', async () => {
    const r = JSON.parse((await runTool('query_logs', { query: '{service="payments", level="error"} |= "TypeError" != "order=2001"' }, ctx)).text);
    assert.equal(r.count, 39);
    const bad = await runTool('query_logs', { query: '{service="payments"} | json' }, ctx);
    assert.equal(bad.ok, false);
    assert.match(bad.text, /understands only line filters/);
  });

  it('a PromQL expression over a bundle reads the series it selects and says it was not evaluated', async () => {
    const r = JSON.parse((await runTool('query_metrics', { query: 'avg_over_time(error_ratio{service="payments"}[5m]) > 0.05' }, ctx)).text);
    assert.equal(r.seriesCount, 1);
    assert.equal(r.series[0].max, 0.4);
    assert.match(r.note, /not evaluated/);
  });

  it('show_diff and blame_lines read the bundle\'s recorded hunks and files', async () => {
    const diff = JSON.parse((await runTool('show_diff', { sha: bundle.changes[0].sha.slice(0, 8) }, ctx)).text);
    assert.match(diff.diff, /\+ {2}const brand = card\.details\.brand;/);
    const blame = JSON.parse((await runTool('blame_lines', { path: 'services/payments/src/card-validation.js', startLine: 11, endLine: 11 }, ctx)).text);
    assert.equal(blame.lines[0].sha, bundle.changes[0].sha);
  });

  it('propose_remediation accepts catalog ids only and never executes', async () => {
    const ok = JSON.parse((await runTool('propose_remediation', { actionId: 'restart', params: { service: 'payments' }, why: 'errors' }, ctx)).text);
    assert.equal(ok.executed, false);
    assert.equal(ok.status, 'recorded');
    const bad = await runTool('propose_remediation', { actionId: 'rm -rf /', why: 'x' }, ctx);
    assert.equal(bad.ok, false);
  });
});

describe('argument checks and bounds', () => {
  it('numeric strings become numbers; unknown fields and wrong types are named', () => {
    const schema = { type: 'object' as const, properties: { n: { type: 'integer' as const, minimum: 1 }, s: { type: 'string' as const, enum: ['a', 'b'] } }, required: ['n'] };
    assert.deepEqual(checkArgs(schema, { n: '3', s: 'a' }), { ok: true, value: { n: 3, s: 'a' } });
    const bad = checkArgs(schema, { n: 0, s: 'c', x: 1 });
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.problems, ['n must be at least 1', 's must be one of "a", "b"', 'x is not a parameter of this tool (parameters: n, s)']);
  });

  it('a result within the bound is unchanged; long texts are cut and said to be', () => {
    assert.deepEqual(boundResult({ a: [1, 2] }), { text: '{"a":[1,2]}', truncated: false, notes: [] });
    const r = boundResult({ body: 'x'.repeat(5000) });
    assert.equal(r.truncated, true);
    assert.match(r.text, /\[cut: 3000 more characters\]/);
  });
});
