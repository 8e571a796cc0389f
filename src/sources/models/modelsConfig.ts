// Reads .incident-lens/models.yaml: the models a workspace runs in production, each with its owner,
// features and their types, prediction, target and timestamp columns, data files, chunking, drift
// methods and thresholds, the code whose commits matter, and where its registry, reports and serving
// metrics live. Parsed with the safe YAML loader (size and alias caps, no prototype keys); anything
// wrong is an error naming the file, line and column, and an unusable file declares no model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYamlSafely } from '../../core/safeYaml';
import type { CategoricalMethod, ChunkingSpec, ContinuousMethod, DataFileSpec, FeatureSpec, ModelSpec, PerformanceMetric, ThresholdSpec } from '../../core/modelMonitoring';

export const maxModels = 50;
export const maxFeatures = 500;

const continuousMethods: readonly ContinuousMethod[] = ['ks', 'wasserstein', 'psi', 'jensen-shannon'];
const categoricalMethods: readonly CategoricalMethod[] = ['chi2', 'jensen-shannon', 'psi'];
const metricsByProblem: Record<ModelSpec['problem'], readonly PerformanceMetric[]> = {
  binary: ['roc_auc', 'accuracy', 'f1', 'precision', 'recall'],
  regression: ['mae', 'mse'],
};
const periods = ['day', 'week', 'month', 'quarter', 'year'] as const;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const idPattern = /^[a-z0-9][a-z0-9._-]*$/;

export interface ModelsLoad {
  models: ModelSpec[];
  /** Set when the file is unusable; then no model is declared at all. */
  error?: string;
}

export function workspaceModelsPath(workspaceDir: string): string {
  return path.join(workspaceDir, '.incident-lens', 'models.yaml');
}

type Path = (string | number)[];
type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v);

class Problems {
  readonly list: string[] = [];
  constructor(private readonly where: (path: Path) => string) {}
  add(path: Path, message: string): undefined {
    this.list.push(`${this.where(path)}: ${path.join('.')}: ${message}`);
    return undefined;
  }
  keys(v: Raw, path: Path, allowed: readonly string[]): void {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.add([...path, k], `unknown key "${k}" (expected one of ${allowed.join(', ')})`);
  }
  string(v: unknown, path: Path, what: string): string | undefined {
    if (typeof v !== 'string' || v.trim() === '') return this.add(path, `expected ${what}, got ${describe(v)}`);
    if (/[\u0000-\u001f\u007f]/.test(v)) return this.add(path, `${what} contains a control character`);
    return v.trim();
  }
  strings(v: unknown, path: Path, what: string): string[] | undefined {
    const items = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(items)) return this.add(path, `expected ${what} or a list of them, got ${describe(v)}`);
    const out: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const s = this.string(items[i], Array.isArray(v) ? [...path, i] : path, what);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (typeof v !== 'string' || !allowed.includes(v as T)) return this.add(path, `unknown value ${describe(v)} (expected ${allowed.join(', ')})`);
    return v as T;
  }
}

/** Parses models.yaml text; relative data paths resolve against `baseDir`. Never throws. */
export function loadModels(text: string, source: string, baseDir: string): ModelsLoad {
  try {
    return parseModels(text, source, baseDir);
  } catch (err) {
    return { models: [], error: `${source} could not be read: ${(err as Error)?.message ?? String(err)}` };
  }
}

