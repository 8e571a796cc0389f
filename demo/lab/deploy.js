#!/usr/bin/env node
'use strict';
// Deploys one service of the incident lab workspace at a git revision.
//
//   node demo/lab/deploy.js --workspace DIR --service payments --to <rev> [--dry-run]
//   node demo/lab/deploy.js --workspace DIR --service payments --rollback [--dry-run]
//
// A deploy extracts the service's tree (services/<service>/, shared/, config/) at that revision into
// <workspace>/.lab/releases/<service>/<sha>/, points <workspace>/.lab/deployed.json at it (the lab
// supervisor watches that file and restarts the service from the new release), appends a record to
// <workspace>/.lab/deploys.jsonl and tags the commit deploy/<n>. A rollback is a deploy of the
// previous sha. Exit codes: 0 done (or dry run), 2 bad arguments, 3 workspace, service or revision
// not found, 4 the deploy failed (nothing recorded), 5 recorded but the service did not come up.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const EXIT = { ok: 0, usage: 2, notFound: 3, failed: 4, notRunning: 5 };
const DEPLOYER = { name: 'Deploy Bot', email: 'deploy-bot@shop.example' };
const RELEASE_PATHS = ['shared', 'config'];
const LOCK_STALE_MS = 60_000;

class DeployError extends Error {
  constructor(exitCode, message) {
    super(message);
    this.exitCode = exitCode;
  }
}

const USAGE = `usage: node deploy.js --workspace DIR --service NAME (--to REV | --rollback) [--dry-run] [--wait-s N] [--actor NAME]

  --workspace DIR  the lab workspace (a git repository with .lab/)
  --service NAME   storefront, checkout or payments
  --to REV         a commit, tag or branch to deploy
  --rollback       deploy the sha the service ran before its current one
  --dry-run        print what would change and change nothing
  --wait-s N       how long to wait for the lab supervisor to restart the service (default 20, 0: do not wait)
  --actor NAME     who deploys, for the deploy record (default $USER)`;

function parseArgs(argv) {
  const opts = { dryRun: false, rollback: false, waitS: 20, actor: process.env.USER || 'unknown' };
  const takesValue = { '--workspace': 'workspace', '--service': 'service', '--to': 'to', '--wait-s': 'waitS', '--actor': 'actor' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--dry-run') opts.dryRun = true;
    else if (arg === '--rollback') opts.rollback = true;
    else if (takesValue[arg]) {
      const value = argv[++i];
      if (value === undefined || value === '') throw new DeployError(EXIT.usage, `${arg} needs a value`);
      opts[takesValue[arg]] = value;
    } else throw new DeployError(EXIT.usage, `unknown argument: ${JSON.stringify(arg)}`);
  }
  if (!opts.workspace) throw new DeployError(EXIT.usage, '--workspace is required');
  if (!opts.service) throw new DeployError(EXIT.usage, '--service is required');
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(opts.service)) throw new DeployError(EXIT.usage, `not a service name: ${JSON.stringify(opts.service)}`);
  if (opts.rollback === (opts.to !== undefined)) throw new DeployError(EXIT.usage, 'give exactly one of --to REV or --rollback');
  if (opts.to !== undefined && opts.to.startsWith('-')) throw new DeployError(EXIT.usage, `not a revision: ${JSON.stringify(opts.to)}`);
  opts.waitS = Number(opts.waitS);
  if (!Number.isFinite(opts.waitS) || opts.waitS < 0 || opts.waitS > 600) throw new DeployError(EXIT.usage, '--wait-s must be a number of seconds from 0 to 600');
  return opts;
}

function gitEnv() {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[key];
  return env;
}

function git(workspace, args, options = {}) {
  try {
    return execFileSync('git', args, { cwd: workspace, env: { ...gitEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, encoding: options.encoding === 'buffer' ? 'buffer' : 'utf8' });
  } catch (err) {
    const stderr = err.stderr ? String(err.stderr).trim() : err.message;
    throw Object.assign(new Error(`git ${args.join(' ')}: ${stderr}`), { gitFailed: true });
  }
}

function tryGit(workspace, args) {
  try {
    return git(workspace, args).trim();
  } catch {
    return undefined;
  }
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw new DeployError(EXIT.failed, `${file} is unreadable: ${err.message}`);
  }
}

