// A throwaway PostgreSQL server from Debian's packages for the fault lab: initdb in a temporary data
// directory, listening on 127.0.0.1 at a free port (and a unix socket in the data directory), trust
// authentication, stopped and removed with the lab. PostgreSQL refuses to run as root, so as root the
// server runs as the `postgres` user the package creates.
import { type ChildProcess, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const CANDIDATE_BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/14/bin'];
const READY_TIMEOUT_MS = 30_000;

export interface PostgresServer {
  host: string;
  port: number;
  dataDir: string;
  /** psql with the given arguments as the superuser, on database `shop` unless -d is given. */
  psqlArgs(...args: string[]): { command: string; args: string[]; uid?: number; gid?: number };
  /** Runs SQL as the superuser and returns psql's output. */
  sql(sql: string, database?: string): Promise<string>;
  /** Stops the server fast (open sessions are terminated), as an outage would. */
  stopFast(): Promise<void>;
  stop(): Promise<void>;
}

/** The directory that holds initdb, postgres and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  return CANDIDATE_BIN_DIRS.find((d) => fs.existsSync(path.join(d, 'postgres')) && fs.existsSync(path.join(d, 'initdb')));
}

function run(command: string, args: string[], opts: { uid?: number; gid?: number; cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { uid: opts.uid, gid: opts.gid, cwd: opts.cwd ?? '/', timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'postgres'])).trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, and there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

/**
 * Starts PostgreSQL with a database `shop` owned by the role `owner`. `spawnGuarded` runs the server
 * process so that it goes away with the lab (see guard.js).
 */
export async function startPostgres(opts: { owner: string; spawnGuarded: (name: string, command: string, args: string[], uid?: number, gid?: number) => ChildProcess; logFile?: string }): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL is not installed (looked in ${CANDIDATE_BIN_DIRS.join(', ')}); apt-get install postgresql`);
  const user = await postgresUser();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-pg-'));
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...user, timeoutMs: 120_000 });
  const port = await freePort();
  const child = opts.spawnGuarded('postgresql', path.join(bin, 'postgres'), [
    '-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dataDir,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=100', '-c', 'shared_buffers=64MB',
    '-c', 'log_min_duration_statement=1000', '-c', "log_line_prefix=%m [%p] %a ",
  ], user?.uid, user?.gid);
  const psql = path.join(bin, 'psql');
  const psqlArgs = (...args: string[]) => ({
    command: psql,
    args: ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-v', 'ON_ERROR_STOP=1', ...(args.includes('-d') ? [] : ['-d', 'shop']), ...args],
    ...user,
  });
  const sql = async (text: string, database = 'shop') => {
    const a = psqlArgs('-d', database, '-At', '-c', text);
    return run(a.command, a.args, { uid: a.uid, gid: a.gid });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during startup (${child.exitCode}); data in ${dataDir}`);
    try {
      await sql('SELECT 1', 'postgres');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL was not ready on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  await sql(`CREATE ROLE ${opts.owner} LOGIN`, 'postgres');
  await sql(`CREATE DATABASE shop OWNER ${opts.owner}`, 'postgres');

  let stopped = false;
  const waitExit = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
  });
  const stopFast = async () => {
    // SIGINT is PostgreSQL's fast shutdown: sessions are terminated, the server goes away.
    child.kill('SIGINT');
    await waitExit();
  };
  return {
    host: '127.0.0.1',
    port,
    dataDir,
    psqlArgs,
    sql,
    stopFast,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopFast();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
