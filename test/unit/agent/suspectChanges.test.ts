import * as assert from 'node:assert/strict';
import type { Change } from '../../../src/core/model';
import { extractStackFrames, rankSuspectChanges, serviceOfPath } from '../../../src/analysis/suspectChanges';

const ONSET = Date.UTC(2026, 4, 1, 12, 0, 0);
const MIN = 60_000;

function change(sha: string, minutesBefore: number, files: { path: string; hunks?: [number, number][] }[], deployed = true, message = `change ${sha}`): Change {
  const time = ONSET - minutesBefore * MIN;
  return {
    sha: sha.padEnd(40, '0'),
    author: 'Dev',
    time: time - 30 * MIN,
    message,
    files: files.map((f) => ({ path: f.path, status: 'M', additions: 5, deletions: 1, hunks: (f.hunks ?? []).map(([s, n]) => ({ newStart: s, newLines: n, oldStart: s, oldLines: n })) })),
    ...(deployed ? { deploy: { ref: `deploy/${sha}`, time } } : {}),
  };
}

describe('extractStackFrames', function () {
  const known = ['services/checkout/src/pricing/discounts.ts', 'services/payments/app/fraud.py', 'services/inventory/internal/stock/reserve.go', 'services/catalog/src/main/java/com/acme/catalog/PriceService.java'];

  it('parses Node frames and maps container paths to repo paths by suffix', function () {
    const text = [
      "TypeError: Cannot read properties of undefined (reading 'amount')",
      '    at applyDiscounts (/app/src/pricing/discounts.ts:42:17)',
      '    at async placeOrder (/app/src/handlers/placeOrder.ts:51:5)',
      '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
      '    at node:internal/process/task_queues:95:5',
    ].join('\n');
    const frames = extractStackFrames(text, known);
    assert.deepEqual(frames[0], { path: 'services/checkout/src/pricing/discounts.ts', line: 42, function: 'applyDiscounts' });
    assert.equal(frames[1].path, 'app/src/handlers/placeOrder.ts', 'an unknown file keeps its printed path');
    assert.equal(frames[1].function, 'placeOrder');
    assert.equal(frames[2].library, true);
    assert.equal(frames[3].library, true);
  });

  it('parses Python tracebacks innermost first', function () {
    const text = [
      'Traceback (most recent call last):',
      '  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request',
      '    rv = self.dispatch_request()',
      '  File "/srv/payments/app/views.py", line 40, in create_charge',
      '    score = score_transaction(txn)',
      '  File "/srv/payments/app/fraud.py", line 31, in score_transaction',
      '    return total / count',
      'ZeroDivisionError: division by zero',
    ].join('\n');
    const frames = extractStackFrames(text, known);
    assert.deepEqual(frames[0], { path: 'services/payments/app/fraud.py', line: 31, function: 'score_transaction' });
    assert.equal(frames[1].line, 40);
    assert.equal(frames[2].library, true);
  });

  it('parses Java frames into package paths', function () {
    const text = [
      'java.lang.NullPointerException: price is null',
      '\tat com.acme.catalog.PriceService.priceFor(PriceService.java:47)',
      '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)',
    ].join('\n');
    const frames = extractStackFrames(text, known);
    assert.deepEqual(frames[0], { path: 'services/catalog/src/main/java/com/acme/catalog/PriceService.java', line: 47, function: 'com.acme.catalog.PriceService.priceFor' });
  });

  it('parses Go panics with the function from the line above', function () {
    const text = [
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '',
      'goroutine 481 [running]:',
      'github.com/acme/shop/services/inventory/internal/stock.Reserve(0xc0001a2000, 0x3)',
      '\t/build/services/inventory/internal/stock/reserve.go:58 +0x1d4',
      'net/http.HandlerFunc.ServeHTTP(0xc000124a80, {0x9e8f40, 0xc0002b6000}, 0xc000310000)',
      '\t/usr/local/go/src/net/http/server.go:2136 +0x29',
    ].join('\n');
    const frames = extractStackFrames(text, known);
    assert.deepEqual(frames[0], { path: 'services/inventory/internal/stock/reserve.go', line: 58, function: 'github.com/acme/shop/services/inventory/internal/stock.Reserve' });
    assert.equal(frames[1].library, true);
  });

  it('finds nothing in text without frames, and survives binary garbage', function () {
    assert.deepEqual(extractStackFrames('all good here\nnothing to see'), []);
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) % 256)).toString('latin1');
    assert.doesNotThrow(() => extractStackFrames(garbage + '\n' + 'x'.repeat(100_000)));
  });
});

