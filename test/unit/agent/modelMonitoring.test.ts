// A model in a real git workspace with real data files: the monitor finds the drift the data was made
// with, raises alerts of their own kind owned by the model's owner, lists the commits to its code, and
// proposes retraining and (with a registry answering in MLflow's documented format) a rollback.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelDriftAlertSource, ModelMonitoring, modelActions, modelDriftSourceKind } from '../../../src/agent/models/modelMonitoring';
import { createDriftWorkspace, type DriftWorkspace } from '../../support/driftWorkspace';
import { startMlflowRegistry, type FakeRegistry } from '../../support/mlflowRegistry';

describe('model monitoring in a workspace', function () {
  this.timeout(30_000);
  let ws: DriftWorkspace;
  let registry: FakeRegistry;
  before(async () => {
    registry = await startMlflowRegistry('sold-model', {
      versions: [
        { version: '4', current_stage: 'None', run_id: 'r4', creation_timestamp: Date.UTC(2024, 3, 1) },
        { version: '5', current_stage: 'None', run_id: 'r5', creation_timestamp: Date.UTC(2024, 6, 1) },
      ],
      aliases: { champion: '5' },
      metrics: { r5: { roc_auc: 0.93 } },
    });
    ws = createDriftWorkspace({ registryUrl: registry.url });
  });
  after(async () => {
    await registry.close();
    fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  it('finds the drifted features, the decay months, and ranks the drifted features first', async () => {
    const monitoring = new ModelMonitoring({ workspaceDir: ws.dir, trusted: true });
    const spec = monitoring.load().models[0];
    const o = await monitoring.overview(spec);
    assert.deepEqual(o.problems, []);
    const r = o.report!;
    assert.deepEqual(r.chunks.map((c) => `${c.period[0]}:${c.key}`), ['r:2023-09', 'r:2023-10', 'r:2023-11', 'r:2023-12', 'r:2024-01', 'r:2024-02', 'r:2024-03', 'r:2024-04', 'a:2024-05', 'a:2024-06', 'a:2024-07', 'a:2024-08']);
    const alerted = (name: string) => {
      const f = name === 'score' ? r.prediction! : r.features.find((x) => x.feature === name)!;
      return f.series[0].alerts.map((a, i) => (a ? r.chunks[i].key : '')).filter(Boolean);
    };
    // What the data was made with: income, region and so the scores move in July and August.
    for (const f of ['income', 'region', 'score']) assert.ok(['2024-07', '2024-08'].every((k) => alerted(f).includes(k)), `${f} alerts in ${alerted(f)}`);
    assert.deepEqual(alerted('age'), [], 'age did not drift');
    assert.deepEqual(r.decayChunks, ['2024-07', '2024-08']);
    // Both drifted features go with the drop; the one that did not drift explains little.
    assert.deepEqual(new Set(r.ranking.slice(0, 2).map((x) => x.feature)), new Set(['income', 'region']));
    assert.ok(r.ranking[0].explained > 0.9 && r.ranking[2].feature === 'age' && r.ranking[2].explained < 0.3, JSON.stringify(r.ranking));
    // The commits that touched the declared code, newest first, each with the areas it touched.
    assert.deepEqual(o.commits.map((c) => c.areas), [['config'], ['pipeline'], ['training']]);
    assert.equal(o.commits[1].sha, ws.pipelineSha);
    assert.equal(o.registry?.serving?.version, '5');
  });

  it('raises data drift, prediction drift and decay alerts of their own kind, owned by the model\'s owner', async () => {
    const source = new ModelDriftAlertSource(new ModelMonitoring({ workspaceDir: ws.dir, trusted: true }));
    const alerts = await source.listAlerts();
    assert.deepEqual(alerts.map((a) => a.name).sort(), ['ModelDataDrift', 'ModelPerformanceDecay', 'ModelPredictionDrift']);
    for (const a of alerts) {
      assert.equal(a.sourceKind, modelDriftSourceKind);
      assert.equal(a.labels.owner, '@pricing-ml');
      assert.equal(a.labels.model, 'sold-model');
      assert.equal(a.service, 'pricing');
    }
    const data = alerts.find((a) => a.name === 'ModelDataDrift')!;
    assert.ok(data.startsAt <= Date.UTC(2024, 6, 1) && data.startsAt >= Date.UTC(2024, 4, 1), new Date(data.startsAt).toISOString());
    assert.match(data.annotations.summary, /2 of 3 features of sold-model drifted: /);
    assert.match(data.annotations.summary, /region \(chi2 in 2 of 4 chunks, first 2024-07\)/);
    const decay = alerts.find((a) => a.name === 'ModelPerformanceDecay')!;
    assert.equal(decay.severity, 'critical');
    assert.match(decay.annotations.summary, /Realized roc_auc of sold-model below 0\.\d+ .* in 2024-07 \(0\.\d+\), 2024-08/);
    // The same alerts, the same ids, on the next refresh.
    assert.deepEqual((await source.listAlerts()).map((a) => a.id).sort(), alerts.map((a) => a.id).sort());
  });

  it('proposes retraining through the runbook and a rollback of the alias to the version before', async () => {
    const monitoring = new ModelMonitoring({ workspaceDir: ws.dir, trusted: true });
    const actions = modelActions(await monitoring.overview(monitoring.load().models[0]));
    assert.deepEqual(actions.map((a) => a.actionId), ['retrain-model', 'rollback-model']);
    assert.deepEqual(actions[1].params, { trackingUri: registry.url, model: 'sold-model', alias: 'champion', version: '4', currentVersion: '5' });
    assert.match(actions[0].why, /income/);
  });

  it('in an untrusted workspace reads data inside it only and calls no registry', async () => {
    const monitoring = new ModelMonitoring({ workspaceDir: ws.dir, trusted: false });
    const o = await monitoring.overview(monitoring.load().models[0]);
    assert.ok(o.report, 'data inside the workspace is still read');
    assert.deepEqual(o.problems.map((p) => p.part), ['registry']);
    const before = registry.calls.length;
    await monitoring.overview(monitoring.load().models[0]);
    assert.equal(registry.calls.length, before, 'the registry was called from an untrusted workspace');
    const outside = path.join(path.dirname(ws.dir), `outside-${path.basename(ws.dir)}.csv`);
    fs.copyFileSync(path.join(ws.dir, 'data', 'reference.csv'), outside);
    const file = path.join(ws.dir, '.incident-lens', 'models.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('reference: data/reference.csv', `reference: ${outside}`));
    try {
      const o2 = await monitoring.overview(monitoring.load().models[0]);
      assert.equal(o2.report, undefined);
      assert.match(o2.problems.find((p) => p.part === 'data')?.message ?? '', /outside the workspace/);
      await assert.rejects(new ModelDriftAlertSource(monitoring).listAlerts(), /outside the workspace/);
    } finally {
      fs.writeFileSync(file, text);
      fs.rmSync(outside, { force: true });
    }
  });

  it('a broken models.yaml is the source\'s error, with its line', async () => {
    const file = path.join(ws.dir, '.incident-lens', 'models.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('income: continuous', 'income: numeric'));
    try {
      await assert.rejects(new ModelDriftAlertSource(new ModelMonitoring({ workspaceDir: ws.dir, trusted: true })).listAlerts(), /models\.yaml:\d+:\d+: models\.0\.features\.income: unknown value "numeric"/);
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  it('current data that is the reference itself raises no alert', async () => {
    const data = path.join(ws.dir, 'data');
    const saved = ['current.csv', 'labels.csv'].map((f) => [f, fs.readFileSync(path.join(data, f), 'utf8')] as const);
    const ref = fs.readFileSync(path.join(data, 'reference.csv'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(data, 'current.csv'), ref.map((l) => l.split(',').slice(0, 7).join(',')).join('\n') + '\n');
    fs.writeFileSync(path.join(data, 'labels.csv'), ref.map((l) => { const c = l.split(','); return `${c[0]},${c[7]}`; }).join('\n') + '\n');
    try {
      const alerts = await new ModelDriftAlertSource(new ModelMonitoring({ workspaceDir: ws.dir, trusted: true })).listAlerts();
      assert.deepEqual(alerts, []);
    } finally {
      for (const [f, text] of saved) fs.writeFileSync(path.join(data, f), text);
    }
  });
});
