// A workspace with a model in production, as a team would have it: a git repository with training
// code, a feature pipeline and a model config (each changed in its own commit), reference and current
// data written as CSV, late labels in their own file, and .incident-lens/models.yaml declaring it.
// The data is generated with a fixed seed: in the last two months the income feature moves up and the
// label starts to depend on what the model never saw, so ROC AUC falls; region's mix changes too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mulberry32 as rng } from '../../src/eval/random';

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

export interface DriftRows {
  reference: string;
  current: string;
  labels: string;
}

/** Hourly rows: 8 reference months (2023-09..2024-04), 4 current months (2024-05..08), drift in 07 and 08. */
export function driftRows(seed = 7): DriftRows {
  const r = rng(seed);
  const ref = ['id,ts,income,age,region,score,decision,sold'];
  const cur = ['id,ts,income,age,region,score,decision'];
  const labels = ['id,sold'];
  let id = 0;
  const month = (y: number, m: number, period: 'reference' | 'current', drift: boolean) => {
    const start = Date.UTC(y, m - 1, 1);
    const end = Date.UTC(y, m, 1);
    for (let t = start; t < end; t += 3600_000) {
      const income = 5 + 1.5 * normal(r) + (drift ? 2 : 0);
      const age = 40 + 10 * normal(r);
      const u = r();
      const region = drift ? (u < 0.6 ? 'east' : u < 0.8 ? 'north' : 'south') : u < 0.4 ? 'north' : u < 0.8 ? 'south' : 'east';
      // The model learned "income above 5"; once drifted, age decides half the outcomes.
      const signal = drift ? 0.5 * (income - 7) + 0.5 * ((age - 40) / 5) : income - 5;
      const sold = signal + 0.8 * normal(r) > 0 ? 1 : 0;
      const score = Math.round(1000 / (1 + Math.exp(-2 * (income - 5)))) / 1000;
      const decision = score >= 0.5 ? 1 : 0;
      const ts = new Date(t).toISOString().replace('T', ' ').slice(0, 19);
      if (period === 'reference') ref.push(`${id},${ts},${income.toFixed(3)},${age.toFixed(1)},${region},${score},${decision},${sold}`);
      else {
        cur.push(`${id},${ts},${income.toFixed(3)},${age.toFixed(1)},${region},${score},${decision}`);
        labels.push(`${id},${sold}`);
      }
      id++;
    }
  };
  for (const m of [9, 10, 11, 12]) month(2023, m, 'reference', false);
  for (const m of [1, 2, 3, 4]) month(2024, m, 'reference', false);
  for (const m of [5, 6, 7, 8]) month(2024, m, 'current', m >= 7);
  return { reference: ref.join('\n') + '\n', current: cur.join('\n') + '\n', labels: labels.join('\n') + '\n' };
}

export interface DriftWorkspace {
  dir: string;
  trainingSha: string;
  pipelineSha: string;
}

export interface DriftWorkspaceOptions {
  /** An MLflow tracking URL: the model declares its registry (alias "champion") and the built-in rollback. */
  registryUrl?: string;
  /** Extra runbook actions (YAML list items) for .incident-lens/actions.yaml. */
  actions?: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Ada Trainer', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Trainer', GIT_COMMITTER_EMAIL: 'ada@example.com' } }).trim();
}

export function createDriftWorkspace(opts: DriftWorkspaceOptions = {}): DriftWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-drift-'));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  git(dir, 'init', '-q', '-b', 'main');
  write('README.md', '# pricing model\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'Initial commit');
  write('train/train.py', 'import sklearn\n\ndef train(df):\n    return fit(df[["income", "age", "region"]], df["sold"])\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'Train the sold-price model on income, age and region');
  const trainingSha = git(dir, 'rev-parse', 'HEAD');
  write('features/build.py', 'def build(raw):\n    raw["income"] = raw["income_k"] / 10\n    return raw\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'Feature pipeline: income in tens of thousands');
  const pipelineSha = git(dir, 'rev-parse', 'HEAD');
  write('config/model.yaml', 'threshold: 0.5\n');
  const rows = driftRows();
  write('data/reference.csv', rows.reference);
  write('data/current.csv', rows.current);
  write('data/labels.csv', rows.labels);
  const registry = opts.registryUrl ? `    registry:\n      mlflow: { trackingUri: "${opts.registryUrl}", model: sold-model, alias: champion }\n` : '';
  write(
    '.incident-lens/models.yaml',
    `version: 1
models:
  - name: sold-model
    owner: "@pricing-ml"
    service: pricing
    problem: binary
    features:
      income: continuous
      age: continuous
      region: categorical
    timestamp: ts
    prediction: { score: score, label: decision }
    target: sold
    data:
      reference: data/reference.csv
      current: data/current.csv
      currentTargets: { path: data/labels.csv, join: id }
    chunking: month
    performance: [roc_auc, f1]
    code:
      training: [train/]
      pipeline: [features/]
      config: [config/model.yaml]
${registry}    actions:
      retrain: retrain-model
`,
  );
  write(
    '.incident-lens/actions.yaml',
    `actions:
  - id: retrain-model
    title: Retrain a model on recent data
    argv: [node, -e, "console.log('pipeline run requested for ' + process.argv[1])", "{{model}}"]
    params:
      model: { pattern: "[a-z0-9-]+" }
    risk: medium
    blastRadius: { pods: 0, replicas: 0, description: starts a training pipeline run; serving is untouched }
${opts.actions ?? ''}`,
  );
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'Declare the sold-price model for Incident Lens');
  return { dir, trainingSha, pipelineSha };
}
