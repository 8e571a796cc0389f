// Over 500 lines because the built-in plans and the runbook loader share one set of parameter checks,
// which is the point of the file: kept together so that no path to a command skips them.
// The action catalog: turns a ProposedAction (an id plus parameters, from the agent or a person)
// into a CommandPlan. Every parameter is validated here, before anything can run: a Kubernetes name
// must be a Kubernetes name. Runbook actions a team declares in .incident-lens/actions.yaml are
// argv templates whose {{param}} placeholders are filled as data, never through a shell.
// Data can still be read as an option by the program it reaches (`--kubeconfig=/tmp/evil` as its
// own element), so every value, declared pattern or not, is checked: a safe default pattern,
// no leading "-" unless the parameter allows it, no control characters, a bounded length; and a
// runbook's cwd must resolve (symlinks followed) inside the workspace.

import { BUILTIN_ACTION_IDS } from '../core/actions';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { ProposedAction } from '../core/model';
import { isDestructiveArgv } from '../policy/argvGuards';
import { globMatch } from '../policy/glob';
import { hiddenCharacterIn, isPrototypeKey, NameError, normaliseName } from '../policy/names';
import { parseYamlSafely } from '../core/safeYaml';
import {
  PlanError,
  requireString,
  validateContext,
  validateCount,
  validateHelmRelease,
  validateK8sName,
  validateNamespace,
  type CommandPlan,
  type ComparisonOp,
  type RollbackPlan,
  type Verification,
  type VerificationSignal,
} from './plan';
import { describeSignal } from './verify';
import { argocdRollback } from './wrappers/argocd';
import { amtoolSilence } from './wrappers/amtool';
import { helmRollback } from './wrappers/helm';
import { kubectlRolloutPause, kubectlRolloutRestart, kubectlRolloutUndo, kubectlScale, type KubeTarget } from './wrappers/kubectl';
import type { KubernetesSnapshot } from '../core/kubernetes';
import { groundInKubeState, kubeActionIds, planKubeAction } from './kubeActions';
import { mlflowRollback } from './wrappers/mlflow';

export type RollbackTool = 'kubectl' | 'helm' | 'argocd';

export interface PlanContext {
  /** The environment the action targets, e.g. "production". */
  environment: string;
  workspaceDir: string;
  /** The kube context that belongs to `environment`. Kubernetes actions always name it explicitly. */
  kubeContext?: string;
  namespace?: string;
  cluster?: string;
  /** Tier of the target service when the caller knows it (policy can also map services to tiers). */
  tier?: string;
  /** Program names or paths of the tools; default to the bare names, found on PATH. */
  tools?: { kubectl?: string; helm?: string; argocd?: string; amtool?: string; curl?: string };
  /** Which tool "rollback-deploy" uses when the proposal does not say (params.tool). */
  rollbackTool?: RollbackTool;
  alertmanagerUrl?: string;
  /** Who silences: recorded by Alertmanager. */
  author?: string;
  scaleBounds?: { min: number; max: number };
  runbooks?: RunbookAction[];
  /** How to tell that the action worked, when the caller has a signal for it. */
  verification?: Verification;
  /** The kube context's state: Kubernetes plans are checked against the objects they target (kubeActions.ts). */
  kubernetes?: KubernetesSnapshot;
}

export const builtinActionIds = BUILTIN_ACTION_IDS;

const defaultScaleBounds = { min: 1, max: 50 };

function kubeTarget(p: ProposedAction['params'], ctx: PlanContext): KubeTarget {
  const service = validateK8sName(requireString(p, 'service', 'the deployment to act on'), 'Service');
  const namespace = validateNamespace(String(p.namespace ?? ctx.namespace ?? ''));
  if (!ctx.kubeContext) throw new PlanError(`No kube context is configured for environment "${ctx.environment}": refusing to act on whatever context kubectl happens to use.`);
  const context = validateContext(ctx.kubeContext);
  if (p.context !== undefined && String(p.context) !== context) {
    throw new PlanError(`The proposal names kube context "${String(p.context)}", but environment "${ctx.environment}" uses "${context}".`);
  }
  return { service, namespace, context, environment: ctx.environment, tier: ctx.tier, cluster: ctx.cluster };
}

