// Reads kube tool command lines (kubectl, oc, helm, argocd) the way the tools do, to find the verb
// and what it acts on: the documented global flags (kubeFlags.ts), flags whose value is the next
// element (`--request-timeout 30s`, `-v 6`, `--as admin`), combined shorthands (`-Aw`), wrappers
// (`env`, `sudo`, `nice`, `timeout`, `nohup`, `command`, `exec`, ...), and versioned or
// path-qualified programs (`kubectl-1.29`, `/usr/local/bin/kubectl`, `kubectl.exe`).
//
// It fails closed: when the verb cannot be determined (an undocumented flag before it, a plugin,
// a command line hidden in a shell string), the command counts as destructive. Cluster-wide and
// all-namespaces forms are never run, whatever a rule says: a remediation targets one workload in
// one namespace.

import { multiplexers, shells, toolFlags, wrappers, type KubeTool, type WrapperSpec } from './kubeFlags';

export type { KubeTool } from './kubeFlags';

export interface KubeFlag {
  /** Long name ("--namespace"), shorthands mapped to it where the tool documents one. */
  name: string;
  /** The value, or true for a flag given without one. */
  value: string | true;
}

export interface KubeCommand {
  tool: KubeTool;
  /** Index in argv of the element naming the tool (after any wrappers). */
  toolIndex: number;
  wrappers: string[];
  /** NAME=value assignments made by wrappers such as env and sudo. */
  assignments: string[];
  flags: KubeFlag[];
  /** Arguments that are not flags or flag values, verb first. */
  positionals: string[];
  verb?: string;
  /** Why the verb cannot be determined for certain; set means the command counts as destructive. */
  undetermined?: string;
}

export type CommandShape =
  | { kind: 'none' }
  | { kind: 'kube'; command: KubeCommand }
  /** A kube tool may run, but not as parseable argv (a shell string, a plugin, an unknown wrapper option). */
  | { kind: 'opaque'; reason: string; inner: KubeCommand[] };

const shortNames: Record<KubeTool, Record<string, string>> = {
  kubectl: { '-n': '--namespace', '-s': '--server', '-v': '--v', '-h': '--help', '-A': '--all-namespaces', '-l': '--selector', '-o': '--output', '-f': '--filename', '-k': '--kustomize', '-R': '--recursive', '-w': '--watch' },
  oc: { '-n': '--namespace', '-s': '--server', '-v': '--v', '-h': '--help', '-A': '--all-namespaces', '-l': '--selector', '-o': '--output', '-f': '--filename', '-k': '--kustomize', '-R': '--recursive', '-w': '--watch' },
  helm: { '-n': '--namespace', '-h': '--help', '-A': '--all-namespaces', '-a': '--all', '-o': '--output', '-f': '--values', '-l': '--selector' },
  argocd: { '-H': '--header', '-h': '--help', '-N': '--app-namespace', '-o': '--output', '-l': '--selector', '-p': '--project', '-y': '--yes' },
};

/** The program an argv element names: its base name, lower case, without a Windows extension. */
export function programName(element: string | undefined): string {
  if (typeof element !== 'string') return '';
  const base = element.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(exe|cmd|bat|com|ps1)$/i, '').toLowerCase();
}

const versionedTool = /^(kubectl|oc|helm|argocd)(?:[-_.]?v?\d+(?:[._-]\d+)*)?$/;

/** The kube tool a program name is (kubectl-1.29, helm3, oc.exe ...), a plugin of one, or nothing. */
export function kubeToolOf(name: string): { tool: KubeTool } | { plugin: string } | undefined {
  const m = versionedTool.exec(name);
  if (m) return { tool: m[1] as KubeTool };
  if (name === 'kubecolor') return { tool: 'kubectl' };
  if (/^(kubectl|oc|helm|argocd)-./.test(name)) return { plugin: name };
  return undefined;
}

/** The kube tool named by argv[0] when it is one (versions and paths removed), else the program name. */
export function toolName(argv0: string | undefined): string {
  const name = programName(argv0);
  const kt = kubeToolOf(name);
  return kt && 'tool' in kt ? kt.tool : name;
}

type WrapperSkip = { kind: 'next'; next: number; assignments: string[] } | { kind: 'nothing' } | { kind: 'unknown'; reason: string };

