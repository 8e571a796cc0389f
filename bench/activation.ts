// Activation time of Incident Lens measured inside a real VS Code extension host (VS Code 1.100.3's
// server from the offline harness, opened by Chromium): a suite module passed as extensionTestsPath
// times getExtension(...).activate(), i.e. loading dist/extension.js plus running activate(), in N
// fresh VS Code launches. Then the size of the packaged .vsix and its largest files.
// Aims: activation under 50 ms, .vsix under 2 MB.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseBenchArgs, printResult, round } from './common';
import { Teardown, describeSamples, ensureBuilt, harness, median, poll, projectRoot, verdict } from './lib/vscodeBench';

const suiteModule = path.join('out', 'test', 'integration', 'bench', 'activationSuite.js');
const workspace = path.join(projectRoot, 'test', 'fixtures', 'sample-workspace');
const aimActivateMs = 50;
const aimVsixBytes = 2 * 1024 * 1024;

interface RunFigures {
  activateMs: number;
  startedMs: number;
  wasActive: boolean;
  /** How long the suite waited for the host to go quiet first, and how many extensions were active then. */
  settledMs: number;
  otherActiveExtensions: number;
  vscodeVersion: string;
  /** The part of activateMs spent in require() of dist/extension.js (undefined when the hook missed it). */
  bundleLoadMs?: number;
}

