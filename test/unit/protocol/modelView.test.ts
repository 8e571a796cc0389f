// The model panel's view model from a real overview (a real workspace, real files): drifted features
// first, decay months, the registry line, and actions off with the reason when the gate says so.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ModelMonitoring, modelActions } from '../../../src/agent/models/modelMonitoring';
import { modelView } from '../../../src/protocol/modelView';
import { SourceSet } from '../../../src/sources/sourceSet';
import { silentLogger } from '../../../src/core/logger';
import type { AlertSource } from '../../../src/core/sources';
import { createDriftWorkspace, type DriftWorkspace } from '../../support/driftWorkspace';

describe('model panel view model', function () {
  this.timeout(20_000);
  let ws: DriftWorkspace;
  before(() => {
    ws = createDriftWorkspace();
  });
  after(() => fs.rmSync(ws.dir, { recursive: true, force: true }));

  it('lists the drifted features first, with their statistic, threshold and first chunk', async () => {
    const monitoring = new ModelMonitoring({ workspaceDir: ws.dir, trusted: true });
    const o = await monitoring.overview(monitoring.load().models[0]);
    const v = modelView(o, { model: 'sold-model', actions: modelActions(o), gate: { enabled: true } });
    assert.equal(v.phase, 'ready');
    assert.deepEqual(v.features.map((f) => f.drifted), [true, true, false]);
    assert.equal(v.features[2].feature, 'age');
    assert.equal(v.features.find((f) => f.feature === 'income')?.series.label, 'Kolmogorov–Smirnov D');
    assert.ok(v.features.every((f) => f.series.upper !== undefined && f.series.values.length === v.chunks.length));
    assert.deepEqual(v.decayChunks, ['2024-07', '2024-08']);
    assert.equal(v.registry, undefined, 'no registry declared');
    assert.deepEqual(v.actions.map((a) => [a.actionId, a.enabled]), [['retrain-model', true]]);
    assert.equal(v.commits.length, 3);
    assert.equal(v.model.declared, '.incident-lens/models.yaml:3');
  });

  it('turns actions off and says why when the gate is closed; a failed read is an error view', async () => {
    const monitoring = new ModelMonitoring({ workspaceDir: ws.dir, trusted: true });
    const o = await monitoring.overview(monitoring.load().models[0]);
    const v = modelView(o, { model: 'sold-model', actions: modelActions(o), gate: { enabled: false, reason: 'The workspace is not trusted.' } });
    assert.deepEqual(v.actions.map((a) => [a.enabled, a.disabledReason]), [[false, 'The workspace is not trusted.']]);
    assert.equal(v.actionsNote, 'The workspace is not trusted.');
    const failed = modelView({ ...o, report: undefined, problems: [{ part: 'data', message: 'data/current.csv: cannot be read (ENOENT)' }] }, { model: 'sold-model', actions: [], gate: { enabled: true } });
    assert.equal(failed.phase, 'error');
    assert.match(failed.error ?? '', /ENOENT/);
  });

  it('the SourceSet includes the model source only when the workspace declares models', async () => {
    const source: AlertSource = { name: 'models', kind: 'model-drift', listAlerts: async () => [] };
    const settings = (configFile: string) => ({ sources: [], receiver: { enabled: false, host: '127.0.0.1', port: 0, maxMemoryMB: 4 }, webhook: { port: 0 }, models: { configFile, create: () => source } });
    const declared = await SourceSet.build(settings(`${ws.dir}/.incident-lens/models.yaml`), async () => undefined, silentLogger);
    assert.deepEqual(declared.alerts.map((a) => a.kind), ['model-drift']);
    const none = await SourceSet.build(settings(`${ws.dir}/.incident-lens/absent.yaml`), async () => undefined, silentLogger);
    assert.deepEqual(none.alerts, []);
    const broken = await SourceSet.build({ ...settings(`${ws.dir}/.incident-lens/models.yaml`), models: { configFile: `${ws.dir}/.incident-lens/models.yaml`, create: () => Promise.reject(new Error('cannot start')) } }, async () => undefined, silentLogger);
    assert.deepEqual(broken.problems, [{ source: 'models', kind: 'config', message: 'cannot start' }]);
  });
});
