// A repository whose own configuration names a canary program in every setting that makes git run
// one (the attack of issue 9: opening an alert in a downloaded folder ran the folder's code). Each test
// runs what Incident Lens runs (listChanges, blame, the diff view's file read) and fails if the canary
// ran. A control runs plain git on the same repository and must see the canary, so the repository is
// proven hostile and the tests cannot pass by accident.

import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitChangeSource } from '../../../src/sources/git';
import { GitArgumentError, readFileAtRevision, repoPathProblem, revisionProblem } from '../../../src/sources/gitCommand';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const WINDOW = { start: T0 - 48 * 3600_000, end: T0 };

function gitEnv(home: string, when?: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Mallory',
    GIT_AUTHOR_EMAIL: 'mallory@example.com',
    GIT_COMMITTER_NAME: 'Mallory',
    GIT_COMMITTER_EMAIL: 'mallory@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: home,
  };
  if (when !== undefined) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = `@${Math.floor(when / 1000)} +0000`;
  return env;
}

function git(cwd: string, args: string[], when?: number, input?: string): string {
  return execFileSync('git', args, { cwd, env: gitEnv(cwd, when), encoding: 'utf8', input });
}

interface HostileRepo {
  dir: string;
  canaryLog: string;
  shas: { base: string; change: string; signed: string };
}

/** A canary script that records each run; also a valid (empty-output) filter and textconv. */
function writeCanary(root: string): { script: string; log: string } {
  const log = path.join(root, 'canary-ran.log');
  const script = path.join(root, 'canary.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho "ran: $0 $*" >> '${log}'\ncat >/dev/null 2>&1\nexit 0\n`, { mode: 0o755 });
  return { script, log };
}

function buildHostileRepo(): HostileRepo {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-hostile-git-'));
  const { script, log } = writeCanary(root);
  const dir = path.join(root, 'repo');
  fs.mkdirSync(dir);
  git(dir, ['init', '-q', '-b', 'main']);
  const file = 'services/payments/src/charge.ts';
  fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  // Every file goes through an attacker-named diff driver and filter.
  fs.writeFileSync(path.join(dir, '.gitattributes'), '* diff=evil filter=evil\n');
  git(dir, ['add', '-A'], T0 - 30 * 3600_000);
  git(dir, ['commit', '-q', '-m', 'payments: first'], T0 - 30 * 3600_000);
  const base = git(dir, ['rev-parse', 'HEAD']).trim();
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  lines[9] = 'const amount = cents / 10; // the bug';
  fs.writeFileSync(path.join(dir, file), lines.join('\n'));
  git(dir, ['commit', '-q', '-am', 'payments: round amounts'], T0 - 3 * 3600_000);
  const change = git(dir, ['rev-parse', 'HEAD']).trim();
  git(dir, ['tag', 'deploy/payments-7'], T0 - 2 * 3600_000);
  // A commit with a (fake) signature, so log.showSignature has something to hand to gpg.program.
  const tree = git(dir, ['rev-parse', 'HEAD^{tree}']).trim();
  const t = Math.floor((T0 - 3600_000) / 1000);
  const raw =
    `tree ${tree}\nparent ${change}\nauthor Mallory <mallory@example.com> ${t} +0000\ncommitter Mallory <mallory@example.com> ${t} +0000\n` +
    'gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\npayments: signed release\n';
  const signed = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], undefined, raw).trim();
  git(dir, ['update-ref', 'refs/heads/main', signed]);

  const hooks = path.join(root, 'hooks');
  fs.mkdirSync(hooks);
  for (const h of ['post-checkout', 'post-index-change', 'reference-transaction', 'pre-auto-gc', 'post-merge', 'fsmonitor-watchman']) fs.copyFileSync(script, path.join(hooks, h));
  fs.chmodSync(hooks, 0o755);
  for (const h of fs.readdirSync(hooks)) fs.chmodSync(path.join(hooks, h), 0o755);

  const hostile: [string, string][] = [
    ['core.fsmonitor', script],
    ['core.hooksPath', hooks],
    ['log.showSignature', 'true'],
    ['gpg.program', script],
    ['gpg.openpgp.program', script],
    ['diff.external', script],
    ['diff.evil.textconv', script],
    ['diff.evil.command', script],
    ['filter.evil.clean', script],
    ['filter.evil.smudge', script],
    ['core.pager', script],
    ['pager.log', script],
    ['pager.blame', script],
    ['core.sshCommand', script],
    ['core.askPass', script],
    ['credential.helper', `!${script}`],
    ['core.editor', script],
    // Files that never end: git would read them forever.
    ['mailmap.file', '/dev/zero'],
    ['diff.orderFile', '/dev/zero'],
  ];
  for (const [k, v] of hostile) git(dir, ['config', k, v]);
  // The working tree differs from HEAD, so anything that looks at it (fsmonitor, clean filter) would run.
  fs.appendFileSync(path.join(dir, file), 'uncommitted\n');
  return { dir, canaryLog: log, shas: { base, change, signed } };
}

