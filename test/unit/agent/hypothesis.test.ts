import * as assert from 'node:assert/strict';
import type { Alert, LogRecord, MetricSeries, Span } from '../../../src/core/model';
import type { IncidentBundle } from '../../../src/core/bundle';
import { diagnoseBundle as buildHypothesis } from '../../../src/agent/diagnose';
import { generateScenario } from '../../../src/eval/scenarios/generator';

// Seeds here are outside both the calibration seeds (900000+) and the benchmark's (7000+).
function blind(b: IncidentBundle): IncidentBundle {
  const { truth: _truth, ...rest } = b;
  return rest;
}

function evidenceIdsIn(text: string): string[] {
  return [...text.matchAll(/\be\d+\b/g)].map((m) => m[0]);
}

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const alert: Alert = { id: 'a1', name: 'HighErrorRate', state: 'firing', severity: 'critical', labels: { service: 'api' }, annotations: {}, startsAt: T, sourceName: 'test', sourceKind: 'prometheus', service: 'api' };

function flatSeries(id: string, service: string, f: (i: number) => number): MetricSeries {
  const timestamps = Array.from({ length: 240 }, (_, i) => T - 60 * 60_000 + i * 15_000);
  return { id, name: id, labels: { service }, service, timestamps, values: timestamps.map((_, i) => f(i)) };
}

