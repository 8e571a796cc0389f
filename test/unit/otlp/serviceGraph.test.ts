import * as assert from 'node:assert/strict';
import type { OtlpSpan } from '../../../src/sources/otlp/decode';
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { EmbeddedSource } from '../../../src/sources/otlp/embeddedSource';
import { hexId, serverSpan } from './helpers';

describe('embedded source: service graph from parent links', () => {
  it('says which service calls which, from spans whose parent is another service\'s', async () => {
    const store = new TelemetryStore({ maxBytes: 4 * 1024 * 1024 });
    const source = new EmbeddedSource(store, { evaluateIntervalMs: 3600_000 });
    try {
      const now = Date.now();
      const spans: OtlpSpan[] = [];
      for (let i = 0; i < 5; i++) {
        const traceId = hexId(16);
        const front = serverSpan({ service: 'storefront', route: '/checkout', end: now - 1000, traceId });
        const frontClient: OtlpSpan = { ...serverSpan({ service: 'storefront', end: now - 1100, traceId }), kind: 'client', parentSpanId: front.spanId };
        const checkout: OtlpSpan = { ...serverSpan({ service: 'checkout', end: now - 1150, traceId }), parentSpanId: frontClient.spanId };
        const pay: OtlpSpan = { ...serverSpan({ service: 'payments', route: '/charge', end: now - 1200, traceId }), parentSpanId: checkout.spanId };
        spans.push(front, frontClient, checkout, pay);
      }
      spans.push({ ...serverSpan({ service: 'search', end: now - 1000 }) });
      store.addSpans(spans);
      const edges = await source.serviceGraph({ start: now - 60_000, end: now });
      assert.deepEqual(edges.map((e) => `${e.from}->${e.to}:${e.calls}`).sort(), ['checkout->payments:5', 'storefront->checkout:5']);
      assert.deepEqual(await source.serviceGraph({ start: now - 3600_000, end: now - 120_000 }), []);
    } finally {
      source.dispose();
    }
  });
});
