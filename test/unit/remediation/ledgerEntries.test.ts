// The Audit Ledger as people read it, from entries the real flow writes (real processes, a real ledger
// file): one line per entry, the alert each belongs to, and the entries each count counts.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadRunbookActions, planAction } from '../../../src/remediation/catalog';
import { createProcessExecutor } from '../../../src/remediation/executor';
import { runRemediation } from '../../../src/remediation/flow';
import { Ledger, ledgerCounts, readLedger } from '../../../src/remediation/ledger';
import { actionsTaken, entriesCounted, summarizeEntries } from '../../../src/remediation/ledgerEntries';
import { loadPolicy } from '../../../src/policy/load';
import { removeDir, tempDir, writeScript } from './helpers';

describe('audit ledger entries for people', () => {
  let dir: string;
  let ledgerFile: string;
  beforeEach(() => {
    dir = tempDir('ledger-entries');
    ledgerFile = path.join(dir, 'ledger.jsonl');
  });
  afterEach(() => removeDir(dir));

  async function runFor(alertId: string, approve: boolean, errorRatio: number) {
    const tool = writeScript(dir, 'flush.js', `console.log('flushed ' + process.argv[2]);`);
    const runbooks = loadRunbookActions(`actions:
  - id: flush-cache
    title: Flush the cache
    argv: [node, ${JSON.stringify(tool)}, "{{service}}"]
    params: { service: {} }
    risk: medium
    blastRadius: { pods: 0, replicas: 0, description: no restarts }
    verification: { description: cart error ratio under 5%, errorRatio: { service: cart }, condition: { op: "<", value: 0.05 }, timeoutMs: 300, intervalMs: 50 }
`).actions;
    const plan = planAction({ actionId: 'flush-cache', title: 'Flush', params: { service: 'cart' }, why: 'stale entries after the deploy' }, { environment: 'production', workspaceDir: dir, runbooks });
    return runRemediation(plan, {
      policy: loadPolicy(''),
      autonomy: 'suggest',
      trusted: true,
      prompter: { approve: async () => approve },
      executor: createProcessExecutor(),
      ledger: Ledger.open(ledgerFile),
      verifier: { read: async () => errorRatio },
      output: () => undefined,
      origin: { alertId, hypothesis: 'stale cache', why: 'stale entries after the deploy' },
    });
  }

  it('says what each entry did, for which alert, and lists the entries each count counts', async () => {
    const ledger = Ledger.open(ledgerFile);
    ledger.append('hypothesis', { alert: { id: 'a1', name: 'HighErrorRatio', source: 'local' }, summary: 'A code change in cart', confidence: 0.83, abstained: false, actions: ['flush-cache'] });
    assert.equal((await runFor('a1', true, 0.004)).status, 'recovered');
    assert.equal((await runFor('b2', false, 0.3)).status, 'rejected');
    const entries = readLedger(ledgerFile);
    const summaries = summarizeEntries(entries);
    assert.equal(summaries[0].title, 'Hypothesis shown (confidence 83%): A code change in cart');
    const a1 = summaries.filter((s) => s.alertId === 'a1').map((s) => s.title);
    assert.deepEqual(a1.slice(0, 2), ['Hypothesis shown (confidence 83%): A code change in cart', 'Suggested: Flush the cache']);
    assert.ok(a1.includes('Recovered: cart error ratio under 5%: 0.4 % < 5 %'), JSON.stringify(a1));
    assert.ok(a1.some((t) => /^Ran flush-cache: /.test(t)));
    assert.ok(summaries.filter((s) => s.alertId === 'b2').some((t) => t.title === 'Rejected: flush-cache'));
    const suggestion = summaries.find((s) => s.type === 'suggestion');
    assert.ok(suggestion?.details.some((d) => d.startsWith('command: ') && d.includes('flush.js cart')), JSON.stringify(suggestion));

    const counts = ledgerCounts(ledgerFile);
    for (const [key, n] of [['suggestions', counts.suggestions], ['approvals', counts.approvals], ['rejections', counts.rejections], ['actions', counts.actions], ['recoveries', counts.recoveries]] as const) {
      assert.equal(entriesCounted(entries, key).length, n, key);
    }
    const approvals = entriesCounted(entries, 'approvals');
    assert.equal(approvals.length, 1);
    assert.equal(approvals[0].alertId, 'a1');
    const suggestions = entriesCounted(entries, 'suggestions');
    assert.ok(suggestions[0].seq > suggestions[1].seq, 'newest first');

    const taken = actionsTaken(entries, 'a1');
    assert.equal(taken.length, 1);
    assert.equal(taken[0].status, 'recovered');
    assert.deepEqual(taken[0].verification, { ok: true, reason: 'cart error ratio under 5%: 0.4 % < 5 %' });
    assert.equal(actionsTaken(entries, 'b2')[0].status, 'rejected');
    assert.deepEqual(actionsTaken(entries, 'nobody'), []);
  });

  it('keeps hostile text as data: a summary is a string, never parsed', () => {
    const ledger = Ledger.open(ledgerFile);
    ledger.append('hypothesis-wrong', { alert: { id: 'x', name: '<img src=x onerror=alert(1)>' }, summary: '[click](javascript:alert(1))' });
    const [s] = summarizeEntries(readLedger(ledgerFile));
    assert.equal(s.title, 'Marked wrong: [click](javascript:alert(1))');
    assert.equal(s.alertName, '<img src=x onerror=alert(1)>');
  });
});
