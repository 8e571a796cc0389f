// Feature extraction and SZZ labelling on real repositories built here, against values worked out by
// hand from the history below (each commit's numbers are in the comments beside it).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitHistorySource } from '../../../../src/sources/changeHistory';
import { computeChangeMetrics } from '../../../../src/analysis/changeRisk/features';
import { labelBugIntroducing, labelHorizonDays } from '../../../../src/analysis/changeRisk/szz';
import { FileSzzCache } from '../../../../src/agent/deployRisk/szzCache';
import type { ChangeMetrics } from '../../../../src/analysis/changeRisk/metrics';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
const PEOPLE: Record<string, [string, string]> = {
  alice: ['Alice Moreau', 'alice@shop.example'],
  bob: ['Bob Okafor', 'Bob@Shop.example'],
  carol: ['Carol Lindqvist', 'carol@shop.example'],
  dave: ['Dave Tanaka', 'dave@shop.example'],
  erin: ['Erin Walsh', 'erin@shop.example'],
};

function git(dir: string, args: string[], who = 'alice', when = T0, input?: string): string {
  const [name, email] = PEOPLE[who];
  const date = `@${Math.floor(when / 1000)} +0000`;
  return execFileSync('git', args, {
    cwd: dir,
    input,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
  });
}

function write(dir: string, rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
}