function skipWrapper(name: string, spec: WrapperSpec, argv: readonly string[], start: number): WrapperSkip {
  let positionals = 0;
  let optionsDone = false;
  const assignments: string[] = [];
  for (let j = start; j < argv.length; j++) {
    const a = argv[j];
    if (typeof a !== 'string') return { kind: 'unknown', reason: 'an argv element is not text' };
    if (!optionsDone && a === '--') {
      optionsDone = true;
      continue;
    }
    if (!optionsDone && a.startsWith('--')) {
      const flag = a.split('=')[0];
      if (spec.opaque?.has(flag)) return { kind: 'unknown', reason: `${name} ${flag} runs a command line given as one string` };
      if (spec.runsNothing?.has(flag)) return { kind: 'nothing' };
      if (spec.valueLong.has(flag)) {
        if (!a.includes('=')) j++;
        continue;
      }
      if (spec.boolLong.has(flag)) continue;
      return { kind: 'unknown', reason: `${name} option ${flag} is not one this guard knows, so where the command starts cannot be told` };
    }
    if (!optionsDone && a.startsWith('-') && a.length > 1) {
      if (spec.numericOption && /^-\d+$/.test(a)) continue;
      let consumedNext = false;
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        if (spec.opaque?.has(`-${c}`)) return { kind: 'unknown', reason: `${name} -${c} runs a command line given as one string` };
        if (spec.runsNothing?.has(`-${c}`)) return { kind: 'nothing' };
        if (spec.valueShort.includes(c)) {
          consumedNext = k === a.length - 1;
          break;
        }
        if (spec.boolShort.includes(c)) continue;
        return { kind: 'unknown', reason: `${name} option -${c} is not one this guard knows, so where the command starts cannot be told` };
      }
      if (consumedNext) j++;
      continue;
    }
    if (a === '-' && spec.assignments) continue;
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      assignments.push(a);
      continue;
    }
    if (positionals < (spec.leadingPositionals ?? 0)) {
      positionals++;
      continue;
    }
    return { kind: 'next', next: j, assignments };
  }
  return { kind: 'nothing' };
}

