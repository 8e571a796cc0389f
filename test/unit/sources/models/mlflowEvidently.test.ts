// MLflow and Evidently cannot run here: the MLflow client is tested against a local server answering
// with bodies written to MLflow's documented REST format (test/support/mlflowRegistry.ts), the
// Evidently reader against JSON written to Evidently's documented report and snapshot formats.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MlflowClient } from '../../../../src/sources/models/mlflow';
import { parseEvidently, readEvidentlyFile } from '../../../../src/sources/models/evidently';
import { startMlflowRegistry, type FakeRegistry } from '../../../support/mlflowRegistry';

describe('MLflow registry client (server answering in MLflow\'s documented REST format; no MLflow here)', () => {
  let registry: FakeRegistry;
  before(async () => {
    registry = await startMlflowRegistry('PriceModel', {
      versions: [
        { version: '1', current_stage: 'Archived', run_id: 'run-a', creation_timestamp: 1_600_000_000_000 },
        { version: '2', current_stage: 'Production', run_id: 'run-b', creation_timestamp: 1_610_000_000_000 },
        { version: '3', current_stage: 'None', run_id: 'run-c', creation_timestamp: 1_620_000_000_000 },
      ],
      aliases: { champion: '3', challenger: '2' },
      metrics: { 'run-c': { roc_auc: 0.91, f1: 0.8 } },
    });
  });
  after(() => registry.close());

  it('reads what serves under an alias, the version before it, and its run metrics', async () => {
    const client = new MlflowClient({ trackingUri: registry.url });
    const state = await client.registryState('PriceModel', { alias: 'champion' });
    assert.equal(state.serving?.version, '3');
    assert.deepEqual(state.serving?.aliases, ['champion']);
    assert.equal(state.previous?.version, '2');
    assert.deepEqual({ ...state.runMetrics }, { roc_auc: 0.91, f1: 0.8 });
    assert.deepEqual(state.versions.map((v) => v.version), ['3', '2', '1']);
    assert.deepEqual(state.pointer, { kind: 'alias', name: 'champion' });
  });

  it('reads what serves in a stage (older registries) and the registered model\'s aliases', async () => {
    const client = new MlflowClient({ trackingUri: registry.url });
    const state = await client.registryState('PriceModel', { stage: 'Production' });
    assert.equal(state.serving?.version, '2');
    assert.equal(state.previous?.version, '1');
    const rm = await client.registeredModel('PriceModel');
    assert.deepEqual({ ...rm.aliases }, { champion: '3', challenger: '2' });
  });

  it('an unknown model is a not-found error naming the source, and an alias that is not set serves nothing', async () => {
    const client = new MlflowClient({ name: 'mlflow-prod', trackingUri: registry.url });
    await assert.rejects(client.registeredModel('Nope'), (err: Error & { kind?: string }) => err.kind === 'not-found' && /^mlflow-prod: /.test(err.message));
    const state = await client.registryState('PriceModel', { alias: 'canary' });
    assert.equal(state.serving, undefined);
    assert.equal(state.previous, undefined);
  });

  it('refuses a model name that would break out of the search filter', async () => {
    const client = new MlflowClient({ trackingUri: registry.url });
    await assert.rejects(client.versions("x' OR name LIKE '%"), /single quote/);
  });
});

