import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Hypothesis } from '../../../src/core/model';
import { generateScenario, writeBundles } from '../../../src/eval/scenarios/generator';

const BIN = path.resolve(__dirname, '../../../bin/incident-lens.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // Spawned for real, as a person runs it; bounded so a hang fails the test instead of the suite.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('incident-lens CLI', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-cli-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a readable hypothesis for a saved bundle', function () {
    writeBundles([generateScenario('deploy-exception', 31_000)], dir);
    const file = path.join(dir, 'deploy-exception-001.json');
    assert.ok(fs.existsSync(file));
    const truth = JSON.parse(fs.readFileSync(file, 'utf8')).truth;
    const r = run(['investigate', '--bundle', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HYPOTHESIS: code-change in /m);
    assert.match(r.stdout, /confidence \d+%/);
    assert.ok(r.stdout.includes(truth.commit.slice(0, 12)), 'prints the suspect commit');
    assert.ok(r.stdout.includes(`${truth.path}:`), 'prints the suspect file and lines');
    for (const section of ['EVIDENCE', 'PROPOSED ACTIONS', 'CHECKED']) assert.ok(r.stdout.includes(section), section);
  });

  it('prints the hypothesis as JSON with --json', function () {
    const file = path.join(dir, 'deploy-exception-001.json');
    const r = run(['investigate', '--bundle', file, '--json', '--threshold', '0.99999']);
    assert.equal(r.code, 0, r.stderr);
    const h = JSON.parse(r.stdout) as Hypothesis;
    assert.equal(typeof h.confidence, 'number');
    assert.ok(Array.isArray(h.evidence));
  });

  it('says clearly what is wrong with a missing, invalid or malformed bundle', function () {
    const missing = run(['investigate', '--bundle', path.join(dir, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /bundle file not found/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"version": 1, "alert": ');
    const invalid = run(['investigate', '--bundle', bad]);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /not valid JSON/);
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ version: 2, alert: { id: 1 }, window: {} }));
    const malformed = run(['investigate', '--bundle', wrong]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /version must be 1/);
    assert.match(malformed.stderr, /alert\.id must be a string/);
    const usage = run(['investigate']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs --bundle FILE/);
    const threshold = run(['investigate', '--bundle', bad, '--threshold', 'high']);
    assert.equal(threshold.code, 2);
    assert.match(threshold.stderr, /--threshold must be a number between 0 and 1/);
  });

  it('shows terminal escapes from hostile log lines as text', function () {
    const b = JSON.parse(fs.readFileSync(path.join(dir, 'deploy-exception-001.json'), 'utf8'));
    b.alert.name = 'Evil\u001b]0;pwned\u0007\u001b[2J';
    const file = path.join(dir, 'evil.json');
    fs.writeFileSync(file, JSON.stringify(b));
    const r = run(['investigate', '--bundle', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u001b'), 'no raw escape reaches the terminal');
    assert.ok(r.stdout.includes('Evil\\u001b'));
  });
});