function optionalCount(p: ProposedAction['params'], name: string, what: string, max = 10_000): number | undefined {
  return p[name] === undefined ? undefined : validateCount(p[name], what, 0, max);
}

/** A proposal's replica count, for the blast radius. A claimed 0 would make any action look harmless, so it counts as unknown. */
function claimedReplicas(p: ProposedAction['params']): number | undefined {
  const n = optionalCount(p, 'replicas', 'Replica count');
  return n === 0 ? undefined : n;
}

const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function planSilence(p: ProposedAction['params'], ctx: PlanContext, why: string): CommandPlan {
  if (!ctx.alertmanagerUrl) throw new PlanError('No Alertmanager URL is configured, so there is nowhere to add a silence.');
  if (!/^https?:\/\/[^\s]+$/.test(ctx.alertmanagerUrl)) throw new PlanError(`Alertmanager URL ${JSON.stringify(ctx.alertmanagerUrl)} is not an http(s) URL.`);
  // Null prototype, and prototype names refused: a "__proto__" matcher would otherwise vanish silently.
  const matchers = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(p)) {
    if (!key.startsWith('match.')) continue;
    const name = key.slice('match.'.length);
    if (isPrototypeKey(name)) throw new PlanError(`Silence matcher "${name}" is refused: that name would reach a JavaScript object's prototype instead of the matcher list.`);
    if (!labelNamePattern.test(name)) throw new PlanError(`Label name ${JSON.stringify(name)} is not a valid Prometheus label name.`);
    const v = String(value);
    if (v.includes('\0')) throw new PlanError(`Label ${name} has a NUL character in its value.`);
    matchers[name] = v;
  }
  if (Object.keys(matchers).length === 0) throw new PlanError('A silence needs at least one matcher (params "match.<label>").');
  const duration = String(p.duration ?? '1h');
  if (!/^(\d+[smhdwy])+$/.test(duration)) throw new PlanError(`Duration ${JSON.stringify(duration)} is not a duration such as 30m, 2h or 1h30m.`);
  const given = String(p.comment ?? why ?? '');
  const comment = given.trim() === '' ? 'Silenced from Incident Lens' : given;
  return amtoolSilence(ctx.tools?.amtool ?? 'amtool', {
    alertmanagerUrl: ctx.alertmanagerUrl,
    matchers,
    duration,
    author: ctx.author ?? 'incident-lens',
    comment: comment.replace(/\0/g, ''),
    environment: ctx.environment,
    service: matchers.service,
  });
}

function planRollback(p: ProposedAction['params'], ctx: PlanContext): CommandPlan {
  const tool = String(p.tool ?? ctx.rollbackTool ?? 'kubectl') as RollbackTool;
  switch (tool) {
    case 'kubectl': {
      const t = kubeTarget(p, ctx);
      return kubectlRolloutUndo(ctx.tools?.kubectl ?? 'kubectl', t, {
        toRevision: p.revision === undefined ? undefined : validateCount(p.revision, 'Revision', 1, 1_000_000),
        replicas: claimedReplicas(p),
        verification: ctx.verification,
      });
    }
    case 'helm': {
      const release = validateHelmRelease(String(p.release ?? p.service ?? ''));
      const t = kubeTarget({ ...p, service: p.service ?? release }, ctx);
      return helmRollback(ctx.tools?.helm ?? 'helm', { ...t, release }, {
        revision: p.revision === undefined ? undefined : validateCount(p.revision, 'Revision', 1, 1_000_000),
        currentRevision: p.currentRevision === undefined ? undefined : validateCount(p.currentRevision, 'Current revision', 1, 1_000_000),
        replicas: claimedReplicas(p),
        verification: ctx.verification,
      });
    }
    case 'argocd': {
      const app = String(p.app ?? p.service ?? '');
      // Argo CD names apps like Kubernetes objects, optionally "<namespace>/<app>".
      const [first, second, ...rest] = app.split('/');
      if (rest.length > 0) throw new PlanError(`Argo CD app ${JSON.stringify(app)} is not valid: at most one "/" (namespace/app).`);
      if (second !== undefined) validateNamespace(first);
      validateK8sName(second ?? first, 'Argo CD app');
      return argocdRollback(ctx.tools?.argocd ?? 'argocd', { app, environment: ctx.environment, service: p.service === undefined ? undefined : validateK8sName(String(p.service), 'Service'), namespace: ctx.namespace, tier: ctx.tier, cluster: ctx.cluster }, {
        historyId: validateCount(p.historyId ?? p.revision, 'History id', 0, 1_000_000),
        currentHistoryId: p.currentHistoryId === undefined ? undefined : validateCount(p.currentHistoryId, 'Current history id', 0, 1_000_000),
        replicas: claimedReplicas(p),
        verification: ctx.verification,
      });
    }
    default:
      throw new PlanError(`Unknown rollback tool ${JSON.stringify(tool)} (expected kubectl, helm or argocd).`);
  }
}

