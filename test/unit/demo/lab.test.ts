import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALERTMANAGER_BIN, Lab, PROMETHEUS_BIN, startLab } from '../../../demo/lab/src/lab';
import { createLabWorkspace, FAULT_FILE, FAULT_LINE_TEXT, LabWorkspace, runGit } from '../../../demo/lab/src/workspace';
import { OtlpReceiver } from '../../../src/sources/otlp/receiver';
import { AlertRuleEngine } from '../../../src/sources/otlp/rules';
import { TelemetryStore } from '../../../src/sources/otlp/store';

const DEPLOY_SCRIPT = path.resolve(__dirname, '../../../demo/lab/deploy.js');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runDeploy(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPLOY_SCRIPT, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function tempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await sleep(intervalMs);
  }
  throw new Error(`gave up waiting for ${what}`);
}

function faultLineNumber(source: string): number {
  const index = source.split('\n').findIndex((line) => line.trim() === FAULT_LINE_TEXT);
  assert.ok(index >= 0, 'the faulty line is in the file');
  return index + 1;
}

async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return res.text();
}

/** Sums a Prometheus counter over all its series in a /metrics page. */
function sumCounter(page: string, name: string): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('demo lab', function () {
  describe('createLabWorkspace', function () {
    let root: string;
    let ws: LabWorkspace;

    before(async function () {
      this.timeout(60_000);
      root = await tempDir('lab-ws-');
      ws = await createLabWorkspace(path.join(root, 'shop'));
    });
    after(async () => {
      await fs.promises.rm(root, { recursive: true, force: true });
    });

    it('makes a real git repository with a plausible history by several authors over several days', async () => {
      const count = Number((await runGit(ws.dir, ['rev-list', '--count', 'HEAD'])).trim());
      assert.ok(count >= 10 && count <= 20, `${count} commits`);
      const authors = new Set((await runGit(ws.dir, ['log', '--format=%ae'])).trim().split('\n'));
      assert.ok(authors.size >= 3, `authors: ${[...authors].join(', ')}`);
      const times = (await runGit(ws.dir, ['log', '--format=%at'])).trim().split('\n').map(Number);
      assert.ok(Math.max(...times) - Math.min(...times) > 3 * 86_400, 'the history spans several days');
      assert.ok(Math.max(...times) * 1000 <= Date.now(), 'no commit is in the future');
      assert.equal((await runGit(ws.dir, ['status', '--porcelain'])).trim(), '', 'the working tree is clean');
      for (const file of ['services/storefront/src/server.js', 'services/checkout/src/server.js', 'services/payments/src/server.js', 'shared/telemetry.js', 'config/payments.json', 'README.md', 'docs/runbooks/payments.md']) {
        assert.ok(fs.existsSync(path.join(ws.dir, file)), `${file} exists`);
      }
    });

    it('has one commit that breaks payments card validation, blamed for the faulty line', async () => {
      const touched = (await runGit(ws.dir, ['show', '--name-only', '--format=', ws.badSha])).trim().split('\n');
      assert.ok(touched.includes(FAULT_FILE), `the bad commit touches ${FAULT_FILE}: ${touched.join(', ')}`);
      const before = await runGit(ws.dir, ['show', `${ws.goodSha}:${FAULT_FILE}`]);
      const after = await runGit(ws.dir, ['show', `${ws.badSha}:${FAULT_FILE}`]);
      assert.ok(!before.includes(FAULT_LINE_TEXT), 'the good commit does not have the faulty line');
      const line = faultLineNumber(after);
      const blame = await runGit(ws.dir, ['blame', '--porcelain', '-L', `${line},${line}`, 'HEAD', '--', FAULT_FILE]);
      assert.equal(blame.split(' ')[0], ws.badSha, 'git blame names the bad commit for the faulty line');
      await runGit(ws.dir, ['merge-base', '--is-ancestor', ws.goodSha, ws.badSha]);
      await runGit(ws.dir, ['merge-base', '--is-ancestor', ws.badSha, ws.headSha]);
      assert.notEqual(ws.badSha, ws.headSha, 'unrelated commits follow the bad one');
    });

    it('tags the deploys, the faulty one last, and records them for the git source', async () => {
      const tags = (await runGit(ws.dir, ['tag', '--list', 'deploy/*'])).trim().split('\n');
      assert.ok(tags.length >= 3, `tags: ${tags.join(', ')}`);
      assert.equal((await runGit(ws.dir, ['rev-parse', `${ws.deployTag}^{commit}`])).trim(), ws.headSha);
      assert.equal((await runGit(ws.dir, ['rev-parse', `${ws.goodDeployTag}^{commit}`])).trim(), ws.goodSha);
      const newest = tags.map((t) => Number(t.split('/')[1])).sort((a, b) => b - a)[0];
      assert.equal(ws.deployTag, `deploy/${newest}`);
      const records = fs.readFileSync(path.join(ws.dir, '.lab', 'deploys.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const last = records[records.length - 1];
      assert.deepEqual([last.service, last.sha, last.previous, last.tag], ['payments', ws.headSha, ws.goodSha, ws.deployTag]);
      const deployed = JSON.parse(fs.readFileSync(path.join(ws.dir, '.lab', 'deployed.json'), 'utf8'));
      assert.equal(deployed.services.payments.sha, ws.headSha);
      assert.equal(deployed.services.checkout.sha, ws.goodSha);
    });

    it('refuses a directory that is not empty and leaves it alone', async () => {
      const dir = path.join(root, 'occupied');
      await fs.promises.mkdir(dir);
      await fs.promises.writeFile(path.join(dir, 'notes.txt'), 'keep me');
      await assert.rejects(createLabWorkspace(dir), /not empty/);
      assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'keep me');
      assert.ok(!fs.existsSync(path.join(dir, '.git')));
    });
  });

  describe('deploy.js', function () {
    let root: string;
    let ws: LabWorkspace;
    const labFile = (name: string) => path.join(ws.dir, '.lab', name);
    const deployTags = async () => (await runGit(ws.dir, ['tag', '--list', 'deploy/*'])).trim().split('\n');

    before(async function () {
      this.timeout(60_000);
      root = await tempDir('lab-deploy-');
      ws = await createLabWorkspace(path.join(root, 'shop'), { deployBad: false });
    });
    after(async () => {
      await fs.promises.rm(root, { recursive: true, force: true });
    });

    it('prints what a dry run would change and changes nothing', async () => {
      const deployedBefore = fs.readFileSync(labFile('deployed.json'), 'utf8');
      const tagsBefore = await deployTags();
      const result = await runDeploy(['--workspace', ws.dir, '--service', 'payments', '--to', ws.headSha, '--dry-run']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`\\[dry run\\] deploy payments: ${ws.goodSha.slice(0, 7)} -> ${ws.headSha.slice(0, 7)}`));
      assert.match(result.stdout, /payments: simplify card network handling/);
      assert.match(result.stdout, /nothing changed/);
      assert.equal(fs.readFileSync(labFile('deployed.json'), 'utf8'), deployedBefore);
      assert.deepEqual(await deployTags(), tagsBefore);
      assert.ok(!fs.existsSync(path.join(ws.dir, '.lab', 'releases', 'payments', ws.headSha)));
    });

    it('switches the service to the new release, records the deploy and tags it; rollback goes back', async function () {
      this.timeout(30_000);
      const result = await runDeploy(['--workspace', ws.dir, '--service', 'payments', '--to', 'main']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /no lab supervisor is running/);
      const release = path.join(ws.dir, '.lab', 'releases', 'payments', ws.headSha);
      assert.ok(fs.readFileSync(path.join(release, FAULT_FILE), 'utf8').includes(FAULT_LINE_TEXT), 'the release holds the faulty code');
      assert.ok(fs.existsSync(path.join(release, 'shared', 'telemetry.js')), 'the release holds the shared code');
      let deployed = JSON.parse(fs.readFileSync(labFile('deployed.json'), 'utf8'));
      assert.equal(deployed.services.payments.sha, ws.headSha);
      assert.equal(deployed.services.payments.previousSha, ws.goodSha);
      assert.equal(deployed.services.storefront.sha, ws.goodSha, 'other services stay where they were');
      let records = fs.readFileSync(labFile('deploys.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      let last = records[records.length - 1];
      assert.deepEqual([last.service, last.sha, last.previous, last.kind], ['payments', ws.headSha, ws.goodSha, 'deploy']);
      assert.equal((await runGit(ws.dir, ['rev-parse', `${last.tag}^{commit}`])).trim(), ws.headSha, 'the deploy tag names the deployed commit');

      const rollback = await runDeploy(['--workspace', ws.dir, '--service', 'payments', '--rollback']);
      assert.equal(rollback.code, 0, rollback.stderr);
      assert.match(rollback.stdout, /rollback payments/);
      deployed = JSON.parse(fs.readFileSync(labFile('deployed.json'), 'utf8'));
      assert.equal(deployed.services.payments.sha, ws.goodSha);
      records = fs.readFileSync(labFile('deploys.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      last = records[records.length - 1];
      assert.deepEqual([last.sha, last.previous, last.kind], [ws.goodSha, ws.headSha, 'rollback']);
      assert.equal((await runGit(ws.dir, ['rev-parse', `${last.tag}^{commit}`])).trim(), ws.goodSha);
    });

    it('rejects bad input with a clear message and an exit code, and records nothing', async () => {
      const tagsBefore = await deployTags();
      const recordsBefore = fs.readFileSync(labFile('deploys.jsonl'), 'utf8');
      const cases: Array<[string[], number, RegExp]> = [
        [['--workspace', ws.dir, '--service', 'inventory', '--to', 'main'], 3, /no service "inventory"/],
        [['--workspace', ws.dir, '--service', 'payments', '--to', 'no-such-branch'], 3, /no commit "no-such-branch"/],
        [['--workspace', ws.dir, '--service', 'payments', '--to', '--upload-pack=touch /tmp/x'], 2, /not a revision/],
        [['--workspace', ws.dir, '--service', 'payments'], 2, /--to REV or --rollback/],
        [['--workspace', ws.dir, '--service', '../etc', '--to', 'main'], 2, /not a service name/],
        [['--workspace', path.join(root, 'nowhere'), '--service', 'payments', '--to', 'main'], 3, /not a git repository/],
      ];
      for (const [args, code, message] of cases) {
        const result = await runDeploy(args);
        assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
      }
      assert.deepEqual(await deployTags(), tagsBefore);
      assert.equal(fs.readFileSync(labFile('deploys.jsonl'), 'utf8'), recordsBefore);
    });
  });

  describe('startLab', function () {
    let root: string;
    let store: TelemetryStore;
    let receiver: OtlpReceiver;
    let endpoint: string;
    let lab: Lab | undefined;
    // Everything the lab sends lands in this window; it ends in the future so nothing is cut off.
    const window = () => ({ start: Date.now() - 10 * 60_000, end: Date.now() + 60_000 });

    beforeEach(async () => {
      root = await tempDir('lab-run-');
      store = new TelemetryStore({ maxBytes: 16 * 1024 * 1024 });
      receiver = new OtlpReceiver({ port: 0, store });
      endpoint = `http://127.0.0.1:${(await receiver.start()).port}`;
    });
    afterEach(async function () {
      this.timeout(30_000);
      await lab?.stop();
      lab = undefined;
      await receiver.stop();
      await fs.promises.rm(root, { recursive: true, force: true });
    });

    it('sends telemetry to the OTLP receiver, and payments fails with a located TypeError only after the faulty deploy', async function () {
      this.timeout(120_000);
      // The embedded receiver's own error-ratio rule, made quick enough for a test.
      const rules = new AlertRuleEngine(store, { rules: { errorRatio: { windowMs: 30_000, forMs: 0, minRequests: 5 } } });
      const paymentsAlert = () => rules.evaluate().find((a) => a.service === 'payments' && a.labels.alertname === 'HighErrorRatio' && a.state === 'firing');
      const paymentsErrorSpans = () => store.spansInWindow(window(), { service: 'payments' }).filter((s) => s.status === 'error');
      lab = await startLab({ workspaceDir: path.join(root, 'shop'), otlpEndpoint: endpoint, loadRps: 6, deployBadAfterMs: false });
      const paymentsMetrics = `http://127.0.0.1:${lab.ports.payments}/metrics`;

      const before = await waitFor('payments to serve charges', 30_000, async () => {
        const page = await getText(paymentsMetrics);
        return sumCounter(page, 'http_server_requests_total') >= 10 ? page : undefined;
      });
      assert.equal(sumCounter(before, 'http_server_errors_total'), 0, 'no payments errors before the faulty deploy');
      await waitFor('traces, logs and metrics of all three services in the store', 20_000, () =>
        ['storefront', 'checkout', 'payments'].every((svc) => store.services().includes(svc))
        && store.metricNames('payments').includes('http.server.request.duration')
        && store.queryLogs({ ...window(), service: 'payments', limit: 5 }).length > 0);
      assert.deepEqual(paymentsErrorSpans(), [], 'no payments error span before the faulty deploy');
      assert.equal(paymentsAlert(), undefined, 'the receiver raises no payments alert before the faulty deploy');

      await lab.deploy('payments', lab.workspace.headSha);
      const status = JSON.parse(fs.readFileSync(path.join(lab.workspaceDir, '.lab', 'status.json'), 'utf8'));
      assert.equal(status.services.payments.sha, lab.workspace.headSha, 'the supervisor runs the new release');

      await waitFor('payments errors in /metrics', 30_000, async () => sumCounter(await getText(paymentsMetrics), 'http_server_errors_total') > 0);
      const errorSpan = await waitFor('an error span from payments', 20_000, () => paymentsErrorSpans().find((s) => s.attributes['http.route'] === '/charge'));
      const source = await runGit(lab.workspaceDir, ['show', `${lab.workspace.headSha}:${FAULT_FILE}`]);
      assert.equal(errorSpan.attributes['http.response.status_code'], 500);
      assert.equal(errorSpan.attributes['code.filepath'], FAULT_FILE);
      assert.equal(errorSpan.attributes['code.lineno'], faultLineNumber(source));
      assert.equal(errorSpan.attributes['code.function'], 'validateCard');
      const exception = errorSpan.events?.find((e) => e.name === 'exception');
      assert.ok(exception, 'the error span has an exception event');
      assert.equal(exception.attributes?.['exception.type'], 'TypeError');
      assert.match(String(exception.attributes?.['exception.stacktrace']), /card-validation\.js:\d+/);

      // One trace spans all three services: the traceparent crossed both hops.
      await waitFor('the failing trace in storefront and checkout', 15_000, () => {
        const services = new Set(store.getTrace(errorSpan.traceId).map((s) => s.service));
        return services.has('storefront') && services.has('checkout');
      });
      const errorLog = await waitFor('an error log from payments', 15_000, () => store.queryLogs({ ...window(), service: 'payments', minLevel: 'error', limit: 5 })[0]);
      assert.match(String(errorLog.attributes?.['exception.stacktrace']), /TypeError/);
      const alert = await waitFor('the receiver to raise the payments error-ratio alert', 30_000, paymentsAlert, 1000);
      assert.equal(alert.severity, 'critical');

      const pids = Object.values(status.services as Record<string, { pid: number }>).map((s) => s.pid);
      await lab.stop();
      lab = undefined;
      await waitFor('the service processes to exit', 10_000, () => pids.every(processGone));
    });

    it('makes Prometheus fire PaymentsErrorRatioHigh after the faulty deploy', async function () {
      if (!fs.existsSync(PROMETHEUS_BIN) || !fs.existsSync(ALERTMANAGER_BIN)) this.skip();
      this.timeout(150_000);
      lab = await startLab({ workspaceDir: path.join(root, 'shop'), otlpEndpoint: endpoint, withPrometheus: true, loadRps: 6, deployBadAfterMs: 2000 });
      const prometheus = `http://127.0.0.1:${lab.ports.prometheus}`;
      const alert = await waitFor('PaymentsErrorRatioHigh to fire', 90_000, async () => {
        const body = JSON.parse(await getText(`${prometheus}/api/v1/alerts`));
        return (body.data.alerts as Array<{ labels: Record<string, string>; state: string }>).find((a) => a.labels.alertname === 'PaymentsErrorRatioHigh' && a.state === 'firing');
      }, 1000);
      assert.equal(alert.labels.service, 'payments');
      assert.equal(alert.labels.severity, 'critical');
      const received = await waitFor('Alertmanager to hold the alert', 20_000, async () => {
        const alerts = JSON.parse(await getText(`http://127.0.0.1:${lab!.ports.alertmanager}/api/v2/alerts`)) as Array<{ labels: Record<string, string> }>;
        return alerts.find((a) => a.labels.alertname === 'PaymentsErrorRatioHigh');
      }, 1000);
      assert.equal(received.labels.service, 'payments');
    });
  });
});
