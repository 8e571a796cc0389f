#!/usr/bin/env node
// Runs the integration suite (out/test/integration/suite/index.js) inside a real VS Code extension host.
// - With a desktop VS Code (VSCODE_EXECUTABLE=/path/to/code, or INCIDENT_LENS_USE_ELECTRON=1 on a machine that
//   can download one), through @vscode/test-electron.
// - Otherwise through the offline harness: VS Code's server from code-server, opened by Chromium, the suite passed
//   in the URL's payload. The suite writes mocha's report to a file that this runner streams to the terminal;
//   mocha's failures set the exit code.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const harness = require('./harness');

// `--vscode 1.103`: the suite of test/integration/next/ (APIs newer than the floor) in the 1.103 harness.
const vscodeArg = process.argv.indexOf('--vscode');
const vscodeVersion = vscodeArg > 0 ? process.argv[vscodeArg + 1] : '1.100';
const suite = path.join(harness.projectRoot, 'out', 'test', 'integration', vscodeVersion === '1.100' ? 'suite' : 'next', 'index.js');
const { spawnSync } = require('node:child_process');

/** A fresh demo-lab workspace (a real git repo with the faulty commit) for the suite to open. */
function createLabWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-lab-'));
  const script = `require(${JSON.stringify(path.join(harness.projectRoot, 'demo', 'lab', 'src', 'workspace.ts'))}).createLabWorkspace(process.argv[1], { deployBad: false }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script, dir], { stdio: 'inherit', cwd: harness.projectRoot });
  if (r.status !== 0) throw new Error('could not create the lab workspace');
  return dir;
}
let workspace = '';
const timeoutMs = Number(process.env.INCIDENT_LENS_TEST_TIMEOUT_MS || 300_000);

async function viaElectron(resultsFile) {
  const { runTests } = require('@vscode/test-electron');
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    extensionDevelopmentPath: harness.projectRoot,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { INCIDENT_LENS_TEST_RESULTS: resultsFile, INCIDENT_LENS_RECEIVER_PORT: '0' },
  });
  return 0;
}

async function viaHarness(resultsFile) {
  const server = await harness.startServer({
    vscode: vscodeVersion,
    env: { INCIDENT_LENS_TEST_RESULTS: resultsFile, INCIDENT_LENS_RECEIVER_PORT: '0' },
  });
  const browser = await harness.launchBrowser();
  let printed = 0;
  const flush = () => {
    if (!fs.existsSync(resultsFile)) return '';
    const text = fs.readFileSync(resultsFile, 'utf8');
    const fresh = text.slice(printed);
    printed = text.length;
    process.stdout.write(fresh.replace(/^__RESULT__ .*$/m, ''));
    return text;
  };
  try {
    const url = harness.workbenchUrl(server, { folder: workspace, extensionTestsPath: suite });
    const page = await harness.openWorkbench(browser, url);
    page.on('pageerror', (e) => console.error(`[workbench] ${e.message}`));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const text = flush();
      const m = /^__RESULT__ (.*)$/m.exec(text);
      if (m) {
        const result = JSON.parse(m[1]);
        return result.failures > 0 || result.tests === 0 ? 1 : 0;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    console.error(`integration: no result within ${timeoutMs} ms; VS Code server log: ${server.logFile}`);
    console.error(fs.readFileSync(server.logFile, 'utf8').slice(-3000));
    return 1;
  } finally {
    flush();
    await browser.close();
    await server.stop();
  }
}

(async () => {
  if (!fs.existsSync(suite)) throw new Error(`${suite} is missing: run \`npm run build\` first`);
  workspace = process.env.INCIDENT_LENS_TEST_WORKSPACE || createLabWorkspace();
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'incident-lens-itest-')), 'results.txt');
  const useElectron = Boolean(process.env.VSCODE_EXECUTABLE || process.env.INCIDENT_LENS_USE_ELECTRON);
  if (useElectron && vscodeVersion !== '1.100') {
    console.log(`integration: the ${vscodeVersion} suite runs in the desktop VS Code given (it must be ${vscodeVersion} or newer)`);
  }
  console.log(`integration: running the suite inside ${useElectron ? 'desktop VS Code (@vscode/test-electron)' : `VS Code ${vscodeVersion === '1.100' ? '1.100.3' : '1.103.2'} server + Chromium (offline harness)`}`);
  const code = useElectron ? await viaElectron(resultsFile) : await viaHarness(resultsFile);
  process.exit(code);
})().catch((err) => {
  console.error(`integration: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