function canaryRuns(repo: { canaryLog: string }): string[] {
  return fs.existsSync(repo.canaryLog) ? fs.readFileSync(repo.canaryLog, 'utf8').trim().split('\n') : [];
}

describe('git never runs a program named by the repository (security, real repositories)', function () {
  this.timeout(60_000);
  let repo: HostileRepo;
  const file = 'services/payments/src/charge.ts';

  before(() => {
    repo = buildHostileRepo();
  });
  afterEach(() => fs.rmSync(repo.canaryLog, { force: true }));
  after(() => fs.rmSync(path.dirname(repo.dir), { recursive: true, force: true }));

  it('control: plain git on this repository does run the canary (the repository really is hostile)', () => {
    // Only the settings that hang git are disarmed here; every program setting stays.
    const disarm = ['-c', 'mailmap.file=', '-c', 'diff.orderFile=/dev/null'];
    const plain = (args: string[]) => spawnSync('git', [...disarm, ...args], { cwd: repo.dir, env: gitEnv(repo.dir), encoding: 'utf8', timeout: 5000 });
    plain(['log', '-p', '-3', '--format=%H']);
    plain(['blame', '--porcelain', '-L', '9,11', '--', file]);
    const runs = canaryRuns(repo);
    assert.ok(runs.length >= 3, `plain git ran the canary only ${runs.length} time(s): ${runs.join(' | ')}`);
    assert.ok(runs.some((r) => r.includes('--verify')), `gpg.program did not run under log.showSignature: ${runs.join(' | ')}`);
  });

  for (const trusted of [true, false]) {
    describe(trusted ? 'in a trusted workspace' : 'in an untrusted workspace', () => {
      it('listChanges reads the history and deploys and runs nothing', async () => {
        const src = new GitChangeSource({ workspace: repo.dir, trusted, timeoutMs: 10_000 });
        const changes = await src.listChanges(WINDOW);
        assert.deepEqual(canaryRuns(repo), [], 'the canary ran during listChanges');
        const round = changes.find((c) => c.sha === repo.shas.change);
        assert.ok(round, `the commit under suspicion is missing: ${changes.map((c) => c.message).join(', ')}`);
        assert.deepEqual(round.files.map((f) => f.path), [file]);
        assert.deepEqual(round.files[0].hunks?.map((h) => [h.newStart, h.newLines]), [[10, 1]], 'the diff came from git itself, not a driver');
        assert.equal(round.deploy?.ref, 'deploy/payments-7');
        assert.ok(changes.some((c) => c.sha === repo.shas.signed), 'the signed commit is listed');
      });

      it('blame reads committed lines and runs nothing', async () => {
        const src = new GitChangeSource({ workspace: repo.dir, trusted, timeoutMs: 10_000 });
        const blame = await src.blame(file, 9, 11);
        assert.deepEqual(canaryRuns(repo), [], 'the canary ran during blame');
        assert.deepEqual(blame.map((b) => [b.line, b.sha]), [[9, repo.shas.base], [10, repo.shas.change], [11, repo.shas.base]]);
        assert.match(blame[1].text, /cents \/ 10/);
      });

      it("the diff view's file read returns the committed content and runs nothing", async () => {
        const before = await readFileAtRevision({ repo: repo.dir, rev: `${repo.shas.change}^`, path: file, trusted });
        const after = await readFileAtRevision({ repo: repo.dir, rev: repo.shas.change, path: file, trusted });
        const absent = await readFileAtRevision({ repo: repo.dir, rev: repo.shas.base, path: 'no/such/file.ts', trusted });
        assert.deepEqual(canaryRuns(repo), [], 'the canary ran while reading a file at a revision');
        assert.match(before ?? '', /^line 10$/m);
        assert.match(after ?? '', /cents \/ 10/);
        assert.equal(absent, undefined, 'a file the revision lacks is an empty side, not an error');
      });
    });
  }

  it('refuses to blame, with a clear error, when blame.ignoreRevsFile names something that never ends', async () => {
    git(repo.dir, ['config', 'blame.ignoreRevsFile', '/dev/zero']);
    try {
      const src = new GitChangeSource({ workspace: repo.dir, trusted: false, timeoutMs: 10_000 });
      await assert.rejects(src.blame(file, 9, 11), /blame\.ignoreRevsFile names "\/dev\/zero", which is not a regular file/);
    } finally {
      git(repo.dir, ['config', '--unset', 'blame.ignoreRevsFile']);
    }
  });

  it('says in the checked list that an untrusted workspace was read in the safe form', () => {
    assert.equal(new GitChangeSource({ workspace: repo.dir, trusted: true }).notes.length, 0);
    assert.match(new GitChangeSource({ workspace: repo.dir, trusted: false }).notes.join(' '), /not trusted/);
  });
});

