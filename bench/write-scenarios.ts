// Writes bundles from our own scenario generator to a folder, for scoring elsewhere or by hand:
//   npm run bench -- write-scenarios --out DIR [--seed N] [--per-kind N] [--kind KIND]
// (Not a measurement: it prints what it wrote and a RESULT line with the count.)
import * as path from 'node:path';
import { parseBenchArgs, printResult } from './common';
import { SCENARIO_KINDS, generateScenario, generateSuite, writeBundles, type ScenarioKind } from '../src/eval/scenarios/generator';

const args = parseBenchArgs();
const out = args.flags.out;
const usage = `usage: npm run bench -- write-scenarios --out DIR [--seed N] [--per-kind N] [--kind KIND]\nkinds: ${SCENARIO_KINDS.join(', ')}`;
function intFlag(name: string, dflt: number, min: number, max: number): number {
  const v = args.flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})\n${usage}`);
    process.exit(2);
  }
  return n;
}
if (typeof out !== 'string') {
  console.error(usage);
  process.exit(2);
}
const seed = intFlag('seed', 1, 0, 1_000_000);
const perKind = intFlag('per-kind', 3, 1, 1000);
const kind = args.flags.kind;
if (kind !== undefined && !SCENARIO_KINDS.includes(kind as ScenarioKind)) {
  console.error(`unknown kind ${JSON.stringify(kind)}\n${usage}`);
  process.exit(2);
}
const bundles = typeof kind === 'string' ? Array.from({ length: perKind }, (_, i) => generateScenario(kind as ScenarioKind, seed * 1000 + i)) : generateSuite(seed, perKind);
const files = writeBundles(bundles, path.resolve(out));
console.log(`wrote ${files.length} bundles to ${path.resolve(out)}`);
printResult({ bench: 'write-scenarios', bundles: files.length });