describe('buildHypothesis', function () {
  it('names the deployed commit whose changed lines the failing frames point into, with its lines', function () {
    const b = generateScenario('deploy-exception', 424242);
    const h = buildHypothesis(blind(b));
    assert.equal(h.abstained, false);
    assert.equal(h.causeKind, 'code-change');
    assert.equal(h.service, b.truth!.service);
    assert.equal(h.suspectCommit?.sha, b.truth!.commit);
    assert.equal(h.location?.path, b.truth!.path);
    assert.ok(h.location!.startLine <= b.truth!.endLine! && h.location!.endLine >= b.truth!.startLine!, 'the location overlaps the faulty hunk');
    assert.ok(h.confidence >= 0.5);
    assert.ok(h.proposedActions.some((a) => a.actionId === 'rollback-deploy' && a.params.service === b.truth!.service));
    const ids = new Set(h.evidence.map((e) => e.id));
    const cited = evidenceIdsIn(h.summary);
    assert.ok(cited.length >= 2, 'the summary cites evidence');
    for (const id of cited) assert.ok(ids.has(id), `summary cites ${id}, which is in the evidence list`);
  });

  it('calls a config change a config change', function () {
    const b = generateScenario('bad-config', 424242);
    const h = buildHypothesis(blind(b));
    assert.equal(h.causeKind, 'config-change');
    assert.equal(h.suspectCommit?.sha, b.truth!.commit);
    assert.equal(h.location?.path, b.truth!.path);
  });

  it('names no commit for a downstream outage or a traffic spike', function () {
    for (const kind of ['dependency-outage', 'traffic-spike'] as const) {
      const b = generateScenario(kind, 424243);
      const h = buildHypothesis(blind(b));
      assert.equal(h.suspectCommit, undefined, kind);
      assert.equal(h.abstained ? 'unknown' : h.causeKind, b.truth!.causeKind, kind);
      if (!h.abstained) assert.equal(h.service, b.truth!.service, kind);
    }
  });

  it('groups an alert storm under one cause', function () {
    const b = generateScenario('alert-storm', 424244);
    assert.ok((b.alerts?.length ?? 0) > 3);
    const h = buildHypothesis(blind(b));
    assert.equal(h.suspectCommit?.sha, b.truth!.commit);
    assert.match(h.summary, new RegExp(`explains ${b.alerts!.length} alerts`));
  });

  it('names the same cause for a storm\'s alerts investigated one by one', function () {
    const b = generateScenario('alert-storm', 424247);
    const perAlert = b.alerts!.slice(0, 5).map((a) => buildHypothesis({ ...blind(b), alert: a, alerts: undefined }));
    const shared = perAlert.filter((h) => !h.abstained && h.suspectCommit?.sha === b.truth!.commit);
    assert.ok(shared.length >= 4, `most alerts of the storm share the cause: ${shared.length} of ${perAlert.length}`);
    const unrelated = buildHypothesis(blind(generateScenario('traffic-spike', 424248)));
    assert.notEqual(unrelated.suspectCommit?.sha, b.truth!.commit);
  });

  it('does not read the ground truth', function () {
    const b = generateScenario('latency-regression', 424245);
    const withTruth = buildHypothesis(b);
    const without = buildHypothesis(blind(b));
    assert.deepEqual(withTruth, without);
  });

  it('abstains and says what it checked when nothing stands out', function () {
    const quiet: IncidentBundle = {
      version: 1,
      alert,
      window: { start: T - 3600_000, end: T + 300_000 },
      metrics: [flatSeries('latency', 'api', (i) => 100 + (i % 5)), flatSeries('errors', 'api', (i) => 0.01 + (i % 3) * 0.001)],
      logs: Array.from({ length: 300 }, (_, i) => ({ time: T - 3600_000 + i * 12_000, body: `request ok id=${i}`, level: 'info' as const, service: 'api' })),
      spans: [],
      changes: [{ sha: 'f'.repeat(40), author: 'x', time: T - 20 * 3600_000, message: 'Docs', files: [{ path: 'docs/readme.md', status: 'M', additions: 1, deletions: 0 }] }],
    };
    const h = buildHypothesis(quiet);
    assert.equal(h.abstained, true);
    assert.equal(h.causeKind, 'unknown');
    assert.equal(h.suspectCommit, undefined);
    assert.match(h.summary, /Not sure/);
    assert.ok(h.checked.length >= 4);
    assert.ok(h.checked.some((c) => /metric series/.test(c)) && h.checked.some((c) => /log lines/.test(c)) && h.checked.some((c) => /commits/.test(c)));
    assert.deepEqual(h.proposedActions, []);
  });

  it('raises the threshold to abstain on a real cause', function () {
    const b = generateScenario('deploy-exception', 424246);
    const h = buildHypothesis(blind(b), { confidenceThreshold: 1 });
    assert.equal(h.abstained, true);
    assert.match(h.summary, /below 1/);
  });

  it('survives hostile input: binary logs, NaN and gaps in series, cyclic and orphan spans, junk changes', function () {
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) % 256)).toString('latin1');
    const logs: LogRecord[] = [
      { time: T - 1000, body: garbage, level: 'error', service: 'api', attributes: { 'exception.stacktrace': garbage } },
      { time: NaN, body: '\u001b[31mred\u001b[0m <script>alert(1)</script>', level: 'error' },
      { time: T, body: undefined as unknown as string, level: 'fatal' },
      null as unknown as LogRecord,
    ];
    const nanSeries = flatSeries('nan', 'api', (i) => (i % 7 === 0 ? NaN : i % 11 === 0 ? Infinity : 5));
    nanSeries.timestamps = nanSeries.timestamps.filter((_, i) => i % 3 !== 0); // gaps, and fewer times than values
    const spans: Span[] = [
      { traceId: 't', spanId: 'a', parentSpanId: 'b', name: 'x', service: 'api', startTime: T, endTime: T + 5, status: 'error', attributes: {} },
      { traceId: 't', spanId: 'b', parentSpanId: 'a', name: 'y', service: 'api', startTime: T, endTime: T + 3, status: 'error', attributes: {} },
      { traceId: 't', spanId: 'c', parentSpanId: 'c', name: 'self', service: 'db', startTime: T + 10, endTime: T, status: 'ok', attributes: {} },
      { traceId: 't', spanId: 'd', parentSpanId: 'missing', name: 'orphan', service: 'db', startTime: NaN, endTime: T, status: 'error', attributes: { 'code.filepath': '../../etc/passwd' } },
    ];
    const bundle = {
      version: 1,
      alert: { ...alert, labels: { service: garbage.slice(0, 40) } },
      window: { start: T - 3600_000, end: T + 300_000 },
      metrics: [nanSeries, { id: 'empty', name: 'empty', labels: {}, timestamps: [], values: [] }, null],
      logs,
      spans,
      changes: [{ sha: 'bad', author: 'x', time: T - 60_000, message: garbage, files: [{ path: garbage.slice(0, 100), status: 'M', additions: NaN, deletions: -1, hunks: [{ newStart: -5, newLines: 1e9, oldStart: 0, oldLines: 0 }] }] }],
    } as unknown as IncidentBundle;
    const h = buildHypothesis(bundle);
    assert.equal(typeof h.summary, 'string');
    assert.ok(Number.isFinite(h.confidence));
    assert.ok(h.checked.length > 0);
    assert.doesNotThrow(() => JSON.stringify(h));
  });
});
