// Rolling a model back in MLflow's model registry: move the serving alias (MLflow 2.3+) back to the
// version before, or, in registries that still use stages, transition that version into the stage
// and archive the one there. One POST to the registry's REST API, run as curl's argv so that it goes
// through the same chokepoint as every action (no shell, the exact command in the approval prompt, the
// ledger). The preview reads where the alias or stage points now; the rollback of the rollback moves
// it back to the version that served; the verification reads the registry until the pointer is
// where it was moved. The registry's credentials are not handled here: a registry behind auth needs a
// runbook action of its own (curl would need the token on its command line, which the ledger records).
import { PlanError, type CommandPlan, type Verification } from '../plan';

const aliasPattern = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const modelPattern = /^[A-Za-z0-9][A-Za-z0-9_. /-]{0,255}$/;
const stages = ['Production', 'Staging', 'Archived', 'None'];

export interface MlflowRollbackParams {
  trackingUri: string;
  model: string;
  alias?: string;
  stage?: string;
  version: string;
  currentVersion?: string;
  environment: string;
  service?: string;
}

function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PlanError(`MLflow tracking URI ${JSON.stringify(raw.slice(0, 80))} is not a URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PlanError(`MLflow tracking URI ${JSON.stringify(raw.slice(0, 80))} is not http(s).`);
  if (u.username || u.password) throw new PlanError('The MLflow tracking URI carries credentials: they would be on the command line and in the ledger.');
  if (u.search || u.hash || /\s/.test(raw)) throw new PlanError(`MLflow tracking URI ${JSON.stringify(raw.slice(0, 80))} has a query, a fragment or spaces.`);
  return u.toString().replace(/\/+$/, '');
}

export function validateMlflowParams(p: Record<string, string | number | undefined>): Omit<MlflowRollbackParams, 'environment' | 'service'> {
  const str = (k: string) => (p[k] === undefined ? undefined : String(p[k]));
  const trackingUri = checkUrl(str('trackingUri') ?? '');
  const model = str('model') ?? '';
  if (!modelPattern.test(model)) throw new PlanError(`Registered model ${JSON.stringify(model.slice(0, 80))} is not an accepted name (letters, digits, space and _ . / -, at most 256).`);
  const alias = str('alias');
  const stage = str('stage');
  if ((alias === undefined) === (stage === undefined)) throw new PlanError('A model rollback names the alias or the stage that serves (exactly one).');
  if (alias !== undefined && (!aliasPattern.test(alias) || alias === 'latest' || /^v\d+$/.test(alias))) throw new PlanError(`Alias ${JSON.stringify(alias.slice(0, 80))} is not a valid MLflow alias.`);
  if (stage !== undefined && !stages.includes(stage)) throw new PlanError(`Stage ${JSON.stringify(stage)} is not an MLflow stage (${stages.join(', ')}).`);
  const version = str('version') ?? '';
  if (!/^[1-9]\d{0,9}$/.test(version)) throw new PlanError(`Model version ${JSON.stringify(version.slice(0, 20))} is not a version number.`);
  const currentVersion = str('currentVersion');
  if (currentVersion !== undefined && !/^[1-9]\d{0,9}$/.test(currentVersion)) throw new PlanError(`Current model version ${JSON.stringify(currentVersion.slice(0, 20))} is not a version number.`);
  if (currentVersion === version) throw new PlanError(`Version ${version} already serves: there is nothing to roll back to.`);
  return { trackingUri, model, ...(alias !== undefined ? { alias } : {}), ...(stage !== undefined ? { stage } : {}), version, ...(currentVersion !== undefined ? { currentVersion } : {}) };
}

// A failed call exits non-zero with MLflow's error body shown; the answer ends with a newline (curl
// expands the two characters \n of --write-out), so the terminal and the ledger read cleanly.
const curlCommon = ['--fail-with-body', '--silent', '--show-error', '--max-time', '30', '--write-out', '\\n'];

function post(curl: string, url: string, body: unknown): string[] {
  // The body starts with "{", never "@" (which would make curl read a file).
  return [curl, ...curlCommon, '--request', 'POST', '--header', 'Content-Type: application/json', '--data-binary', JSON.stringify(body), url];
}

function moveTo(curl: string, p: ReturnType<typeof validateMlflowParams>, version: string): string[] {
  return p.alias !== undefined
    ? post(curl, `${p.trackingUri}/api/2.0/mlflow/registered-models/alias`, { name: p.model, alias: p.alias, version })
    : post(curl, `${p.trackingUri}/api/2.0/mlflow/model-versions/transition-stage`, { name: p.model, version, stage: p.stage, archive_existing_versions: true });
}

export function mlflowRollback(curl: string, params: MlflowRollbackParams): CommandPlan {
  const p = validateMlflowParams(params as unknown as Record<string, string>);
  const pointer = p.alias !== undefined ? `alias ${p.alias}` : `stage ${p.stage}`;
  const preview =
    p.alias !== undefined
      ? [curl, ...curlCommon, '--get', '--data-urlencode', `name=${p.model}`, '--data-urlencode', `alias=${p.alias}`, `${p.trackingUri}/api/2.0/mlflow/registered-models/alias`]
      : [curl, ...curlCommon, '--get', '--data-urlencode', `filter=name='${p.model.replace(/'/g, '')}'`, `${p.trackingUri}/api/2.0/mlflow/model-versions/search`];
  const verification: Verification = {
    description: `${pointer} of ${p.model} points at version ${p.version}`,
    signal: { kind: 'mlflow-pointer', trackingUri: p.trackingUri, model: p.model, ...(p.alias !== undefined ? { alias: p.alias } : { stage: p.stage }), version: p.version },
    condition: { op: '>=', value: 1 },
    timeoutMs: 30_000,
    intervalMs: 2_000,
  };
  return {
    actionId: 'rollback-model',
    title: `Move ${pointer} of ${p.model} back to version ${p.version}${p.currentVersion ? ` (from ${p.currentVersion})` : ''}`,
    tool: 'mlflow',
    argv: moveTo(curl, p, p.version),
    target: { environment: params.environment, service: params.service },
    risk: 'medium',
    blastRadius: { pods: 0, replicas: 0, description: `no pod restarts; model servers that load ${p.model} by ${pointer} serve version ${p.version} from their next reload` },
    dryRunArgv: preview,
    dryRunNote: `MLflow has no dry-run; the preview shows where ${pointer} points now.`,
    verification,
    ...(p.currentVersion ? { rollback: { description: `Move ${pointer} of ${p.model} forward again to version ${p.currentVersion}`, argv: moveTo(curl, p, p.currentVersion) } } : {}),
    destructive: false,
  };
}
