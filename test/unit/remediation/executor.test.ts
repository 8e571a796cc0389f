import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProcessExecutor, succeeded, type OutputChunk } from '../../../src/remediation/executor';
import { removeDir, tempDir, writeScript } from './helpers';

describe('executor (real processes, shell: false)', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('exec')));
  afterEach(() => removeDir(dir));

  it('streams stdout and stderr as they come and returns the exit code', async () => {
    const script = writeScript(dir, 'talk.js', `process.stdout.write('out-1\\n'); process.stderr.write('err-1\\n'); setTimeout(() => { process.stdout.write('out-2\\n'); process.exit(3); }, 50);`);
    const chunks: OutputChunk[] = [];
    const r = await createProcessExecutor().run({ argv: [script], onOutput: (c) => chunks.push(c) });
    assert.equal(r.exitCode, 3);
    assert.equal(succeeded(r), false);
    assert.equal(r.stdout, 'out-1\nout-2\n');
    assert.equal(r.stderr, 'err-1\n');
    assert.equal(chunks.filter((c) => c.stream === 'stdout').map((c) => c.text).join(''), 'out-1\nout-2\n');
    assert.ok(chunks.some((c) => c.stream === 'stderr' && c.text.includes('err-1')));
  });

  it('passes environment variables by name only: an unnamed secret never reaches the program', async () => {
    const script = writeScript(dir, 'env.js', `process.stdout.write(JSON.stringify({ token: process.env.IL_SECRET_TOKEN ?? null, cfg: process.env.IL_NAMED ?? null, path: !!process.env.PATH }));`);
    const exec = createProcessExecutor({ envSource: { ...process.env, IL_SECRET_TOKEN: 's3cr3t', IL_NAMED: 'visible' } });
    const seen = JSON.parse((await exec.run({ argv: [script], env: ['IL_NAMED'] })).stdout);
    assert.deepEqual(seen, { token: null, cfg: 'visible', path: true });
  });

  it('cancel: SIGINT first, then SIGTERM for a program that ignores SIGINT', async () => {
    const log = path.join(dir, 'signals.log');
    const script = writeScript(
      dir,
      'stubborn.js',
      `const fs = require('fs');
process.on('SIGINT', () => fs.appendFileSync(${JSON.stringify(log)}, 'SIGINT\\n'));
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`,
    );
    const abort = new AbortController();
    const exec = createProcessExecutor({ graceMs: 200 });
    const r = await exec.run({ argv: [script], signal: abort.signal, onOutput: (c) => c.text.includes('ready') && abort.abort() });
    assert.equal(r.cancelled, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.equal(fs.readFileSync(log, 'utf8'), 'SIGINT\n', 'the program was asked politely first');
  });

  it('cancel: SIGKILL for a program that ignores SIGINT and SIGTERM', async () => {
    const script = writeScript(dir, 'deaf.js', `process.on('SIGINT', () => {}); process.on('SIGTERM', () => {}); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`);
    const abort = new AbortController();
    const r = await createProcessExecutor({ graceMs: 150 }).run({ argv: [script], signal: abort.signal, onOutput: (c) => c.text.includes('ready') && abort.abort() });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.cancelled, true);
  });

  it('a timeout stops the program and says so', async () => {
    const script = writeScript(dir, 'sleepy.js', `setInterval(() => {}, 1000);`);
    const r = await createProcessExecutor({ graceMs: 200 }).run({ argv: [script], timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGINT');
    assert.equal(succeeded(r), false);
  });

  it('a missing program is a clear spawn error, not a crash', async () => {
    const r = await createProcessExecutor().run({ argv: [path.join(dir, 'no-such-tool')] });
    assert.match(r.spawnError ?? '', /ENOENT/);
    assert.equal(r.exitCode, null);
  });

  it('refuses an empty argv and NUL bytes without starting anything', async () => {
    const exec = createProcessExecutor();
    assert.match((await exec.run({ argv: [] })).spawnError ?? '', /empty argv/);
    assert.match((await exec.run({ argv: [process.execPath, '-e', 'x\0y'] })).spawnError ?? '', /NUL/);
  });

  it('runs in the requested working directory', async () => {
    const r = await createProcessExecutor().run({ argv: [process.execPath, '-e', 'process.stdout.write(process.cwd())'], cwd: dir });
    assert.equal(fs.realpathSync(r.stdout), fs.realpathSync(dir));
  });
});
