// MLflow's tracking and model-registry REST API (api/2.0/mlflow, as documented for MLflow 2.x and 3.x):
// registered models, their versions, aliases and stages, and a run's metrics. Read-only: moving an
// alias or a stage is a remediation action (a planned, approved, ledgered command), never a call
// made from here.
import type { RegistryState, RegistryVersion } from '../../core/modelMonitoring';
import { SourceError } from '../../core/errors';
import { SourceHttp, type AuthorizationGetter } from '../http';

export interface MlflowOptions {
  name?: string;
  trackingUri: string;
  timeoutMs?: number;
  authorization?: AuthorizationGetter;
}

interface RawVersion {
  name?: unknown;
  version?: unknown;
  creation_timestamp?: unknown;
  current_stage?: unknown;
  aliases?: unknown;
  run_id?: unknown;
  source?: unknown;
  status?: unknown;
  description?: unknown;
}

/** A ModelVersion from the API; versions are strings in MLflow's JSON ("3"), numbers are accepted too. */
export function toVersion(raw: RawVersion, source: string): RegistryVersion {
  const version = typeof raw.version === 'string' ? raw.version : typeof raw.version === 'number' ? String(raw.version) : undefined;
  if (!version || !/^\d+$/.test(version)) throw new SourceError('malformed', source, `a model version has no version number (${JSON.stringify(raw.version)?.slice(0, 40)})`);
  const ts = typeof raw.creation_timestamp === 'number' ? raw.creation_timestamp : typeof raw.creation_timestamp === 'string' ? Number(raw.creation_timestamp) : undefined;
  return {
    version,
    ...(ts !== undefined && Number.isFinite(ts) ? { createdAt: ts } : {}),
    ...(typeof raw.current_stage === 'string' && raw.current_stage !== 'None' ? { stage: raw.current_stage } : {}),
    aliases: Array.isArray(raw.aliases) ? raw.aliases.filter((a): a is string => typeof a === 'string') : [],
    ...(typeof raw.run_id === 'string' && raw.run_id ? { runId: raw.run_id } : {}),
    ...(typeof raw.source === 'string' ? { source: raw.source } : {}),
    ...(typeof raw.status === 'string' ? { status: raw.status } : {}),
    ...(typeof raw.description === 'string' && raw.description ? { description: raw.description } : {}),
  };
}

export class MlflowClient {
  readonly name: string;
  private readonly http: SourceHttp;

  constructor(readonly opts: MlflowOptions) {
    this.name = opts.name ?? 'mlflow';
    this.http = new SourceHttp({ name: this.name, url: opts.trackingUri, timeoutMs: opts.timeoutMs ?? 10_000, maxBytes: 8 * 1024 * 1024, authorization: opts.authorization });
  }

  private object(v: unknown, what: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SourceError('malformed', this.name, `${what} is not the documented object`);
    return v as Record<string, unknown>;
  }

  /** GET registered-models/get: the model with its aliases ({ alias, version }) and latest versions per stage. */
  async registeredModel(model: string, signal?: AbortSignal): Promise<{ aliases: Record<string, string>; latest: RegistryVersion[] }> {
    const body = this.object(await this.http.json<unknown>('GET', '/api/2.0/mlflow/registered-models/get', { name: model }, undefined, signal), 'registered-models/get');
    const rm = this.object(body.registered_model, 'registered_model');
    const aliases: Record<string, string> = Object.create(null);
    if (Array.isArray(rm.aliases)) for (const a of rm.aliases as { alias?: unknown; version?: unknown }[]) if (typeof a?.alias === 'string' && (typeof a.version === 'string' || typeof a.version === 'number')) aliases[a.alias] = String(a.version);
    const latest = Array.isArray(rm.latest_versions) ? (rm.latest_versions as RawVersion[]).map((v) => toVersion(v, this.name)) : [];
    return { aliases, latest };
  }

  /** GET registered-models/alias: the version an alias points at. */
  async versionByAlias(model: string, alias: string, signal?: AbortSignal): Promise<RegistryVersion> {
    const body = this.object(await this.http.json<unknown>('GET', '/api/2.0/mlflow/registered-models/alias', { name: model, alias }, undefined, signal), 'registered-models/alias');
    return toVersion(this.object(body.model_version, 'model_version') as RawVersion, this.name);
  }

  /** GET model-versions/search with filter name='<model>', newest first, at most `max`. */
  async versions(model: string, max = 50, signal?: AbortSignal): Promise<RegistryVersion[]> {
    // MLflow's filter grammar quotes names with single quotes; a quote inside the name is refused rather than escaped.
    if (model.includes("'")) throw new SourceError('client', this.name, `a model name with a single quote cannot be searched: ${JSON.stringify(model)}`);
    const body = this.object(await this.http.json<unknown>('GET', '/api/2.0/mlflow/model-versions/search', { filter: `name='${model}'`, max_results: max, order_by: 'version_number DESC' }, undefined, signal), 'model-versions/search');
    const list = Array.isArray(body.model_versions) ? (body.model_versions as RawVersion[]).map((v) => toVersion(v, this.name)) : [];
    return list.sort((a, b) => Number(b.version) - Number(a.version));
  }

  /** GET runs/get: the last value of each metric of a run. */
  async runMetrics(runId: string, signal?: AbortSignal): Promise<Record<string, number>> {
    const body = this.object(await this.http.json<unknown>('GET', '/api/2.0/mlflow/runs/get', { run_id: runId }, undefined, signal), 'runs/get');
    const run = this.object(body.run, 'run');
    const data = run.data === undefined ? {} : this.object(run.data, 'run.data');
    const out: Record<string, number> = Object.create(null);
    if (Array.isArray(data.metrics)) for (const m of data.metrics as { key?: unknown; value?: unknown }[]) if (typeof m?.key === 'string' && typeof m.value === 'number') out[m.key] = m.value;
    return out;
  }

  /**
   * What serves now and what served before: the alias's (or the stage's) version, and the newest
   * version below it, which is what a rollback moves the pointer back to.
   */
  async registryState(model: string, pointer: { alias?: string; stage?: string }, signal?: AbortSignal): Promise<RegistryState> {
    const versions = await this.versions(model, 50, signal);
    let serving: RegistryVersion | undefined;
    let kind: 'alias' | 'stage' = 'alias';
    let name = pointer.alias ?? 'champion';
    if (pointer.stage) {
      kind = 'stage';
      name = pointer.stage;
      serving = versions.find((v) => v.stage === pointer.stage);
    } else {
      try {
        serving = await this.versionByAlias(model, name, signal);
      } catch (err) {
        if (!(err instanceof SourceError && err.kind === 'not-found')) throw err;
      }
    }
    const previous = serving ? versions.find((v) => Number(v.version) < Number(serving!.version) && v.status !== 'FAILED_REGISTRATION') : undefined;
    let runMetrics: Record<string, number> | undefined;
    if (serving?.runId) runMetrics = await this.runMetrics(serving.runId, signal).catch(() => undefined);
    return { trackingUri: this.opts.trackingUri, model, versions, pointer: { kind, name }, ...(serving ? { serving } : {}), ...(previous ? { previous } : {}), ...(runMetrics ? { runMetrics } : {}) };
  }
}