/** Builds the plan for a proposed action, or throws PlanError saying what is wrong with it. */
export function planAction(proposed: ProposedAction, planCtx: PlanContext): CommandPlan {
  if (!planCtx.environment || typeof planCtx.environment !== 'string') throw new PlanError('No target environment: every action must name the environment it is for.');
  let environment: string;
  try {
    environment = normaliseName(planCtx.environment, 'The target environment');
  } catch (err) {
    throw new PlanError((err as NameError).message);
  }
  const grounded = groundInKubeState(proposed, { ...planCtx, environment });
  const ctx: PlanContext = grounded.ctx;
  const p = grounded.params;
  const kubectl = ctx.tools?.kubectl ?? 'kubectl';
  // A workspace that declares an action with a built-in's id says how it does that itself (its own
  // deploy tool, say): its runbook replaces the built-in there. Runbooks load in trusted workspaces only.
  const declared = ctx.runbooks?.find((r) => r.id === proposed.actionId);
  if (declared) return planRunbookAction(declared, p, ctx);
  switch (proposed.actionId) {
    case 'rollback-deploy':
      return planRollback(p, ctx);
    case 'restart':
      return kubectlRolloutRestart(kubectl, kubeTarget(p, ctx), { replicas: claimedReplicas(p), verification: ctx.verification });
    case 'scale': {
      const bounds = ctx.scaleBounds ?? defaultScaleBounds;
      return kubectlScale(kubectl, kubeTarget(p, ctx), {
        replicas: validateCount(p.replicas, 'Replicas', bounds.min, bounds.max),
        currentReplicas: optionalCount(p, 'currentReplicas', 'Current replica count'),
        verification: ctx.verification,
      });
    }
    case 'pause-rollout':
      return kubectlRolloutPause(kubectl, kubeTarget(p, ctx), { verification: ctx.verification });
    case 'silence-alert':
      return planSilence(p, ctx, proposed.why);
    case 'rollback-model':
      return mlflowRollback(ctx.tools?.curl ?? 'curl', { ...(p as Record<string, string>), environment: ctx.environment, service: p.service === undefined ? undefined : String(p.service) } as Parameters<typeof mlflowRollback>[1]);
    default:
      if ((kubeActionIds as readonly string[]).includes(proposed.actionId)) return planKubeAction({ ...proposed, params: p }, ctx);
      throw new PlanError(`Unknown action "${proposed.actionId}": it is neither built in (${[...builtinActionIds, ...kubeActionIds].join(', ')}) nor declared in .incident-lens/actions.yaml.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Runbook actions (.incident-lens/actions.yaml)

export interface RunbookParam {
  /** Anchored regular expression the value must match; without one, defaultParamPattern. */
  pattern?: string;
  description?: string;
  /** Values may start with "-". Off by default: such a value is read as an option by most programs. */
  allowLeadingDash?: boolean;
}

/** What a parameter accepts when its runbook declares no pattern: a name, id, revision or path, never an option. */
export const defaultParamPattern = '[A-Za-z0-9_][A-Za-z0-9_.:@+=,/-]*';
/** Longest accepted value; also bounds the time a declared pattern can take. */
export const maxParamLength = 1024;

/** Checks one value for a placeholder; throws PlanError naming the parameter and the rule it breaks. */
export function validateParamValue(name: string, raw: string | number, spec: RunbookParam, source: string): string {
  const value = String(raw);
  if (value.length > maxParamLength) throw new PlanError(`Parameter "${name}" is ${value.length} characters long, more than ${maxParamLength}.`);
  const hidden = hiddenCharacterIn(value);
  if (hidden) throw new PlanError(`Parameter "${name}" = ${JSON.stringify(value.slice(0, 80))} contains the control character ${hidden} (newlines and other control characters are refused).`);
  if (value.startsWith('-') && !spec.allowLeadingDash) {
    throw new PlanError(`Parameter "${name}" = ${JSON.stringify(value.slice(0, 80))} starts with "-", so the program would read it as an option; ${source} does not allow that for "${name}" (allowLeadingDash).`);
  }
  const pattern = spec.pattern ?? defaultParamPattern;
  if (!new RegExp(`^(?:${pattern})$`, 's').test(value)) {
    throw new PlanError(`Parameter "${name}" = ${JSON.stringify(value.slice(0, 80))} does not match ${spec.pattern !== undefined ? `the pattern ${spec.pattern} declared in ${source}` : `the default pattern ${defaultParamPattern} (declare a pattern in ${source} to accept other values)`}.`);
  }
  return value;
}

/** `dir` resolved against the workspace, symlinks followed; throws PlanError unless it is inside the workspace. */
export function resolveInsideWorkspace(workspaceDir: string, dir: string, what: string): string {
  const resolved = nodePath.resolve(workspaceDir, dir);
  let real: string;
  let root: string;
  try {
    root = fs.realpathSync(workspaceDir);
    real = fs.realpathSync(resolved);
  } catch (err) {
    throw new PlanError(`${what} ${JSON.stringify(resolved)} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const rel = nodePath.relative(root, real);
  if (rel !== '' && (rel.startsWith('..') || nodePath.isAbsolute(rel))) {
    throw new PlanError(`${what} ${JSON.stringify(dir)} resolves to ${real}, outside the workspace ${root}: runbook actions run inside the workspace only.`);
  }
  return real;
}

export interface RunbookAction {
  id: string;
  title: string;
  argv: string[];
  cwd?: string;
  env?: string[];
  params: Record<string, RunbookParam>;
  risk: 'low' | 'medium' | 'high';
  /** Environments (globs) the action is meant for; absent means any. */
  environments?: string[];
  destructive: boolean;
  dryRunArgv?: string[];
  verification?: Verification;
  rollback?: RollbackPlan;
  blastRadius?: { pods?: number; replicas?: number; description: string };
  source: string;
}

const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const contextPlaceholders = ['workspaceDir', 'environment', 'namespace', 'kubeContext'];
const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

function placeholdersIn(elements: readonly string[]): string[] {
  const names: string[] = [];
  for (const e of elements) for (const m of e.matchAll(placeholderPattern)) names.push(m[1]);
  return names;
}

/** Fills {{name}} placeholders. Each argv element stays one element, whatever the values contain. */
export function fillArgv(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((element) =>
    // A replacement function, so "$&" or "$1" in a value is copied literally.
    element.replace(placeholderPattern, (_m, name: string) => {
      const v = values[name];
      if (v === undefined) throw new PlanError(`No value for placeholder {{${name}}}.`);
      return v;
    }),
  );
}

function planRunbookAction(action: RunbookAction, params: ProposedAction['params'], ctx: PlanContext): CommandPlan {
  if (action.environments && !action.environments.some((g) => globMatch(g.trim(), ctx.environment, { ignoreCase: true }))) {
    throw new PlanError(`Action "${action.id}" is declared for ${action.environments.join(', ')}, not for "${ctx.environment}".`);
  }
  const values = Object.create(null) as Record<string, string>;
  values.workspaceDir = ctx.workspaceDir;
  // The environment may come from an alert: it is checked like any parameter.
  values.environment = validateParamValue('environment', ctx.environment, {}, 'the built-in rules');
  if (ctx.namespace !== undefined) values.namespace = validateNamespace(ctx.namespace);
  if (ctx.kubeContext !== undefined) values.kubeContext = validateContext(ctx.kubeContext);
  for (const [name, spec] of Object.entries(action.params)) {
    const raw = params[name];
    if (raw === undefined) throw new PlanError(`Action "${action.id}" needs parameter "${name}"${spec.description ? ` (${spec.description})` : ''}.`);
    values[name] = validateParamValue(name, raw, spec, action.source);
  }
  const argv = fillArgv(action.argv, values);
  // "node" means the Node that runs us, so a runbook script works without node on PATH.
  if (argv[0] === 'node') argv[0] = process.execPath;
  const dryRunArgv = action.dryRunArgv ? fillArgv(action.dryRunArgv, values) : undefined;
  if (dryRunArgv && dryRunArgv[0] === 'node') dryRunArgv[0] = process.execPath;
  let rollback: RollbackPlan | undefined;
  if (action.rollback) {
    rollback = { ...action.rollback, argv: fillArgv(action.rollback.argv, values) };
    if (rollback.argv[0] === 'node') rollback.argv[0] = process.execPath;
  }
  return {
    actionId: action.id,
    title: action.title,
    tool: 'runbook',
    argv,
    cwd: action.cwd !== undefined ? resolveInsideWorkspace(ctx.workspaceDir, fillArgv([action.cwd], values)[0], `The cwd of "${action.id}"`) : ctx.workspaceDir,
    env: action.env,
    target: {
      environment: ctx.environment,
      namespace: ctx.namespace,
      context: ctx.kubeContext,
      cluster: ctx.cluster,
      service: params.service !== undefined ? String(params.service) : undefined,
      tier: ctx.tier,
    },
    risk: action.risk,
    // Not declared is not "no pods": it is unknown, above every limit.
    blastRadius: action.blastRadius ?? { unknown: true, description: `runbook action ${action.id} declares no blast radius, so its size is unknown` },
    dryRunArgv,
    verification: action.verification ? { ...action.verification, signal: fillSignal(action.verification.signal, values) } : ctx.verification,
    rollback,
    // A delete is destructive even when the runbook forgot to say so.
    destructive: action.destructive || isDestructiveArgv(argv),
  };
}

function signalTemplate(signal: VerificationSignal): string {
  return signal.kind === 'promql' ? signal.query : signal.kind === 'error-ratio' ? signal.service : '';
}

/** A verification signal with its placeholders filled as data (a PromQL string, or a service name). */
function fillSignal(signal: VerificationSignal, values: Record<string, string>): VerificationSignal {
  if (signal.kind === 'mlflow-pointer') return signal;
  return signal.kind === 'promql' ? { kind: 'promql', query: fillArgv([signal.query], values)[0] } : { ...signal, service: fillArgv([signal.service], values)[0] };
}

export interface RunbookLoad {
  actions: RunbookAction[];
  /** Set when the file is unusable; then no runbook action is offered at all. */
  error?: string;
}

/** Parses actions.yaml text. Never throws: a file it cannot use offers no action and says why. */
export function loadRunbookActions(text: string, source = 'actions.yaml'): RunbookLoad {
  try {
    return parseRunbookActions(text, source);
  } catch (err) {
    return { actions: [], error: `${source} could not be read: ${(err as Error)?.message ?? String(err)}` };
  }
}

function parseRunbookActions(text: string, source: string): RunbookLoad {
  const parsed = parseYamlSafely(text, source);
  if (!parsed.ok) {
    return { actions: [], error: parsed.kind === 'syntax' ? `${parsed.problems[0].replace(/^(\S+?): /, '$1: not valid YAML: ')}` : `${source} is refused: ${parsed.problems.join('; ')}` };
  }
  const { doc, lines } = parsed;
  const errors: string[] = [];
  const at = (path: (string | number)[], message: string) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    errors.push(`${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${path.join('.')}: ${message}`);
  };
  const js = parsed.value;
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (js === null || js === undefined) return { actions: [] };
  if (!isMap(js) || !Array.isArray(js.actions)) return { actions: [], error: `${source}: expected a mapping with an "actions" list` };
  const actions: RunbookAction[] = [];
  js.actions.forEach((raw: unknown, i: number) => {
    const path = ['actions', i];
    if (!isMap(raw)) return at(path, 'expected an action mapping');
    const allowed = ['id', 'title', 'argv', 'cwd', 'env', 'params', 'risk', 'environment', 'destructive', 'dryRunArgv', 'verification', 'rollback', 'blastRadius'];
    for (const k of Object.keys(raw)) if (!allowed.includes(k)) at([...path, k], `unknown key "${k}" (expected one of ${allowed.join(', ')})`);
    const id = raw.id;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) return at([...path, 'id'], 'expected an id of lower-case letters, digits, ".", "_" and "-"');
    // An id of a built-in action (rollback-deploy, restart...) is allowed: the workspace says how it does
    // that itself, and planAction uses its declaration instead of the built-in. Policy rules on the id apply.
    if (actions.some((a) => a.id === id)) return at([...path, 'id'], `duplicate id "${id}"`);
    if (!strings(raw.argv) || raw.argv[0] === '') return at([...path, 'argv'], 'expected a non-empty list of strings (argv, never a shell command line)');
    if (placeholdersIn([raw.argv[0]]).length > 0) return at([...path, 'argv'], 'the program (first element) cannot be a placeholder: parameters are data, never the command');
    if (raw.argv.length === 1 && /\s/.test(raw.argv[0])) return at([...path, 'argv'], 'a single element with spaces looks like a shell command line; give one list element per argument');
    const params: Record<string, RunbookParam> = {};
    if (raw.params !== undefined) {
      if (!isMap(raw.params)) return at([...path, 'params'], 'expected a mapping of parameter name to { pattern, description }');
      for (const [name, spec] of Object.entries(raw.params)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || contextPlaceholders.includes(name)) return at([...path, 'params', name], `invalid or reserved parameter name "${name}"`);
        const s = spec ?? {};
        if (!isMap(s)) return at([...path, 'params', name], 'expected { pattern, description, allowLeadingDash }');
        for (const k of Object.keys(s)) if (!['pattern', 'description', 'allowLeadingDash'].includes(k)) return at([...path, 'params', name, k], `unknown key "${k}" (expected pattern, description, allowLeadingDash)`);
        if (s.pattern !== undefined) {
          if (typeof s.pattern !== 'string' || s.pattern === '') return at([...path, 'params', name, 'pattern'], 'expected a regular expression string');
          try {
            new RegExp(`^(?:${s.pattern})$`, 's');
          } catch (err) {
            return at([...path, 'params', name, 'pattern'], `invalid regular expression: ${(err as Error).message}`);
          }
        }
        if (s.allowLeadingDash !== undefined && typeof s.allowLeadingDash !== 'boolean') return at([...path, 'params', name, 'allowLeadingDash'], 'expected true or false');
        params[name] = { pattern: s.pattern as string | undefined, description: typeof s.description === 'string' ? s.description : undefined, ...(s.allowLeadingDash === true ? { allowLeadingDash: true } : {}) };
      }
    }
    const risk = raw.risk ?? 'medium';
    if (risk !== 'low' && risk !== 'medium' && risk !== 'high') return at([...path, 'risk'], `unknown risk ${JSON.stringify(risk)} (low, medium, high)`);
    if (raw.destructive !== undefined && typeof raw.destructive !== 'boolean') return at([...path, 'destructive'], 'expected true or false');
    let environments: string[] | undefined;
    if (raw.environment !== undefined) {
      environments = typeof raw.environment === 'string' ? [raw.environment] : strings(raw.environment) ? raw.environment : undefined;
      if (!environments) return at([...path, 'environment'], 'expected an environment name or a list of them');
    }
    if (raw.env !== undefined && !(strings(raw.env) && raw.env.every((n) => envNamePattern.test(n)))) return at([...path, 'env'], 'expected a list of environment variable NAMES (values are never stored here)');
    if (raw.dryRunArgv !== undefined && !strings(raw.dryRunArgv)) return at([...path, 'dryRunArgv'], 'expected a list of strings');
    if (raw.cwd !== undefined && typeof raw.cwd !== 'string') return at([...path, 'cwd'], 'expected a string');
    let verification: Verification | undefined;
    if (raw.verification !== undefined) {
      const v = raw.verification;
      const c = isMap(v) ? v.condition : undefined;
      const ops: ComparisonOp[] = ['<', '<=', '>', '>='];
      const hasQuery = isMap(v) && typeof v.query === 'string';
      const hasRatio = isMap(v) && isMap(v.errorRatio) && typeof v.errorRatio.service === 'string';
      if (!isMap(v) || hasQuery === hasRatio || !isMap(c) || !ops.includes(c.op as ComparisonOp) || typeof c.value !== 'number') {
        return at([...path, 'verification'], 'expected { description, query (PromQL) or errorRatio: { service }, condition: { op: < <= > >=, value: number }, timeoutMs, intervalMs }');
      }
      const timeoutMs = v.timeoutMs ?? 120_000;
      const intervalMs = v.intervalMs ?? 5_000;
      if (typeof timeoutMs !== 'number' || typeof intervalMs !== 'number' || timeoutMs <= 0 || intervalMs <= 0) return at([...path, 'verification'], 'timeoutMs and intervalMs must be positive numbers');
      const signal: VerificationSignal = hasQuery ? { kind: 'promql', query: v.query as string } : { kind: 'error-ratio', service: (v.errorRatio as { service: string }).service };
      const unit = typeof v.unit === 'string' ? v.unit : hasRatio ? 'ratio' : undefined;
      verification = { description: typeof v.description === 'string' ? v.description : describeSignal(signal), signal, condition: { op: c.op as ComparisonOp, value: c.value }, timeoutMs, intervalMs, ...(unit ? { unit } : {}) };
    }
    let rollback: RollbackPlan | undefined;
    if (raw.rollback !== undefined) {
      const r = raw.rollback;
      if (!isMap(r) || !strings(r.argv)) return at([...path, 'rollback'], 'expected { description, argv: [...] }');
      rollback = { description: typeof r.description === 'string' ? r.description : `Undo ${id}`, argv: r.argv };
    }
    let blastRadius: RunbookAction['blastRadius'];
    if (raw.blastRadius !== undefined) {
      const b = raw.blastRadius;
      const count = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
      if (!isMap(b) || !count(b.pods) || !count(b.replicas)) return at([...path, 'blastRadius'], 'expected { pods, replicas, description } with whole numbers >= 0 (a size left out counts as unknown, above every limit)');
      blastRadius = { pods: b.pods as number | undefined, replicas: b.replicas as number | undefined, description: typeof b.description === 'string' ? b.description : `declared by ${id}` };
    }
    const templates = [...raw.argv, ...((raw.dryRunArgv as string[] | undefined) ?? []), ...(rollback?.argv ?? []), ...(typeof raw.cwd === 'string' ? [raw.cwd] : []), ...(verification ? [signalTemplate(verification.signal)] : [])];
    const unknown = placeholdersIn(templates).filter((n) => !(n in params) && !contextPlaceholders.includes(n));
    if (unknown.length > 0) return at([...path, 'argv'], `placeholder {{${unknown[0]}}} is not a declared parameter (declare it under params)`);
    actions.push({
      id,
      title: typeof raw.title === 'string' ? raw.title : id,
      argv: raw.argv,
      cwd: raw.cwd as string | undefined,
      env: raw.env as string[] | undefined,
      params,
      risk,
      environments,
      destructive: raw.destructive === true,
      dryRunArgv: raw.dryRunArgv as string[] | undefined,
      verification,
      rollback,
      blastRadius,
      source,
    });
  });
  if (errors.length > 0) return { actions: [], error: `${source} is invalid: ${errors.join('; ')}` };
  return { actions };
}

/** Where a workspace declares its runbook actions. */
export function workspaceActionsPath(workspaceDir: string): string {
  return nodePath.join(workspaceDir, '.incident-lens', 'actions.yaml');
}

/** Reads a workspace's actions file; a missing file means no runbook actions. */
export function loadRunbookFile(path: string): RunbookLoad {
  try {
    return loadRunbookActions(fs.readFileSync(path, 'utf8'), path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { actions: [] };
    return { actions: [], error: `cannot read ${path}: ${code ?? (err as Error).message}` };
  }
}