function parseModels(text: string, source: string, baseDir: string): ModelsLoad {
  const parsed = parseYamlSafely(text, source);
  if (!parsed.ok) return { models: [], error: parsed.kind === 'syntax' ? parsed.problems[0].replace(/^(\S+?): /, '$1: not valid YAML: ') : `${source} is refused: ${parsed.problems.join('; ')}` };
  const { doc, lines } = parsed;
  const lineOf = (p: Path): number | undefined => {
    const node = (p.length ? doc.getIn(p, true) : doc.contents) as { range?: [number, number, number] } | undefined | null;
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  };
  // A missing key is reported at the nearest parent that exists: where it should be written.
  const problems = new Problems((p) => {
    for (let k = p.length; k >= 0; k--) {
      const line = lineOf(p.slice(0, k));
      if (line !== undefined) {
        const node = (k ? doc.getIn(p.slice(0, k), true) : doc.contents) as { range: [number, number, number] };
        return `${source}:${line}:${lines.linePos(node.range[0]).col}`;
      }
    }
    return source;
  });
  const js = parsed.value;
  if (js === null || js === undefined) return { models: [] };
  if (!isMap(js) || !Array.isArray(js.models)) return { models: [], error: `${source}: expected a mapping with a "models" list` };
  problems.keys(js, [], ['version', 'models']);
  if (js.version !== undefined && js.version !== 1) problems.add(['version'], `unknown version ${describe(js.version)} (this release reads version 1)`);
  if (js.models.length > maxModels) return { models: [], error: `${source}: ${js.models.length} models, more than the ${maxModels} one file may declare` };
  const models: ModelSpec[] = [];
  js.models.forEach((raw: unknown, i: number) => {
    const m = parseModel(raw, ['models', i], problems, baseDir);
    if (!m) return;
    if (models.some((x) => x.name === m.name)) return problems.add(['models', i, 'name'], `duplicate model name "${m.name}"`);
    m.line = lineOf(['models', i]);
    models.push(m);
  });
  if (problems.list.length > 0) return { models: [], error: `${source} is invalid: ${problems.list.slice(0, 8).join('; ')}${problems.list.length > 8 ? `; and ${problems.list.length - 8} more` : ''}` };
  return { models };
}

function dataFile(v: unknown, path: Path, problems: Problems, baseDir: string, withJoin: boolean): (DataFileSpec & { join?: string }) | undefined {
  if (typeof v === 'string') {
    const p = problems.string(v, path, 'a file path');
    return p === undefined ? undefined : { path: nodePathResolve(baseDir, p) };
  }
  if (!isMap(v)) return problems.add(path, `expected a file path or { path, format${withJoin ? ', join' : ''} }, got ${describe(v)}`);
  problems.keys(v, path, withJoin ? ['path', 'format', 'join'] : ['path', 'format']);
  const p = problems.string(v.path, [...path, 'path'], 'a file path');
  const format = v.format === undefined ? undefined : problems.oneOf(v.format, [...path, 'format'], ['csv', 'parquet'] as const);
  const join = withJoin ? problems.string(v.join, [...path, 'join'], 'the column that joins the targets to the current rows') : undefined;
  if (p === undefined || (withJoin && join === undefined)) return undefined;
  return { path: nodePathResolve(baseDir, p), ...(format ? { format } : {}), ...(join ? { join } : {}) };
}

function nodePathResolve(baseDir: string, p: string): string {
  return path.resolve(baseDir, p);
}

function threshold(v: unknown, path: Path, problems: Problems): ThresholdSpec | undefined {
  if (!isMap(v)) return problems.add(path, `expected { std: k } (mean ± k·σ of the reference chunks), { std: { lower, upper } } or { fixed: { lower, upper } }, got ${describe(v)}`);
  problems.keys(v, path, ['std', 'fixed']);
  const num = (x: unknown, p: Path) => (x === undefined ? undefined : typeof x === 'number' && Number.isFinite(x) ? x : problems.add(p, `expected a number, got ${describe(x)}`));
  if (v.std !== undefined) {
    if (typeof v.std === 'number') return v.std > 0 ? { kind: 'std', lower: v.std, upper: v.std } : problems.add([...path, 'std'], 'expected a number of standard deviations above 0');
    if (!isMap(v.std)) return problems.add([...path, 'std'], 'expected a number or { lower, upper }');
    problems.keys(v.std, [...path, 'std'], ['lower', 'upper']);
    return { kind: 'std', lower: num(v.std.lower, [...path, 'std', 'lower']), upper: num(v.std.upper, [...path, 'std', 'upper']) };
  }
  if (v.fixed !== undefined) {
    if (!isMap(v.fixed)) return problems.add([...path, 'fixed'], 'expected { lower, upper }');
    problems.keys(v.fixed, [...path, 'fixed'], ['lower', 'upper']);
    return { kind: 'fixed', lower: num(v.fixed.lower, [...path, 'fixed', 'lower']), upper: num(v.fixed.upper, [...path, 'fixed', 'upper']) };
  }
  return problems.add(path, 'expected std or fixed');
}

const modelKeys = ['name', 'owner', 'service', 'problem', 'features', 'timestamp', 'prediction', 'target', 'data', 'chunking', 'drift', 'performance', 'code', 'registry', 'evidently', 'serving', 'actions'];

