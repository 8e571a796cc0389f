import * as assert from 'node:assert/strict';
import type { LogRecord } from '../../../src/core/model';
import type { Investigation } from '../../../src/core/investigation';
import { investigate } from '../../../src/agent/investigate';
import { investigationView, traceViewFor } from '../../../src/protocol/investigationView';
import { generateScenario } from '../../../src/eval/scenarios/generator';
import { ScenarioChanges, ScenarioLogs, ScenarioMetrics, ScenarioTraces } from '../agent/scenarioSources';

/** Info chatter that pushes a log source past 20,000 lines (the limit where mining used to change). */
function chatter(service: string, start: number, end: number, n: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < n; i++) out.push({ time: start + Math.floor(((end - start) * i) / n), level: 'info', service, body: `GET /api/items/${i % 977} 200 ${(i * 37) % 90} ms` });
  return out;
}

describe('investigation view model', function () {
  this.timeout(120_000);
  let inv: Investigation;

  before(async function () {
    const b = generateScenario('deploy-exception', 717171);
    // Two log sources, each at the default limit of 20,000 lines: the incident's own logs come through one.
    const own = [...b.logs, ...chatter(b.alert.service ?? 'api', b.window.start, b.window.end, 20_000 - b.logs.length)];
    const other = chatter('edge-proxy', b.window.start, b.window.end, 20_000);
    inv = await investigate(b.alert, { metrics: [new ScenarioMetrics(b.metrics)], logs: [new ScenarioLogs(own), new ScenarioLogs(other)], traces: [new ScenarioTraces(b.spans)], changes: new ScenarioChanges(b.changes) }, { now: b.window.end });
    assert.ok(inv.bundle.logs.length > 20_000, `only ${inv.bundle.logs.length} log lines`);
  });

  it('points every evidence link at the chart, pattern or span it names, with over 20,000 log lines from two sources', function () {
    const view = investigationView({ alert: inv.alert, phase: 'ready', steps: [], investigation: inv, startedAt: inv.startedAt }, { enabled: true });
    const h = inv.hypothesis;
    assert.ok(h.evidence.length >= 3);
    const kinds = new Set(h.evidence.map((e) => e.kind));
    assert.ok(kinds.has('log-pattern') && kinds.has('span'), `evidence kinds: ${[...kinds].join(', ')}`);
    for (const e of h.evidence) {
      if (e.kind === 'metric') {
        const chart = view.charts.find((c) => c.series.some((x) => x.id === e.ref));
        assert.ok(chart, `no chart for ${e.id} (${e.ref})`);
        assert.ok(chart.evidenceIds.includes(e.id));
        assert.deepEqual(view.evidenceTargets[e.id], { kind: 'chart', chartId: chart.id, seriesId: e.ref });
      } else if (e.kind === 'log-pattern') {
        const pattern = view.logPatterns.find((p) => p.id === e.ref);
        assert.ok(pattern, `no pattern for ${e.id} (${e.ref})`);
        assert.ok(pattern.evidenceIds.includes(e.id));
        // The pattern the evidence names is the one it describes: same level and a template it quotes.
        assert.ok(e.title.includes(pattern.template.slice(0, 60)), `${e.title} vs ${pattern.template}`);
        assert.ok(['error', 'fatal', 'warn'].includes(pattern.level));
        assert.deepEqual(view.evidenceTargets[e.id], { kind: 'pattern', patternId: e.ref });
      } else if (e.kind === 'span') {
        const [traceId, spanId] = e.ref.split('/');
        const trace = traceViewFor(inv, traceId);
        assert.ok(trace, `no waterfall for ${e.id} (${e.ref})`);
        assert.ok(trace.rows.some((r) => r.spanId === spanId), `span ${spanId} is not in its waterfall`);
      }
    }
  });

  it('renders the traces it lists without running any analysis', function () {
    for (const t of [...inv.findings.traces.failing, ...inv.findings.traces.slowest]) assert.ok(traceViewFor(inv, t.traceId), t.traceId);
    assert.equal(traceViewFor(inv, 'no-such-trace'), undefined);
  });

  it('maps a gathering run and a failed run without an investigation', function () {
    const steps = [{ step: 'metrics' as const, state: 'done' as const }, { step: 'logs' as const, state: 'running' as const }];
    const gathering = investigationView({ alert: inv.alert, phase: 'gathering', steps, startedAt: 1 }, { enabled: false, reason: 'untrusted' });
    assert.equal(gathering.phase, 'gathering');
    assert.deepEqual(gathering.steps.map((s) => s.state), ['done', 'running']);
    const failed = investigationView({ alert: inv.alert, phase: 'error', steps, error: 'boom', startedAt: 1 }, { enabled: true });
    assert.equal(failed.phase, 'error');
    assert.equal(failed.error, 'boom');
  });

  it('draws small multiples: one chart per metric, a few lines each on one time axis, labelled by what differs', function () {
    const view = investigationView({ alert: inv.alert, phase: 'ready', steps: [], investigation: inv, startedAt: inv.startedAt }, { enabled: true });
    assert.ok(view.charts.length > 0 && view.charts.length <= 10);
    const names = view.charts.map((c) => `${c.title}|${c.unit ?? ''}|${c.role === 'alert' ? 'alert' : ''}`);
    assert.equal(new Set(names).size, names.length, 'one chart per metric');
    for (const c of view.charts) {
      assert.ok(c.series.length >= 1 && c.series.length <= 4, `${c.title}: ${c.series.length} lines`);
      for (const line of c.series) assert.equal(line.values.length, c.timestamps.length, `${c.title}: a line off the chart's time axis`);
      if (c.series.length > 1) assert.equal(new Set(c.series.map((l) => l.label)).size, c.series.length, `${c.title}: two lines with one legend label`);
      assert.ok(c.timestamps.every((t, i) => i === 0 || t > c.timestamps[i - 1]));
      assert.ok(c.series.every((l) => !/__name__/.test(l.label)));
    }
    const counted = view.charts.reduce((n, c) => n + c.series.length + c.omitted, 0);
    assert.ok(counted <= inv.bundle.metrics.length);
  });

  it('follows the run: the live alert, the range read, and an action that ran is withdrawn with its outcome in its place', function () {
    const actionId = inv.hypothesis.proposedActions[0]?.actionId;
    assert.ok(actionId, 'the scenario proposes an action');
    const resolvedAt = inv.alert.startsAt + 5 * 60_000;
    const run = {
      alert: { ...inv.alert, state: 'resolved' as const, endsAt: resolvedAt },
      phase: 'ready' as const,
      steps: [],
      investigation: inv,
      startedAt: inv.startedAt,
      range: { preset: '6h' as const, window: inv.bundle.window },
      actions: [{ actionId, state: 'finished' as const, status: 'recovered', message: 'Recovered: checkout error ratio back under 5%: 0.4 % < 5 %', verification: { ok: true, reason: 'checkout error ratio back under 5%: 0.4 % < 5 %' }, time: resolvedAt - 60_000 }],
    };
    const view = investigationView(run, { enabled: true }, { timeZone: 'UTC' });
    assert.equal(view.alert.state, 'resolved');
    assert.equal(view.range.preset, '6h');
    const action = view.actions.find((a) => a.actionId === actionId);
    assert.ok(action);
    assert.equal(action.state, 'done');
    assert.equal(action.enabled, false);
    assert.equal(action.outcomeOk, true);
    assert.match(action.outcome ?? '', /0\.4 % < 5 %/);
    assert.ok(view.markers.some((m) => m.kind === 'resolved' && m.time === resolvedAt), 'the resolution is marked on the charts');
    assert.ok(view.markers.every((m) => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/.test(m.label)), 'marker labels carry local time with the zone');
    // Refused (not run): offered again, with what happened.
    const refused = investigationView({ ...run, alert: inv.alert, actions: [{ ...run.actions[0], status: 'rejected', message: 'Not approved; nothing was run.' }] }, { enabled: true });
    const again = refused.actions.find((a) => a.actionId === actionId);
    assert.equal(again?.enabled, true);
    assert.equal(again?.state, 'tried');
    // Running: not offered twice.
    const running = investigationView({ ...run, alert: inv.alert, actions: [{ actionId, state: 'running' as const, time: 1 }] }, { enabled: true });
    assert.equal(running.actions.find((a) => a.actionId === actionId)?.enabled, false);
  });
});