async function measureOnce(browser: import('playwright-core').Browser, teardown: Teardown, settle: boolean, profileFile?: string): Promise<RunFigures> {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-bench-act-'));
  const resultsFile = path.join(resultsDir, 'results.txt');
  const env: Record<string, string> = { INCIDENT_LENS_TEST_RESULTS: resultsFile, INCIDENT_LENS_RECEIVER_PORT: '0' };
  if (profileFile) env.INCIDENT_LENS_BENCH_PROFILE = profileFile;
  if (!settle) env.INCIDENT_LENS_BENCH_SETTLE_MS = '0';
  const server = await harness.startServer({ env });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    fs.rmSync(resultsDir, { recursive: true, force: true });
  };
  teardown.add('VS Code server', stop);
  try {
    const url = harness.workbenchUrl(server, { folder: workspace, extensionTestsPath: path.join(projectRoot, suiteModule) });
    const page = await harness.openWorkbench(browser, url);
    try {
      const line = await poll('the activation figure from the extension host', 120_000, () => {
        const text = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '';
        return /^__BENCH__ (.*)$/m.exec(text)?.[1];
      });
      const figures = JSON.parse(line) as RunFigures & { error?: string };
      if (figures.error) throw new Error(`inside the extension host: ${figures.error}`);
      return figures;
    } finally {
      await page.context().close().catch(() => undefined);
    }
  } catch (err) {
    const log = fs.existsSync(server.logFile) ? fs.readFileSync(server.logFile, 'utf8').slice(-1500) : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nVS Code server log (tail):\n${log}`);
  } finally {
    await stop();
  }
}

interface ZipEntry {
  name: string;
  compressed: number;
  size: number;
}

/** The entries of a zip file, from its central directory (a .vsix is a zip). */
function zipEntries(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  // The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    out.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLen), compressed, size });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function runVsce(file: string, extra: string[]): { ok: boolean; output: string } {
  // stdin closed: a question from vsce (e.g. about a missing LICENSE) fails instead of hanging.
  // The same command as `npm run package` (package.json), with the output file added.
  const r = spawnSync('npm', ['run', '--silent', 'package', '--', ...extra, '-o', file], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { ok: r.status === 0 && fs.existsSync(file), output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * Packages the .vsix as `npm run package` does. When vsce refuses only because README links cannot be
 * made absolute (no repository in package.json), it says so and packages again with placeholder base
 * URLs, which changes only those links, so the size still stands for the real package.
 */
function packageVsix(): { file: string; dir: string; problem?: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-bench-vsix-'));
  const file = path.join(dir, 'incident-lens.vsix');
  const first = runVsce(file, []);
  if (first.ok) return { file, dir };
  if (/baseContentUrl|baseImagesUrl/.test(first.output)) {
    const placeholder = 'https://example.invalid/incident-lens';
    const second = runVsce(file, ['--baseContentUrl', placeholder, '--baseImagesUrl', placeholder]);
    if (second.ok) return { file, dir, problem: first.output.split('\n').find((l) => /ERROR/.test(l))?.trim() ?? first.output.slice(0, 300) };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(`vsce package failed:\n${first.output.slice(-2000)}`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Prints where a CPU profile of the activation spent its time: self time by script, and inclusive time
 * by original source file of the bundle (a module's top-level code includes what it imports), mapped
 * through dist/extension.js.map when the source-map package (webpack's) is there.
 */
async function summarizeProfile(file: string): Promise<void> {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile & { nodes: { id: number; children?: number[] }[] };
  const selfUs = new Map<number, number>();
  prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  type Position = { source: string | null };
  type Consumer = { originalPositionFor(p: { line: number; column: number; bias?: number }): Position; destroy?(): void };
  let smc: Consumer | undefined;
  let leastUpperBound = 2;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sm = require('source-map') as { SourceMapConsumer: (new (m: unknown) => Promise<Consumer>) & { LEAST_UPPER_BOUND: number } };
    leastUpperBound = sm.SourceMapConsumer.LEAST_UPPER_BOUND;
    smc = await new sm.SourceMapConsumer(JSON.parse(fs.readFileSync(path.join(projectRoot, 'dist', 'extension.js.map'), 'utf8')));
  } catch {
    smc = undefined;
  }
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sourceOf = new Map<number, string | undefined>();
  const bundleSource = (id: number): string | undefined => {
    if (sourceOf.has(id)) return sourceOf.get(id);
    const cf = byId.get(id)!.callFrame;
    let src: string | undefined;
    if (cf.url.endsWith('dist/extension.js')) {
      const at = { line: cf.lineNumber + 1, column: cf.columnNumber };
      const pos = smc?.originalPositionFor(at);
      // Minified function starts often sit just before a mapped column.
      const source = pos?.source ?? smc?.originalPositionFor({ ...at, bias: leastUpperBound }).source;
      src = source ? source.replace(/^webpack:\/\/[^/]*\//, '') : 'dist/extension.js (unmapped)';
    }
    sourceOf.set(id, src);
    return src;
  };
  const bySelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, ms: number) => m.set(k, (m.get(k) ?? 0) + ms);
  for (const n of prof.nodes) {
    const ms = (selfUs.get(n.id) ?? 0) / 1000;
    if (!ms) continue;
    const cf = n.callFrame;
    add(bySelf, bundleSource(n.id) ?? (cf.url ? cf.url.replace(/^.*\/node_modules\//, 'node_modules/') : `(${cf.functionName || 'native'})`), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const src = bundleSource(id);
      if (src && !seen.has(src)) {
        seen.add(src);
        add(inclusive, src, ms);
      }
    }
  }
  smc?.destroy?.();
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log('  self time by source (top 12):');
  for (const [k, v] of top(bySelf, 12)) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
  console.log('  inclusive time by bundled module (its top-level code and what it imports; the outermost frames map loosely):');
  for (const [k, v] of top(inclusive, 20)) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const runs = Math.max(1, Number(args.flags.runs ?? 5) || 5);
  // By default the suite waits for the host to go quiet (built-in extensions starting at the same time
  // share its one thread); --no-settle times activation in the middle of start-up instead.
  const settle = !args.flags['no-settle'];
  const teardown = new Teardown();
  try {
    const built = await ensureBuilt([path.join('dist', 'extension.js'), suiteModule]);
    if (built) console.log(`note: ${built}`);

    console.log(`activation: ${runs} fresh launches of VS Code 1.100.3 (offline harness), workspace test/fixtures/sample-workspace, ${settle ? 'timed once the extension host is quiet' : 'timed during start-up (--no-settle)'}`);
    const browser = await harness.launchBrowser();
    teardown.add('Chromium', () => browser.close());
    const samples: RunFigures[] = [];
    for (let i = 0; i < runs; i++) {
      const f = await measureOnce(browser, teardown, settle);
      samples.push(f);
      const body = f.bundleLoadMs !== undefined ? ` (loading the bundle ${f.bundleLoadMs.toFixed(1)} ms, the rest ${(f.activateMs - f.bundleLoadMs).toFixed(1)} ms)` : '';
      console.log(`  run ${i + 1}: activate ${f.activateMs.toFixed(1)} ms${body}; sources started ${f.startedMs.toFixed(1)} ms later${settle ? `; waited ${(f.settledMs / 1000).toFixed(1)} s for quiet, ${f.otherActiveExtensions} extensions active` : ''}${f.wasActive ? ' (WARNING: already active before the measurement)' : ''}`);
    }
    const activate = samples.map((s) => s.activateMs);
    const activateMs = median(activate);
    const loads = samples.flatMap((s) => (s.bundleLoadMs === undefined ? [] : [s.bundleLoadMs]));
    console.log(`\nactivate() incl. loading the bundle: ${describeSamples(activate)}`);
    if (loads.length) {
      console.log(`  of which require() of dist/extension.js: ${describeSamples(loads)}`);
      console.log(`  and the rest (activate() and VS Code's own work): ${describeSamples(samples.flatMap((s) => (s.bundleLoadMs === undefined ? [] : [s.activateMs - s.bundleLoadMs])))}`);
    }
    console.log(`  sources + receiver started after activate(): ${describeSamples(samples.map((s) => s.startedMs))}`);
    console.log(`  ${verdict(activateMs, aimActivateMs, 'ms')}`);
    if (args.flags.profile) {
      const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-bench-prof-'));
      teardown.add('profile temp dir', () => fs.rmSync(profileDir, { recursive: true, force: true }));
      const profileFile = path.join(profileDir, 'activation.cpuprofile');
      const f = await measureOnce(browser, teardown, settle, profileFile);
      console.log(`\nCPU profile of one more activation (${f.activateMs.toFixed(1)} ms while profiling, not counted above):`);
      await summarizeProfile(profileFile);
    }
    const bundle = fs.statSync(path.join(projectRoot, 'dist', 'extension.js')).size;
    console.log(`  dist/extension.js is ${kb(bundle)}`);

    console.log('\n.vsix: npm run package (vsce package --no-dependencies)');
    const vsix = packageVsix();
    teardown.add('vsix temp dir', () => fs.rmSync(vsix.dir, { recursive: true, force: true }));
    if (vsix.problem) {
      console.log(`  WARNING: \`npm run package\` fails as the project stands: ${vsix.problem}`);
      console.log('  (packaged again with placeholder --baseContentUrl/--baseImagesUrl to measure the size)');
    }
    const vsixBytes = fs.statSync(vsix.file).size;
    const entries = zipEntries(vsix.file).sort((a, b) => b.compressed - a.compressed);
    console.log(`  ${vsixBytes} bytes (${kb(vsixBytes)}), ${entries.length} files; ${verdict(vsixBytes / 1024, aimVsixBytes / 1024, 'KB')}`);
    console.log('  largest files (compressed / uncompressed):');
    for (const e of entries.slice(0, 10)) console.log(`    ${kb(e.compressed).padStart(10)} / ${kb(e.size).padStart(10)}  ${e.name}`);

    printResult({ bench: 'activation', activateMs: round(activateMs, 1), vsixBytes });
  } finally {
    await teardown.run();
  }
}

main().catch((err: unknown) => {
  console.error(`activation bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
