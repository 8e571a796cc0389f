// The fault-injection lab: every fault's plan builds a real workspace whose guilty commit changes the
// lines its truth names, and one fault recorded live end to end through the recorder (real
// PostgreSQL, real OpenTelemetry SDKs, the real receiver and its built-in rules, the real pipeline).
// These check the lab and the recorder, never the diagnosis.
import { truthOf } from '../../../src/eval/truth';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateBundle } from '../../../src/core/bundle';
import { FAULTS, faultByName } from '../../../demo/lab/faults/catalog';
import { postgresBinDir } from '../../../demo/lab/faults/postgres';
import { recordFaultWithRetries, resolveTruth } from '../../../demo/lab/faults/record';
import { commitLiveChange, createFaultWorkspace, FAULT_LAB_SERVICES } from '../../../demo/lab/faults/workspace';
import { runGit } from '../../../demo/lab/src/workspace';

async function tempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** New-version line ranges that `sha` changes in `file` (git show -U0). */
async function changedLines(dir: string, sha: string, file: string): Promise<Array<[number, number]>> {
  const diff = await runGit(dir, ['show', '-U0', '--format=', sha, '--', file]);
  return [...diff.matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)]
    .map((m): [number, number] => [Number(m[1]), Number(m[1]) + Number(m[2] ?? 1) - 1])
    .filter(([start, end]) => end >= start);
}

describe('fault lab', function () {
  describe('the fault catalogue', function () {
    it('has at least 14 faults with unique names, a truth scenario of lab:<name>, and an expected alert', () => {
      assert.ok(FAULTS.length >= 14, `${FAULTS.length} faults`);
      assert.equal(new Set(FAULTS.map((f) => f.name)).size, FAULTS.length);
      for (const f of FAULTS) {
        assert.equal(f.truth.scenario, `lab:${f.name}`);
        assert.ok(f.steps.length > 0, `${f.name} injects something`);
        assert.ok(f.alert.alertname && f.alert.service, `${f.name} names its alert`);
        assert.equal(!!f.truth.commitRef, !f.truth.noCodeCause, `${f.name}: a guilty commit exactly when there is a code cause`);
      }
      assert.ok(FAULTS.some((f) => f.innocent === 'none'), 'some faults carry no innocent change');
      assert.ok(FAULTS.filter((f) => f.truth.noCodeCause).length >= 4, 'several faults are not code at all');
    });

    it('rejects an unknown fault name with the list of names', () => {
      assert.throws(() => faultByName('meteor-strike'), /no fault named "meteor-strike".*card-network-typeerror/);
    });
  });

  describe('fault workspaces', function () {
    this.timeout(300_000);
    let root: string;
    before(async () => {
      root = await tempDir('fault-ws-');
    });
    after(async () => {
      await fs.promises.rm(root, { recursive: true, force: true });
    });

    it('every plan applies, deploys the platform to all four services, and its guilty commit changes the lines its truth starts and ends on', async () => {
      for (const fault of FAULTS) {
        const ws = await createFaultWorkspace(path.join(root, fault.name), fault);
        for (const change of fault.commits) if (change.live) await commitLiveChange(ws, fault, change.id);
        const deployed = JSON.parse(fs.readFileSync(path.join(ws.dir, '.lab', 'deployed.json'), 'utf8'));
        for (const service of FAULT_LAB_SERVICES) assert.equal(deployed.services[service].sha, ws.goodSha, `${fault.name}: ${service} runs the platform`);
        for (const change of fault.commits) assert.match(ws.plan[change.id] ?? '', /^[0-9a-f]{40}$/, `${fault.name}: ${change.id} committed`);
        const truth = resolveTruth(fault, ws.plan);
        if (!truth.commit) continue;
        assert.ok(truth.path && truth.startLine && truth.endLine);
        const ranges = await changedLines(ws.dir, truth.commit, truth.path);
        const covered = (line: number) => ranges.some(([s, e]) => line >= s && line <= e);
        // The range may span unchanged lines between hunks, but it starts and ends on changed ones.
        for (const line of [truth.startLine, truth.endLine]) {
          assert.ok(covered(line), `${fault.name}: line ${line} of ${truth.path} is not changed by the guilty commit (it changes ${JSON.stringify(ranges)})`);
        }
        const message = (await runGit(ws.dir, ['log', '-1', '--format=%s', truth.commit])).trim();
        assert.equal(message, fault.commits.find((c) => c.id === fault.truth.commitRef)!.message.split('\n')[0]);
      }
    });
  });

  describe('the recorder, live', function () {
    let out: string;
    before(function () {
      if (!postgresBinDir()) this.skip(); // PostgreSQL comes with scripts/install-harness.sh
    });
    beforeEach(async () => {
      out = await tempDir('fault-record-');
    });
    afterEach(async () => {
      await fs.promises.rm(out, { recursive: true, force: true });
    });

    it('records the card-network fault: a TypeError in payments\' spans, the receiver\'s HighErrorRatio alert, the guilty commit in changes', async function () {
      this.timeout(1_500_000);
      const fault = faultByName('card-network-typeerror');
      // A loaded machine can spoil the healthy baseline; such an attempt is void and made again.
      const result = await recordFaultWithRetries(fault, { outDir: out, baselineMs: 40_000, settleMs: 10_000 }, 3);
      const bundle = validateBundle(JSON.parse(fs.readFileSync(path.join(out, 'card-network-typeerror.json'), 'utf8')));
      assert.ok(result.bytes <= 1_500_000, `${result.bytes} bytes`);

      assert.equal(bundle.alert.labels.alertname, 'HighErrorRatio');
      assert.equal(bundle.alert.service, 'payments');
      assert.equal(bundle.alert.sourceKind, 'otlp', 'the alert comes from the embedded receiver\'s rules');

      const failing = bundle.spans.filter((s) => s.service === 'payments' && s.status === 'error' && s.kind === 'server');
      assert.ok(failing.length > 0, 'failing payments server spans are in the bundle');
      const exception = failing.flatMap((s) => s.events ?? []).find((e) => e.name === 'exception');
      assert.equal(exception?.attributes?.['exception.type'], 'TypeError');
      assert.match(String(exception?.attributes?.['exception.stacktrace']), /card-validation\.js:31:/);
      assert.ok(bundle.spans.some((s) => s.service === 'inventory' && s.attributes['db.system.name'] === 'postgresql'), 'database client spans from the pg instrumentation');

      const truth = truthOf(bundle);
      assert.ok(truth?.commit, 'the truth names the guilty commit');
      assert.equal(truth?.scenario, 'lab:card-network-typeerror');
      const guilty = bundle.changes.find((c) => c.sha === truth.commit);
      assert.ok(guilty, 'the guilty commit is in changes');
      assert.match(guilty.message, /simplify card network handling/);
      assert.ok(guilty.files.some((f) => f.path === 'services/payments/src/card-validation.js'));
      const innocent = bundle.changes.find((c) => /log the number of order lines/.test(c.message));
      assert.ok(innocent?.deploy, 'the innocent checkout deploy is in changes, with its deploy marker');
      assert.ok(guilty.deploy && guilty.deploy.time > innocent.deploy.time, 'the guilty commit carries its own deploy, after the innocent one');
      assert.ok(!('hypothesis' in bundle), 'the bundle carries no diagnosis');
    });
  });
});
