// Deployment risk on a real repository built here (deploy tag, commits by several authors), with a
// real Prometheus holding a week of backfilled traffic, coverage written by Node's own test runner,
// the policy's freeze windows, open alerts, incident memory, and an Argo CD application answered in
// the documented v1alpha1.Application shape.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Alert } from '../../../src/core/model';
import { GitHistorySource } from '../../../src/sources/changeHistory';
import { GitChangeSource } from '../../../src/sources/git';
import { ArgoCdSource } from '../../../src/sources/argocd';
import { PrometheusSource } from '../../../src/sources/prometheus';
import { assessDeploymentRisk, type DeploymentRiskDeps } from '../../../src/agent/deployRisk/assess';
import { dailyPattern } from '../../../src/agent/deployRisk/factors';
import type { IncidentRecord } from '../../../src/agent/incidentMemory';
import { binariesAvailable, startPrometheus, type RunningServer } from '../../support/promStack';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const PEOPLE: Record<string, [string, string]> = { alice: ['Alice', 'alice@shop.example'], bob: ['Bob', 'bob@shop.example'], carol: ['Carol', 'carol@shop.example'], erin: ['Erin', 'erin@shop.example'] };

function git(dir: string, args: string[], who = 'alice', when = Date.now()): string {
  const [name, email] = PEOPLE[who];
  const date = `@${Math.floor(when / 1000)} +0000`;
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
}
function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}
function commit(dir: string, who: string, when: number, message: string): string {
  git(dir, ['add', '-A'], who, when);
  git(dir, ['commit', '-q', '-m', message], who, when);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

const CHARGE = (extra: string) => `'use strict';
function charge(amount, card) {
  if (!card) throw new Error('no card');
  if (amount <= 0) return { status: 'rejected' };
  return { status: 'ok', amount };
}
${extra}module.exports = { charge };
`;

describe('deployment risk assessment', function () {
  this.timeout(120_000);
  const now = Date.now();
  let dir: string;
  const sha: Record<string, string> = {};
  let history: GitHistorySource;
  let deps: DeploymentRiskDeps;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-deploy-risk-'));
    git(dir, ['init', '-q', '-b', 'main']);
    write(dir, '.gitignore', 'coverage/\n');
    write(dir, 'services/payments/src/charge.js', CHARGE(''));
    write(dir, 'services/payments/test/charge.test.js', "const { test } = require('node:test');\nconst assert = require('node:assert');\nconst { charge } = require('../src/charge');\ntest('charges', () => assert.strictEqual(charge(5, {}).status, 'ok'));\n");
    write(dir, 'services/storefront/src/list.js', "module.exports = { list: () => ['a', 'b'] };\n");
    write(dir, 'README.md', '# Shop\n');
    sha.c1 = commit(dir, 'alice', now - 10 * DAY, 'Initial import');
    write(dir, 'services/payments/src/charge.js', CHARGE('// retries are the caller\'s\n'));
    sha.c2 = commit(dir, 'bob', now - 8 * DAY, 'payments: note on retries');
    write(dir, 'services/storefront/src/list.js', "module.exports = { list: () => ['a', 'b', 'c'] };\n");
    sha.c3 = commit(dir, 'carol', now - 6 * DAY, 'storefront: a third product');
    git(dir, ['tag', '-a', 'deploy/1', '-m', 'deploy 1'], 'carol', now - 5 * DAY);
    write(dir, 'services/storefront/src/list.js', "module.exports = { list: () => ['a', 'b', 'c'].sort() };\n");
    sha.small = commit(dir, 'erin', now - 2 * DAY, 'storefront: sort the list');
    // A large change to payments: new rules, a new module, by an author new to these files.
    const rules = Array.from({ length: 60 }, (_, i) => `  if (card.country === 'C${i}' && amount > ${100 + i}) return { status: 'review', rule: ${i} };\n`).join('');
    write(dir, 'services/payments/src/charge.js', CHARGE('').replace("  return { status: 'ok', amount };\n", `${rules}  return { status: 'ok', amount };\n`));
    write(dir, 'services/payments/src/refund.js', Array.from({ length: 80 }, (_, i) => `exports.r${i} = (x) => x * ${i};`).join('\n') + '\n');
    write(dir, 'config/payments.json', '{ "review": true }\n');
    sha.big = commit(dir, 'erin', now - 1 * DAY, 'payments: review rules per country and refunds');
    history = new GitHistorySource({ repo: dir, trusted: true });
    const changes = new GitChangeSource({ workspace: dir, trusted: true });
    deps = { workspace: dir, trusted: true, history, deploys: (s) => changes.listDeploys(s), environment: 'production', cache: new Map() };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('assesses the commits since the newest deploy tag, every factor with its evidence and weight, as advice', async () => {
    const a = await assessDeploymentRisk(deps, { rev: sha.big });
    assert.deepEqual(a.base, { sha: sha.c3, label: 'deploy/1', source: 'deploy-tag' });
    assert.deepEqual(a.commits.map((c) => c.sha), [sha.small, sha.big]);
    assert.deepEqual(a.services, ['payments', 'storefront']);
    assert.deepEqual(a.factors.map((f) => f.kind), ['change-risk', 'incidents', 'coverage', 'traffic', 'alerts', 'freeze', 'error-budget']);
    for (const f of a.factors) assert.ok(f.value !== undefined || f.notMeasured, `${f.kind} neither measured nor says why`);
    const change = a.factors[0];
    assert.equal(change.weight, 0.35);
    assert.ok(change.evidence.some((e) => e.ref?.kind === 'commit' && e.ref.id === sha.big), 'the big commit is evidence');
    assert.match(change.evidence.at(-1)!.text, /public data/, 'says where the model came from');
    assert.equal(a.recommendation.blocking, false);
    assert.ok(a.score >= 0 && a.score <= 1);
  });

  it('scores the large payments change above the one-line storefront change', async () => {
    const small = await assessDeploymentRisk(deps, { rev: sha.small });
    const big = await assessDeploymentRisk(deps, { rev: sha.big });
    const bigCommit = big.commits.find((c) => c.sha === sha.big)!;
    const smallCommit = small.commits.find((c) => c.sha === sha.small)!;
    assert.ok(bigCommit.risk > smallCommit.risk, `${bigCommit.risk} vs ${smallCommit.risk}`);
    assert.ok(big.score > small.score, `${big.score} vs ${small.score}`);
    assert.ok(bigCommit.reasons.some((r) => /^\+.*lines added: 1\d\d/.test(r)), `reasons: ${bigCommit.reasons.join('; ')}`);
  });

  it('takes what is deployed from an argument, and from an Argo CD application (a body in the documented v1alpha1.Application shape)', async () => {
    const a = await assessDeploymentRisk(deps, { rev: sha.big, base: sha.small });
    assert.deepEqual(a.commits.map((c) => c.sha), [sha.big]);
    assert.equal(a.base.source, 'argument');
    const server = http.createServer((req, res) => {
      if (req.url !== '/api/v1/applications/payments' || req.headers.authorization !== 'Bearer t0ken') {
        res.writeHead(req.headers.authorization ? 404 : 401).end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        metadata: { name: 'payments', namespace: 'argocd' },
        spec: { source: { repoURL: 'https://git.example/shop.git', targetRevision: 'main', path: 'deploy' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' }, project: 'default' },
        status: {
          sync: { status: 'Synced', revision: sha.small, comparedTo: { source: { repoURL: 'https://git.example/shop.git', targetRevision: 'main' } } },
          health: { status: 'Healthy' },
          history: [{ id: 1, revision: sha.c3, deployedAt: new Date(now - 5 * DAY).toISOString() }, { id: 2, revision: sha.small, deployedAt: new Date(now - DAY).toISOString() }],
        },
      }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const argo = new ArgoCdSource({ name: 'argocd', url, authorization: async () => 'Bearer t0ken' });
      const synced = await argo.syncedRevision('payments');
      assert.deepEqual(synced, { application: 'payments', revision: sha.small, syncStatus: 'Synced', health: 'Healthy', deployedAt: Date.parse(new Date(now - DAY).toISOString()) });
      const b = await assessDeploymentRisk({ ...deps, argoCd: { source: argo, application: 'payments' } }, { rev: sha.big });
      assert.equal(b.base.source, 'argocd');
      assert.equal(b.base.sha, sha.small);
      assert.deepEqual(b.commits.map((c) => c.sha), [sha.big]);
      await assert.rejects(argo.syncedRevision('../../etc'), /not an Argo CD application name/);
    } finally {
      server.close();
    }
  });

  it('delays for a freeze window of the policy and suggests the hour after it; an untrusted workspace\'s policy is not read', async () => {
    write(dir, '.incident-lens/policy.yaml', 'version: 1\nrules:\n  - name: friday evening freeze\n    if: { time: { timezone: UTC, days: [fri], hours: "16:00-24:00" } }\n    then: deny\n');
    try {
      const friday = Date.UTC(2026, 2, 6, 17, 30); // a Friday, 17:30 UTC
      const a = await assessDeploymentRisk({ ...deps, now: () => friday }, { rev: sha.small });
      const freeze = a.factors.find((f) => f.kind === 'freeze')!;
      assert.equal(freeze.gate, true);
      assert.match(freeze.summary, /friday evening freeze/);
      assert.equal(a.recommendation.action, 'delay');
      assert.equal(a.recommendation.window?.start, Date.UTC(2026, 2, 7, 0, 0));
      const monday = await assessDeploymentRisk({ ...deps, now: () => Date.UTC(2026, 2, 9, 10, 0) }, { rev: sha.small });
      assert.notEqual(monday.recommendation.action, 'delay');
      const untrusted = await assessDeploymentRisk({ ...deps, trusted: false, now: () => friday }, { rev: sha.small });
      assert.match(untrusted.factors.find((f) => f.kind === 'freeze')!.notMeasured ?? '', /not trusted/);
      assert.notEqual(untrusted.recommendation.action, 'delay');
    } finally {
      fs.rmSync(path.join(dir, '.incident-lens'), { recursive: true, force: true });
    }
  });

  it('delays while a critical alert fires on a service the deploy changes, not for another service', async () => {
    const alert = (service: string): Alert => ({ id: `x-${service}`, name: 'HighErrorRatio', state: 'firing', severity: 'critical', labels: { service }, annotations: { summary: 'errors' }, startsAt: now - HOUR, sourceName: 'am', sourceKind: 'alertmanager', service });
    const onPayments = await assessDeploymentRisk({ ...deps, alerts: async () => [alert('payments')] }, { rev: sha.big });
    assert.equal(onPayments.recommendation.action, 'delay');
    assert.match(onPayments.recommendation.reason, /critical alerts are firing/);
    assert.equal(onPayments.factors.find((f) => f.kind === 'alerts')!.evidence[0].ref?.id, 'am/x-payments');
    const elsewhere = await assessDeploymentRisk({ ...deps, alerts: async () => [alert('search')] }, { rev: sha.big });
    assert.equal(elsewhere.factors.find((f) => f.kind === 'alerts')!.value, 0);
  });

  it('weighs recent incidents on the changed files and services, saying what fixed them', async () => {
    const incident: IncidentRecord = {
      id: 'am/a1@1', alertKey: 'am/a1', alertId: 'a1', alertName: 'HighErrorRatio', severity: 'critical', startedAt: now - 3 * DAY, recordedAt: now - 3 * DAY,
      services: ['payments'], errorSignatures: [], logPatternIds: [], logTemplates: [], files: ['services/payments/src/charge.js'],
      hypothesis: { summary: 'A charge rule threw on cards without a country.', causeKind: 'code-change', confidence: 0.8, abstained: false }, markedWrong: false,
      actions: [{ actionId: 'rollback-deploy', outcome: 'recovered', time: now - 3 * DAY }],
    };
    const a = await assessDeploymentRisk({ ...deps, incidents: () => [incident] }, { rev: sha.big });
    const f = a.factors.find((x) => x.kind === 'incidents')!;
    assert.ok(f.value! > 0.5, `value ${f.value}`);
    assert.match(f.evidence[0].text, /HighErrorRatio on payments, 3 days ago, at services\/payments\/src\/charge\.js: A charge rule threw.*Fixed by rollback-deploy \(recovered\)/);
    const storefrontOnly = await assessDeploymentRisk({ ...deps, incidents: () => [incident] }, { rev: sha.small });
    assert.equal(storefrontOnly.factors.find((x) => x.kind === 'incidents')!.value, 0);
  });

  it('measures coverage of the changed lines from the lcov Node\'s test runner wrote', async () => {
    const project = path.join(dir, 'services', 'payments');
    fs.mkdirSync(path.join(project, 'coverage'));
    execFileSync(process.execPath, ['--test', '--experimental-test-coverage', '--test-reporter=lcov', '--test-reporter-destination=coverage/lcov.info', 'test/charge.test.js'], { cwd: project, stdio: 'pipe' });
    try {
      const a = await assessDeploymentRisk(deps, { rev: sha.big });
      const f = a.factors.find((x) => x.kind === 'coverage')!;
      assert.ok(f.value !== undefined, f.notMeasured);
      // The 60 new rule lines: the test charges a card without a country, so each `if` line runs and no rule matches.
      assert.match(f.summary, /^60 of 60 changed lines covered \(100%\)/);
      assert.ok(f.evidence.some((e) => /services\/payments\/src\/charge\.js: \d+ of \d+ changed lines ran in tests/.test(e.text)), JSON.stringify(f.evidence));
      assert.ok(f.evidence.some((e) => /^not in any report: .*services\/payments\/src\/refund\.js/.test(e.text) && !/config\/payments\.json/.test(e.text)), `the new module no test loads: ${JSON.stringify(f, null, 1)}`);
    } finally {
      fs.rmSync(path.join(project, 'coverage'), { recursive: true, force: true });
    }
  });

  it('finds the usual day of a request rate and its quietest hour', () => {
    // 10 +- 8 req/s, highest at 14:00 UTC and lowest at 02:00 UTC, every 5 minutes for three days.
    const t: number[] = [];
    const v: number[] = [];
    const end = Date.UTC(2026, 4, 10, 9, 0);
    for (let x = end - 3 * DAY; x <= end; x += 300_000) {
      t.push(x);
      v.push(10 + 8 * Math.sin((2 * Math.PI * ((x % DAY) / HOUR - 8)) / 24));
    }
    const p = dailyPattern({ t, v }, end)!;
    assert.ok(Math.abs(p.peak - 18) < 0.3, `peak ${p.peak}`);
    assert.ok(Math.abs(p.now - (10 + 8 * Math.sin((2 * Math.PI * 1) / 24))) < 0.3, `now ${p.now}`);
    assert.equal(new Date(p.quietest!.start).getUTCHours(), 1, 'the quietest hour-long window starts at 01:00 and spans 02:00');
    assert.equal(dailyPattern({ t: t.slice(-100), v: v.slice(-100) }, end), undefined, 'eight hours are no daily pattern');
  });

  describe('with a real Prometheus holding a week of traffic', function () {
    let prom: RunningServer | undefined;
    before(async function () {
      if (!binariesAvailable().ok || spawnSync('promtool', ['--version']).status !== 0) this.skip();
      const start = Math.floor(now / 1000) - 7 * 86_400;
      const lines = ['# HELP http_requests_total Requests.', '# TYPE http_requests_total counter'];
      for (const code of ['200', '500']) {
        let c = 0;
        for (let t = start; t < Math.floor(now / 1000) - 30; t += 300) {
          const hour = (t % 86_400) / 3600;
          const rate = 10 + 8 * Math.sin((2 * Math.PI * (hour - 8)) / 24);
          // 1% of requests fail, 3% on the last day: the week's error ratio is about 1.3%.
          const failing = t < Math.floor(now / 1000) - 86_400 ? 0.01 : 0.03;
          c += rate * 300 * (code === '500' ? failing : 1 - failing);
          lines.push(`http_requests_total{service="payments",code="${code}"} ${c.toFixed(3)} ${t}`);
        }
      }
      lines.push('# EOF');
      prom = await startPrometheus('global:\n  scrape_interval: 15s\nrule_files: [RULES_FILE]\n', 'groups: []\n', 30_000, (d) => {
        fs.writeFileSync(path.join(d, 'history.om'), lines.join('\n') + '\n');
        execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', '-q', path.join(d, 'history.om'), path.join(d, 'data')], { stdio: 'pipe' });
      });
    });
    after(async () => prom?.stop());

    it('compares traffic now with the usual day, suggests the quiet hour, and reads the spent error budget of the SLO file', async () => {
      write(dir, '.incident-lens/slos.yaml', [
        'version: 1',
        'slos:',
        '  - name: payments availability',
        '    service: payments',
        '    objective: 99',
        '    window: 7d',
        '    errorRatio: sum(rate(http_requests_total{service="payments",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{service="payments"}[{{window}}]))',
        '  - name: broken',
        '    service: payments',
        '    objective: 140',
        '',
      ].join('\n'));
      try {
        const source = new PrometheusSource({ name: 'prom', url: prom!.url });
        const a = await assessDeploymentRisk({ ...deps, metrics: () => [source] }, { rev: sha.big });
        const traffic = a.factors.find((f) => f.kind === 'traffic')!;
        assert.ok(traffic.value !== undefined, traffic.notMeasured);
        assert.match(traffic.evidence[0].text, /^payments: [\d.]+ req\/s now, usually [\d.]+ at this time of day; the day's peak 1[78]\.\d+ \(\d days? of data\)/);
        // The sine is lowest at 02:00 UTC: the suggested hour-long window is centred near it.
        const quiet = /quietest next: (\S+) to /.exec(traffic.evidence[0].text);
        assert.ok(quiet, traffic.evidence[0].text);
        const quietMid = Date.parse(quiet[1]) + HOUR / 2;
        assert.ok(Math.abs(((quietMid % DAY) + DAY) % DAY - 2 * HOUR) <= 45 * 60_000, `quiet window ${quiet[1]}`);
        const budget = a.factors.find((f) => f.kind === 'error-budget')!;
        assert.equal(budget.gate, true, JSON.stringify(budget));
        assert.match(budget.evidence[0].text, /payments availability \(payments\): 98\.\d+% good over 7d against 99\.000%: budget spent/);
        assert.equal(a.recommendation.action, 'delay');
        assert.match(a.recommendation.reason, /error budget is spent/);
        assert.ok(a.notes.some((n) => /broken: "objective" must be a percentage/.test(n)), 'the invalid SLO is named with its problem');
      } finally {
        fs.rmSync(path.join(dir, '.incident-lens'), { recursive: true, force: true });
      }
    });
  });

  it('the command line prints the assessment, as JSON too, and refuses a revision that is not one', () => {
    const bin = path.resolve(__dirname, '../../../bin/incident-lens.js');
    const text = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--rev', sha.big], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^DEPLOYMENT RISK: (low|medium|high) \(\d+%\)/);
    assert.match(text.stdout, /deployed [0-9a-f]{12} \(deploy\/1\)/);
    assert.match(text.stdout, /RECOMMENDATION: (deploy now|deploy in a window|delay)/);
    assert.match(text.stdout, /advice only: nothing is blocked/);
    const json = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.target.sha, sha.big);
    assert.equal(parsed.commits.length, 2);
    const bad = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--rev', '--upload-pack=touch /tmp/x'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    const missing = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--rev', 'no-such-branch'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no commit named "no-such-branch"/);
  });

  it('the command line reads deploy records from the file --deploy-records names', () => {
    const bin = path.resolve(__dirname, '../../../bin/incident-lens.js');
    write(dir, 'ops/deploys.jsonl', JSON.stringify({ time: new Date(now - DAY).toISOString(), sha: sha.small, service: 'storefront', environment: 'production' }) + '\n');
    try {
      const withRecords = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--rev', sha.big, '--deploy-records', 'ops/deploys.jsonl', '--json'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(withRecords.status, 0, withRecords.stderr);
      const parsed = JSON.parse(withRecords.stdout);
      assert.equal(parsed.base.sha, sha.small, JSON.stringify(parsed.base));
      assert.match(parsed.base.label, /^ops\/deploys\.jsonl:1/);
      assert.deepEqual(parsed.commits.map((c: { sha: string }) => c.sha), [sha.big]);
      // Without the option the record is not looked for there: the deploy tag is what is deployed.
      const without = spawnSync(process.execPath, [bin, 'risk', '--workspace', dir, '--rev', sha.big, '--json'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(JSON.parse(without.stdout).base.label, 'deploy/1');
    } finally {
      fs.rmSync(path.join(dir, 'ops'), { recursive: true, force: true });
    }
  });
});