function parseModel(raw: unknown, at: Path, problems: Problems, baseDir: string): ModelSpec | undefined {
  if (!isMap(raw)) return problems.add(at, 'expected a model mapping');
  const before = problems.list.length;
  problems.keys(raw, at, modelKeys);
  const name = problems.string(raw.name, [...at, 'name'], 'the model name');
  if (name !== undefined && !namePattern.test(name)) problems.add([...at, 'name'], 'a model name is letters, digits, ".", "_" and "-" (at most 100)');
  // The owner routes the model's alerts: required, so that a drift alert always has someone to go to.
  const owner = problems.string(raw.owner, [...at, 'owner'], 'the owner (a team or person the alerts go to)');
  const service = raw.service === undefined ? undefined : problems.string(raw.service, [...at, 'service'], 'a service name');
  const problem = raw.problem === undefined ? 'binary' : problems.oneOf(raw.problem, [...at, 'problem'], ['binary', 'regression'] as const);

  const features: FeatureSpec[] = [];
  if (!isMap(raw.features) || Object.keys(raw.features).length === 0) problems.add([...at, 'features'], 'expected a mapping of feature name to continuous or categorical');
  else if (Object.keys(raw.features).length > maxFeatures) problems.add([...at, 'features'], `more than ${maxFeatures} features`);
  else for (const [f, t] of Object.entries(raw.features)) {
    const type = problems.oneOf(t, [...at, 'features', f], ['continuous', 'categorical'] as const);
    if (type) features.push({ name: f, type });
  }

  let timestamp: ModelSpec['timestamp'] | undefined;
  if (typeof raw.timestamp === 'string') timestamp = { column: raw.timestamp };
  else if (isMap(raw.timestamp)) {
    problems.keys(raw.timestamp, [...at, 'timestamp'], ['column', 'unit']);
    const column = problems.string(raw.timestamp.column, [...at, 'timestamp', 'column'], 'the timestamp column');
    const unit = raw.timestamp.unit === undefined ? undefined : problems.oneOf(raw.timestamp.unit, [...at, 'timestamp', 'unit'], ['s', 'ms'] as const);
    if (column) timestamp = { column, ...(unit ? { unit } : {}) };
  } else problems.add([...at, 'timestamp'], 'expected the timestamp column, or { column, unit: s | ms }');

  let prediction: ModelSpec['prediction'] = {};
  if (isMap(raw.prediction)) {
    problems.keys(raw.prediction, [...at, 'prediction'], ['score', 'label']);
    const score = raw.prediction.score === undefined ? undefined : problems.string(raw.prediction.score, [...at, 'prediction', 'score'], 'the score column');
    const label = raw.prediction.label === undefined ? undefined : problems.string(raw.prediction.label, [...at, 'prediction', 'label'], 'the predicted label column');
    prediction = { ...(score ? { score } : {}), ...(label ? { label } : {}) };
    if (!score && !label) problems.add([...at, 'prediction'], 'name the score column, the label column, or both');
  } else problems.add([...at, 'prediction'], 'expected { score, label }: the columns of the model\'s output');
  const target = raw.target === undefined ? undefined : problems.string(raw.target, [...at, 'target'], 'the target column');

  let reference: DataFileSpec | undefined;
  let current: DataFileSpec | undefined;
  let currentTargets: ModelSpec['currentTargets'];
  if (isMap(raw.data)) {
    problems.keys(raw.data, [...at, 'data'], ['reference', 'current', 'currentTargets']);
    reference = dataFile(raw.data.reference, [...at, 'data', 'reference'], problems, baseDir, false);
    current = dataFile(raw.data.current, [...at, 'data', 'current'], problems, baseDir, false);
    if (raw.data.currentTargets !== undefined) {
      const t = dataFile(raw.data.currentTargets, [...at, 'data', 'currentTargets'], problems, baseDir, true);
      if (t?.join) currentTargets = { ...t, join: t.join };
      if (!target) problems.add([...at, 'target'], 'currentTargets needs the target column named');
    }
  } else problems.add([...at, 'data'], 'expected { reference, current, currentTargets? }: the data files');

  let chunking: ChunkingSpec = { period: 'month' };
  if (typeof raw.chunking === 'string') {
    const p = problems.oneOf(raw.chunking, [...at, 'chunking'], periods);
    if (p) chunking = { period: p };
  } else if (isMap(raw.chunking)) {
    problems.keys(raw.chunking, [...at, 'chunking'], ['size']);
    if (typeof raw.chunking.size === 'number' && Number.isInteger(raw.chunking.size) && raw.chunking.size > 0) chunking = { size: raw.chunking.size };
    else problems.add([...at, 'chunking', 'size'], 'expected a whole number of rows above 0');
  } else if (raw.chunking !== undefined) problems.add([...at, 'chunking'], `expected ${periods.join(', ')} or { size: rows }`);

  const methods: ModelSpec['methods'] = { continuous: ['ks'], categorical: ['chi2'] };
  const thresholds: ModelSpec['thresholds'] = {};
  if (raw.drift !== undefined) {
    if (!isMap(raw.drift)) problems.add([...at, 'drift'], 'expected { continuous, categorical, thresholds }');
    else {
      problems.keys(raw.drift, [...at, 'drift'], ['continuous', 'categorical', 'thresholds']);
      if (raw.drift.continuous !== undefined) {
        const list = problems.strings(raw.drift.continuous, [...at, 'drift', 'continuous'], 'a method');
        if (list) methods.continuous = list.map((m, i) => problems.oneOf(m, [...at, 'drift', 'continuous', i], continuousMethods)).filter((m): m is ContinuousMethod => !!m);
      }
      if (raw.drift.categorical !== undefined) {
        const list = problems.strings(raw.drift.categorical, [...at, 'drift', 'categorical'], 'a method');
        if (list) methods.categorical = list.map((m, i) => problems.oneOf(m, [...at, 'drift', 'categorical', i], categoricalMethods)).filter((m): m is CategoricalMethod => !!m);
      }
      if (raw.drift.thresholds !== undefined) {
        if (!isMap(raw.drift.thresholds)) problems.add([...at, 'drift', 'thresholds'], 'expected a mapping of method (or performance) to a threshold');
        else for (const [k, v] of Object.entries(raw.drift.thresholds)) {
          const key = problems.oneOf<keyof ModelSpec['thresholds']>(k, [...at, 'drift', 'thresholds', k], [...new Set([...continuousMethods, ...categoricalMethods, 'performance' as const])]);
          const t = threshold(v, [...at, 'drift', 'thresholds', k], problems);
          if (key && t) thresholds[key] = t;
        }
      }
    }
  }

  const allowedMetrics = metricsByProblem[problem ?? 'binary'];
  let metrics: PerformanceMetric[] = problem === 'regression' ? ['mae'] : ['roc_auc'];
  if (raw.performance !== undefined) {
    const list = problems.strings(raw.performance, [...at, 'performance'], 'a metric');
    if (list) metrics = list.map((m, i) => problems.oneOf(m, [...at, 'performance', i], allowedMetrics)).filter((m): m is PerformanceMetric => !!m);
  }

  const code: ModelSpec['code'] = { training: [], pipeline: [], config: [] };
  if (raw.code !== undefined) {
    if (!isMap(raw.code)) problems.add([...at, 'code'], 'expected { training, pipeline, config }: workspace paths');
    else {
      problems.keys(raw.code, [...at, 'code'], ['training', 'pipeline', 'config']);
      for (const k of ['training', 'pipeline', 'config'] as const) {
        if (raw.code[k] === undefined) continue;
        const list = problems.strings(raw.code[k], [...at, 'code', k], 'a workspace path');
        for (const p of list ?? []) {
          // Passed to git as a path after "--": relative, inside the repository, never an option.
          if (path.isAbsolute(p) || p.split(/[\\/]/).includes('..') || p.startsWith('-') || p.startsWith(':')) problems.add([...at, 'code', k], `${JSON.stringify(p.slice(0, 60))} must be a path inside the workspace, relative to it`);
          else code[k].push(p);
        }
      }
    }
  }

  let registry: ModelSpec['registry'];
  if (raw.registry !== undefined) {
    const r = raw.registry;
    if (!isMap(r) || !isMap(r.mlflow)) problems.add([...at, 'registry'], 'expected { mlflow: { trackingUri, model, alias or stage } }');
    else {
      problems.keys(r, [...at, 'registry'], ['mlflow']);
      const m = r.mlflow;
      problems.keys(m, [...at, 'registry', 'mlflow'], ['trackingUri', 'model', 'alias', 'stage']);
      const trackingUri = problems.string(m.trackingUri, [...at, 'registry', 'mlflow', 'trackingUri'], 'the tracking server URL');
      if (trackingUri && !/^https?:\/\/[^\s/]+/.test(trackingUri)) problems.add([...at, 'registry', 'mlflow', 'trackingUri'], 'expected an http(s) URL');
      const model = m.model === undefined ? undefined : problems.string(m.model, [...at, 'registry', 'mlflow', 'model'], 'the registered model name');
      const alias = m.alias === undefined ? undefined : problems.string(m.alias, [...at, 'registry', 'mlflow', 'alias'], 'an alias');
      const stage = m.stage === undefined ? undefined : problems.oneOf(m.stage, [...at, 'registry', 'mlflow', 'stage'], ['Production', 'Staging'] as const);
      if (alias && stage) problems.add([...at, 'registry', 'mlflow'], 'name an alias or a stage, not both');
      if (trackingUri) registry = { trackingUri: trackingUri.replace(/\/+$/, ''), ...(model ? { model } : {}), ...(alias ? { alias } : {}), ...(stage ? { stage } : {}) };
    }
  }

  let evidently: string[] | undefined;
  if (raw.evidently !== undefined) {
    const list = problems.strings(raw.evidently, [...at, 'evidently'], 'a report file path');
    evidently = list?.map((p) => nodePathResolve(baseDir, p));
  }

  let serving: ModelSpec['serving'];
  if (raw.serving !== undefined) {
    const s = raw.serving;
    if (!isMap(s)) problems.add([...at, 'serving'], 'expected { prometheus, modelLabel, predictionHistogram, latencyHistogram, errorCounter, requestCounter }');
    else {
      problems.keys(s, [...at, 'serving'], ['prometheus', 'modelLabel', 'predictionHistogram', 'latencyHistogram', 'errorCounter', 'requestCounter']);
      const metric = (k: string) => {
        if (s[k] === undefined) return undefined;
        const v = problems.string(s[k], [...at, 'serving', k], 'a metric name');
        if (v && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(v)) return problems.add([...at, 'serving', k], 'not a Prometheus metric name');
        return v;
      };
      const modelLabel = s.modelLabel === undefined ? 'model' : problems.string(s.modelLabel, [...at, 'serving', 'modelLabel'], 'a label name');
      if (modelLabel && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(modelLabel)) problems.add([...at, 'serving', 'modelLabel'], 'not a Prometheus label name');
      const prometheus = s.prometheus === undefined ? undefined : problems.string(s.prometheus, [...at, 'serving', 'prometheus'], 'the name of a configured prometheus source');
      serving = { modelLabel: modelLabel ?? 'model', ...(prometheus ? { prometheus } : {}) };
      for (const k of ['predictionHistogram', 'latencyHistogram', 'errorCounter', 'requestCounter'] as const) {
        const v = metric(k);
        if (v) serving[k] = v;
      }
    }
  }

  const actions: ModelSpec['actions'] = {};
  if (raw.actions !== undefined) {
    if (!isMap(raw.actions)) problems.add([...at, 'actions'], 'expected { retrain, rollback }: action ids');
    else {
      problems.keys(raw.actions, [...at, 'actions'], ['retrain', 'rollback']);
      for (const k of ['retrain', 'rollback'] as const) {
        if (raw.actions[k] === undefined) continue;
        const id = problems.string(raw.actions[k], [...at, 'actions', k], 'an action id');
        if (id && !idPattern.test(id)) problems.add([...at, 'actions', k], 'an action id is lower-case letters, digits, ".", "_" and "-"');
        else if (id) actions[k] = id;
      }
    }
  }
  if (!actions.rollback && registry) actions.rollback = 'rollback-model';

  if (problems.list.length > before || !name || !owner || !problem || !timestamp || !reference || !current) return undefined;
  return {
    name,
    owner,
    ...(service ? { service } : {}),
    problem,
    features,
    timestamp,
    prediction,
    ...(target ? { target } : {}),
    reference,
    current,
    ...(currentTargets ? { currentTargets } : {}),
    chunking,
    methods,
    thresholds,
    metrics,
    code,
    ...(registry ? { registry } : {}),
    ...(evidently ? { evidently } : {}),
    ...(serving ? { serving } : {}),
    actions,
  };
}

/** Reads a workspace's models.yaml; a missing file declares no model. */
export function loadModelsFile(file: string, baseDir = path.dirname(path.dirname(file))): ModelsLoad {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { models: [] };
    return { models: [], error: `cannot read ${file}: ${code ?? (err as Error).message}` };
  }
  return loadModels(text, file, baseDir);
}

/** Whether a data path stays inside the workspace (symlinks followed): required in an untrusted one. */
export function insideWorkspace(workspaceDir: string, file: string): boolean {
  try {
    const root = fs.realpathSync(workspaceDir);
    const real = fs.realpathSync(file);
    const rel = path.relative(root, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}
