// The flag lists the argv guards parse with, taken from each tool's own documentation:
//  - kubectl: `kubectl options` (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_options/),
//    the flags every command inherits, plus the klog flags older releases list there;
//  - helm: "Options inherited from parent commands" of every `helm` page (https://helm.sh/docs/helm/);
//  - argocd: "Options inherited from parent commands" (https://argo-cd.readthedocs.io/en/stable/user-guide/commands/argocd/);
//  - the wrappers: coreutils `env`, `nice`, `timeout`, `nohup`, `stdbuf`, `setsid`, sudo(8), doas(1),
//    ionice(1), GNU time(1), and the shell builtins `command` and `exec`.
// A flag that takes a value may take it as the next argv element (`--request-timeout 30s`, `-v 6`),
// which is why these lists matter: without them the value is mistaken for the verb.

export interface FlagSpec {
  /** Long flags whose value may be the next element. */
  valueLong: ReadonlySet<string>;
  /** Long flags that never take the next element (booleans, and flags with an optional value). */
  boolLong: ReadonlySet<string>;
  /** Shorthand letters that take a value (attached, after "=", or the next element). */
  valueShort: string;
  /** Shorthand letters that take no value. */
  boolShort: string;
}

const set = (...names: string[]) => new Set(names.map((n) => `--${n}`));

// kubectl options (1.33), and the klog flags of releases before 1.26.
const kubectlGlobal: FlagSpec = {
  valueLong: set(
    'as', 'as-group', 'as-uid', 'as-user-extra', 'cache-dir', 'certificate-authority', 'client-certificate', 'client-key',
    'cluster', 'context', 'kubeconfig', 'kuberc', 'namespace', 'password', 'profile', 'profile-output', 'request-timeout',
    'server', 'tls-server-name', 'token', 'user', 'username', 'v', 'vmodule',
    'log-backtrace-at', 'log-dir', 'log-file', 'log-file-max-size', 'log-flush-frequency', 'stderrthreshold',
  ),
  boolLong: set(
    'disable-compression', 'insecure-skip-tls-verify', 'match-server-version', 'warnings-as-errors', 'help',
    'add-dir-header', 'alsologtostderr', 'logtostderr', 'one-output', 'skip-headers', 'skip-log-headers',
  ),
  valueShort: 'nsv',
  boolShort: 'h',
};

// Flags of kubectl's own commands that the guards must read past (value flags) or look at (-A, --all).
// Unknown command flags are tolerated after the verb, but make the positions after them uncertain.
const kubectlCommand: FlagSpec = {
  valueLong: set(
    'output', 'selector', 'field-selector', 'filename', 'kustomize', 'container', 'grace-period', 'timeout', 'cascade',
    'replicas', 'current-replicas', 'resource-version', 'to-revision', 'type', 'patch', 'patch-file', 'image', 'overrides',
    'field-manager', 'template', 'sort-by', 'label-columns', 'chunk-size', 'subresource', 'for', 'since', 'since-time',
    'tail', 'limit-bytes', 'max-log-requests', 'pod-running-timeout', 'delete-emptydir-data', 'revision', 'prune-allowlist',
    'environment', 'env', 'from', 'port', 'target-port', 'protocol', 'name', 'min', 'max', 'cpu-percent',
  ),
  boolLong: set(
    'all', 'all-namespaces', 'force', 'now', 'wait', 'ignore-not-found', 'recursive', 'overwrite', 'local', 'record',
    'watch', 'watch-only', 'stdin', 'tty', 'quiet', 'server-side', 'prune', 'dry-run', 'show-labels', 'no-headers',
    'ignore-daemonsets', 'disable-eviction', 'previous', 'follow', 'timestamps', 'raw', 'validate', 'allow-missing-template-keys',
    'show-managed-fields', 'keep-annotations', 'force-conflicts', 'save-config', 'include-uninitialized', 'only-print-names', 'list',
  ),
  valueShort: 'olfkcpL',
  boolShort: 'ARwitq',
};

// helm's inherited flags (3.x and 4.0).
const helmGlobal: FlagSpec = {
  valueLong: set(
    'burst-limit', 'color', 'colour', 'content-cache', 'kube-apiserver', 'kube-as-group', 'kube-as-user', 'kube-ca-file',
    'kube-context', 'kube-tls-server-name', 'kube-token', 'kubeconfig', 'namespace', 'qps', 'registry-config',
    'repository-cache', 'repository-config',
  ),
  boolLong: set('debug', 'kube-insecure-skip-tls-verify', 'help'),
  valueShort: 'n',
  boolShort: 'h',
};

const helmCommand: FlagSpec = {
  valueLong: set('cascade', 'description', 'timeout', 'output', 'max', 'revision', 'version', 'values', 'set', 'set-string', 'set-file', 'set-json', 'filter', 'selector', 'post-renderer', 'history-max'),
  boolLong: set('all-namespaces', 'all', 'keep-history', 'dry-run', 'no-hooks', 'ignore-not-found', 'wait', 'wait-for-jobs', 'force', 'recreate-pods', 'cleanup-on-fail', 'atomic', 'install', 'reuse-values', 'reset-values', 'uninstalled', 'deployed', 'failed', 'pending', 'superseded', 'short', 'date', 'reverse'),
  valueShort: 'ofmlr',
  boolShort: 'Aaqdr',
};

