// What the embedded OTLP store estimates against what V8's heap really holds, per kind of data:
// realistic spans and logs from the OpenTelemetry SDK and hostile shapes at the decoders' limits.
// The estimator's constants were fitted on these same shapes (in-sample); the figure that matters out
// of sample is the ratio on data the fit never saw, which is why the hostile shapes are varied and
// test/unit/otlp/storeMemory.test.ts re-measures them on every run.
// Usage: npm run bench -- otlp-memory [--mb 24]

import { parseBenchArgs, printResult, round } from './common';
import { TelemetryStore } from '../src/sources/otlp/store';
import { heldOutWorkloads, workloads } from './lib/otlpShapes';

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function main(): void {
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const args = parseBenchArgs();
  const mb = Number(args.flags.mb ?? 24);
  const ratios: Record<string, number> = {};
  const heldOut: Record<string, number> = {};
  console.log(`Fill a store with ${mb} MB (by its estimate) of each kind of data; heap measured after GC.`);
  console.log('In-sample (the constants were fitted on these):');
  const fitted = workloads();
  const held = heldOutWorkloads();
  for (const w of [...fitted, ...held]) {
    if (w === held[0]) console.log('Out-of-sample (added after the constants were fixed):');
    const store = new TelemetryStore({ maxBytes: 1 << 30 });
    w.feed(store);
    const heap0 = heapAfterGc();
    const est0 = store.approxBytes;
    let items = 0;
    while (store.approxBytes - est0 < mb * 1024 * 1024) items += w.feed(store);
    const heap = heapAfterGc() - heap0;
    const est = store.approxBytes - est0;
    (held.includes(w) ? heldOut : ratios)[w.name] = round(est / heap, 2);
    console.log(`  ${w.name.padEnd(68)} heap ${String(Math.round(heap / items)).padStart(6)} B/item, estimate ${String(Math.round(est / items)).padStart(6)} B/item, estimate/heap ${(est / heap).toFixed(2)}`);
    store.clear();
  }
  const values = Object.values(ratios);
  const outValues = Object.values(heldOut);
  console.log(`estimate/heap in-sample ${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}, out-of-sample ${Math.min(...outValues).toFixed(2)} to ${Math.max(...outValues).toFixed(2)}`);
  console.log('(aim: never below 0.9, so the cap holds; at most 2, so a cap holds at least half what it could)');
  printResult({
    bench: 'otlp-memory',
    minEstimateOverHeap: Math.min(...values),
    maxEstimateOverHeap: Math.max(...values),
    heldOutMinEstimateOverHeap: Math.min(...outValues),
    heldOutMaxEstimateOverHeap: Math.max(...outValues),
    ratios,
    heldOut,
  });
}

main();