const shellWordBreak = /[\s;&|()<>`$'"{}]+/;

/** Kube commands inside a shell string, best effort: for cluster-wide forms, never to allow anything. */
function kubeCommandsIn(text: string): KubeCommand[] {
  const words = text.split(shellWordBreak).filter(Boolean);
  const out: KubeCommand[] = [];
  words.forEach((word, i) => {
    const kt = kubeToolOf(programName(word));
    if (kt && 'tool' in kt) out.push(parseToolArgs(kt.tool, words, i, [], []));
  });
  return out;
}

function mentionsKubeTool(element: string, inShellString: boolean): boolean {
  if (inShellString) return element.split(shellWordBreak).some((w) => kubeToolOf(programName(w)) !== undefined);
  return kubeToolOf(programName(element)) !== undefined;
}

function opaque(reason: string, rest: readonly string[]): CommandShape {
  return { kind: 'opaque', reason, inner: rest.flatMap((e) => (typeof e === 'string' ? kubeCommandsIn(e) : [])) };
}

/** What an argv runs, as far as kube tools are concerned. */
export function analyseArgv(argv: readonly string[]): CommandShape {
  if (!Array.isArray(argv) || argv.length === 0) return { kind: 'none' };
  let i = 0;
  const seen: string[] = [];
  const assignments: string[] = [];
  for (let depth = 0; depth < 32 && i < argv.length; depth++) {
    const element = argv[i];
    if (typeof element !== 'string') return opaque('an argv element is not text', []);
    const name = programName(element);
    const kt = kubeToolOf(name);
    if (kt && 'tool' in kt) return { kind: 'kube', command: parseToolArgs(kt.tool, argv, i, seen, assignments) };
    if (kt) return opaque(`${element} is a plugin (${kt.plugin}): what its verbs do is not known`, argv.slice(i + 1));
    if (multiplexers.has(name)) {
      seen.push(name);
      i++;
      continue;
    }
    const spec = Object.prototype.hasOwnProperty.call(wrappers, name) ? wrappers[name] : undefined;
    if (!spec) break;
    const skip = skipWrapper(name, spec, argv, i + 1);
    if (skip.kind === 'nothing') return { kind: 'none' };
    if (skip.kind === 'unknown') {
      const rest = argv.slice(i + 1);
      return rest.some((e) => typeof e === 'string' && mentionsKubeTool(e, true)) ? opaque(skip.reason, rest) : { kind: 'none' };
    }
    seen.push(name);
    assignments.push(...skip.assignments);
    i = skip.next;
  }
  // Not a kube tool in command position; it may still run one (sh -c "...", xargs kubectl, ssh host helm ...).
  const program = programName(argv[i]);
  const rest = argv.slice(i + 1);
  const inShell = shells.has(program);
  if (rest.some((e) => typeof e === 'string' && mentionsKubeTool(e, inShell))) {
    return opaque(`${program || 'the program'} may run a kube tool that is not in command position, so its verb cannot be determined`, rest);
  }
  return { kind: 'none' };
}

function parseToolArgs(tool: KubeTool, argv: readonly string[], toolIndex: number, seenWrappers: string[], assignments: string[]): KubeCommand {
  const { global, command } = toolFlags[tool];
  const names = shortNames[tool];
  const flags: KubeFlag[] = [];
  const positionals: string[] = [];
  let undetermined: string | undefined;
  const uncertain = (why: string) => {
    // Before the verb an unknown flag may have eaten it; after, it only blurs what the verb acts on.
    if (positionals.length === 0) undetermined ??= why;
  };
  for (let i = toolIndex + 1; i < argv.length; i++) {
    const a = argv[i];
    if (typeof a !== 'string') {
      undetermined ??= 'an argv element is not text';
      continue;
    }
    if (a === '--') {
      if (positionals.length === 0) undetermined ??= '"--" comes before any verb';
      // What follows "--" is a container's command (kubectl exec) or plain arguments, never flags.
      positionals.push(...argv.slice(i + 1).filter((x): x is string => typeof x === 'string'));
      break;
    }
    const spec = positionals.length === 0 ? global : command;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (eq >= 0) flags.push({ name, value: a.slice(eq + 1) });
      else if (spec.valueLong.has(name)) {
        flags.push({ name, value: typeof argv[i + 1] === 'string' ? argv[i + 1] : '' });
        i++;
      } else {
        if (!spec.boolLong.has(name)) uncertain(`${a} is not one of ${tool}'s documented global flags, so whether it takes the next element as its value cannot be told`);
        flags.push({ name, value: true });
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        const name = names[`-${c}`] ?? `-${c}`;
        if (spec.valueShort.includes(c)) {
          const rest = a.slice(k + 1);
          if (rest === '') {
            flags.push({ name, value: typeof argv[i + 1] === 'string' ? argv[i + 1] : '' });
            i++;
          } else flags.push({ name, value: rest.startsWith('=') ? rest.slice(1) : rest });
          break;
        }
        if (!spec.boolShort.includes(c)) uncertain(`-${c} (in ${a}) is not one of ${tool}'s documented global shorthands`);
        if (a[k + 1] === '=') {
          flags.push({ name, value: a.slice(k + 2) });
          break;
        }
        flags.push({ name, value: true });
      }
      continue;
    }
    positionals.push(a);
  }
  const verb = positionals[0];
  if (verb === undefined) undetermined ??= `no ${tool} verb was found`;
  return { tool, toolIndex, wrappers: seenWrappers, assignments, flags, positionals, verb, undetermined };
}

/** Go's strconv.ParseBool false spellings: `--all-namespaces=false` turns the flag off. */
function flagIsOn(value: string | true): boolean {
  return value === true || !/^(false|f|0)$/i.test(value.trim());
}

export function hasFlag(cmd: KubeCommand, name: string): boolean {
  return cmd.flags.some((f) => f.name === name && flagIsOn(f.value));
}

export function flagValuesOf(cmd: KubeCommand, name: string): string[] {
  return cmd.flags.filter((f) => f.name === name && f.value !== true).map((f) => f.value as string);
}

