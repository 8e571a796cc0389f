// Browser end-to-end support: VS Code's server from the offline harness, opened in Chromium, driven as
// a user would (activity bar, tree, command palette, webview), with screenshots under test-results/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Browser, Frame, Page } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const harness = require('../harness/harness.js') as {
  projectRoot: string;
  freePort(): Promise<number>;
  startServer(opts?: { env?: Record<string, string>; trust?: boolean; settings?: Record<string, unknown> }): Promise<{ port: number; base: string; logFile: string; stop(): Promise<void> }>;
  workbenchUrl(server: { port: number; base: string }, o: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  launchBrowser(): Promise<Browser>;
  openWorkbench(browser: Browser, url: string, size?: { width: number; height: number }): Promise<Page>;
};

export const projectRoot = harness.projectRoot;
export const screenshotDir = path.join(projectRoot, 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function createLabWorkspace(): { dir: string; badSha: string; goodSha: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-e2e-lab-'));
  const script = `require(${JSON.stringify(path.join(projectRoot, 'demo', 'lab', 'src', 'workspace.ts'))}).createLabWorkspace(process.argv[1], { deployBad: false }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script, dir], { stdio: 'inherit', cwd: projectRoot });
  if (r.status !== 0) throw new Error('could not create the lab workspace');
  const facts = JSON.parse(fs.readFileSync(path.join(dir, '.lab', 'workspace.json'), 'utf8')) as { badSha: string; goodSha: string };
  return { dir, badSha: facts.badSha, goodSha: facts.goodSha };
}

export interface Session {
  page: Page;
  browser: Browser;
  receiverPort: number;
  serverPort: number;
  stop(): Promise<void>;
}

/** Starts VS Code (server + Chromium) on `folder` with the extension under development loaded. */
export async function openVsCode(folder: string, opts: { trust?: boolean; settings?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Session> {
  const receiverPort = await harness.freePort();
  const server = await harness.startServer({ trust: opts.trust, settings: opts.settings, env: { INCIDENT_LENS_RECEIVER_PORT: String(receiverPort), ...(opts.env ?? {}) } });
  const browser = await harness.launchBrowser();
  const page = await harness.openWorkbench(browser, harness.workbenchUrl(server, { folder }));
  return {
    page,
    browser,
    receiverPort,
    serverPort: server.port,
    async stop() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

export function startLabProcess(workspace: string, otlp: string, extra: string[] = []): { child: ChildProcess; log: () => string; stop(): Promise<void> } {
  let log = '';
  const child = spawn(process.execPath, [path.join(projectRoot, 'demo', 'lab', 'run-lab.js'), '--workspace', workspace, '--otlp', otlp, '--no-prometheus', ...extra], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 3000));
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Clicks the Incident Lens icon in the activity bar. */
export async function openIncidentLens(page: Page): Promise<void> {
  const icon = page.locator('.activitybar [aria-label^="Incident Lens"]').first();
  await icon.waitFor({ timeout: 60_000 });
  const alreadyOpen = await page.locator('.sidebar .pane-header[aria-label^="Alerts"], .sidebar .pane-header:has-text("Alerts")').count();
  if (!alreadyOpen) await icon.click();
  await page.locator('.sidebar .pane-header:has-text("Alerts")').first().waitFor({ timeout: 30_000 });
}

/** Runs a command through the command palette, by keyboard only. */
export async function runCommand(page: Page, title: string): Promise<void> {
  // The palette sometimes opens hidden under load (its row is listed but not shown): close it and open it once more.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 15_000 });
    await page.keyboard.type(title, { delay: 5 });
    try {
      await page.locator(`.quick-input-list .monaco-list-row:has-text("${title}")`).first().waitFor({ timeout: 15_000 });
    } catch (err) {
      if (attempt >= 2) throw err;
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.press('Enter');
    return;
  }
}

/** The frame of the investigation webview (the innermost frame that holds #app). */
export async function investigationFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      try {
        if (await f.$('#app')) return f;
      } catch {
        /* frame detached while looking */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the investigation webview did not appear');
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Saves a screenshot named after a failed test, so a failure can be looked at. */
export async function screenshotOnFailure(ctx: Mocha.Context, page: Page | undefined): Promise<void> {
  const t = ctx.currentTest;
  if (!page || !t || t.state !== 'failed') return;
  const name = `FAILED-${t.fullTitle().replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}`;
  await screenshot(page, name).catch(() => undefined);
}

/** Opens an alert row's investigation as a user would: a click, and Enter on the focused row if the click was lost. */
export async function openAlertRow(page: Page, row: ReturnType<Page['locator']>): Promise<Frame> {
  await row.scrollIntoViewIfNeeded();
  await row.click();
  try {
    return await investigationFrame(page, 20_000);
  } catch {
    await row.click();
    await page.keyboard.press('Enter');
    return investigationFrame(page, 40_000);
  }
}

export interface LabSession {
  s: Session;
  lab: ReturnType<typeof startLabProcess>;
  workspace: ReturnType<typeof createLabWorkspace>;
}

/**
 * Registers the hooks of a describe block that runs VS Code on a fresh demo lab (faulty deploy 3 s in),
 * with a screenshot of every failure; the returned object is filled in by `before`.
 */
export function useLabSession(): LabSession {
  const holder = {} as LabSession;
  before(async () => {
    holder.workspace = createLabWorkspace();
    holder.s = await openVsCode(holder.workspace.dir);
    holder.lab = startLabProcess(holder.workspace.dir, `http://127.0.0.1:${holder.s.receiverPort}`, ['--rps', '8', '--bad-after-s', '3']);
  });
  afterEach(async function () {
    await screenshotOnFailure(this, holder.s?.page);
  });
  after(async () => {
    await holder.lab?.stop();
    await holder.s?.stop();
  });
  return holder;
}

/** The tree row of the lab's payments error-ratio alert. */
export const paymentsAlertRow = (page: Page) => page.locator('.sidebar .monaco-list-row[aria-label^="Alert HighErrorRatio, firing"][aria-label*="service payments"]').first();
