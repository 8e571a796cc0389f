#!/usr/bin/env node
'use strict';
// Runs a non-Node program (Prometheus, Alertmanager) for the lab and stops it when the lab goes
// away: node guard.js -- /usr/bin/prometheus --flag ...
// A Go binary cannot watch its parent, so this small Node process does it for it.
const { spawn } = require('node:child_process');

const dashdash = process.argv.indexOf('--');
const [command, ...args] = dashdash >= 0 ? process.argv.slice(dashdash + 1) : [];
if (!command) {
  process.stderr.write('usage: node guard.js -- COMMAND [ARGS...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 4000).unref();
}
child.on('exit', (code, signal) => process.exit(stopping ? 0 : code === null ? 1 : code || (signal ? 1 : 0)));
child.on('error', (err) => {
  process.stderr.write(`guard: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