// A Report.json() of Evidently 0.4 (DataDriftPreset): metrics[].metric and .result, as documented.
const legacyReport = {
  version: '0.4.33',
  timestamp: '2024-05-01T10:00:00.123456',
  metrics: [
    { metric: 'DatasetDriftMetric', result: { drift_share: 0.5, number_of_columns: 3, number_of_drifted_columns: 1, share_of_drifted_columns: 1 / 3, dataset_drift: false } },
    {
      metric: 'DataDriftTable',
      result: {
        number_of_columns: 3,
        number_of_drifted_columns: 1,
        share_of_drifted_columns: 1 / 3,
        dataset_drift: false,
        drift_by_columns: {
          Longitude: { column_name: 'Longitude', column_type: 'num', stattest_name: 'K-S p_value', stattest_threshold: 0.05, drift_score: 1.2e-12, drift_detected: true, current: { small_distribution: { x: [1, 2], y: [0.5, 0.5] } }, reference: { small_distribution: { x: [1, 2], y: [0.5, 0.5] } } },
          MedInc: { column_name: 'MedInc', column_type: 'num', stattest_name: 'K-S p_value', stattest_threshold: 0.05, drift_score: 0.31, drift_detected: false },
          region: { column_name: 'region', column_type: 'cat', stattest_name: 'chi-square p_value', stattest_threshold: 0.05, drift_score: 0.2, drift_detected: false },
        },
      },
    },
  ],
};

// A snapshot of Evidently 0.7 (Report([DataDriftPreset()]).run(...).json()): metrics[].metric_name, config, value.
const snapshot = {
  metrics: [
    { id: 'a1', metric_name: 'DriftedColumnsCount(drift_share=0.5)', config: { type: 'evidently:metric_v2:DriftedColumnsCount', drift_share: 0.5 }, value: { count: 2.0, share: 0.6667 } },
    { id: 'a2', metric_name: 'ValueDrift(column=Longitude,method=K-S p_value,threshold=0.05)', config: { type: 'evidently:metric_v2:ValueDrift', column: 'Longitude', method: 'K-S p_value', threshold: 0.05 }, value: 0.0001 },
    { id: 'a3', metric_name: 'ValueDrift(column=Latitude,method=Wasserstein distance (normed),threshold=0.1)', config: { type: 'evidently:metric_v2:ValueDrift', column: 'Latitude', method: 'Wasserstein distance (normed)', threshold: 0.1 }, value: 0.42 },
    // Without a config the parameters are read from the metric's name.
    { metric_name: 'ValueDrift(column=MedInc,method=K-S p_value,threshold=0.05)', value: 0.6 },
  ],
  tests: [],
};

describe('Evidently reports and snapshots (JSON written to Evidently\'s documented formats; no Evidently here)', () => {
  it('reads a 0.4 report: per-column drift from DataDriftTable, the dataset verdict, the timestamp as UTC', () => {
    const s = parseEvidently(legacyReport, 'drift.json');
    assert.equal(s.format, 'report');
    assert.equal(s.driftedColumns, 1);
    assert.equal(s.datasetDrift, false);
    assert.equal(s.timestamp, Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    assert.deepEqual(s.columns.find((c) => c.column === 'Longitude'), { column: 'Longitude', method: 'K-S p_value', threshold: 0.05, score: 1.2e-12, drifted: true });
    assert.equal(s.columns.length, 3);
  });

  it('reads a 0.7 snapshot: p-values drift below the threshold, distances at or above it', () => {
    const s = parseEvidently(snapshot, 'snap.json');
    assert.equal(s.format, 'snapshot');
    assert.equal(s.driftedColumns, 2);
    assert.equal(s.datasetDrift, true);
    assert.deepEqual(s.columns.map((c) => [c.column, c.drifted]), [['Longitude', true], ['Latitude', true], ['MedInc', false]]);
    assert.equal(s.columns[1].method, 'Wasserstein distance (normed)');
  });

  it('refuses JSON that is not an Evidently result, and says which file', () => {
    assert.throws(() => parseEvidently({ hello: 1 }, 'x.json'), /x\.json: not an Evidently report or snapshot/);
    assert.throws(() => parseEvidently({ metrics: [{ metric: 'ColumnSummaryMetric', result: {} }] }, 'y.json'), /y\.json: an Evidently report without drift results/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-evidently-'));
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"metrics": [');
    assert.throws(() => readEvidentlyFile(file), /broken\.json: not valid JSON/);
    fs.writeFileSync(file, JSON.stringify(snapshot));
    assert.equal(readEvidentlyFile(file).columns.length, 3);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
