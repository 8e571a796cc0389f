// The kube argv guards against the bypasses of issue 9 and more of the same kind. No cluster is
// needed: the guards judge argv as data, the way kubectl's and helm's own flag parsers read it.

import * as assert from 'node:assert/strict';
import { analyseArgv, destructiveArgvReason, findClusterWideForms, isDestructiveArgv } from '../../../src/policy/argvGuards';

type Row = [argv: string[], destructive: boolean, clusterWide: RegExp | false, why?: RegExp];

const rows: Row[] = [
  // Issue 9's cases: a flag's value must not be mistaken for the verb.
  [['kubectl', '--request-timeout', '30s', 'delete', 'namespace', 'payments'], true, /cluster-scoped namespace/],
  [['kubectl', '-v', '6', 'delete', 'deployment', 'checkout', '-n', 'shop'], true, false],
  [['kubectl', '--as', 'admin', 'delete', 'pod', 'checkout-1', '-n', 'shop'], true, false],
  [['env', 'kubectl', 'delete', 'pod', 'checkout-1'], true, false],
  [['kubectl-1.29', 'delete', 'pod', 'checkout-1'], true, false],
  [['helm', '--registry-config', 'f', 'uninstall', 'web'], true, false],
  [['kubectl', 'rollout', 'restart', 'deployment', '-Aw'], false, /all namespaces/],
  // Other documented value flags and spellings.
  [['kubectl', '--as-group', 'system:masters', '--context', 'prod', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '--kubeconfig', '/tmp/k', '--cache-dir', '/tmp/c', 'drain', 'node-1'], true, /acts on a node/],
  [['kubectl', '-s', 'https://10.0.0.1', 'delete', 'ns', 'payments'], true, /cluster-scoped ns/],
  [['kubectl', '-v6', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '-v=6', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '--v', '6', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '-nshop', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '-n=shop', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '--namespace=shop', 'delete', 'pod', 'x'], true, false],
  [['kubectl', '--user', 'admin', '--token', 't', 'exec', 'pod-1', '--', 'rm', '-rf', '/data'], true, false, /runs or copies arbitrary content/],
  [['helm', '--kube-context', 'prod', '-n', 'shop', 'uninstall', 'web'], true, false],
  [['helm', '--kube-as-user', 'admin', '--burst-limit', '100', 'delete', 'web'], true, false],
  [['helm', '--namespace', 'shop', 'un', 'web'], true, false],
  [['helm', 'uninstall', 'web', '--all-namespaces'], true, /all namespaces/],
  [['helm', 'uninstall', 'web', '-A'], true, /all namespaces/],
  [['argocd', '--server', 'argo.example', '--auth-token', 't', 'app', 'delete', 'checkout'], true, false],
  [['argocd', '--grpc-web', 'app', 'sync', 'checkout', '--prune'], true, false, /--prune deletes resources/],
  [['argocd', 'app', 'rollback', 'checkout', '11'], false, false],
  // Combined shorthands.
  [['kubectl', 'delete', 'pods', '-Aw'], true, /all namespaces/],
  [['kubectl', 'delete', 'pods', '-wA'], true, /all namespaces/],
  [['kubectl', 'rollout', 'restart', 'deployment', '-A=false'], false, false],
  [['kubectl', 'rollout', 'restart', 'deployment', '--all-namespaces=false'], false, false],
  [['kubectl', 'rollout', 'restart', 'deployment', '--all-namespaces=true'], false, /all namespaces/],
  [['kubectl', 'delete', 'pods', '--all', '-n', 'shop'], true, /--all changes every resource/],
  // Wrappers.
  [['sudo', '-u', 'root', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['sudo', '-E', '--', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['env', '-i', 'KUBECONFIG=/tmp/evil', 'PATH=/usr/bin', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['env', '-u', 'HOME', '--chdir=/tmp', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['nice', '-n', '10', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['nice', '-10', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['timeout', '30s', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['timeout', '-s', 'KILL', '-k', '5s', '30s', 'helm', 'uninstall', 'web'], true, false],
  [['nohup', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['command', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['exec', '-a', 'k', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['stdbuf', '-oL', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['ionice', '-c', '3', 'nice', 'timeout', '10', 'nohup', 'env', 'kubectl', 'delete', 'ns', 'payments'], true, /cluster-scoped ns/],
  [['microk8s', 'kubectl', 'delete', 'pod', 'x'], true, false],
  [['command', '-v', 'kubectl'], false, false],
  // Versioned and path-qualified programs.
  [['/usr/local/bin/kubectl', 'delete', 'pod', 'x'], true, false],
  [['C:\\Tools\\kubectl.exe', 'delete', 'pod', 'x'], true, false],
  [['KUBECTL.EXE', 'delete', 'pod', 'x'], true, false],
  [['kubectl1.29', 'delete', 'pod', 'x'], true, false],
  [['helm3', 'uninstall', 'web'], true, false],
  [['helm-v3.14.0', 'uninstall', 'web'], true, false],
  [['./bin/oc', 'delete', 'project', 'shop'], true, /cluster-scoped project/],
  [['kubecolor', 'delete', 'pod', 'x'], true, false],
  // When the verb cannot be determined, the command is destructive.
  [['kubectl', '--frobnicate', 'get', 'pods'], true, false, /verb cannot be determined/],
  [['kubectl', '-Z', 'get', 'pods'], true, false, /verb cannot be determined/],
  [['kubectl'], true, false, /no kubectl verb/],
  [['kubectl', '--', 'delete', 'ns', 'x'], true, /cluster-scoped ns/],
  [['kubectl', 'frobnicate', 'everything'], true, false, /not a kubectl command: it would run a plugin/],
  [['kubectl-neat', 'get', 'pod', 'x'], true, false, /plugin/],
  [['helm', 'secrets', 'decrypt', 'x'], true, false, /not a helm command/],
  [['sh', '-c', 'kubectl delete ns payments'], true, /cluster-scoped ns/],
  [['bash', '-lc', 'for n in a b; do kubectl -n "$n" delete pod x; done'], true, false],
  [['env', '-S', 'kubectl delete pod x'], true, false, /command line given as one string/],
  [['xargs', 'kubectl', 'delete', 'pod'], true, false],
  [['ssh', 'bastion', 'helm uninstall web'], true, false],
  [['python3', 'tools/run.py', 'kubectl', 'delete'], true, false],
  // What is not destructive stays so.
  [['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1'], false, false],
  [['kubectl', '--request-timeout', '30s', 'rollout', 'undo', 'deployment/checkout', '-n', 'shop'], false, false],
  [['kubectl', 'scale', 'deployment/checkout', '--replicas=3', '-n', 'shop'], false, false],
  [['kubectl', 'get', 'pods', '-Aw'], false, false],
  [['kubectl', 'rollout', 'status', 'deployment/x', '-A'], false, false],
  [['helm', 'rollback', 'web', '3', '-n', 'shop', '--kube-context', 'prod'], false, false],
  [['helm', 'list', '-A'], false, false],
  [['amtool', 'silence', 'add', 'alertname=X'], false, false],
  [['node', 'scripts/flush.js', '--service', 'checkout', '--reason=helm upgrade broke it'], false, false],
  [['env', 'FOO=1', 'node', 'scripts/flush.js'], false, false],
];

describe('kube argv guards (table)', () => {
  for (const [argv, destructive, clusterWide, why] of rows) {
    it(`${JSON.stringify(argv)}: ${destructive ? 'destructive' : 'not destructive'}${clusterWide ? ', cluster-wide' : ''}`, () => {
      assert.equal(isDestructiveArgv(argv), destructive, destructiveArgvReason(argv) ?? 'no reason');
      const forms = findClusterWideForms(argv);
      if (clusterWide) assert.match(forms.join('; '), clusterWide);
      else assert.deepEqual(forms, []);
      if (why) assert.match(destructiveArgvReason(argv) ?? '', why);
    });
  }

  it('has every case of the issue and at least 60 rows', () => assert.ok(rows.length >= 60, String(rows.length)));
});

describe('kube argv parsing', () => {
  it('reads flags and values the way pflag does', () => {
    const shape = analyseArgv(['sudo', '-u', 'ops', 'env', 'KUBECONFIG=/k', 'kubectl-1.29', '-v', '6', '--as=admin', '-nshop', 'rollout', 'restart', 'deployment/x', '-Aw', '--context', 'prod']);
    assert.equal(shape.kind, 'kube');
    if (shape.kind !== 'kube') return;
    const c = shape.command;
    assert.deepEqual({ tool: c.tool, toolIndex: c.toolIndex, wrappers: c.wrappers, assignments: c.assignments, verb: c.verb, positionals: c.positionals }, {
      tool: 'kubectl',
      toolIndex: 5,
      wrappers: ['sudo', 'env'],
      assignments: ['KUBECONFIG=/k'],
      verb: 'rollout',
      positionals: ['rollout', 'restart', 'deployment/x'],
    });
    assert.deepEqual(c.flags, [
      { name: '--v', value: '6' },
      { name: '--as', value: 'admin' },
      { name: '--namespace', value: 'shop' },
      { name: '--all-namespaces', value: true },
      { name: '--watch', value: true },
      { name: '--context', value: 'prod' },
    ]);
  });

  it('a program that is not a kube tool, with no kube tool in its argv, is none of its business', () => {
    assert.deepEqual(analyseArgv(['node', 'x.js']), { kind: 'none' });
    assert.deepEqual(analyseArgv([]), { kind: 'none' });
  });
});
