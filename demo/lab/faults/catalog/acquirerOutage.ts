// The acquirer goes away: connections are refused, and every authorization fails.
import type { FaultDefinition } from '../types';

export const acquirerOutage: FaultDefinition = {
  name: 'acquirer-outage',
  title: 'The acquirer is down',
  injection: 'Kills the acquirer stand-in (SIGKILL). payments\' calls fail with "connect ECONNREFUSED" (after the client\'s one retry) and payments answers 502.',
  innocent: 'none',
  truth: { causeKind: 'dependency', service: 'acquirer', noCodeCause: true, scenario: 'lab:acquirer-outage' },
  commits: [],
  steps: [{ atS: 0, what: 'the acquirer goes down', run: (lab) => lab.stopAcquirer() }],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'payments' },
};
