// Glob matching time on the input that made the old matcher exponential (issue 9): the pattern
// `*-*-*-prod` against 4,000 and 16,000 characters of "x-x-x-..." that never ends in "prod".
// Also times the previous implementation (a backtracking regular expression, rebuilt here) on
// shorter inputs so the growth can be compared on this machine, and a whole policy decision for
// a 16,000-character environment label (refused by the name cap before any glob runs).
//
//   npm run bench -- policy-glob [--runs N]
import * as os from 'node:os';
import { evaluatePolicy } from '../src/policy/engine';
import { globMatch } from '../src/policy/glob';
import { loadPolicy } from '../src/policy/load';
import type { PolicySubject } from '../src/policy/types';
import { parseBenchArgs, printResult, round } from './common';

const pattern = '*-*-*-prod';

/** The matcher before issue 9: each `*` became `.*` in one anchored regex. */
function previousGlobMatch(glob: string, value: string): boolean {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  return new RegExp(`^${re}$`, 's').test(value);
}

function hostile(length: number): string {
  return 'x-'.repeat(Math.ceil(length / 2)).slice(0, length);
}

function medianMs(runs: number, f: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const args = parseBenchArgs();
const runs = Number(args.flags.runs ?? 201);

console.log(`policy-glob: ${pattern} against 4,000 and 16,000 characters, median of ${runs} runs; ${os.cpus().length} CPUs, node ${process.version}`);

const result: Record<string, number> = {};
// Three shapes: the (no "prod" suffix, refused at once by the suffix check), one that
// makes the matcher scan the whole value for the pieces between stars and fail, and a match.
for (const n of [4000, 16000]) {
  const shapes = {
    noSuffix: hostile(n),
    fullScan: `${'x'.repeat(n - 5)}-prod`,
    match: `${hostile(n - 5)}-prod`,
  };
  if (globMatch(pattern, shapes.noSuffix) || globMatch(pattern, shapes.fullScan) || !globMatch(pattern, shapes.match)) throw new Error('wrong answer');
  const t = Object.fromEntries(Object.entries(shapes).map(([k, v]) => [k, medianMs(runs, () => globMatch(pattern, v))]));
  result[`globMs_${n}_noSuffix`] = round(t.noSuffix, 4);
  result[`globMs_${n}_fullScan`] = round(t.fullScan, 4);
  result[`globMs_${n}_match`] = round(t.match, 4);
  console.log(`  now:      ${String(n).padStart(6)} chars  issue's shape ${t.noSuffix.toFixed(4)} ms   full scan, no match ${t.fullScan.toFixed(4)} ms   match ${t.match.toFixed(4)} ms`);
}

// The old regex on inputs short enough to finish; issue 9 measured 3.2 s at 4,000 and > 60 s at 16,000.
for (const n of [250, 500, 1000]) {
  const value = hostile(n);
  const ms = medianMs(3, () => previousGlobMatch(pattern, value));
  result[`previousRegexMs_${n}`] = round(ms, 2);
  console.log(`  previous: ${String(n).padStart(6)} chars  no match ${ms.toFixed(2)} ms (backtracking regex, rebuilt here)`);
}
console.log('  published (issue 9, previous matcher): 4,000 chars 3,200 ms; 16,000 chars > 60,000 ms');

const policy = loadPolicy('rules:\n  - name: production freeze\n    if: { environment: "*-*-*-prod" }\n    then: deny\n');
const subject: PolicySubject = {
  actionId: 'restart',
  argv: ['kubectl', 'rollout', 'restart', 'deployment/checkout', '-n', 'shop', '--context', 'prod-1'],
  target: { environment: hostile(16000), service: 'checkout', namespace: 'shop' },
  risk: 'low',
  blastRadius: { pods: 1, replicas: 1, description: '1 pod' },
  destructive: false,
};
const ctx = { autonomy: 'executeHighRisk' as const, now: new Date(), trusted: true };
const decision = evaluatePolicy(subject, ctx, policy);
const decisionMs = medianMs(runs, () => evaluatePolicy(subject, ctx, policy));
result.decisionMs_16000 = round(decisionMs, 4);
console.log(`  a policy decision with a 16,000-character environment: ${decisionMs.toFixed(4)} ms (${decision.verdict} by ${decision.decidedBy})`);

printResult({ bench: 'policy-glob', pattern, runs, ...result, decision: decision.decidedBy });
