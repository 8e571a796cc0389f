#!/usr/bin/env node
'use strict';
// Runs a non-Node program (Prometheus, Alertmanager, PostgreSQL) for the lab and stops it when the
// lab goes away: node guard.js [--uid N --gid N] [--stop-signal SIGINT] -- /usr/bin/prometheus --flag ...
// A Go or C binary cannot watch its parent, so this small Node process does it for it. As root,
// --uid/--gid run the program as another user (PostgreSQL refuses to run as root).
const { spawn } = require('node:child_process');

const dashdash = process.argv.indexOf('--');
const [command, ...args] = dashdash >= 0 ? process.argv.slice(dashdash + 1) : [];
const own = dashdash >= 0 ? process.argv.slice(2, dashdash) : [];
const option = (name) => {
  const i = own.indexOf(name);
  return i >= 0 ? own[i + 1] : undefined;
};
if (!command) {
  process.stderr.write('usage: node guard.js [--uid N --gid N] [--stop-signal SIG] -- COMMAND [ARGS...]\n');
  process.exit(2);
}
const uid = option('--uid') === undefined ? undefined : Number(option('--uid'));
const gid = option('--gid') === undefined ? undefined : Number(option('--gid'));
const stopSignal = option('--stop-signal') || 'SIGTERM';

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], uid, gid });
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill(stopSignal);
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
