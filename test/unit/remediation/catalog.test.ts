import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProposedAction } from '../../../src/core/model';
import { loadRunbookActions, loadRunbookFile, planAction, type PlanContext } from '../../../src/remediation/catalog';
import { PlanError } from '../../../src/remediation/plan';
import { removeDir, tempDir } from './helpers';

const ctx: PlanContext = { environment: 'production', workspaceDir: '/ws', kubeContext: 'prod-eu-1', namespace: 'shop', alertmanagerUrl: 'http://127.0.0.1:9093' };

function propose(actionId: string, params: ProposedAction['params']): ProposedAction {
  return { actionId, title: actionId, params, why: 'test' };
}

describe('action catalog: built-in plans', () => {
  it('rollback-deploy via kubectl: rollout undo with explicit namespace and context, server dry-run', () => {
    const plan = planAction(propose('rollback-deploy', { service: 'checkout', replicas: 4 }), ctx);
    assert.deepEqual(plan.argv, ['kubectl', 'rollout', 'undo', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1']);
    assert.deepEqual(plan.dryRunArgv, [...plan.argv, '--dry-run=server']);
    assert.deepEqual(plan.target, { context: 'prod-eu-1', cluster: undefined, namespace: 'shop', service: 'checkout', environment: 'production', tier: undefined });
    assert.deepEqual({ pods: plan.blastRadius.pods, destructive: plan.destructive }, { pods: 4, destructive: false });
    assert.deepEqual(plan.rollback?.argv, ['kubectl', 'rollout', 'undo', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1']);
    assert.deepEqual(plan.env, ['KUBECONFIG']);
  });

  it('rollback-deploy to a revision adds --to-revision', () => {
    const plan = planAction(propose('rollback-deploy', { service: 'checkout', revision: 7 }), ctx);
    assert.equal(plan.argv.at(-1), '--to-revision=7');
    assert.equal(plan.blastRadius.unknown, true, 'without a replica count the blast radius is unknown, not zero');
  });

  it('rollback-deploy via helm: rollback <release> <revision> -n --kube-context, --dry-run', () => {
    const plan = planAction(propose('rollback-deploy', { tool: 'helm', service: 'checkout', release: 'checkout-prod', revision: 3, currentRevision: 5 }), ctx);
    assert.deepEqual(plan.argv, ['helm', 'rollback', 'checkout-prod', '3', '-n', 'shop', '--kube-context', 'prod-eu-1']);
    assert.deepEqual(plan.dryRunArgv, [...plan.argv, '--dry-run']);
    assert.deepEqual(plan.rollback?.argv, ['helm', 'rollback', 'checkout-prod', '5', '-n', 'shop', '--kube-context', 'prod-eu-1']);
  });

  it('rollback-deploy via argocd: app rollback <app> <id>, previewed with app history', () => {
    const plan = planAction(propose('rollback-deploy', { tool: 'argocd', app: 'checkout', historyId: 11 }), ctx);
    assert.deepEqual(plan.argv, ['argocd', 'app', 'rollback', 'checkout', '11']);
    assert.deepEqual(plan.dryRunArgv, ['argocd', 'app', 'history', 'checkout']);
    assert.match(plan.dryRunNote ?? '', /no dry-run/);
  });

  it('a workspace runbook with a built-in id replaces the built-in there (its own deploy tool)', () => {
    const { actions, error } = loadRunbookActions(`actions:
  - id: rollback-deploy
    title: Deploy a service at an earlier revision
    argv: [node, .lab/deploy.js, --workspace, ., --service, "{{service}}", --to, "{{revision}}"]
    params: { service: { pattern: "[a-z][a-z0-9-]*" }, revision: { pattern: "[0-9a-f]{7,40}" }, fromRevision: { pattern: "[0-9a-f]{7,40}" } }
    risk: medium
    blastRadius: { pods: 1 }
    verification: { errorRatio: { service: "{{service}}" }, condition: { op: "<", value: 0.05 }, timeoutMs: 1000, intervalMs: 100 }
    rollback: { argv: [node, .lab/deploy.js, --workspace, ., --service, "{{service}}", --to, "{{fromRevision}}"] }
`);
    assert.equal(error, undefined);
    const plan = planAction(propose('rollback-deploy', { service: 'payments', revision: 'a1b2c3d', fromRevision: 'f00ba47' }), { ...ctx, runbooks: actions });
    assert.equal(plan.tool, 'runbook');
    assert.deepEqual(plan.argv, [process.execPath, '.lab/deploy.js', '--workspace', '.', '--service', 'payments', '--to', 'a1b2c3d']);
    assert.deepEqual(plan.rollback?.argv, [process.execPath, '.lab/deploy.js', '--workspace', '.', '--service', 'payments', '--to', 'f00ba47']);
    assert.deepEqual(plan.verification?.signal, { kind: 'error-ratio', service: 'payments' });
    assert.throws(() => planAction(propose('rollback-deploy', { service: 'payments', revision: '--help', fromRevision: 'f00ba47' }), { ...ctx, runbooks: actions }), /revision/);
    // Without the runbook, the built-in (kubectl) applies.
    assert.equal(planAction(propose('rollback-deploy', { service: 'payments' }), ctx).argv[0], 'kubectl');
  });

  it('restart, pause and scale', () => {
    assert.deepEqual(planAction(propose('restart', { service: 'checkout' }), ctx).argv, ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1']);
    const pause = planAction(propose('pause-rollout', { service: 'checkout' }), ctx);
    assert.deepEqual(pause.argv, ['kubectl', 'rollout', 'pause', 'deployment/checkout', '-n', 'shop', '--context', 'prod-eu-1']);
    assert.deepEqual(pause.rollback?.argv.slice(1, 3), ['rollout', 'resume']);
    const scale = planAction(propose('scale', { service: 'checkout', replicas: 6, currentReplicas: 4 }), ctx);
    assert.deepEqual(scale.argv, ['kubectl', 'scale', 'deployment/checkout', '--replicas=6', '-n', 'shop', '--context', 'prod-eu-1']);
    assert.deepEqual({ pods: scale.blastRadius.pods, replicas: scale.blastRadius.replicas }, { pods: 2, replicas: 2 }, 'blast radius is the replica delta');
    assert.deepEqual(scale.rollback?.argv, ['kubectl', 'scale', 'deployment/checkout', '--replicas=4', '-n', 'shop', '--context', 'prod-eu-1']);
  });

  it('scale is bounded', () => {
    assert.throws(() => planAction(propose('scale', { service: 'checkout', replicas: 0 }), ctx), /Replicas must be a whole number from 1 to 50/);
    assert.throws(() => planAction(propose('scale', { service: 'checkout', replicas: 9 }), { ...ctx, scaleBounds: { min: 2, max: 8 } }), /from 2 to 8, got 9/);
    assert.throws(() => planAction(propose('scale', { service: 'checkout', replicas: '3; reboot' }), ctx), PlanError);
  });

  it('silence-alert: amtool silence add with quoted matchers, previewed with alert query', () => {
    const plan = planAction(propose('silence-alert', { 'match.alertname': 'HighErrorRate', 'match.service': 'check"out', duration: '2h', comment: 'investigating' }), ctx);
    assert.deepEqual(plan.argv, ['amtool', 'silence', 'add', '--alertmanager.url=http://127.0.0.1:9093', '--author=incident-lens', '--comment=investigating', '--duration=2h', 'alertname="HighErrorRate"', 'service="check\\"out"']);
    assert.deepEqual(plan.dryRunArgv, ['amtool', 'alert', 'query', '--alertmanager.url=http://127.0.0.1:9093', 'alertname="HighErrorRate"', 'service="check\\"out"']);
    assert.equal(plan.risk, 'low');
  });

  it('rejects names that are not Kubernetes names, with a clear message', () => {
    for (const bad of ['checkout; rm -rf /', 'Checkout', '-checkout', '--all', 'check out', '$(touch x)', 'a'.repeat(254)]) {
      assert.throws(() => planAction(propose('restart', { service: bad }), ctx), (err: Error) => err instanceof PlanError && /is not a valid Kubernetes name/.test(err.message), bad);
    }
    assert.throws(() => planAction(propose('restart', { service: 'checkout', namespace: 'Shop' }), ctx), /not a valid Kubernetes namespace/);
    assert.throws(() => planAction(propose('restart', { service: 'checkout' }), { ...ctx, kubeContext: '--kubeconfig=/tmp/evil' }), /not an accepted context name/);
    assert.throws(() => planAction(propose('restart', { service: 'checkout' }), { ...ctx, kubeContext: undefined }), /No kube context is configured for environment "production"/);
    assert.throws(() => planAction(propose('restart', { service: 'checkout', context: 'staging-1' }), ctx), /names kube context "staging-1", but environment "production" uses "prod-eu-1"/);
    assert.throws(() => planAction(propose('rollback-deploy', { tool: 'helm', release: 'Bad_Release' }), ctx), /not a valid release name/);
    assert.throws(() => planAction(propose('silence-alert', { 'match.bad-name': 'x' }), ctx), /not a valid Prometheus label name/);
    assert.throws(() => planAction(propose('teleport', {}), ctx), /Unknown action "teleport"/);
  });
});

describe('action catalog: runbook actions from .incident-lens/actions.yaml', () => {
  const yaml = `
actions:
  - id: flush-cache
    title: Flush the cache of a service
    argv: [node, scripts/flush.js, --service, "{{service}}", "--reason={{reason}}", "{{workspaceDir}}/x"]
    params:
      service: { pattern: "[a-z0-9-]+" }
      reason: { pattern: ".+", allowLeadingDash: false, description: free text }
    risk: low
    environment: [staging, "prod*"]
    verification:
      description: cache hit ratio recovers
      query: cache_hit_ratio{service="{{service}}"}
      condition: { op: ">", value: 0.9 }
      timeoutMs: 60000
      intervalMs: 5000
    rollback: { description: warm it again, argv: [node, scripts/warm.js, "{{service}}"] }
`;

  it('fills placeholders as whole elements and inside elements, never splitting them', () => {
    const { actions, error } = loadRunbookActions(yaml);
    assert.equal(error, undefined);
    const plan = planAction(propose('flush-cache', { service: 'checkout', reason: 'a b; c $HOME' }), { ...ctx, runbooks: actions });
    assert.deepEqual(plan.argv, [process.execPath, 'scripts/flush.js', '--service', 'checkout', '--reason=a b; c $HOME', '/ws/x']);
    assert.deepEqual(plan.verification?.signal, { kind: 'promql', query: 'cache_hit_ratio{service="checkout"}' });
    assert.deepEqual(plan.rollback?.argv, [process.execPath, 'scripts/warm.js', 'checkout']);
    assert.equal(plan.cwd, '/ws');
  });

  it('"$&" and "$1" in a value are copied literally', () => {
    const { actions } = loadRunbookActions(yaml);
    const plan = planAction(propose('flush-cache', { service: 'checkout', reason: '$& $1 $$' }), { ...ctx, runbooks: actions });
    assert.equal(plan.argv[4], '--reason=$& $1 $$');
  });

  it('checks declared patterns, missing params and environments', () => {
    const { actions } = loadRunbookActions(yaml);
    const c = { ...ctx, runbooks: actions };
    assert.throws(() => planAction(propose('flush-cache', { service: 'check out', reason: 'x' }), c), /"service" = "check out" does not match the pattern/);
    assert.throws(() => planAction(propose('flush-cache', { service: 'checkout' }), c), /needs parameter "reason"/);
    assert.throws(() => planAction(propose('flush-cache', { service: 'checkout', reason: 'x' }), { ...c, environment: 'dev' }), /declared for staging, prod\*, not for "dev"/);
  });

  it('rejects bad files with the line of the problem, offering no action at all', () => {
    const cases: [string, RegExp][] = [
      ['actions:\n  - id: x\n    argv: "rm -rf /"\n', /actions\.yml:3:11: actions\.0\.argv: expected a non-empty list of strings/],
      ['actions:\n  - id: x\n    argv: ["kubectl delete pod foo"]\n', /looks like a shell command line/],
      ['actions:\n  - id: x\n    argv: [echo, "{{who}}"]\n', /placeholder \{\{who\}\} is not a declared parameter/],
      ['actions:\n  - id: x\n    argv: [echo]\n    risk: tiny\n', /unknown risk "tiny"/],
      ['actions:\n  - id: x\n    argv: [echo]\n    env: ["TOKEN=abc"]\n', /environment variable NAMES/],
      ['actions:\n  - id: x\n    argv: [echo]\n    params: { p: { pattern: "(" } }\n', /invalid regular expression/],
      ['actions: [\n', /actions\.yml:\d+:\d+: not valid YAML/],
      ['actions:\n  - id: x\n    argv: ["{{tool}}", "--now"]\n    params: { tool: {} }\n', /the program \(first element\) cannot be a placeholder/],
    ];
    for (const [text, want] of cases) {
      const r = loadRunbookActions(text, 'actions.yml');
      assert.match(r.error ?? '', want, text);
      assert.equal(r.actions.length, 0);
    }
  });

  it('a runbook that deletes is destructive even when it does not say so; relative cwd is under the workspace', () => {
    const ws = tempDir('runbook-ws');
    try {
      fs.mkdirSync(path.join(ws, 'ops'));
      const { actions } = loadRunbookActions('actions:\n  - id: kill-pod\n    argv: [kubectl, delete, "pod/{{pod}}", -n, shop]\n    cwd: ops\n    params: { pod: { pattern: "[a-z0-9-]+" } }\n');
      const plan = planAction(propose('kill-pod', { pod: 'checkout-7d9f-abcde' }), { ...ctx, workspaceDir: ws, runbooks: actions });
      assert.equal(plan.destructive, true);
      assert.equal(plan.cwd, fs.realpathSync(path.join(ws, 'ops')));
    } finally {
      removeDir(ws);
    }
  });

  it('loads from a file; a missing file means no runbook actions', () => {
    const dir = tempDir('runbooks');
    try {
      assert.deepEqual(loadRunbookFile(path.join(dir, 'actions.yaml')), { actions: [] });
      fs.writeFileSync(path.join(dir, 'actions.yaml'), yaml);
      assert.equal(loadRunbookFile(path.join(dir, 'actions.yaml')).actions[0].id, 'flush-cache');
    } finally {
      removeDir(dir);
    }
  });
});

describe('action catalog: runbook parameters cannot inject options or escape the workspace (issue 9)', () => {
  let ws: string;
  beforeEach(() => {
    ws = tempDir('runbook-params');
    fs.mkdirSync(path.join(ws, 'ops'));
  });
  afterEach(() => removeDir(ws));

  const runbook = `
actions:
  - id: annotate
    argv: [node, scripts/annotate.js, "{{target}}", "--env={{environment}}"]
    params:
      target: { description: no pattern declared }
  - id: grep-logs
    argv: [grep, "{{needle}}", logs/app.log]
    params:
      needle: { pattern: ".+", allowLeadingDash: true }
  - id: in-dir
    argv: [ls]
    cwd: "{{dir}}"
    params:
      dir: { pattern: ".+" }
  - id: sized
    argv: [echo, hi]
    blastRadius: { pods: 2, replicas: 2, description: two pods }
`;
  const c = (): PlanContext => ({ ...ctx, environment: 'staging', workspaceDir: ws, runbooks: loadRunbookActions(runbook, 'actions.yaml').actions });

  it('the file loads', () => assert.equal(loadRunbookActions(runbook).error, undefined));

  it('a parameter without a pattern refuses --kubeconfig=/tmp/evil (the default pattern never starts with "-")', () => {
    assert.throws(() => planAction(propose('annotate', { target: '--kubeconfig=/tmp/evil' }), c()), /"target" = "--kubeconfig=\/tmp\/evil" starts with "-", so the program would read it as an option/);
    assert.throws(() => planAction(propose('annotate', { target: '-rf' }), c()), /starts with "-"/);
    assert.deepEqual(planAction(propose('annotate', { target: 'checkout-7d9f' }), c()).argv.slice(2), ['checkout-7d9f', '--env=staging']);
  });

  it('the default pattern refuses spaces and shell characters; a declared pattern is needed for free text', () => {
    for (const bad of ['a b', 'a;b', '$(id)', '`id`', 'a|b', '', '*']) {
      assert.throws(() => planAction(propose('annotate', { target: bad }), c()), /does not match the default pattern/, JSON.stringify(bad));
    }
  });

  it('newlines and other control characters are refused, pattern or not', () => {
    for (const bad of ['x\ntouch /tmp/pwned', 'x\r', 'x\u0000', 'x\u001b[31m', 'x\u202e']) {
      assert.throws(() => planAction(propose('grep-logs', { needle: bad }), c()), /contains the control character U\+/, JSON.stringify(bad));
    }
  });

  it('a parameter that allows a leading "-" accepts it (grep -v)', () => {
    assert.deepEqual(planAction(propose('grep-logs', { needle: '-v' }), c()).argv, ['grep', '-v', 'logs/app.log']);
  });

  it('{{environment}} is validated like any other value', () => {
    assert.throws(() => planAction(propose('annotate', { target: 'x' }), { ...c(), environment: '--kubeconfig=/tmp/evil' }), /"environment" = "--kubeconfig=\/tmp\/evil" starts with "-"/);
    assert.throws(() => planAction(propose('annotate', { target: 'x' }), { ...c(), environment: 'staging\nprod' }), /U\+000A/);
    assert.throws(() => planAction(propose('annotate', { target: 'x' }), { ...c(), environment: 'eu prod' }), /"environment" = "eu prod" does not match the default pattern/);
  });

  it('a cwd of {{dir}} = /etc is refused; so are ../.. and a symlink that leads out', () => {
    assert.throws(() => planAction(propose('in-dir', { dir: '/etc' }), c()), /The cwd of "in-dir" "\/etc" resolves to \/etc, outside the workspace/);
    assert.throws(() => planAction(propose('in-dir', { dir: '../..' }), c()), /outside the workspace/);
    fs.symlinkSync('/etc', path.join(ws, 'ops', 'etc-link'));
    assert.throws(() => planAction(propose('in-dir', { dir: 'ops/etc-link' }), c()), /resolves to \/etc, outside the workspace/);
    assert.throws(() => planAction(propose('in-dir', { dir: 'missing' }), c()), /cannot be resolved \(ENOENT\)/);
    assert.equal(planAction(propose('in-dir', { dir: 'ops' }), c()).cwd, fs.realpathSync(path.join(ws, 'ops')));
  });

  it('a runbook with no blast radius is unknown, not 0 pods; a declared one is used', () => {
    const plan = planAction(propose('annotate', { target: 'x' }), c());
    assert.equal(plan.blastRadius.unknown, true);
    assert.match(plan.blastRadius.description, /declares no blast radius/);
    assert.deepEqual(planAction(propose('sized', {}), c()).blastRadius, { pods: 2, replicas: 2, description: 'two pods' });
    assert.match(loadRunbookActions('actions:\n  - id: x\n    argv: [echo]\n    blastRadius: { pods: .nan }\n').error ?? '', /whole numbers >= 0/);
    assert.match(loadRunbookActions('actions:\n  - id: x\n    argv: [echo]\n    blastRadius: { pods: -1 }\n').error ?? '', /whole numbers >= 0/);
  });

  it('an unknown key in a parameter spec is an error, not silently ignored', () => {
    assert.match(loadRunbookActions('actions:\n  - id: x\n    argv: [echo, "{{p}}"]\n    params: { p: { patern: "x" } }\n').error ?? '', /unknown key "patern"/);
  });

  it('an alias bomb or a __proto__ key is an error, and loadRunbookActions never throws', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = loadRunbookActions(`${levels.join('\n')}\nactions: []\n`, 'actions.yaml');
    assert.match(bomb.error ?? '', /actions\.yaml is refused: actions\.yaml: its aliases expand past 50 copies/);
    const proto = loadRunbookActions('actions:\n  - id: x\n    argv: [echo, "{{p}}"]\n    params:\n      __proto__: { pattern: ".*" }\n', 'actions.yaml');
    assert.match(proto.error ?? '', /actions\.yaml:5:7: the key "__proto__" is not allowed/);
    assert.equal(proto.actions.length, 0);
  });
});

describe('action catalog: blast radius of the built-in plans fails closed (issue 9)', () => {
  const k: PlanContext = { ...ctx, scaleBounds: { min: 0, max: 50 } };
  const cases: [string, ProposedAction['params'], { pods?: number; replicas?: number; unknown?: boolean }][] = [
    ['scale', { service: 'checkout', replicas: 0, currentReplicas: 6 }, { pods: 6, replicas: 6 }],
    ['scale', { service: 'checkout', replicas: 0, currentReplicas: 0 }, { unknown: true }],
    ['scale', { service: 'checkout', replicas: 0 }, { unknown: true }],
    ['scale', { service: 'checkout', replicas: 4, currentReplicas: 6 }, { pods: 2, replicas: 2 }],
    ['restart', { service: 'checkout', replicas: 0 }, { unknown: true }],
    ['restart', { service: 'checkout' }, { unknown: true }],
    ['restart', { service: 'checkout', replicas: 3 }, { pods: 3, replicas: 3 }],
    ['rollback-deploy', { service: 'checkout', replicas: 0 }, { unknown: true }],
    ['pause-rollout', { service: 'checkout' }, { pods: 0, replicas: 0 }],
  ];
  for (const [actionId, params, want] of cases) {
    it(`${actionId} ${JSON.stringify(params)}: ${JSON.stringify(want)}`, () => {
      const b = planAction(propose(actionId, params), k).blastRadius;
      assert.deepEqual({ pods: b.pods, replicas: b.replicas, unknown: b.unknown }, { pods: want.pods, replicas: want.replicas, unknown: want.unknown });
    });
  }

  it('scaling to 0 is high risk', () => {
    assert.equal(planAction(propose('scale', { service: 'checkout', replicas: 0, currentReplicas: 6 }), k).risk, 'high');
  });

  it('silence matchers named __proto__, constructor or prototype are refused with their name', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      // JSON.parse makes "__proto__" an own key, as a proposal from the webview or a model would carry it.
      const params = JSON.parse(`{"match.${key}": "x", "match.alertname": "A"}`) as ProposedAction['params'];
      assert.throws(() => planAction(propose('silence-alert', params), ctx), new RegExp(`Silence matcher "${key}" is refused`));
    }
  });
});
