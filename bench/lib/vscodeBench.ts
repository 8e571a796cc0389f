// Shared by the benchmarks that run Incident Lens inside a real VS Code (the offline harness of
// ../shared/VSCODE-HARNESS.md): the build check, a teardown list that runs even on failure or Ctrl+C,
// starting VS Code's server + Chromium, and small statistics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';

export interface HarnessServer {
  port: number;
  base: string;
  tmp: string;
  logFile: string;
  dirs: { userData: string; extensions: string; serverData: string };
  stop(): Promise<void>;
}

interface Harness {
  projectRoot: string;
  freePort(): Promise<number>;
  startServer(opts?: { env?: Record<string, string>; trust?: boolean; settings?: Record<string, unknown> }): Promise<HarnessServer>;
  workbenchUrl(server: { port: number; base: string }, o: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  launchBrowser(): Promise<Browser>;
  openWorkbench(browser: Browser, url: string, size?: { width: number; height: number }): Promise<Page>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const harness = require('../../test/harness/harness.js') as Harness;
export const projectRoot = harness.projectRoot;

/** Things to stop, newest first; runs once, on success, failure, or SIGINT/SIGTERM. */
export class Teardown {
  private readonly steps: { what: string; fn: () => Promise<void> | void }[] = [];
  private ran = false;

  constructor() {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        console.error(`\n${sig}: stopping what the benchmark started`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }

  add(what: string, fn: () => Promise<void> | void): void {
    this.steps.push({ what, fn });
  }

  async run(): Promise<void> {
    if (this.ran) return;
    this.ran = true;
    for (const step of this.steps.reverse()) {
      try {
        await step.fn();
      } catch (err) {
        console.error(`cleanup (${step.what}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

function buildRunning(): boolean {
  const r = spawnSync('pgrep', ['-f', 'webpack|tsc -p tsconfig'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().length > 0;
}

/**
 * Makes sure the build output the benchmark needs exists. When any of `required` (paths relative to
 * the project) is missing it waits for a build someone else started, then runs `npm run build`.
 * Returns a note to print, or undefined when nothing had to be built.
 */
export async function ensureBuilt(required: string[]): Promise<string | undefined> {
  const missing = () => required.filter((p) => !fs.existsSync(path.join(projectRoot, p)));
  if (missing().length === 0) return undefined;
  const deadline = Date.now() + 300_000;
  while (buildRunning() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2000));
  const stillMissing = missing();
  if (stillMissing.length === 0) return 'build output appeared after a running build finished';
  console.log(`build output missing (${stillMissing.join(', ')}): running \`npm run build\` first`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed with status ${r.status}`);
  const after = missing();
  if (after.length) throw new Error(`still missing after the build: ${after.join(', ')}`);
  return `ran \`npm run build\` first (missing: ${stillMissing.join(', ')})`;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function describeSamples(xs: readonly number[], unit = 'ms'): string {
  if (!xs.length) return 'no samples';
  const f = (x: number) => `${x.toFixed(1)} ${unit}`;
  return `median ${f(median(xs))}, min ${f(Math.min(...xs))}, max ${f(Math.max(...xs))} (n=${xs.length}: ${xs.map((x) => x.toFixed(1)).join(', ')})`;
}

export function verdict(value: number, aim: number, unit: string): string {
  return value <= aim ? `within the aim (< ${aim} ${unit})` : `OVER the aim (< ${aim} ${unit}) by ${(value - aim).toFixed(1)} ${unit}`;
}

export async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Finds files under `dir` whose path matches `test` (for VS Code's log files). */
export function findFiles(dir: string, test: (p: string) => boolean, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, test, out);
    else if (test(p)) out.push(p);
  }
  return out;
}

export interface BenchSession {
  page: Page;
  server: HarnessServer;
  receiverPort: number;
}

/**
 * VS Code (server + a page in `browser`) on `folder` with the extension under development, the
 * receiver on a free port; the server is on `teardown` before anything else can fail.
 */
export async function openSession(browser: Browser, teardown: Teardown, folder: string, opts: { settings?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<BenchSession> {
  const receiverPort = await harness.freePort();
  const server = await harness.startServer({ settings: opts.settings, env: { INCIDENT_LENS_RECEIVER_PORT: String(receiverPort), ...(opts.env ?? {}) } });
  teardown.add('VS Code server', () => server.stop());
  const page = await harness.openWorkbench(browser, harness.workbenchUrl(server, { folder }));
  teardown.add('workbench page', () => page.context().close());
  return { page, server, receiverPort };
}
