// Runaway-job detection on kubernetes-mixin's own promtool cases for KubeJobNotCompleted and
// KubeJobFailed (../shared/data/kubernetes-mixin/tests_*.yaml): at every evaluation time a case lists,
// the detector must fire for exactly the jobs the mixin expects, and stay silent where it expects none.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { detectRunawayJobs, jobStatesFromMetrics, jobStatesFromSnapshot, overlappingCronJobs, idleCpuBurners } from '../../../src/analysis/kubernetes/runawayJobs';
import type { KubernetesSnapshot } from '../../../src/core/kubernetes';
import { parseDuration, promtoolSeries } from '../../support/promtoolSeries';

const mixinDir = path.resolve(__dirname, '../../../../shared/data/kubernetes-mixin');
const kinds: Record<string, string> = { KubeJobNotCompleted: 'running-too-long', KubeJobFailed: 'failed' };

interface PromtoolTest {
  interval?: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: { exp_labels: Record<string, string> }[] }[];
}

function mixinCases(): { file: string; test: PromtoolTest }[] {
  const out: { file: string; test: PromtoolTest }[] = [];
  for (const file of fs.readdirSync(mixinDir).filter((f) => /^tests_.*\.yaml$/.test(f)).sort()) {
    const doc = parseYaml(fs.readFileSync(path.join(mixinDir, file), 'utf8')) as { tests?: PromtoolTest[] };
    for (const test of doc.tests ?? []) if (test.alert_rule_test?.some((a) => a.alertname in kinds)) out.push({ file, test });
  }
  return out;
}

describe('runaway jobs on kubernetes-mixin promtool cases (KubeJobNotCompleted, KubeJobFailed)', () => {
  const cases = fs.existsSync(mixinDir) ? mixinCases() : [];

  it('finds the mixin cases in the shared data', function () {
    if (!fs.existsSync(mixinDir)) this.skip();
    // Two KubeJobNotCompleted cases and one KubeJobFailed case, with five evaluation times in all.
    assert.equal(cases.length, 3);
    assert.equal(cases.flatMap((c) => c.test.alert_rule_test!.filter((a) => a.alertname in kinds)).length, 5);
  });

  for (const [i, c] of cases.entries()) {
    for (const evalCase of c.test.alert_rule_test!.filter((a) => a.alertname in kinds)) {
      const expected = (evalCase.exp_alerts ?? []).map((e) => `${e.exp_labels.namespace}/${e.exp_labels.job_name}`).sort();
      it(`${c.file} case ${i + 1}: ${evalCase.alertname} at ${evalCase.eval_time} ${expected.length ? `fires for ${expected.join(', ')}` : 'stays silent'}`, () => {
        const interval = parseDuration(c.test.interval ?? '1m');
        const series = c.test.input_series.map((s) => promtoolSeries(s.series, s.values, interval));
        const t = parseDuration(evalCase.eval_time);
        const findings = detectRunawayJobs(jobStatesFromMetrics(series, t, 60_000), t);
        const fired = findings.filter((f) => f.kind === kinds[evalCase.alertname]).map((f) => `${f.namespace}/${f.object.name}`).sort();
        assert.deepEqual(fired, expected);
      });
    }
  }
});

describe('runaway jobs beyond the mixin (Job objects as the Kubernetes API returns them)', () => {
  const now = Date.UTC(2026, 0, 10, 12);
  const H = 3600_000;
  const job = (name: string, start: number, done: number | undefined, extra: Partial<KubernetesSnapshot['jobs'][number]> = {}) => ({ namespace: 'batch', name, owner: { kind: 'CronJob', name: 'report' }, startTime: start, ...(done ? { completionTime: done } : {}), active: done ? 0 : 1, succeeded: done ? 1 : 0, failed: 0, conditions: [], activeDeadlineSeconds: 7200, ...extra });
  const snapshot = (jobs: KubernetesSnapshot['jobs'], cronJobs: KubernetesSnapshot['cronJobs'] = []): KubernetesSnapshot => ({ source: 'k', context: 'c', namespaces: ['batch'], takenAt: now, pods: [], events: [], workloads: [], hpas: [], nodes: [], jobs, cronJobs, errors: [] });

  it('flags a run far past its CronJob history long before the 12 h timeout, and proposes suspending the CronJob', () => {
    const history = [1, 2, 3, 4].map((d) => job(`report-${d}`, now - d * 24 * H, now - d * 24 * H + 10 * 60_000));
    const s = snapshot([...history, job('report-5', now - 2 * H, undefined)]);
    const f = detectRunawayJobs(jobStatesFromSnapshot(s), now);
    assert.equal(f.length, 1);
    assert.equal(f[0].kind, 'running-past-history');
    assert.equal(f[0].proposedAction?.actionId, 'suspend-cronjob');
    assert.deepEqual(f[0].proposedAction?.params, { cronjob: 'report', namespace: 'batch' });
  });

  it('does not flag a run within its history, but says when a running Job has no deadline', () => {
    const history = [1, 2, 3].map((d) => job(`report-${d}`, now - d * 24 * H, now - d * 24 * H + 60 * 60_000));
    const s = snapshot([...history, job('report-4', now - 30 * 60_000, undefined, { activeDeadlineSeconds: undefined })]);
    const f = detectRunawayJobs(jobStatesFromSnapshot(s), now);
    assert.deepEqual(f.map((x) => x.kind), ['no-deadline']);
  });

  it('reports a failed Job after 15 minutes with a delete proposal, not before', () => {
    const failed = (since: number) => snapshot([job('once', now - 3 * H, undefined, { owner: undefined, active: 0, failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: since }] })]);
    assert.deepEqual(detectRunawayJobs(jobStatesFromSnapshot(failed(now - 10 * 60_000)), now), []);
    const f = detectRunawayJobs(jobStatesFromSnapshot(failed(now - 20 * 60_000)), now);
    assert.equal(f[0].kind, 'failed');
    assert.equal(f[0].proposedAction?.actionId, 'delete-job');
  });

  it('flags overlapping CronJob runs', () => {
    const s = snapshot([], [{ namespace: 'batch', name: 'report', schedule: '*/5 * * * *', suspend: false, concurrencyPolicy: 'Allow', active: ['report-1', 'report-2', 'report-3'] }]);
    const f = overlappingCronJobs(s);
    assert.equal(f.length, 1);
    assert.match(f[0].title, /3 runs at once/);
  });

  it('flags a pod that burns CPU while it receives nothing, not one that serves traffic', () => {
    const ts = Array.from({ length: 10 }, (_, i) => i * 60_000);
    const series = (name: string, pod: string, v: number) => ({ id: `${name}/${pod}`, name, labels: { namespace: 'batch', pod }, timestamps: ts, values: ts.map(() => v) });
    const f = idleCpuBurners([series('cpu', 'spin', 0.9), series('cpu', 'web', 0.9)], [series('rx', 'spin', 10), series('rx', 'web', 50_000)]);
    assert.deepEqual(f.map((x) => x.object.name), ['spin']);
  });
});
