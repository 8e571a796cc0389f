// Runs inside the real VS Code extension host as the extensionTestsPath of `npm run bench -- activation`:
// once the host has gone quiet (built-in extensions done starting), times getExtension(...).activate()
// (loading dist/extension.js plus running activate()), the part of it spent loading the bundle, then
// the sources' start, and writes one `__BENCH__ {json}` line to
// INCIDENT_LENS_TEST_RESULTS for the benchmark to read. With INCIDENT_LENS_BENCH_PROFILE set it also
// writes a CPU profile of the activation there (slower: for finding where the time goes).
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import Module from 'node:module';
import * as vscode from 'vscode';

const extensionId = 'incident-lens.incident-lens';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Times the require() of the extension's main file, wherever the extension host calls it from. */
function timeBundleLoad(main: string): { ms: () => number | undefined; restore: () => void } {
  const mod = Module as unknown as { _load: Load };
  const original = mod._load;
  let ms: number | undefined;
  mod._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
    if (ms !== undefined || !request.endsWith(main)) return original.call(this, request, parent, isMain);
    const t = performance.now();
    try {
      return original.call(this, request, parent, isMain);
    } finally {
      ms = performance.now() - t;
    }
  };
  return { ms: () => ms, restore: () => (mod._load = original) };
}

/**
 * Waits until, for `quietMs` (bounded by `maxMs`), no other extension has been activated and the event
 * loop has not lagged: the extension host is one thread, so built-in extensions starting at the same
 * moment would land in the figure.
 */
async function settle(quietMs: number, maxMs: number): Promise<{ waitedMs: number; activeExtensions: number }> {
  const start = performance.now();
  const active = () => vscode.extensions.all.filter((e) => e.isActive).length;
  let last = active();
  let since = performance.now();
  while (performance.now() - since < quietMs && performance.now() - start < maxMs) {
    const tick = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    const lagMs = performance.now() - tick - 100;
    const now = active();
    if (now !== last || lagMs > 20) {
      last = now;
      since = performance.now();
    }
  }
  return { waitedMs: performance.now() - start, activeExtensions: last };
}

function post<T>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

export async function run(): Promise<void> {
  const write = (payload: Record<string, unknown>) => {
    const line = `__BENCH__ ${JSON.stringify(payload)}\n`;
    const file = process.env.INCIDENT_LENS_TEST_RESULTS;
    if (file) fs.appendFileSync(file, line);
    else process.stdout.write(line);
  };
  try {
    const ext = vscode.extensions.getExtension<{ started?: Promise<void> }>(extensionId);
    if (!ext) {
      write({ error: `extension ${extensionId} is not loaded in this VS Code` });
      return;
    }
    // Already active would mean something else activated it first, and the figure would be 0.
    const wasActive = ext.isActive;
    const quiet = Number(process.env.INCIDENT_LENS_BENCH_SETTLE_MS ?? 1500);
    const settled = quiet > 0 ? await settle(quiet, 15_000) : { waitedMs: 0, activeExtensions: -1 };
    const main = String((ext.packageJSON as { main?: string }).main ?? 'extension.js').replace(/^\.\//, '');
    const profilePath = process.env.INCIDENT_LENS_BENCH_PROFILE;
    let session: inspector.Session | undefined;
    if (profilePath) {
      session = new inspector.Session();
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
      await post(session, 'Profiler.start');
    }
    const load = timeBundleLoad(main);
    const t0 = performance.now();
    let api: { started?: Promise<void> } | undefined;
    try {
      api = await ext.activate();
    } finally {
      load.restore();
    }
    const activateMs = performance.now() - t0;
    if (session && profilePath) {
      const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
      fs.writeFileSync(profilePath, JSON.stringify(profile));
      session.disconnect();
    }
    const t1 = performance.now();
    await api?.started;
    const startedMs = performance.now() - t1;
    write({ activateMs, bundleLoadMs: load.ms(), startedMs, wasActive, settledMs: settled.waitedMs, otherActiveExtensions: settled.activeExtensions, vscodeVersion: vscode.version });
  } catch (err) {
    write({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
