// No MLflow server can be had here, so tests that need a model registry talk to this one: a real HTTP
// server on 127.0.0.1 (port chosen by the OS) that answers the MLflow 2.x REST endpoints we use with
// bodies written to MLflow's documented format (RegisteredModel, ModelVersion with string versions,
// RegisteredModelAlias, Run; errors as { error_code, message } with 404 RESOURCE_DOES_NOT_EXIST), and
// keeps state, so moving an alias is seen by the next read.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryModelVersion {
  version: string;
  current_stage: string;
  run_id: string;
  creation_timestamp: number;
}

export interface FakeRegistry {
  url: string;
  /** Every request, in order: method, path and body. */
  calls: { method: string; path: string; body: string }[];
  aliases: Record<string, string>;
  versions: RegistryModelVersion[];
  close(): Promise<void>;
}

export async function startMlflowRegistry(model: string, opts: { versions: RegistryModelVersion[]; aliases: Record<string, string>; metrics?: Record<string, Record<string, number>> }): Promise<FakeRegistry> {
  const state = { aliases: { ...opts.aliases }, versions: opts.versions.map((v) => ({ ...v })) };
  const calls: FakeRegistry['calls'] = [];
  const aliasesOf = (version: string) => Object.entries(state.aliases).filter(([, v]) => v === version).map(([a]) => a);
  const modelVersion = (v: RegistryModelVersion) => ({
    name: model,
    version: v.version,
    creation_timestamp: v.creation_timestamp,
    last_updated_timestamp: v.creation_timestamp,
    current_stage: v.current_stage,
    description: '',
    source: `mlflow-artifacts:/1/${v.run_id}/artifacts/model`,
    run_id: v.run_id,
    status: 'READY',
    aliases: aliasesOf(v.version),
  });
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const missing = (res: http.ServerResponse, message: string) => send(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://registry');
      const body = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? 'GET', path: u.pathname, body });
      const q = u.searchParams;
      const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const route = `${req.method} ${u.pathname.replace(/^\/ajax-api/, '/api')}`;
      switch (route) {
        case 'GET /api/2.0/mlflow/registered-models/get':
          if (q.get('name') !== model) return missing(res, `Registered Model with name=${q.get('name')} not found`);
          return send(res, 200, {
            registered_model: {
              name: model,
              creation_timestamp: state.versions[0]?.creation_timestamp ?? 0,
              latest_versions: state.versions.slice(-1).map(modelVersion),
              aliases: Object.entries(state.aliases).map(([alias, version]) => ({ alias, version })),
            },
          });
        case 'GET /api/2.0/mlflow/registered-models/alias': {
          const version = q.get('name') === model ? state.aliases[q.get('alias') ?? ''] : undefined;
          const v = state.versions.find((x) => x.version === version);
          if (!v) return missing(res, `Registered model alias ${q.get('alias')} not found.`);
          return send(res, 200, { model_version: modelVersion(v) });
        }
        case 'POST /api/2.0/mlflow/registered-models/alias': {
          const version = String(json.version);
          if (json.name !== model || !state.versions.some((x) => x.version === version)) return missing(res, `Model version ${version} of ${String(json.name)} not found`);
          state.aliases[String(json.alias)] = version;
          return send(res, 200, {});
        }
        case 'GET /api/2.0/mlflow/model-versions/search': {
          const filter = q.get('filter') ?? '';
          const list = filter === `name='${model}'` ? [...state.versions].reverse().map(modelVersion) : [];
          return send(res, 200, { model_versions: list });
        }
        case 'POST /api/2.0/mlflow/model-versions/transition-stage': {
          const v = state.versions.find((x) => x.version === String(json.version));
          if (json.name !== model || !v) return missing(res, 'Model version not found');
          if (json.archive_existing_versions === true) for (const o of state.versions) if (o.current_stage === json.stage) o.current_stage = 'Archived';
          v.current_stage = String(json.stage);
          return send(res, 200, { model_version: modelVersion(v) });
        }
        case 'GET /api/2.0/mlflow/runs/get': {
          const runId = q.get('run_id') ?? '';
          const metrics = opts.metrics?.[runId];
          if (!metrics) return missing(res, `Run '${runId}' not found`);
          return send(res, 200, { run: { info: { run_id: runId, experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active' }, data: { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })), params: [], tags: [] } } });
        }
        default:
          return send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint ${route}` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    get aliases() {
      return state.aliases;
    },
    get versions() {
      return state.versions;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
