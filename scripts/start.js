#!/usr/bin/env node
// npm start: builds the extension, starts the demo incident lab (three instrumented services, load, and
// a faulty deploy a few seconds in), and opens VS Code on the lab's workspace with Incident Lens loaded:
// the desktop `code` when it is on the PATH, otherwise VS Code in the browser through the offline
// harness's server, printing the URL to open. The services export OTLP to Incident Lens's embedded
// receiver (127.0.0.1:4318), which starts with the extension; the lab's Prometheus and Alertmanager,
// when it starts them, are written into the workspace's settings as sources. Ctrl+C stops everything.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
if (flag('help')) {
  console.log(`usage: npm start [-- --workspace DIR] [--port N] [--no-build] [--no-lab] [--browser]
  --workspace DIR  where the lab's git workspace lives (default demo/workspace)
  --port N         port of VS Code in the browser (default 8080)
  --no-build       skip the build
  --no-lab         open the workspace without starting the lab's services
  --browser        use VS Code in the browser even when \`code\` is on the PATH`);
  process.exit(0);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', 'command -v "$0"', cmd], { encoding: 'utf8' }).status === 0;
}

async function main() {
  if (!flag('no-build')) {
    console.log('start: building the extension');
    const npmCli = process.env.npm_execpath;
    const r = npmCli ? spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: root, stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  require('tsx/cjs');
  const workspaceDir = path.resolve(option('workspace', path.join(root, 'demo', 'workspace')));
  let lab;
  if (!flag('no-lab')) {
    const { startLab } = require(path.join(root, 'demo', 'lab', 'src', 'lab.ts'));
    lab = await startLab({ workspaceDir, otlpEndpoint: 'http://127.0.0.1:4318', withPrometheus: fs.existsSync('/usr/bin/prometheus'), loadRps: 4, deployBadAfterMs: 20_000 });
    console.log(`start: lab running in ${workspaceDir}`);
    console.log(`start: storefront :${lab.ports.storefront}  checkout :${lab.ports.checkout}  payments :${lab.ports.payments}${lab.ports.prometheus ? `  prometheus :${lab.ports.prometheus}  alertmanager :${lab.ports.alertmanager}` : ''}`);
    console.log('start: the faulty payments deploy goes out 20 s from now; alerts fire within a minute');
    // The lab's Prometheus and Alertmanager become sources of the workspace (removed when not running).
    const { writeLabSourceSettings } = require(path.join(__dirname, 'lab-settings.js'));
    const settings = writeLabSourceSettings(workspaceDir, lab.ports);
    if (!settings.written) console.log(`start: ${settings.reason}`);
    else if (lab.ports.prometheus) console.log(`start: Prometheus and Alertmanager are sources in ${path.relative(root, settings.file)}`);
  } else if (!fs.existsSync(workspaceDir)) {
    const { createLabWorkspace } = require(path.join(root, 'demo', 'lab', 'src', 'workspace.ts'));
    await createLabWorkspace(workspaceDir, { deployBad: false });
  }

  let stopVsCode = async () => {};
  if (onPath('code') && !flag('browser')) {
    console.log('start: opening desktop VS Code');
    spawn('code', ['--new-window', `--extensionDevelopmentPath=${root}`, workspaceDir], { stdio: 'inherit' });
  } else {
    const harness = require(path.join(root, 'test', 'harness', 'harness.js'));
    try {
      harness.serverMain();
    } catch {
      console.log('start: no VS Code here yet: installing the offline harness (scripts/install-harness.sh, once)');
      const r = spawnSync('bash', [path.join(root, 'scripts', 'install-harness.sh')], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('could not install the VS Code harness; see the output above');
    }
    const server = await harness.startServer({ port: Number(option('port', '8080')) });
    stopVsCode = () => server.stop();
    const url = harness.workbenchUrl(server, { folder: workspaceDir });
    console.log(`\nstart: open VS Code in your browser:\n\n  ${url}\n`);
  }
  console.log('start: Ctrl+C stops the lab and VS Code');
  const stop = async () => {
    await Promise.allSettled([lab?.stop(), stopVsCode()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`start: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
