// .incident-lens/models.yaml: what a team writes, and what goes wrong with it (each error with its line).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadModels } from '../../../../src/sources/models/modelsConfig';

const full = `version: 1
models:
  - name: price-model
    owner: "@pricing-ml"
    service: pricing
    problem: binary
    features:
      MedInc: continuous
      region: categorical
    timestamp: { column: ts, unit: ms }
    prediction: { score: proba, label: decision }
    target: sold
    data:
      reference: data/reference.csv
      current: { path: data/current.parquet }
      currentTargets: { path: data/labels.csv, join: id }
    chunking: week
    drift:
      continuous: [ks, wasserstein, psi]
      categorical: [chi2, jensen-shannon]
      thresholds:
        ks: { std: 3 }
        psi: { fixed: { upper: 0.2 } }
        performance: { std: { lower: 2 } }
    performance: [roc_auc, f1]
    code:
      training: [train/]
      pipeline: features/build.py
      config: [config/model.yaml]
    registry:
      mlflow: { trackingUri: "http://mlflow.internal:5000/", model: PriceModel, alias: champion }
    evidently: reports/drift.json
    serving:
      prometheus: prod-prometheus
      modelLabel: model_name
      predictionHistogram: model_prediction_score
      latencyHistogram: model_request_duration_seconds
      errorCounter: model_request_errors_total
    actions:
      retrain: retrain-price-model
`;

const minimal = (extra = '') => `models:
  - name: m
    owner: team-a
    features: { x: continuous }
    timestamp: ts
    prediction: { score: p }
    data: { reference: r.csv, current: c.csv }
${extra}`;

describe('models.yaml', () => {
  const base = '/ws';

  it('reads every part of a model declaration, paths resolved against the workspace', () => {
    const r = loadModels(full, 'models.yaml', base);
    assert.equal(r.error, undefined);
    const m = r.models[0];
    assert.equal(m.name, 'price-model');
    assert.equal(m.owner, '@pricing-ml');
    assert.deepEqual(m.features, [
      { name: 'MedInc', type: 'continuous' },
      { name: 'region', type: 'categorical' },
    ]);
    assert.deepEqual(m.timestamp, { column: 'ts', unit: 'ms' });
    assert.equal(m.reference.path, path.resolve(base, 'data/reference.csv'));
    assert.deepEqual(m.currentTargets, { path: path.resolve(base, 'data/labels.csv'), join: 'id' });
    assert.deepEqual(m.chunking, { period: 'week' });
    assert.deepEqual(m.methods, { continuous: ['ks', 'wasserstein', 'psi'], categorical: ['chi2', 'jensen-shannon'] });
    assert.deepEqual(m.thresholds, { ks: { kind: 'std', lower: 3, upper: 3 }, psi: { kind: 'fixed', lower: undefined, upper: 0.2 }, performance: { kind: 'std', lower: 2, upper: undefined } });
    assert.deepEqual(m.metrics, ['roc_auc', 'f1']);
    assert.deepEqual(m.code, { training: ['train/'], pipeline: ['features/build.py'], config: ['config/model.yaml'] });
    assert.deepEqual(m.registry, { trackingUri: 'http://mlflow.internal:5000', model: 'PriceModel', alias: 'champion' });
    assert.deepEqual(m.serving?.modelLabel, 'model_name');
    // A registry without a declared rollback gets the built-in one: move the alias back.
    assert.deepEqual(m.actions, { retrain: 'retrain-price-model', rollback: 'rollback-model' });
    assert.equal(m.line, 3);
  });

  it('defaults: monthly chunks, KS and chi-squared, ROC AUC, no registry', () => {
    const m = loadModels(minimal(), 'models.yaml', base).models[0];
    assert.deepEqual(m.chunking, { period: 'month' });
    assert.deepEqual(m.methods, { continuous: ['ks'], categorical: ['chi2'] });
    assert.deepEqual(m.metrics, ['roc_auc']);
    assert.deepEqual(m.actions, {});
  });

  it('names the line and column of an unknown feature type, a missing owner and an unknown key', () => {
    const r = loadModels(`models:\n  - name: m\n    features:\n      x: numeric\n    timestamp: ts\n    prediction: { score: p }\n    data: { reference: r.csv, current: c.csv }\n    colour: blue\n`, 'models.yaml', base);
    assert.equal(r.models.length, 0, 'an invalid file declares no model');
    assert.match(r.error ?? '', /models\.yaml:4:10: models\.0\.features\.x: unknown value "numeric" \(expected continuous, categorical\)/);
    assert.match(r.error ?? '', /models\.yaml:2:\d+: models\.0\.owner: expected the owner/);
    assert.match(r.error ?? '', /models\.yaml:8:\d+: models\.0\.colour: unknown key "colour"/);
  });

  it('refuses a metric that does not fit the problem, and a duplicate model', () => {
    assert.match(loadModels(minimal('    performance: [mae]\n'), 'models.yaml', base).error ?? '', /unknown value "mae" \(expected roc_auc, accuracy, f1, precision, recall\)/);
    const twice = minimal() + minimal().split('\n').slice(1).join('\n');
    assert.match(loadModels(twice, 'models.yaml', base).error ?? '', /duplicate model name "m"/);
  });

  it('refuses code paths that leave the workspace or could be read as options', () => {
    for (const p of ['/etc', '../other', '--output=/tmp/x', ':(top)']) {
      const r = loadModels(minimal(`    code: { training: ["${p}"] }\n`), 'models.yaml', base);
      assert.match(r.error ?? '', /must be a path inside the workspace/, p);
    }
  });

  it('refuses hostile YAML: prototype keys, alias bombs, syntax errors, control characters', () => {
    assert.match(loadModels(minimal('    __proto__: { polluted: true }\n'), 'models.yaml', base).error ?? '', /the key "__proto__" is not allowed/);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nmodels: []\n`;
    assert.match(loadModels(bomb, 'models.yaml', base).error ?? '', /refused/);
    assert.match(loadModels('models: [\n', 'models.yaml', base).error ?? '', /models\.yaml:\d+:\d+: not valid YAML/);
    assert.match(loadModels(minimal('    target: "a\\u0007b"\n'), 'models.yaml', base).error ?? '', /control character/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('an empty file declares no model and no error', () => {
    assert.deepEqual(loadModels('', 'models.yaml', base), { models: [] });
  });
});
