// The committed fault-lab corpus (test/corpus/lab): every bundle is a valid version-1 bundle within
// the size bound, carries the truth its fault's module wrote before recording, the alert the fault
// waits for, and the signals the fault injects. A check of the recordings, not of the diagnosis.
import { truthOf } from '../../../src/eval/truth';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateBundle, type IncidentBundle } from '../../../src/core/bundle';
import { FAULTS } from '../../../demo/lab/faults/catalog';
import { MAX_BUNDLE_BYTES } from '../../../demo/lab/faults/record';

const CORPUS = path.resolve(__dirname, '../../corpus/lab');

function load(name: string): { bundle: IncidentBundle; bytes: number } {
  const text = fs.readFileSync(path.join(CORPUS, `${name}.json`), 'utf8');
  return { bundle: validateBundle(JSON.parse(text)), bytes: Buffer.byteLength(text) };
}

/** Text of a span's status message, attributes and events, for looking for an injected error. */
function spanText(bundle: IncidentBundle): string {
  return bundle.spans.map((s) => [s.statusMessage ?? '', JSON.stringify(s.attributes), JSON.stringify(s.events ?? [])].join(' ')).join('\n');
}

// What each fault leaves in the telemetry, by fault: the error text of the injected failure.
const SIGNATURES: Record<string, RegExp> = {
  'card-network-typeerror': /reading 'toUpperCase'/,
  'db-lock-migration': /canceling statement due to statement timeout|timeout exceeded when trying to connect/,
  'db-idle-transaction-lock': /canceling statement due to statement timeout/,
  'db-connection-leak': /timeout exceeded when trying to connect/,
  'bad-config-statement-timeout': /canceling statement due to statement timeout/,
  'tls-certificate-expired': /certificate has expired|CERT_HAS_EXPIRED/,
  'feature-flag-flip': /reading 'vat'/,
  'traffic-spike': /checkout is at capacity/,
  'dns-failure': /ENOTFOUND eu\.gateway\.acquirer\.invalid/,
  'rate-limited': /acquirer rate limit/,
  'acquirer-outage': /ECONNREFUSED/,
};

describe('fault-lab corpus', function () {
  const present = FAULTS.filter((f) => fs.existsSync(path.join(CORPUS, `${f.name}.json`)));

  it('holds a bundle for every fault of the lab, and a README', () => {
    assert.deepEqual(FAULTS.filter((f) => !present.includes(f)).map((f) => f.name), []);
    assert.ok(fs.existsSync(path.join(CORPUS, 'README.md')));
  });

  for (const fault of FAULTS) {
    describe(fault.name, function () {
      before(function () {
        if (!present.includes(fault)) this.skip();
      });

      it('is a valid bundle within the size bound, with the truth its module wrote', () => {
        const { bundle, bytes } = load(fault.name);
        assert.ok(bytes <= MAX_BUNDLE_BYTES + 1, `${bytes} bytes`);
        const { commitRef, ...written } = fault.truth;
        const { commit, ...recorded } = truthOf(bundle)!;
        assert.deepEqual(recorded, written);
        assert.equal(!!commit, !!commitRef, 'a commit sha exactly when the truth names a plan commit');
        if (commit) {
          const change = bundle.changes.find((c) => c.sha === commit);
          assert.ok(change, 'the guilty commit is in the bundle\'s changes');
          assert.equal(change.message.split('\n')[0], fault.commits.find((c) => c.id === commitRef)!.message.split('\n')[0]);
          assert.ok(change.files.some((f) => f.path === fault.truth.path), 'and it touches the truth\'s file');
        }
        assert.ok(!('hypothesis' in bundle) && !('findings' in bundle), 'the bundle carries no diagnosis');
      });

      it('was gathered on the alert the fault waits for, with telemetry from the lab\'s services', () => {
        const { bundle } = load(fault.name);
        assert.equal(bundle.alert.labels.alertname ?? bundle.alert.name, fault.alert.alertname);
        assert.equal(bundle.alert.service ?? bundle.alert.labels.service, fault.alert.service);
        assert.equal(bundle.alert.sourceKind, fault.alert.via === 'receiver' ? 'otlp' : 'alertmanager');
        const services = new Set(bundle.spans.map((s) => s.service));
        assert.ok(services.size >= 2, `spans of ${[...services].join(', ')}`);
        assert.ok(bundle.metrics.length > 0 && bundle.logs.length > 0);
        assert.ok(bundle.spans.every((s) => s.startTime >= bundle.window.start - 60_000), 'spans lie in the window');
      });

      const signature = SIGNATURES[fault.name];
      if (signature) {
        it(`carries the injected failure in its spans (${signature.source})`, () => {
          const { bundle } = load(fault.name);
          assert.match(spanText(bundle), signature);
        });
      }
    });
  }

  // The SDK's batch span processor drops spans past its queue (2048) at this rate, so a listing trace
  // keeps tens of its 406 queries, not all of them; before the fault a listing makes one.
  it('the N+1 fault shows tens of database calls in one listing trace', function () {
    if (!present.some((f) => f.name === 'n-plus-one-query')) this.skip();
    const { bundle } = load('n-plus-one-query');
    const perTrace = new Map<string, number>();
    for (const s of bundle.spans) if (s.service === 'inventory' && s.attributes['db.system.name'] === 'postgresql' && s.name !== 'pg-pool.connect') perTrace.set(s.traceId, (perTrace.get(s.traceId) ?? 0) + 1);
    assert.ok(Math.max(0, ...perTrace.values()) >= 20, `most database calls in one trace: ${Math.max(0, ...perTrace.values())}`);
  });

  it('the flag flip is recorded as feature_flag.evaluation span events with the new variant', function () {
    if (!present.some((f) => f.name === 'feature-flag-flip')) this.skip();
    const { bundle } = load('feature-flag-flip');
    const events = bundle.spans.flatMap((s) => s.events ?? []).filter((e) => e.name === 'feature_flag.evaluation' && e.attributes?.['feature_flag.key'] === 'new-tax-engine');
    assert.ok(events.some((e) => e.attributes?.['feature_flag.result.variant'] === 'on'), 'evaluations with the variant on');
  });
});
