#!/usr/bin/env node
'use strict';
// Scales the lab's replicated workload, as `kubectl scale` would a Deployment.
//
//   node demo/lab/scale.js --workspace DIR --service recommend --replicas N [--dry-run] [--wait-s 30] [--actor NAME]
//
// Writes the desired count to <workspace>/.lab/replicas.json (the replicas supervisor starts or stops
// processes to match), appends a record to .lab/scales.jsonl, and waits until that many replicas run.
// Exit codes: 0 done (or dry run), 2 bad arguments, 3 no such workload, 5 recorded but not running in time.
const fs = require('node:fs');
const path = require('node:path');

function fail(code, message) {
  process.stderr.write(`scale: ${message}\n`);
  process.exit(code);
}

const a = process.argv.slice(2);
const opt = (name) => {
  const i = a.indexOf(name);
  return i >= 0 ? a[i + 1] : undefined;
};
const workspace = opt('--workspace');
const service = opt('--service');
const replicas = Number(opt('--replicas'));
const waitS = Number(opt('--wait-s') ?? 30);
const dryRun = a.includes('--dry-run');
if (!workspace || !service || !Number.isInteger(replicas) || replicas < 0 || replicas > 50) fail(2, 'usage: scale.js --workspace DIR --service NAME --replicas N (0-50) [--dry-run] [--wait-s N]');
const labDir = path.join(path.resolve(workspace), '.lab');
const desiredFile = path.join(labDir, 'replicas.json');
const statusFile = path.join(labDir, 'replicas-status.json');
let desired;
try {
  desired = JSON.parse(fs.readFileSync(desiredFile, 'utf8'));
} catch {
  fail(3, `no replicated workload in ${labDir} (start demo/lab/replicas.js first)`);
}
if (desired.service !== service) fail(3, `the lab's replicated workload is ${JSON.stringify(desired.service)}, not ${JSON.stringify(service)}`);
const from = desired.replicas;
const delta = replicas - from;
const change = delta === 0 ? 'no change' : `${delta < 0 ? 'stops' : 'starts'} ${Math.abs(delta)} process${Math.abs(delta) === 1 ? '' : 'es'}`;
if (dryRun) {
  console.log(`[dry run] scale ${service}: ${from} -> ${replicas} replicas (${change}); nothing changed`);
  process.exit(0);
}
fs.writeFileSync(`${desiredFile}.tmp`, JSON.stringify({ ...desired, replicas, previous: from, changedAt: new Date().toISOString(), actor: opt('--actor') ?? process.env.USER ?? 'unknown' }, null, 2) + '\n');
fs.renameSync(`${desiredFile}.tmp`, desiredFile);
fs.appendFileSync(path.join(labDir, 'scales.jsonl'), JSON.stringify({ time: new Date().toISOString(), service, from, to: replicas }) + '\n');
console.log(`scale ${service}: ${from} -> ${replicas} replicas (${change})`);
const deadline = Date.now() + waitS * 1000;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
while (Date.now() < deadline) {
  try {
    const s = JSON.parse(fs.readFileSync(statusFile, 'utf8'));
    if (s.desired === replicas && s.running === replicas) {
      console.log(`${service}: ${replicas} replicas running (pids ${s.pids.join(', ')})`);
      process.exit(0);
    }
  } catch {
    // the supervisor is writing it
  }
  sleep(200);
}
fail(5, `${service} was not reported at ${replicas} running replicas within ${waitS} s; see ${path.join(labDir, 'logs')}`);
