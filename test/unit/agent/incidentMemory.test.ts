import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Investigation } from '../../../src/core/investigation';
import type { IncidentBundle } from '../../../src/core/bundle';
import { diagnose } from '../../../src/agent/diagnose';
import { IncidentMemory, errorSignature } from '../../../src/agent/incidentMemory';
import { Ledger, readLedger } from '../../../src/remediation/ledger';
import { generateScenario } from '../../../src/eval/scenarios/generator';

const DAY = 86_400_000;

/** A finished investigation of a generated incident, as the pipeline would return it, at `startsAt`. */
const diagnosed = new Map<string, { bundle: IncidentBundle } & ReturnType<typeof diagnose>>();

function investigation(kind: Parameters<typeof generateScenario>[0], seed: number, startsAt: number, alertId = `a${seed}`): Investigation {
  const key = `${kind}/${seed}`;
  if (!diagnosed.has(key)) {
    const { truth: _truth, ...bundle } = generateScenario(kind, seed) as IncidentBundle;
    diagnosed.set(key, { bundle, ...diagnose(bundle) });
  }
  // Diagnosed at the generated time; the record then says when this firing started.
  const { bundle, findings, hypothesis } = diagnosed.get(key)!;
  const alert = { ...bundle.alert, id: alertId, startsAt };
  return { alert, bundle, findings, hypothesis, errors: [], startedAt: startsAt, finishedAt: startsAt + 5000 };
}

describe('incident memory', function () {
  this.timeout(30_000);
  let dir: string;
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-memory-'));
    now = Date.UTC(2026, 3, 1, 12, 0, 0);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the earlier firing of the same fault as similar, with why, and not an unrelated incident', () => {
    const memory = new IncidentMemory({ dir, now: clock });
    const earlier = investigation('deploy-exception', 424243, now - 10 * DAY, 'first');
    memory.record(earlier);
    memory.record(investigation('memory-leak', 31337, now - 5 * DAY, 'other'));
    now += 1000;
    const again = investigation('deploy-exception', 424243, now - 60_000, 'second');
    const similar = memory.similar(again);
    assert.equal(similar.length, 1, JSON.stringify(similar.map((s) => [s.record.alertId, s.score, s.reasons])));
    assert.equal(similar[0].record.alertId, 'first');
    assert.ok(similar[0].score > 0.6, `score ${similar[0].score}`);
    const why = similar[0].reasons.join('; ');
    assert.match(why, /same service/);
    assert.match(why, /same error java\.lang\.IllegalStateException: promotion window not initialised/);
    assert.match(why, /same file services\/catalog\/src\/main\/java\/com\/acme\/catalog\/SearchIndex\.java/);
  });

  it('reads from the ledger what fixed a past incident and whether its hypothesis was marked wrong', () => {
    const memory = new IncidentMemory({ dir, now: clock });
    const inv = investigation('deploy-exception', 424242, now - 2 * DAY, 'fp-1');
    memory.record(inv);
    const ledger = Ledger.open(path.join(dir, 'audit-ledger.jsonl'));
    const at = new Date(now - 2 * DAY + 60_000);
    ledger.append('suggestion', { plan: { actionId: 'rollback-deploy', argvHash: 'h1' }, origin: { alertId: 'fp-1' } }, at);
    ledger.append('approval', { kind: 'action', actionId: 'rollback-deploy', argvHash: 'h1' }, at);
    ledger.append('execution-start', { actionId: 'rollback-deploy', argvHash: 'h1' }, at);
    ledger.append('execution', { actionId: 'rollback-deploy', argvHash: 'h1', exitCode: 0 }, at);
    ledger.append('verification', { ok: true }, at);
    ledger.append('suggestion', { plan: { actionId: 'restart', argvHash: 'h2' }, origin: { alertId: 'fp-1' } }, at);
    ledger.append('rejection', { kind: 'action', actionId: 'restart', argvHash: 'h2' }, at);
    ledger.append('hypothesis-wrong', { alert: { id: 'fp-1', name: inv.alert.name } }, at);
    memory.applyLedger(readLedger(path.join(dir, 'audit-ledger.jsonl')));
    const [rec] = memory.all();
    assert.equal(rec.markedWrong, true);
    assert.deepEqual(rec.actions.map((a) => [a.actionId, a.outcome]), [['rollback-deploy', 'recovered'], ['restart', 'rejected']]);
    const again = investigation('deploy-exception', 424242, now, 'fp-2');
    const [similar] = memory.similar(again);
    assert.deepEqual(similar.fixedBy.map((a) => [a.actionId, a.outcome]), [['rollback-deploy', 'recovered']]);
    // Applying the same ledger twice changes nothing.
    memory.applyLedger(readLedger(path.join(dir, 'audit-ledger.jsonl')));
    assert.equal(memory.all()[0].actions.length, 2);
  });

  it('counts a file\'s incidents in the last 30 days, kept across instances', () => {
    const m1 = new IncidentMemory({ dir, now: clock });
    m1.record(investigation('deploy-exception', 424242, now - 40 * DAY, 'old'));
    m1.record(investigation('deploy-exception', 424242, now - 3 * DAY, 'new1'));
    m1.record(investigation('deploy-exception', 424242, now - 1 * DAY, 'new2'));
    const m2 = new IncidentMemory({ dir, now: clock });
    assert.equal(m2.incidentsForFile('services/checkout/src/cart/cartTotals.ts').length, 2);
    assert.equal(m2.incidentsForFile('services/checkout/src/cart/cartTotals.ts', 60).length, 3);
    assert.equal(m2.incidentsForService('checkout').length, 2);
    assert.equal(m2.incidentsForFile('README.md').length, 0);
  });

  it('is bounded: the oldest records go first, by count and by size', () => {
    const memory = new IncidentMemory({ dir, now: clock, maxRecords: 3 });
    for (let i = 0; i < 5; i++) {
      now += 1000;
      memory.record(investigation('deploy-exception', 424242, now - DAY + i, `n${i}`));
    }
    assert.deepEqual(memory.all().map((r) => r.alertId), ['n2', 'n3', 'n4']);
    const small = new IncidentMemory({ dir: path.join(dir, 'small'), now: clock, maxBytes: 6000 });
    for (let i = 0; i < 10; i++) small.record(investigation('deploy-exception', 424243, now - DAY + i, `s${i}`));
    assert.ok(fs.statSync(small.path).size <= 6000, `${fs.statSync(small.path).size} bytes`);
    assert.equal(small.all().at(-1)?.alertId, 's9', 'the newest record is kept');
  });

  it('keeps an unreadable memory file aside and starts again, saying so', () => {
    fs.writeFileSync(path.join(dir, 'incident-memory.json'), '{"records": [ torn');
    const memory = new IncidentMemory({ dir, now: clock });
    assert.deepEqual(memory.all(), []);
    assert.match(memory.loadProblem ?? '', /unreadable.*kept as incident-memory\.json\.corrupt-/);
    assert.equal(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-')).length, 1);
    memory.record(investigation('deploy-exception', 424242, now, 'after'));
    assert.equal(new IncidentMemory({ dir, now: clock }).all().length, 1);
  });

  it('masks the numbers and ids of an error so the same failure has the same signature', () => {
    assert.equal(errorSignature('TimeoutError', 'upstream 10.0.3.7:8443 did not answer in 1500 ms (req 9f8e7d6c5b4a)'), 'TimeoutError: upstream #.#:# did not answer in # ms (req #)');
    assert.equal(errorSignature(undefined, undefined), undefined);
  });
});
