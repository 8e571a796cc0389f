// The only place in remediation that starts a process. argv goes to spawn with shell: false, so
// no character of any argument is ever interpreted; the environment holds only the variables a
// plan names (plus what every program needs to start), never everything we happen to have.

import { spawn } from 'node:child_process';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExecRequest {
  argv: readonly string[];
  cwd?: string;
  /** Names of environment variables to pass through from the executor's environment. */
  env?: readonly string[];
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (chunk: OutputChunk) => void;
}

export interface ExecResult {
  argv: string[];
  /** null when the process was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  /** The process could not be started (e.g. "spawn kubectl ENOENT"). */
  spawnError?: string;
}

export interface CommandExecutor {
  run(request: ExecRequest): Promise<ExecResult>;
}

// What a program needs to start and find its config; anything else must be named by the plan.
export const baseEnvNames = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PATHEXT', 'COMSPEC'];

export interface ProcessExecutorOptions {
  /** Where variable values come from; process.env by default. */
  envSource?: NodeJS.ProcessEnv;
  /** After cancel or timeout: SIGINT, then SIGTERM after this grace, then SIGKILL after another. */
  graceMs?: number;
  /** Output kept in the result per stream; the callback still sees all of it. */
  maxCaptureChars?: number;
}

export function pickEnv(names: readonly string[], source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of [...baseEnvNames, ...names]) {
    const v = source[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

export function createProcessExecutor(options: ProcessExecutorOptions = {}): CommandExecutor {
  const graceMs = options.graceMs ?? 3000;
  const maxCapture = options.maxCaptureChars ?? 1_000_000;
  return {
    run(request: ExecRequest): Promise<ExecResult> {
      const argv = [...request.argv];
      return new Promise<ExecResult>((resolve) => {
        const result: ExecResult = { argv, exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, cancelled: false };
        if (argv.length === 0 || typeof argv[0] !== 'string' || argv[0] === '') {
          resolve({ ...result, spawnError: 'empty argv: nothing to run' });
          return;
        }
        if (argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
          resolve({ ...result, spawnError: 'an argument is not a string or contains a NUL character' });
          return;
        }
        if (request.signal?.aborted) {
          resolve({ ...result, cancelled: true, spawnError: 'cancelled before start' });
          return;
        }
        const env = pickEnv(request.env ?? [], options.envSource ?? process.env);
        // Inside VS Code, process.execPath is Electron: it runs a script as Node only when told so.
        if (argv[0] === process.execPath && process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
        const child = spawn(argv[0], argv.slice(1), {
          cwd: request.cwd,
          env,
          shell: false,
          windowsHide: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const timers: NodeJS.Timeout[] = [];
        let finished = false;
        const stop = () => {
          if (finished || child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGINT');
          timers.push(
            setTimeout(() => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              timers.push(
                setTimeout(() => {
                  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
                }, graceMs),
              );
            }, graceMs),
          );
        };
        const onAbort = () => {
          result.cancelled = true;
          stop();
        };
        request.signal?.addEventListener('abort', onAbort, { once: true });
        if (request.timeoutMs !== undefined && request.timeoutMs > 0) {
          timers.push(
            setTimeout(() => {
              result.timedOut = true;
              stop();
            }, request.timeoutMs),
          );
        }
        for (const stream of ['stdout', 'stderr'] as const) {
          child[stream].setEncoding('utf8');
          child[stream].on('data', (text: string) => {
            if (result[stream].length < maxCapture) result[stream] += text.slice(0, maxCapture - result[stream].length);
            request.onOutput?.({ stream, text });
          });
        }
        const finish = () => {
          if (finished) return;
          finished = true;
          for (const t of timers) clearTimeout(t);
          request.signal?.removeEventListener('abort', onAbort);
          resolve(result);
        };
        child.on('error', (err) => {
          result.spawnError = err.message;
          finish();
        });
        child.on('close', (code, signal) => {
          result.exitCode = code;
          result.signal = signal;
          finish();
        });
      });
    },
  };
}

export function succeeded(result: ExecResult): boolean {
  return result.exitCode === 0 && !result.spawnError && !result.timedOut && !result.cancelled;
}

export function describeExit(result: ExecResult): string {
  if (result.spawnError) return `could not start: ${result.spawnError}`;
  if (result.timedOut) return `timed out${result.signal ? ` (stopped with ${result.signal})` : ''}`;
  if (result.cancelled) return `cancelled${result.signal ? ` (stopped with ${result.signal})` : ''}`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit code ${result.exitCode}`;
}