describe('a partial clone whose promisor remote is an ext:: command (security, real repositories)', function () {
  this.timeout(60_000);
  let root: string;
  let clone: string;
  let canary: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-promisor-'));
    const origin = path.join(root, 'origin');
    fs.mkdirSync(origin);
    git(origin, ['init', '-q', '-b', 'main']);
    fs.writeFileSync(path.join(origin, 'app.js'), 'console.log(1)\n');
    git(origin, ['add', '-A'], T0 - 5 * 3600_000);
    git(origin, ['commit', '-q', '-m', 'app: one'], T0 - 5 * 3600_000);
    fs.writeFileSync(path.join(origin, 'app.js'), 'console.log(2)\n');
    git(origin, ['commit', '-q', '-am', 'app: two'], T0 - 4 * 3600_000);
    git(origin, ['config', 'uploadpack.allowFilter', 'true']);
    clone = path.join(root, 'clone');
    execFileSync('git', ['clone', '-q', '--no-local', '--no-checkout', '--filter=blob:none', `file://${origin}`, clone], { env: gitEnv(root), stdio: 'pipe' });
    canary = path.join(root, 'ext-canary');
    // The blobs are missing; a read that needs one makes git fetch them from "origin", which now runs a command.
    git(clone, ['config', 'remote.origin.url', `ext::sh -c touch% ${canary}`]);
    git(clone, ['config', 'protocol.ext.allow', 'always']);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('control: plain git log -p runs the remote command', () => {
    spawnSync('git', ['log', '-p', '-2'], { cwd: clone, env: gitEnv(root), encoding: 'utf8', timeout: 10_000 });
    assert.ok(fs.existsSync(canary), 'plain git did not run the ext:: command: the test repository is not hostile');
    fs.rmSync(canary);
  });

  it('listChanges never fetches: the missing objects are an error, the command never runs', async () => {
    const src = new GitChangeSource({ workspace: clone, trusted: false, timeoutMs: 10_000 });
    await assert.rejects(src.listChanges({ start: T0 - 6 * 3600_000, end: T0 }), /promisor|not allowed|fetch/i);
    assert.equal(fs.existsSync(canary), false, 'the ext:: remote command ran');
  });
});

describe('an untrusted folder that is itself a bare repository (security, real repositories)', () => {
  it('is not opened, and its configuration never runs', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-bare-'));
    try {
      const { script, log } = writeCanary(root);
      const bare = path.join(root, 'download');
      execFileSync('git', ['init', '-q', '--bare', bare], { env: gitEnv(root) });
      git(bare, ['config', 'core.fsmonitor', script]);
      const src = new GitChangeSource({ workspace: bare, trusted: false, timeoutMs: 10_000 });
      await assert.rejects(src.listChanges(WINDOW), /bare repository/i);
      assert.equal(fs.existsSync(log), false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('revisions and paths given to the diff view', () => {
  it('accepts shas, ref names and ancestry suffixes', () => {
    for (const ok of ['HEAD', 'HEAD^', 'a1b2c3d', 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0^', 'main~2', 'refs/tags/deploy/payments-7', 'release/2026.01']) {
      assert.equal(revisionProblem(ok), undefined, ok);
    }
  });

  it('refuses anything that could become an option or leave the repository', async () => {
    for (const bad of ['--output=/tmp/x', '-p', '', 'a..b', 'main:secret', 'HEAD@{1}', 'x y', 'a\nb', '.hidden', 'x.lock', '/abs', 'x//y', '@']) {
      assert.ok(revisionProblem(bad), `revision ${JSON.stringify(bad)} was accepted`);
    }
    for (const bad of ['../etc/passwd', 'a/../../b', '/etc/passwd', '-n', '--output=x', 'a\0b', './x', 'a//b', 'C:/x', 'a\\b', '']) {
      assert.ok(repoPathProblem(bad), `path ${JSON.stringify(bad)} was accepted`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-rev-'));
    try {
      git(dir, ['init', '-q', '-b', 'main']);
      fs.writeFileSync(path.join(dir, 'a.txt'), 'a\n');
      git(dir, ['add', '-A'], T0);
      git(dir, ['commit', '-q', '-m', 'a'], T0);
      const written = path.join(dir, 'written-by-git');
      await assert.rejects(readFileAtRevision({ repo: dir, rev: `--output=${written}`, path: 'a.txt', trusted: true }), GitArgumentError);
      await assert.rejects(readFileAtRevision({ repo: dir, rev: 'HEAD', path: `--output=${written}`, trusted: true }), GitArgumentError);
      await assert.rejects(readFileAtRevision({ repo: dir, rev: 'HEAD', path: '../a.txt', trusted: true }), GitArgumentError);
      assert.equal(fs.existsSync(written), false, 'git wrote a file named by the request');
      assert.equal(await readFileAtRevision({ repo: dir, rev: 'HEAD', path: 'a.txt', trusted: true }), 'a\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