const argocdGlobal: FlagSpec = {
  valueLong: set(
    'argocd-context', 'auth-token', 'client-crt', 'client-crt-key', 'config', 'controller-name', 'grpc-web-root-path',
    'header', 'http-retry-max', 'kube-context', 'logformat', 'loglevel', 'port-forward-namespace', 'redis-compress',
    'redis-haproxy-name', 'redis-name', 'repo-server-name', 'server', 'server-crt', 'server-name',
  ),
  boolLong: set('core', 'grpc-web', 'insecure', 'plaintext', 'port-forward', 'prompts-enabled', 'help'),
  valueShort: 'H',
  boolShort: 'h',
};

const argocdCommand: FlagSpec = {
  valueLong: set('app-namespace', 'output', 'timeout', 'revision', 'project', 'selector', 'resource', 'kind', 'group', 'namespace', 'propagation-policy', 'retry-limit', 'strategy'),
  boolLong: set('prune', 'cascade', 'yes', 'dry-run', 'force', 'async', 'preview-changes', 'local', 'all'),
  valueShort: 'Nolp',
  boolShort: 'y',
};

function merge(a: FlagSpec, b: FlagSpec): FlagSpec {
  return { valueLong: new Set([...a.valueLong, ...b.valueLong]), boolLong: new Set([...a.boolLong, ...b.boolLong]), valueShort: a.valueShort + b.valueShort, boolShort: a.boolShort + b.boolShort };
}

export type KubeTool = 'kubectl' | 'oc' | 'helm' | 'argocd';

/** Before the verb only the global flags are allowed; after it, global and command flags. */
export const toolFlags: Record<KubeTool, { global: FlagSpec; command: FlagSpec }> = {
  kubectl: { global: kubectlGlobal, command: merge(kubectlGlobal, kubectlCommand) },
  oc: { global: kubectlGlobal, command: merge(kubectlGlobal, kubectlCommand) },
  helm: { global: helmGlobal, command: merge(helmGlobal, helmCommand) },
  argocd: { global: argocdGlobal, command: merge(argocdGlobal, argocdCommand) },
};

export interface WrapperSpec extends FlagSpec {
  /** Flags whose value is itself a command line (env -S): what follows cannot be parsed as argv. */
  opaque?: ReadonlySet<string>;
  /** NAME=value elements before the command (env, sudo). */
  assignments?: boolean;
  /** Positional elements before the command (timeout's DURATION). */
  leadingPositionals?: number;
  /** Old-style numeric option such as `nice -10`. */
  numericOption?: boolean;
  /** Flags after which the wrapper runs nothing (command -v only prints where a program is). */
  runsNothing?: ReadonlySet<string>;
}

const w = (spec: Partial<WrapperSpec>): WrapperSpec => ({ valueLong: new Set(), boolLong: new Set(), valueShort: '', boolShort: '', ...spec });

export const wrappers: Record<string, WrapperSpec> = {
  env: w({
    valueLong: set('unset', 'chdir'),
    boolLong: set('ignore-environment', 'null', 'debug', 'block-signal', 'default-signal', 'ignore-signal', 'list-signal-handling'),
    valueShort: 'uC',
    boolShort: 'i0v',
    opaque: new Set(['--split-string', '-S']),
    assignments: true,
  }),
  sudo: w({
    valueLong: set('user', 'group', 'chdir', 'close-from', 'host', 'prompt', 'role', 'type', 'command-timeout', 'other-user', 'chroot'),
    boolLong: set('askpass', 'background', 'preserve-env', 'set-home', 'login', 'remove-timestamp', 'reset-timestamp', 'non-interactive', 'preserve-groups', 'stdin', 'shell', 'bell'),
    valueShort: 'ugCDhprtTUR',
    boolShort: 'AbEHiKknPSsB',
    assignments: true,
    runsNothing: new Set(['-e', '--edit', '-l', '--list', '-v', '--validate', '-V', '--version', '-k', '-K']),
  }),
  doas: w({ valueShort: 'uC', boolShort: 'nsL' }),
  nice: w({ valueLong: set('adjustment'), valueShort: 'n', numericOption: true }),
  ionice: w({ valueLong: set('class', 'classdata'), boolLong: set('ignore'), valueShort: 'cn', boolShort: 't' }),
  timeout: w({ valueLong: set('signal', 'kill-after'), boolLong: set('preserve-status', 'foreground', 'verbose'), valueShort: 'sk', boolShort: 'v', leadingPositionals: 1 }),
  nohup: w({}),
  setsid: w({ boolLong: set('ctty', 'fork', 'wait'), boolShort: 'cfw' }),
  stdbuf: w({ valueLong: set('input', 'output', 'error'), valueShort: 'ioe' }),
  time: w({ valueLong: set('format', 'output'), boolLong: set('portability', 'append', 'verbose', 'quiet'), valueShort: 'fo', boolShort: 'pav' }),
  command: w({ boolShort: 'p', runsNothing: new Set(['-v', '-V']) }),
  exec: w({ valueShort: 'a', boolShort: 'cl' }),
  builtin: w({}),
};

/** Programs that run a command line given as one string: their argument cannot be parsed as argv. */
export const shells = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'busybox', 'pwsh', 'powershell', 'cmd', 'su', 'ssh', 'xargs', 'watch', 'parallel', 'script']);

/** Distributions that run kubectl or helm as a subcommand: `microk8s kubectl ...`. */
export const multiplexers = new Set(['microk8s', 'k3s', 'k0s', 'minikube', 'kind', 'rke2']);
