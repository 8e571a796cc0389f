// The recorder's command line.
import * as path from 'node:path';
import { consoleLogger } from '../../../src/core/logger';
import { FAULTS, faultByName } from './catalog';
import { corpusReadme } from './corpusReadme';
import { recordFaultWithRetries } from './record';

const MAX_ATTEMPTS = 3;

const USAGE = `usage: node demo/lab/record.js (--fault NAME [--fault NAME...] | --all) [--out DIR] [--baseline-s N] [--keep-workspace] [--list] [--readme]
  --out DIR       where <fault>.json goes (default test/corpus/lab)
  --baseline-s N  healthy traffic before the fault (default 120)`;

export async function main(argv: string[]): Promise<void> {
  const names: string[] = [];
  let all = false;
  let outDir = path.resolve(__dirname, '..', '..', '..', 'test', 'corpus', 'lab');
  let baselineMs: number | undefined;
  let keepWorkspace = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--fault' && value) { names.push(value); i++; }
    else if (arg === '--all') all = true;
    else if (arg === '--out' && value) { outDir = path.resolve(value); i++; }
    else if (arg === '--baseline-s' && value && Number(value) >= 30) { baselineMs = Number(value) * 1000; i++; }
    else if (arg === '--keep-workspace') keepWorkspace = true;
    else if (arg === '--readme') {
      process.stdout.write(corpusReadme());
      return;
    } else if (arg === '--list') {
      for (const f of FAULTS) console.log(`${f.name.padEnd(30)} ${f.title}`);
      return;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return;
    } else {
      console.error(`record: unknown or incomplete argument ${JSON.stringify(arg)}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
  }
  const faults = all ? [...FAULTS] : names.map(faultByName);
  if (!faults.length) {
    console.error(`record: name a fault with --fault, or --all\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const failed: string[] = [];
  for (const fault of faults) {
    try {
      const r = await recordFaultWithRetries(fault, { outDir, baselineMs, keepWorkspace, logger: consoleLogger }, MAX_ATTEMPTS);
      console.log(`record: ${r.fault}: ${r.bytes} bytes, alert ${r.alert.labels.alertname} for ${r.alert.service}, ${JSON.stringify(r.counts)}`);
    } catch (err) {
      failed.push(fault.name);
      console.error(`record: ${fault.name} failed: ${(err as Error).message}`);
    }
  }
  if (failed.length) {
    console.error(`record: ${failed.length} of ${faults.length} failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}