describe('serviceOfPath', function () {
  it('uses the folder convention and the map\'s longest prefix', function () {
    assert.equal(serviceOfPath('services/checkout/src/a.ts'), 'checkout');
    assert.equal(serviceOfPath('apps/web/x.ts'), 'web');
    assert.equal(serviceOfPath('README.md'), undefined);
    assert.equal(serviceOfPath('backend/billing/x.py', { 'backend/': 'monolith', 'backend/billing/': 'billing' }), 'billing');
  });
});

describe('rankSuspectChanges', function () {
  const frames = [{ path: 'services/checkout/src/pricing/discounts.ts', line: 42, function: 'applyDiscounts' }];

  it('puts first the commit whose changed lines contain the failing stack frame, with that hunk as location', function () {
    const ranked = rankSuspectChanges({
      onset: ONSET,
      changes: [
        change('aaa', 5, [{ path: 'services/checkout/src/cart/cartTotals.ts', hunks: [[10, 30]] }]),
        change('bbb', 40, [{ path: 'services/checkout/src/pricing/discounts.ts', hunks: [[5, 3], [40, 4], [100, 50]] }]),
        change('ccc', 3, [{ path: 'docs/checkout.md', hunks: [[1, 40]] }]),
      ],
      errorSignals: { stackFrames: frames, codeAttrs: [], services: ['checkout'] },
    });
    assert.equal(ranked[0].sha.slice(0, 3), 'bbb');
    assert.deepEqual(ranked[0].location, { path: 'services/checkout/src/pricing/discounts.ts', startLine: 40, endLine: 43 });
    assert.match(ranked[0].reasons[0], /inside a line this commit changed/);
    assert.ok(ranked[0].score > ranked[1].score);
    assert.equal(ranked[ranked.length - 1].sha.slice(0, 3), 'ccc', 'a docs-only change ranks last');
  });

  it('ignores changes that went out after the onset', function () {
    const ranked = rankSuspectChanges({
      onset: ONSET,
      changes: [change('late', -10, [{ path: 'services/checkout/src/pricing/discounts.ts', hunks: [[40, 4]] }]), change('early', 60, [{ path: 'services/checkout/src/x.ts', hunks: [[1, 2]] }])],
      errorSignals: { stackFrames: frames, codeAttrs: [], services: ['checkout'] },
    });
    assert.deepEqual(ranked.map((r) => r.sha.slice(0, 5)), ['early']);
  });

  it('prefers a config change in the implicated service deployed just before the onset when no frame points at code', function () {
    const ranked = rankSuspectChanges({
      onset: ONSET,
      changes: [
        change('code', 180, [{ path: 'services/payments/app/ledger.py', hunks: [[30, 10]] }]),
        change('conf', 4, [{ path: 'services/payments/config/settings.toml', hunks: [[7, 1]] }]),
        change('other', 3, [{ path: 'services/catalog/src/main/resources/application.properties', hunks: [[2, 1]] }]),
      ],
      errorSignals: { stackFrames: [], codeAttrs: [], services: ['payments'] },
    });
    assert.equal(ranked[0].sha.slice(0, 4), 'conf');
    assert.equal(ranked[0].strength.config, true);
    assert.deepEqual(ranked[0].location, { path: 'services/payments/config/settings.toml', startLine: 7, endLine: 7 });
  });

  it('uses span code attributes like stack frames', function () {
    const ranked = rankSuspectChanges({
      onset: ONSET,
      changes: [change('near', 5, [{ path: 'services/inventory/internal/store/postgres.go', hunks: [[30, 6]] }]), change('far', 5, [{ path: 'services/inventory/internal/stock/levels.go', hunks: [[30, 6]] }])],
      errorSignals: { stackFrames: [], codeAttrs: [{ filepath: 'services/inventory/internal/store/postgres.go', lineno: 33 }], services: ['inventory'] },
    });
    assert.equal(ranked[0].sha.slice(0, 4), 'near');
    assert.equal(ranked[0].strength.code, 0.95);
  });

  it('survives malformed changes', function () {
    const bad = [{ sha: 'x', author: 'a', time: NaN, message: '', files: [] }, { sha: 'y', author: 'a', time: ONSET - MIN, message: 'm', files: null }] as unknown as Change[];
    assert.doesNotThrow(() => rankSuspectChanges({ onset: ONSET, changes: bad, errorSignals: { stackFrames: [], codeAttrs: [], services: [] } }));
  });
});
