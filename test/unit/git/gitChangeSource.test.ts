import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitChangeSource } from '../../../src/sources/git';
import { SourceError } from '../../../src/core/errors';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0); // fixed base time of the test history

function git(cwd: string, args: string[], when?: number): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Ada Lovelace',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Lovelace',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: cwd,
  };
  if (when !== undefined) {
    const d = `@${Math.floor(when / 1000)} +0000`;
    env.GIT_AUTHOR_DATE = d;
    env.GIT_COMMITTER_DATE = d;
  }
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function commit(dir: string, message: string, when: number): string {
  git(dir, ['add', '-A'], when);
  git(dir, ['commit', '-q', '-m', message], when);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

describe('GitChangeSource (real repositories)', function () {
  let dir: string;
  const shas: Record<string, string> = {};

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-git-'));
    git(dir, ['init', '-q', '-b', 'main']);
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    write(dir, 'services/checkout/src/cart.ts', lines.join('\n') + '\n');
    write(dir, 'README.md', '# shop\n');
    shas.base = commit(dir, 'Initial import', T0 - 48 * 3600_000);

    const changed = [...lines];
    changed[19] = 'const total = items.reduce((a, b) => a + b.price, 0) / items.length;';
    changed.splice(30, 0, 'if (!coupon) throw new Error("no coupon");');
    write(dir, 'services/checkout/src/cart.ts', changed.join('\n') + '\n');
    write(dir, 'config/checkout.yaml', 'timeoutMs: 50\n');
    write(dir, 'tools/ünïcode name.txt', 'x\n');
    shas.cart = commit(dir, 'Average cart totals\n\nLonger body line.', T0 - 2 * 3600_000);
    git(dir, ['tag', '-a', 'deploy/checkout-42', '-m', 'deploy 42'], T0 - 3600_000);

    fs.mkdirSync(path.join(dir, 'docs'));
    git(dir, ['mv', 'README.md', 'docs/README.md'], T0 - 30 * 60_000);
    fs.rmSync(path.join(dir, 'tools'), { recursive: true });
    shas.move = commit(dir, 'Move docs', T0 - 30 * 60_000);
    git(dir, ['tag', 'deploy/lightweight'], T0 - 20 * 60_000);
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the commits of a window with authors, times, files, line counts and hunks', async function () {
    const src = new GitChangeSource({ workspace: dir });
    const changes = await src.listChanges({ start: T0 - 3 * 3600_000, end: T0 });
    assert.deepEqual(changes.map((c) => c.sha), [shas.move, shas.cart], 'newest first, the initial import is outside the window');
    const cart = changes.find((c) => c.sha === shas.cart)!;
    assert.equal(cart.author, 'Ada Lovelace');
    assert.equal(cart.email, 'ada@example.com');
    assert.equal(cart.time, T0 - 2 * 3600_000);
    assert.equal(cart.message, 'Average cart totals\n\nLonger body line.');
    const file = cart.files.find((f) => f.path === 'services/checkout/src/cart.ts')!;
    assert.equal(file.status, 'M');
    assert.equal(file.additions, 2);
    assert.equal(file.deletions, 1);
    assert.deepEqual(file.hunks, [
      { oldStart: 20, oldLines: 1, newStart: 20, newLines: 1 },
      { oldStart: 30, oldLines: 0, newStart: 31, newLines: 1 },
    ]);
    const config = cart.files.find((f) => f.path === 'config/checkout.yaml')!;
    assert.equal(config.status, 'A');
    assert.ok(cart.files.some((f) => f.path === 'tools/ünïcode name.txt'), 'non-ASCII paths come back unquoted');
    const move = changes.find((c) => c.sha === shas.move)!;
    const renamed = move.files.find((f) => f.path === 'docs/README.md')!;
    assert.equal(renamed.status, 'R');
    assert.equal(move.files.find((f) => f.path === 'tools/ünïcode name.txt')?.status, 'D');
  });

  it('attaches deploy tags: tagger date for annotated tags, commit date for lightweight ones', async function () {
    const src = new GitChangeSource({ workspace: dir });
    const changes = await src.listChanges({ start: T0 - 3 * 3600_000, end: T0 });
    const cart = changes.find((c) => c.sha === shas.cart)!;
    assert.deepEqual(cart.deploy, { ref: 'deploy/checkout-42', time: T0 - 3600_000 });
    const move = changes.find((c) => c.sha === shas.move)!;
    assert.deepEqual(move.deploy, { ref: 'deploy/lightweight', time: T0 - 30 * 60_000 });
    const none = new GitChangeSource({ workspace: dir, deployTagPattern: 'release/*' });
    const plain = await none.listChanges({ start: T0 - 3 * 3600_000, end: T0 });
    assert.ok(plain.every((c) => c.deploy === undefined));
  });

  it('reads deploy records from the configured deploy log, including commits older than the window that a deploy shipped', async function () {
    const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-git-lab-'));
    try {
      git(labDir, ['init', '-q', '-b', 'main']);
      write(labDir, 'apps/api/handler.py', 'def handler():\n    return 1\n');
      const first = commit(labDir, 'api: first', T0 - 10 * 3600_000);
      write(labDir, 'apps/api/handler.py', 'def handler():\n    return 2\n');
      const second = commit(labDir, 'api: second', T0 - 9 * 3600_000);
      write(labDir, '.lab/deploys.jsonl', [
        JSON.stringify({ time: new Date(T0 - 600_000).toISOString(), service: 'api', sha: second.slice(0, 10), previous: first }),
        '{"torn line',
        JSON.stringify({ time: T0 - 300_000, service: 'api', sha: 'deadbeefdeadbeef', previous: second }),
      ].join('\n'));
      const src = new GitChangeSource({ workspace: labDir, deployLog: '.lab/deploys.jsonl' });
      const changes = await src.listChanges({ start: T0 - 3600_000, end: T0 });
      assert.equal(changes.length, 1, 'the deployed commit is included though it was committed 9 h before');
      assert.equal(changes[0].sha, second);
      assert.equal(changes[0].deploy?.time, T0 - 600_000);
      assert.match(changes[0].deploy!.ref, /deploys\.jsonl:1 \(api\)/);
    } finally {
      fs.rmSync(labDir, { recursive: true, force: true });
    }
  });

  it('bounds the number of commits', async function () {
    const src = new GitChangeSource({ workspace: dir, maxCommits: 1 });
    const changes = await src.listChanges({ start: 0, end: T0 + 1000 });
    assert.equal(changes.length, 1);
  });

  it('blames a line range', async function () {
    const src = new GitChangeSource({ workspace: dir });
    const blame = await src.blame('services/checkout/src/cart.ts', 19, 21);
    assert.deepEqual(blame.map((b) => b.line), [19, 20, 21]);
    assert.equal(blame[0].sha, shas.base);
    assert.equal(blame[1].sha, shas.cart);
    assert.equal(blame[1].summary, 'Average cart totals');
    assert.equal(blame[1].author, 'Ada Lovelace');
    assert.equal(blame[1].time, T0 - 2 * 3600_000);
    assert.match(blame[1].text, /items\.reduce/);
    assert.equal(blame[2].sha, shas.base, 'a sha seen before keeps its author and summary');
    assert.equal(blame[2].summary, 'Initial import');
  });

  it('rejects paths outside the workspace and reports missing files clearly', async function () {
    const src = new GitChangeSource({ workspace: dir });
    await assert.rejects(src.blame('../etc/passwd', 1, 2), (e: unknown) => e instanceof SourceError && e.kind === 'client' && /outside the workspace/.test(e.message));
    await assert.rejects(src.blame('no/such/file.ts', 1, 2), (e: unknown) => e instanceof SourceError && e.kind === 'client');
  });

  it('says clearly when the folder is not a repository or git is missing', async function () {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'il-nogit-'));
    try {
      const src = new GitChangeSource({ workspace: plain });
      await assert.rejects(src.listChanges({ start: 0, end: T0 }), (e: unknown) => e instanceof SourceError && e.kind === 'not-found' && /not inside a git repository/.test(e.message));
      const missing = new GitChangeSource({ workspace: dir, gitPath: path.join(plain, 'no-git-here') });
      await assert.rejects(missing.listChanges({ start: 0, end: T0 }), (e: unknown) => e instanceof SourceError && e.kind === 'config' && /git was not found/.test(e.message));
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  it('returns no changes for a repository without commits', async function () {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'il-empty-'));
    try {
      git(empty, ['init', '-q']);
      const src = new GitChangeSource({ workspace: empty });
      assert.deepEqual(await src.listChanges({ start: 0, end: T0 }), []);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