const kubectlReadOnly = new Set(['get', 'describe', 'logs', 'top', 'explain', 'version', 'config', 'api-resources', 'api-versions', 'cluster-info', 'diff', 'events', 'wait', 'options', 'completion', 'kustomize', 'convert', 'whoami', 'status', 'projects', 'project']);
const kubectlChanges = new Set(['apply', 'create', 'edit', 'patch', 'replace', 'rollout', 'scale', 'autoscale', 'label', 'annotate', 'set', 'expose', 'run', 'cordon', 'uncordon', 'taint', 'port-forward', 'proxy', 'certificate', 'auth', 'plugin', 'new-app', 'new-project', 'start-build', 'cancel-build', 'import-image', 'tag', 'process', 'extract', 'idle', 'rollback', 'login', 'logout', 'policy', 'secrets', 'serviceaccounts', 'image', 'registry', 'observe']);
const kubectlDestructive = new Set(['delete', 'drain', 'exec', 'cp', 'debug', 'attach', 'rsh', 'rsync', 'adm']);
const helmReadOnly = new Set(['list', 'ls', 'history', 'hist', 'status', 'get', 'show', 'inspect', 'search', 'template', 'version', 'env', 'lint', 'diff', 'verify', 'completion', 'help']);
const helmChanges = new Set(['install', 'upgrade', 'rollback', 'test', 'repo', 'dependency', 'dep', 'package', 'pull', 'fetch', 'push', 'registry', 'plugin', 'create']);
const helmDestructive = new Set(['uninstall', 'delete', 'del', 'un']);
const argocdReadOnly = new Set(['version', 'context', 'login', 'logout', 'relogin', 'completion', 'account']);
const argocdTop = new Set(['account', 'admin', 'app', 'appset', 'cert', 'cluster', 'completion', 'configure', 'context', 'gpg', 'login', 'logout', 'proj', 'relogin', 'repo', 'repocreds', 'version']);
const argocdAppReadOnly = new Set(['get', 'list', 'history', 'diff', 'manifests', 'logs', 'resources', 'wait']);
const argocdAppKnown = new Set([...argocdAppReadOnly, 'actions', 'add-source', 'confirm-deletion', 'create', 'delete', 'delete-resource', 'edit', 'patch', 'patch-resource', 'remove-source', 'rollback', 'set', 'sync', 'terminate-op', 'unset']);
const argocdRemovals = new Set(['delete', 'rm', 'remove', 'delete-resource', 'remove-source', 'delete-token']);

/** Why the command counts as destructive, or undefined when it does not. */
export function destructiveReason(cmd: KubeCommand): string | undefined {
  if (cmd.undetermined) return `its verb cannot be determined (${cmd.undetermined})`;
  const [verb, sub] = cmd.positionals;
  const line = `${cmd.tool} ${verb}`;
  if (cmd.tool === 'kubectl' || cmd.tool === 'oc') {
    if (kubectlDestructive.has(verb)) return `${line} ${verb === 'delete' || verb === 'drain' ? 'removes workloads' : 'runs or copies arbitrary content inside the cluster'}`;
    if (verb === 'replace' && hasFlag(cmd, '--force')) return `${line} --force deletes and re-creates the object`;
    if (verb === 'apply' && hasFlag(cmd, '--prune')) return `${line} --prune deletes objects missing from the input`;
    if (!kubectlReadOnly.has(verb) && !kubectlChanges.has(verb)) return `"${verb}" is not a ${cmd.tool} command: it would run a plugin whose effect is unknown`;
    return undefined;
  }
  if (cmd.tool === 'helm') {
    if (helmDestructive.has(verb)) return `${line} removes a release`;
    if (!helmReadOnly.has(verb) && !helmChanges.has(verb)) return `"${verb}" is not a helm command: it would run a plugin whose effect is unknown`;
    return undefined;
  }
  if (!argocdTop.has(verb)) return `"${verb}" is not an argocd command`;
  if (verb === 'admin') return 'argocd admin can change anything in the cluster';
  if (verb === 'app' || verb === 'appset') {
    if (sub === undefined || (verb === 'app' && !argocdAppKnown.has(sub))) return `argocd ${verb} ${sub ?? ''} is not a known subcommand`.trimEnd();
    if (argocdRemovals.has(sub)) return `argocd ${verb} ${sub} removes resources`;
    if ((sub === 'sync' || sub === 'rollback') && hasFlag(cmd, '--prune')) return `argocd app ${sub} --prune deletes resources`;
    return undefined;
  }
  if (sub !== undefined && argocdRemovals.has(sub)) return `argocd ${verb} ${sub} removes configuration`;
  return undefined;
}

