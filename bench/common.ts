// Shared helpers for benchmarks: argument parsing, the data path, and the RESULT line.
import * as path from 'node:path';
import * as fs from 'node:fs';

export interface BenchArgs {
  data?: string;
  flags: Record<string, string | boolean>;
  positional: string[];
}

export function parseBenchArgs(argv = process.argv.slice(2)): BenchArgs {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[a.slice(2)] = argv[++i];
      else flags[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { data: typeof flags.data === 'string' ? flags.data : undefined, flags, positional };
}

/**
 * The data folder for a benchmark: --data DIR, else $INCIDENT_LENS_DATA/<sub>, else ../shared/data/<sub>
 * beside the project root. Fails with a clear message when it is missing.
 */
export function resolveDataDir(args: BenchArgs, sub: string): string {
  const root = path.resolve(__dirname, '..');
  const candidates = args.data
    ? [path.resolve(args.data)]
    : process.env.INCIDENT_LENS_DATA
      ? [path.join(process.env.INCIDENT_LENS_DATA, sub)]
      : [path.resolve(root, '..', 'shared', 'data', sub)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`benchmark data not found at ${candidates.join(', ')}: pass --data DIR`);
}

export function printResult(result: Record<string, unknown>): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Peak resident set size of this process so far, in MB (Linux reports maxRSS in KB). */
export function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
