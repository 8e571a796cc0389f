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
});
