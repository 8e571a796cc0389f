// Recognises command forms that act on a whole cluster or every namespace. Those are never run,
// whatever a rule says: a remediation targets one workload in one namespace.

const kubeTools = new Set(['kubectl', 'oc', 'helm', 'argocd']);

// Verbs that only read. Everything else a kube tool does is treated as a change.
const readOnlyVerbs: Record<string, Set<string>> = {
  kubectl: new Set(['get', 'describe', 'logs', 'top', 'explain', 'version', 'config', 'api-resources', 'api-versions', 'cluster-info', 'diff', 'auth', 'events', 'wait']),
  oc: new Set(['get', 'describe', 'logs', 'top', 'explain', 'version', 'config', 'api-resources', 'api-versions', 'whoami', 'status', 'diff', 'auth', 'events', 'wait']),
  helm: new Set(['list', 'ls', 'history', 'hist', 'status', 'get', 'show', 'search', 'template', 'version', 'env', 'lint', 'diff']),
  argocd: new Set(['version', 'context', 'login', 'logout', 'account']),
};
const readOnlyArgocdAppVerbs = new Set(['get', 'list', 'history', 'diff', 'manifests', 'logs', 'resources', 'wait']);
const readOnlyRolloutVerbs = new Set(['status', 'history']);

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
]);

// Flags whose value is the next argv element, so it is not mistaken for a positional argument.
const flagsWithValue = new Set([
  '-n', '--namespace', '--context', '--kube-context', '--kubeconfig', '--cluster', '--user', '-l', '--selector',
  '-o', '--output', '-f', '--filename', '--server', '--token', '--grpc-web-root-path', '--field-selector', '-c', '--container',
]);

export function toolName(argv0: string | undefined): string {
  if (!argv0) return '';
  const base = argv0.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.(exe|cmd|bat)$/i, '').toLowerCase();
}

/** Positional arguments after the program name, flags and their values removed. */
export function positionalArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-')) {
      if (!a.includes('=') && flagsWithValue.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function isChange(tool: string, positionals: string[]): boolean {
  const verb = positionals[0];
  if (verb === undefined) return false;
  if (tool === 'argocd') {
    if (verb === 'app') return !readOnlyArgocdAppVerbs.has(positionals[1] ?? '');
    return !readOnlyVerbs.argocd.has(verb);
  }
  if ((tool === 'kubectl' || tool === 'oc') && verb === 'rollout') return !readOnlyRolloutVerbs.has(positionals[1] ?? '');
  return !readOnlyVerbs[tool]?.has(verb);
}

/** Descriptions of every cluster-wide or all-namespaces form in argv; empty when there is none. */
export function findClusterWideForms(argv: readonly string[]): string[] {
  const tool = toolName(argv[0]);
  if (!kubeTools.has(tool)) return [];
  const positionals = positionalArgs(argv);
  if (!isChange(tool, positionals)) return [];
  const found: string[] = [];
  for (const a of argv.slice(1)) {
    const flag = a.split('=')[0];
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1).toLowerCase() : 'true';
    if (value === 'false') continue;
    if (flag === '--all-namespaces' || flag === '-A') found.push(`${a} changes every namespace`);
    else if (flag === '--all') found.push(`${a} changes every resource of its kind`);
  }
  const verb = positionals[0];
  if ((tool === 'kubectl' || tool === 'oc') && verb === 'delete') {
    const kind = (positionals[1] ?? '').split('/')[0].split('.')[0].toLowerCase();
    if (clusterScopedKinds.has(kind)) found.push(`delete of cluster-scoped ${kind}`);
  }
  if ((tool === 'kubectl' || tool === 'oc') && (verb === 'drain' || verb === 'cordon' || verb === 'taint')) {
    found.push(`${verb} acts on a node, for every workload on it`);
  }
  return found;
}

/** True when argv deletes or uninstalls with a kube tool, whatever the plan declares. */
export function isDestructiveArgv(argv: readonly string[]): boolean {
  const tool = toolName(argv[0]);
  if (!kubeTools.has(tool)) return false;
  const [verb, sub] = positionalArgs(argv);
  if (tool === 'kubectl' || tool === 'oc') return verb === 'delete' || verb === 'drain' || (verb === 'replace' && argv.includes('--force'));
  if (tool === 'helm') return verb === 'uninstall' || verb === 'delete' || verb === 'del' || verb === 'un';
  if (tool === 'argocd') return (verb === 'app' && sub === 'delete') || (verb === 'cluster' && (sub === 'rm' || sub === 'delete'));
  return false;
}