function commit(dir: string, who: string, day: number, message: string): string {
  git(dir, ['add', '-A'], who, T0 + day * DAY);
  git(dir, ['commit', '-q', '-m', message], who, T0 + day * DAY);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

const lines = (xs: string[]) => xs.map((x) => `${x}\n`).join('');
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

function assertMetrics(actual: ChangeMetrics | undefined, expected: ChangeMetrics, what: string): void {
  assert.ok(actual, `${what}: no metrics`);
  for (const k of Object.keys(expected) as (keyof ChangeMetrics)[]) {
    assert.ok(close(actual[k], expected[k]), `${what}: ${k} is ${actual[k]}, by hand ${expected[k]}`);
  }
}

describe('change metrics and SZZ labels from a real git history', function () {
  this.timeout(60_000);
  let dir: string;
  const sha: Record<string, string> = {};
  let source: GitHistorySource;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-risk-git-'));
    git(dir, ['init', '-q', '-b', 'main']);
    // c1 alice, day 0: a.js (10 lines, the first a comment) and README.md (2 lines)
    write(dir, 'src/app/a.js', lines(['// app entry point', ...Array.from({ length: 9 }, (_, i) => `const v${i} = ${i};`)]));
    write(dir, 'README.md', lines(['# Shop', 'A shop.']));
    sha.c1 = commit(dir, 'alice', 0, 'Initial import');
    // c2 bob, day 2: a.js three lines rewritten and two added (+5 -3); new src/lib/b.js (4 lines)
    write(dir, 'src/app/a.js', lines(['// app entry point', 'const v0 = 0;', 'const v1 = 10;', 'const v2 = 20;', 'const v3 = 30;', 'const v4 = 4;', 'const v5 = 5;', 'const v6 = 6;', 'const v7 = 7;', 'const v8 = 8;', 'const extra1 = 1;', 'const extra2 = 2;']));
    write(dir, 'src/lib/b.js', lines(['function first(list) {', '  return list[0].name;', '}', 'module.exports = { first };']));
    sha.c2 = commit(dir, 'bob', 2, 'Add a helper for the first item');
    // c3 alice, day 3: a fix that rewrites bob's line 2 of b.js (+1 -1)
    write(dir, 'src/lib/b.js', lines(['function first(list) {', '  return list.length ? list[0].name : undefined;', '}', 'module.exports = { first };']));
    sha.c3 = commit(dir, 'alice', 3, 'Fix crash when the list is empty');
    // c4 carol, day 4: rename b.js -> c.js, unchanged
    git(dir, ['mv', 'src/lib/b.js', 'src/lib/c.js']);
    sha.c4 = commit(dir, 'carol', 4, 'Rename the helper module');
    // c5 dave, day 5: one line added to README.md and a binary logo
    write(dir, 'README.md', lines(['# Shop', 'A shop.', 'Run it with node.']));
    write(dir, 'logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3, 0, 9]));
    sha.c5 = commit(dir, 'dave', 5, 'Document usage and add a logo');
    // c6 erin, day 6: git revert of c5
    git(dir, ['revert', '--no-edit', sha.c5], 'erin', T0 + 6 * DAY);
    sha.c6 = git(dir, ['rev-parse', 'HEAD']).trim();
    // c7 erin, day 7: a "fix" that only rewrites alice's comment line of a.js: no real line, no label
    const a = fs.readFileSync(path.join(dir, 'src/app/a.js'), 'utf8').replace('// app entry point', '// the app entry point');
    write(dir, 'src/app/a.js', a);
    sha.c7 = commit(dir, 'erin', 7, 'fix typo in a comment');
    source = new GitHistorySource({ repo: dir, trusted: false });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every non-merge commit oldest first, with renames, binaries and line counts', async () => {
    const h = await source.readHistory('HEAD');
    assert.deepEqual(h.commits.map((c) => c.sha), [sha.c1, sha.c2, sha.c3, sha.c4, sha.c5, sha.c6, sha.c7]);
    assert.equal(h.truncated, false);
    const c4 = h.commits[3];
    assert.deepEqual(c4.files, [{ path: 'src/lib/c.js', oldPath: 'src/lib/b.js', status: 'R', added: 0, deleted: 0, binary: false }]);
    const logo = h.commits[4].files.find((f) => f.path === 'logo.png');
    assert.deepEqual(logo, { path: 'logo.png', status: 'A', added: 0, deleted: 0, binary: true });
    assert.equal(h.commits[1].authorEmail, 'Bob@Shop.example');
    assert.equal(h.commits[1].time, T0 + 2 * DAY);
  });

  it('computes the Kamei metrics of each commit as worked out by hand', async () => {
    const m = computeChangeMetrics(await source.readHistory('HEAD'));
    // c1: subsystems src, root; dirs src/app, root; churn 10 and 2 of 12.
    const e1 = -((10 / 12) * Math.log2(10 / 12) + (2 / 12) * Math.log2(2 / 12));
    assertMetrics(m.get(sha.c1), { ns: 2, nd: 2, nf: 2, entropy: e1, la: 12, ld: 0, lt: 0, fix: 0, ndev: 1, age: 0, nuc: 2, exp: 2, rexp: 2, sexp: 2 }, 'c1');
    // c2: churn 8 (a.js) and 4 (b.js); a.js had 10 lines, last changed 2 days before; b.js is new.
    const e2 = -((2 / 3) * Math.log2(2 / 3) + (1 / 3) * Math.log2(1 / 3));
    assertMetrics(m.get(sha.c2), { ns: 1, nd: 2, nf: 2, entropy: e2, la: 9, ld: 3, lt: 10, fix: 0, ndev: 2, age: 1, nuc: 3, exp: 2, rexp: 2, sexp: 2 }, 'c2');
    // c3: alice's third and fourth file changes; a.js and README.md are 3 days old for her (1/4 each).
    assertMetrics(m.get(sha.c3), { ns: 1, nd: 1, nf: 1, entropy: 0, la: 1, ld: 1, lt: 4, fix: 1, ndev: 2, age: 1, nuc: 2, exp: 3, rexp: 1.5, sexp: 2 }, 'c3');
    // c4: the renamed file keeps its history: 4 lines, authors bob and alice, two changes.
    assertMetrics(m.get(sha.c4), { ns: 1, nd: 1, nf: 1, entropy: 0, la: 0, ld: 0, lt: 4, fix: 0, ndev: 3, age: 1, nuc: 3, exp: 1, rexp: 1, sexp: 1 }, 'c4');
    // c5: README.md had 2 lines (last changed day 0), the logo is new and binary.
    assertMetrics(m.get(sha.c5), { ns: 1, nd: 1, nf: 2, entropy: 0, la: 1, ld: 0, lt: 2, fix: 0, ndev: 2, age: 2.5, nuc: 3, exp: 2, rexp: 2, sexp: 2 }, 'c5');
  });

  it('seeds line counts when the history is cut at the read limit', async () => {
    const h = await source.readHistory('HEAD', 3);
    assert.deepEqual(h.commits.map((c) => c.sha), [sha.c5, sha.c6, sha.c7]);
    assert.equal(h.truncated, true);
    assert.equal(h.initialLines?.['README.md'], 2);
    assert.equal(h.initialLines?.['src/lib/c.js'], 4);
    assert.equal(computeChangeMetrics(h).get(sha.c5)?.lt, 2, 'lt of the oldest commit read still counts the lines before it');
  });

  it('labels the commit whose line a later fix rewrote, and the commit a revert names, and nothing else', async () => {
    const h = await source.readHistory('HEAD');
    const r = await labelBugIntroducing(h, source);
    assert.deepEqual([...r.introducing.keys()].sort(), [sha.c2, sha.c5].sort());
    assert.deepEqual(r.introducing.get(sha.c2), { sha: sha.c2, fixedBy: [sha.c3], via: 'szz' });
    assert.deepEqual(r.introducing.get(sha.c5), { sha: sha.c5, fixedBy: [sha.c6], via: 'revert' });
    assert.equal(r.fixesExamined, 2, 'c3 and c7 say they fix something');
    assert.equal(r.reverts, 1);
    assert.equal(r.medianDaysToFix, 1);
    assert.equal(labelHorizonDays(r), 7, 'a horizon is never shorter than a week');
  });

  it('blames each fix once: a later run (another session) reads the kept results and gives the same labels', async () => {
    const h = await source.readHistory('HEAD');
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-szz-cache-'));
    let blamed = 0;
    const counting = { changedOldLines: source.changedOldLines.bind(source), lineOrigins: (...a: Parameters<GitHistorySource['lineOrigins']>) => (blamed++, source.lineOrigins(...a)) };
    try {
      const first = new FileSzzCache(cacheDir);
      const r1 = await labelBugIntroducing(h, counting, { cache: first });
      first.save();
      assert.ok(blamed > 0);
      blamed = 0;
      const r2 = await labelBugIntroducing(h, counting, { cache: new FileSzzCache(cacheDir) });
      assert.equal(blamed, 0, 'no fix was blamed again');
      assert.deepEqual([...r2.introducing.keys()].sort(), [...r1.introducing.keys()].sort());
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('lists the commits between a deploy and a tip, and resolves names', async () => {
    assert.deepEqual(await source.commitsBetween(sha.c4, 'HEAD'), [sha.c5, sha.c6, sha.c7]);
    assert.equal(await source.resolve('HEAD~1'), sha.c6);
    assert.equal(await source.currentBranch(), 'main');
    assert.equal(await source.isAncestor(sha.c2, sha.c7), true);
    assert.equal(await source.isAncestor(sha.c7, sha.c2), false);
    await assert.rejects(source.resolve('no-such-branch'), /no commit named "no-such-branch"/);
    await assert.rejects(source.resolve('--output=/tmp/x'), /may not start with "-"/);
  });

  it('refuses to blame (instead of hanging) in a repository whose blame.ignoreRevsFile names /dev/zero, and runs none of its programs', async () => {
    const marker = path.join(dir, 'ran');
    write(dir, 'hook.sh', `#!/bin/sh\ntouch ${JSON.stringify(marker)}\n`);
    fs.chmodSync(path.join(dir, 'hook.sh'), 0o755);
    git(dir, ['config', 'blame.ignoreRevsFile', '/dev/zero']);
    git(dir, ['config', 'core.fsmonitor', path.join(dir, 'hook.sh')]);
    try {
      const quick = new GitHistorySource({ repo: dir, trusted: true, timeoutMs: 10_000 });
      await assert.rejects(quick.lineOrigins(sha.c2, 'src/lib/b.js', [{ start: 2, count: 1 }]), /blame\.ignoreRevsFile names "\/dev\/zero", which is not a regular file/);
      assert.equal((await quick.readHistory('HEAD')).commits.length, 7);
      assert.equal(fs.existsSync(marker), false, 'the repository\'s fsmonitor program ran');
    } finally {
      git(dir, ['config', '--unset', 'blame.ignoreRevsFile']);
      git(dir, ['config', '--unset', 'core.fsmonitor']);
      fs.rmSync(path.join(dir, 'hook.sh'));
    }
  });
});