function writeJsonAtomic(file, value) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function short(sha) {
  return sha ? sha.slice(0, 7) : '(none)';
}

function releaseDirFor(workspace, service, sha) {
  return path.join(workspace, '.lab', 'releases', service, sha);
}

/** Extracts the service's tree at `sha` unless that release already exists. Returns its directory. */
function ensureRelease(workspace, service, sha) {
  const dir = releaseDirFor(workspace, service, sha);
  if (fs.existsSync(path.join(dir, '.release.json'))) return dir;
  const paths = [`services/${service}`, ...RELEASE_PATHS].filter((p) => tryGit(workspace, ['cat-file', '-e', `${sha}:${p}`]) !== undefined);
  const tar = git(workspace, ['archive', '--format=tar', sha, '--', ...paths], { encoding: 'buffer' });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    execFileSync('tar', ['-x', '-f', '-', '-C', tmp], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
    fs.writeFileSync(path.join(tmp, '.release.json'), JSON.stringify({ service, sha, paths, extractedAt: new Date().toISOString() }, null, 2) + '\n');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

function acquireLock(labDir) {
  const lock = path.join(labDir, 'deploy.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const age = Date.now() - fs.statSync(lock).mtimeMs;
      if (age < LOCK_STALE_MS) throw new DeployError(EXIT.failed, `another deploy is running (${lock} is ${Math.round(age / 1000)} s old); try again shortly`);
      fs.rmSync(lock, { force: true });
    }
  }
  throw new DeployError(EXIT.failed, `could not take the deploy lock ${lock}`);
}

function nextDeployTag(workspace) {
  const numbers = git(workspace, ['tag', '--list', 'deploy/*']).split('\n')
    .map((tag) => /^deploy\/(\d+)$/.exec(tag.trim()))
    .filter(Boolean)
    .map((m) => Number(m[1]));
  return `deploy/${numbers.length ? Math.max(...numbers) + 1 : 1}`;
}

function describeRange(workspace, fromSha, toSha) {
  if (!fromSha) return { direction: 'first deploy', commits: [] };
  const isForward = tryGit(workspace, ['merge-base', '--is-ancestor', fromSha, toSha]) !== undefined;
  const range = isForward ? `${fromSha}..${toSha}` : `${toSha}..${fromSha}`;
  const log = git(workspace, ['log', '--format=%h%x09%an%x09%s', range]).trim();
  const commits = log ? log.split('\n').map((line) => {
    const [sha, author, subject] = line.split('\t');
    return { sha, author, subject };
  }) : [];
  return { direction: isForward ? 'commits going out' : 'commits rolled back', commits };
}

function processAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits for the lab supervisor to report the service healthy at `sha`. */
function waitForSupervisor(labDir, service, sha, waitS, print) {
  const statusFile = path.join(labDir, 'status.json');
  const initial = readJson(statusFile, undefined);
  if (!initial || !processAlive(initial.supervisorPid)) {
    print('no lab supervisor is running: the release is deployed and the lab will start it next time');
    return EXIT.ok;
  }
  if (waitS === 0) {
    print('not waiting for the lab supervisor (--wait-s 0)');
    return EXIT.ok;
  }
  const deadline = Date.now() + waitS * 1000;
  while (Date.now() < deadline) {
    const status = readJson(statusFile, undefined);
    const entry = status && status.services && status.services[service];
    if (entry && entry.sha === sha && entry.state === 'running') {
      print(`${service} is running ${short(sha)} (pid ${entry.pid}, port ${entry.port})`);
      return EXIT.ok;
    }
    if (entry && entry.sha === sha && entry.state === 'failed') {
      print(`${service} failed to start at ${short(sha)}: ${entry.error || 'see the lab logs'}`);
      return EXIT.notRunning;
    }
    sleep(200);
  }
  print(`${service} was not reported running at ${short(sha)} within ${waitS} s; see ${path.join(labDir, 'logs', `${service}.log`)}`);
  return EXIT.notRunning;
}

function deploy(opts, print) {
  const workspace = path.resolve(opts.workspace);
  const labDir = path.join(workspace, '.lab');
  if (!fs.existsSync(path.join(workspace, '.git'))) throw new DeployError(EXIT.notFound, `${workspace} is not a git repository`);
  if (!fs.existsSync(labDir)) throw new DeployError(EXIT.notFound, `${workspace} is not a lab workspace (no .lab/)`);

  const deployedFile = path.join(labDir, 'deployed.json');
  const deployed = readJson(deployedFile, { services: {} });
  const current = deployed.services && deployed.services[opts.service];
  const currentSha = current && current.sha;

  let rev = opts.to;
  if (opts.rollback) {
    if (!current || !current.previousSha) throw new DeployError(EXIT.notFound, `${opts.service} has no previous deploy to roll back to`);
    rev = current.previousSha;
  }
  const sha = tryGit(workspace, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (!sha) throw new DeployError(EXIT.notFound, `no commit ${JSON.stringify(rev)} in ${workspace}`);
  if (tryGit(workspace, ['cat-file', '-e', `${sha}:services/${opts.service}`]) === undefined) {
    throw new DeployError(EXIT.notFound, `there is no service ${JSON.stringify(opts.service)} (services/${opts.service}/) at ${short(sha)}`);
  }
  const kind = opts.rollback || (current && current.previousSha === sha) ? 'rollback' : 'deploy';
  const prefix = opts.dryRun ? '[dry run] ' : '';

  print(`${prefix}${kind} ${opts.service}: ${short(currentSha)} -> ${short(sha)}`);
  if (currentSha === sha) {
    print(`${opts.service} already runs ${short(sha)}; nothing to do`);
    return EXIT.ok;
  }
  const range = describeRange(workspace, currentSha, sha);
  if (range.commits.length > 0) {
    print(`${range.direction} (${range.commits.length}):`);
    for (const c of range.commits) print(`  ${c.sha} ${c.subject} (${c.author})`);
  }
  const releaseDir = releaseDirFor(workspace, opts.service, sha);
  const tag = nextDeployTag(workspace);
  if (opts.dryRun) {
    print(`${prefix}would extract the release to ${releaseDir}`);
    print(`${prefix}would point .lab/deployed.json at it, tag ${tag} and append to .lab/deploys.jsonl`);
    print(`${prefix}nothing changed`);
    return EXIT.ok;
  }

  const releaseLock = acquireLock(labDir);
  try {
    try {
      ensureRelease(workspace, opts.service, sha);
    } catch (err) {
      throw new DeployError(EXIT.failed, `could not extract the release: ${err.message}`);
    }
    print(`release: ${releaseDir}`);
    const time = new Date();
    try {
      git(workspace, ['tag', '-a', tag, '-m', `${kind} ${opts.service} at ${sha.slice(0, 12)} (was ${currentSha ? currentSha.slice(0, 12) : 'nothing'})`, sha], {
        env: { GIT_COMMITTER_NAME: DEPLOYER.name, GIT_COMMITTER_EMAIL: DEPLOYER.email, GIT_COMMITTER_DATE: `@${Math.floor(time.getTime() / 1000)} +0000` },
      });
    } catch (err) {
      throw new DeployError(EXIT.failed, `could not tag ${tag}: ${err.message}`);
    }
    print(`tagged ${tag}`);
    const record = { time: time.toISOString(), service: opts.service, sha, previous: currentSha, tag, kind, environment: 'production', actor: opts.actor };
    fs.appendFileSync(path.join(labDir, 'deploys.jsonl'), JSON.stringify(record) + '\n');
    deployed.services = deployed.services || {};
    deployed.services[opts.service] = { sha, previousSha: currentSha, deployedAt: record.time, tag };
    writeJsonAtomic(deployedFile, deployed);
    print('recorded in .lab/deploys.jsonl and .lab/deployed.json');
  } finally {
    releaseLock();
  }
  return waitForSupervisor(labDir, opts.service, sha, opts.waitS, print);
}

function main(argv) {
  const print = (line) => process.stdout.write(line + '\n');
  try {
    const opts = parseArgs(argv);
    if (opts.help) {
      print(USAGE);
      return EXIT.ok;
    }
    return deploy(opts, print);
  } catch (err) {
    const code = err instanceof DeployError ? err.exitCode : EXIT.failed;
    process.stderr.write(`deploy: ${err.message}\n`);
    if (code === EXIT.usage) process.stderr.write(`${USAGE}\n`);
    return code;
  }
}

module.exports = { ensureRelease, releaseDirFor, EXIT };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