/** True unless the command is known to only read. */
export function isChangeCommand(cmd: KubeCommand): boolean {
  if (cmd.undetermined) return true;
  const [verb, sub] = cmd.positionals;
  if (cmd.tool === 'kubectl' || cmd.tool === 'oc') {
    if (verb === 'rollout') return !(sub === 'status' || sub === 'history');
    if (verb === 'auth') return !(sub === 'can-i' || sub === 'whoami');
    if (verb === 'plugin') return sub !== 'list';
    return !kubectlReadOnly.has(verb);
  }
  if (cmd.tool === 'helm') {
    if (verb === 'repo' || verb === 'plugin' || verb === 'dependency' || verb === 'dep') return sub !== 'list' && sub !== 'ls';
    return !helmReadOnly.has(verb);
  }
  if (verb === 'app') return !argocdAppReadOnly.has(sub ?? '');
  return !argocdReadOnly.has(verb);
}

const clusterScopedKinds = new Set([
  'namespace', 'namespaces', 'ns',
  'node', 'nodes', 'no',
  'persistentvolume', 'persistentvolumes', 'pv',
  'customresourcedefinition', 'customresourcedefinitions', 'crd', 'crds',
  'clusterrole', 'clusterroles', 'clusterrolebinding', 'clusterrolebindings',
  'storageclass', 'storageclasses', 'sc',
  'mutatingwebhookconfiguration', 'mutatingwebhookconfigurations',
  'validatingwebhookconfiguration', 'validatingwebhookconfigurations',
  'apiservice', 'apiservices', 'priorityclass', 'priorityclasses', 'pc',
  'project', 'projects', 'clusterissuer', 'clusterissuers',
]);

function clusterWideFormsOf(cmd: KubeCommand): string[] {
  if (!isChangeCommand(cmd)) return [];
  const found: string[] = [];
  if (hasFlag(cmd, '--all-namespaces')) found.push(`${cmd.tool} ${cmd.verb ?? ''} across all namespaces (--all-namespaces / -A)`.replace('  ', ' '));
  if (hasFlag(cmd, '--all') && cmd.tool !== 'argocd') found.push(`${cmd.tool} ${cmd.verb ?? ''} --all changes every resource of its kind`.replace('  ', ' '));
  const verb = cmd.verb;
  if ((cmd.tool === 'kubectl' || cmd.tool === 'oc') && verb === 'delete') {
    // Every positional after the verb: an unknown flag's value can sit before the kind.
    const kinds = cmd.positionals.slice(1).flatMap((p) => p.split(',')).map((p) => p.split('/')[0].split('.')[0].toLowerCase());
    for (const kind of new Set(kinds)) if (clusterScopedKinds.has(kind)) found.push(`delete of cluster-scoped ${kind}`);
  }
  if ((cmd.tool === 'kubectl' || cmd.tool === 'oc') && (verb === 'drain' || verb === 'cordon' || verb === 'taint')) {
    found.push(`${verb} acts on a node, for every workload on it`);
  }
  return found;
}

/** Descriptions of every cluster-wide or all-namespaces form in argv; empty when there is none. */
export function findClusterWideForms(argv: readonly string[]): string[] {
  const shape = analyseArgv(argv);
  if (shape.kind === 'none') return [];
  if (shape.kind === 'kube') return clusterWideFormsOf(shape.command);
  return [...new Set(shape.inner.flatMap(clusterWideFormsOf))];
}

/** Why argv counts as destructive whatever the plan declares, or undefined. */
export function destructiveArgvReason(argv: readonly string[]): string | undefined {
  const shape = analyseArgv(argv);
  if (shape.kind === 'none') return undefined;
  if (shape.kind === 'opaque') return shape.reason;
  return destructiveReason(shape.command);
}

/** True when argv deletes, uninstalls, runs arbitrary content, or its kube verb cannot be determined. */
export function isDestructiveArgv(argv: readonly string[]): boolean {
  return destructiveArgvReason(argv) !== undefined;
}
