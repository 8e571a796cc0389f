// The store's byte estimate against the heap V8 really uses, for realistic telemetry and for hostile
// shapes at the decoders' limits. This is the measurement the estimator's constants come from: if a
// V8 upgrade or a change to the decoders moves the real cost, this fails before the cap stops holding.

import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { heldOutWorkloads, workloads } from '../../../bench/lib/otlpShapes';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

describe("TelemetryStore's estimate against the measured V8 heap", function () {
  this.timeout(120_000);
  for (const w of [...workloads(), ...heldOutWorkloads()]) {
    it(`counts ${w.name} within a factor of what the heap holds, and never much less`, () => {
      const store = new TelemetryStore({ maxBytes: 1 << 30 });
      w.feed(store); // warm the decoders, the key table and V8's shapes
      const heap0 = heapAfterGc();
      const est0 = store.approxBytes;
      let items = 0;
      while (store.approxBytes - est0 < 12 * 1024 * 1024) items += w.feed(store);
      const heap = heapAfterGc() - heap0;
      const estimate = store.approxBytes - est0;
      const ratio = estimate / heap;
      const detail = `${items} items: heap ${(heap / items).toFixed(0)} B/item, estimate ${(estimate / items).toFixed(0)} B/item (estimate/heap ${ratio.toFixed(2)})`;
      assert.ok(ratio >= 0.9, `the store under-counts: ${detail}`);
      assert.ok(ratio <= 2, `the store over-counts by more than 2x: ${detail}`);
      store.clear();
    });
  }
});
