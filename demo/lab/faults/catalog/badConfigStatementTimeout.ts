// A configuration commit sets inventory's statement timeout to 2, meant as seconds; PostgreSQL reads
// it as milliseconds, and the product listing query (tens of milliseconds) is cancelled every time.
import type { FaultDefinition } from '../types';

export const badConfigStatementTimeout: FaultDefinition = {
  name: 'bad-config-statement-timeout',
  title: 'A statement timeout of 2 ms, meant as 2 s',
  injection: 'Deploys "config: inventory statement timeout 2 s" to inventory, which changes statementTimeoutMs from 2000 to 2 in config/inventory.json. PostgreSQL cancels the listing query ("canceling statement due to statement timeout", SQLSTATE 57014), so GET /products fails; quick reservation queries mostly pass.',
  innocent: 'the same inventory deploy ships an earlier commit that changes the pool idle timeout on the next line of the same file.',
  truth: {
    causeKind: 'config-change',
    service: 'inventory',
    commitRef: 'statement-timeout',
    path: 'config/inventory.json',
    startLine: 8,
    endLine: 8,
    scenario: 'lab:bad-config-statement-timeout',
  },
  commits: [
    {
      id: 'idle-timeout',
      author: 'alice',
      minutesAgo: 60,
      message: 'config: inventory pool idle timeout 10 s\n\nPgBouncer closes idle server connections after 15 s.',
      edits: [{ path: 'config/inventory.json', before: '"idleTimeoutMillis": 30000', after: '"idleTimeoutMillis": 10000' }],
    },
    {
      id: 'statement-timeout',
      author: 'bob',
      minutesAgo: 35,
      message: 'config: inventory statement timeout 2 s\n\nNo request should wait longer on the database than the caller waits on us.',
      edits: [{ path: 'config/inventory.json', before: '"statementTimeoutMs": 2000,', after: '"statementTimeoutMs": 2,' }],
    },
  ],
  steps: [{ atS: 0, what: 'the inventory deploy with the new timeout', run: (lab) => lab.deploy('inventory', 'statement-timeout') }],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'inventory' },
};
