import * as assert from 'node:assert/strict';
import type { LogRecord } from '../../../src/core/model';
import type { LogQuery, LogSource } from '../../../src/core/sources';
import { InvestigationService, runKey, type InvestigationRun } from '../../../src/agent/investigationService';
import { investigate } from '../../../src/agent/investigate';
import { investigationView } from '../../../src/protocol/investigationView';
import { generateScenario } from '../../../src/eval/scenarios/generator';
import { ScenarioLogs, ScenarioMetrics, ScenarioTraces } from './scenarioSources';

/** A log backend that answers only when the test lets it: a slow Loki. */
class SlowLogs implements LogSource {
  readonly name = 'slow-loki';
  readonly kind = 'loki';
  private release!: () => void;
  readonly gate = new Promise<void>((r) => (this.release = r));
  asked = false;
  constructor(private readonly logs: LogRecord[]) {}
  async queryLogs(q: LogQuery): Promise<LogRecord[]> {
    this.asked = true;
    await this.gate;
    return this.logs.filter((r) => r.time >= q.start && r.time <= q.end);
  }
  answer(): void {
    this.release();
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('InvestigationService', function () {
  this.timeout(60_000);
  const b = generateScenario('deploy-exception', 616161);

  function service(logs: LogSource) {
    const updates: InvestigationRun[] = [];
    const finished: string[] = [];
    const svc = new InvestigationService({
      investigate,
      sources: () => ({ metrics: [new ScenarioMetrics(b.metrics)], logs: [logs], traces: [new ScenarioTraces(b.spans)] }),
      changes: async () => undefined,
      options: () => ({}),
      onFinished: (inv) => finished.push(inv.alert.id),
      now: () => b.window.end,
    });
    svc.onDidChange((r) => updates.push(r));
    return { svc, updates, finished };
  }

  it('reports each signal kind as it really is: logs still running while metrics are done', async function () {
    const slow = new SlowLogs(b.logs);
    const { svc, updates, finished } = service(slow);
    const run = svc.start(b.alert);
    const key = runKey(b.alert);
    const state = (step: string) => svc.get(key)!.steps.find((s) => s.step === step)!.state;
    await until('metrics and traces to finish', () => state('metrics') === 'done' && state('traces') === 'done');
    assert.ok(slow.asked, 'the log source was asked');
    assert.equal(state('logs'), 'running');
    assert.equal(svc.get(key)!.phase, 'gathering');
    // The panel shows exactly that.
    const view = investigationView(svc.get(key)!, { enabled: true });
    assert.deepEqual(view.steps.map((s) => `${s.label}: ${s.state}`).slice(0, 3), ['Metrics around the alert: done', 'Logs and patterns: running', 'Traces: done']);
    slow.answer();
    const done = await svc.whenDone(key);
    assert.equal(done?.phase, 'ready');
    assert.equal(state('logs'), 'done');
    assert.ok(done?.investigation?.findings.logPatterns.length, 'the late logs were used');
    assert.deepEqual(finished, [b.alert.id]);
    assert.ok(updates.length > 3 && updates.every((u, i) => i === 0 || u.version >= updates[i - 1].version || u !== run));
    assert.equal(svc.start(b.alert).phase, 'ready', 'start returns the finished run instead of starting over');
  });

  it('cancels a run and runs it again', async function () {
    const slow = new SlowLogs(b.logs);
    const { svc } = service(slow);
    const key = runKey(b.alert);
    svc.start(b.alert);
    await until('the log query', () => slow.asked);
    svc.cancel(key);
    const cancelled = await svc.whenDone(key);
    assert.equal(cancelled?.phase, 'cancelled');
    const again = svc.rerun(b.alert);
    assert.equal(again.phase, 'gathering');
    slow.answer();
    assert.equal((await svc.whenDone(key))?.phase, 'ready');
  });

  it('keeps an investigation whose sources all fail, with each failure tagged by kind', async function () {
    const down: LogSource = { name: 'loki-prod', kind: 'loki', queryLogs: async () => Promise.reject(new Error('connection refused')) };
    const svc = new InvestigationService({
      investigate,
      sources: () => ({ metrics: [], logs: [down, new ScenarioLogs(b.logs)], traces: [] }),
      changes: async () => undefined,
      options: () => ({}),
      now: () => b.window.end,
    });
    svc.start(b.alert);
    const run = await svc.whenDone(runKey(b.alert));
    assert.equal(run?.phase, 'ready', run?.error);
    assert.deepEqual(run?.investigation?.errors, [{ kind: 'logs', source: 'loki-prod', message: 'connection refused' }]);
    assert.equal(run?.steps.find((s) => s.step === 'metrics')?.state, 'skipped');
  });

  it('re-queries another time range: the sources are asked for the new window, and what was done stays', async function () {
    const windows: { start: number; end: number }[] = [];
    const metrics = new ScenarioMetrics(b.metrics);
    const watching = Object.assign(Object.create(metrics) as ScenarioMetrics, {
      seriesForService: (svcName: string, w: { start: number; end: number }) => {
        windows.push(w);
        return metrics.seriesForService(svcName, w);
      },
    });
    const now = b.window.end;
    const svc = new InvestigationService({ investigate, sources: () => ({ metrics: [watching], logs: [new ScenarioLogs(b.logs)], traces: [new ScenarioTraces(b.spans)] }), changes: async () => undefined, options: () => ({}), now: () => now });
    const key = runKey(b.alert);
    svc.start(b.alert);
    const first = await svc.whenDone(key);
    assert.equal(first?.range.preset, 'alert');
    svc.recordAction(key, { actionId: 'rollback-deploy', state: 'finished', status: 'recovered', time: now - 1000 });
    windows.length = 0;
    const again = svc.setRange(key, { preset: '6h' });
    assert.equal(again?.phase, 'gathering');
    const second = await svc.whenDone(key);
    assert.equal(second?.phase, 'ready');
    assert.equal(second?.range.preset, '6h');
    assert.deepEqual(second?.range.window, { start: now - 6 * 3600_000, end: now });
    assert.ok(windows.length > 0 && windows.every((w) => w.start === now - 6 * 3600_000 && w.end === now), `windows asked: ${JSON.stringify(windows)}`);
    assert.deepEqual(second?.investigation?.bundle.window, { start: now - 6 * 3600_000, end: now });
    assert.deepEqual(second?.actions.map((a) => a.actionId), ['rollback-deploy'], 'the action taken is still known after the re-query');
    assert.throws(() => svc.setRange(key, { preset: 'custom', start: now, end: now - 1 }), /end after it starts/);
    assert.throws(() => svc.setRange(key, { preset: 'custom', start: now - 8 * 24 * 3600_000, end: now }), /at most 7 days/);
    assert.equal(svc.get(key)?.phase, 'ready', 'a refused range leaves the investigation as it was');
  });

  it('follows its alert and its incident live, without investigating again', async function () {
    let runs = 0;
    const svc = new InvestigationService({
      investigate: (...args) => {
        runs++;
        return investigate(...args);
      },
      sources: () => ({ metrics: [new ScenarioMetrics(b.metrics)], logs: [new ScenarioLogs(b.logs)], traces: [new ScenarioTraces(b.spans)] }),
      changes: async () => undefined,
      options: () => ({}),
      now: () => b.window.end,
    });
    const other = { ...b.alert, id: 'downstream', name: 'ErrorLogBurst', severity: 'warning' as const };
    const key = runKey(b.alert);
    svc.start(b.alert, { relatedAlerts: [other] });
    await svc.whenDone(key);
    assert.equal(svc.current(key)?.bundle.alerts?.length, 2, 'the related alert is explained with it');
    assert.deepEqual(svc.followAlerts([b.alert, other]), [], 'nothing changed');
    const resolved = { ...b.alert, state: 'resolved' as const, endsAt: b.window.end };
    assert.deepEqual(svc.followAlerts([resolved, { ...other, state: 'silenced' as const }]), [key]);
    assert.equal(svc.get(key)?.alert.state, 'resolved');
    assert.equal(svc.get(key)?.relatedAlerts[0].state, 'silenced');
    assert.equal(svc.get(key)?.phase, 'ready');
    assert.equal(runs, 1, 'following the alert did not investigate again');
    const hints = svc.incidentHints();
    if (!svc.current(key)?.hypothesis.abstained) assert.ok(hints.causes.has(runKey(other)), 'the related alert shares the cause the investigation named');
  });
});
