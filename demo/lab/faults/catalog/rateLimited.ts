// The acquirer lowers the shop's rate limit: most authorizations get 429 Too Many Requests with
// Retry-After, which payments reports as 503. The cause is the dependency's, not a change of ours.
import type { FaultDefinition } from '../types';

export const rateLimited: FaultDefinition = {
  name: 'rate-limited',
  title: 'The acquirer rate-limits the shop (429)',
  injection: "Sets the acquirer stand-in's per-API-key rate limit to 1 request/s (a token bucket; the shop sends about 3 authorizations/s). Most authorizations get 429 with Retry-After: 1 and a rate_limit error body; payments logs a warning and answers 503.",
  innocent: 'payments is deployed 45 s before with "payments: log the charge amount with declines".',
  truth: { causeKind: 'dependency', service: 'acquirer', noCodeCause: true, scenario: 'lab:rate-limited' },
  commits: [
    {
      id: 'decline-amount',
      author: 'carol',
      minutesAgo: 25,
      message: 'payments: log the charge amount with declines',
      edits: [{ path: 'services/payments/src/server.js', before: "telemetry.log('warn', 'charge declined: amount over the limit', { 'payment.amount': amount });", after: "telemetry.log('warn', `charge declined: ${amount} is over the limit`, { 'payment.amount': amount });" }],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent payments deploy', run: (lab) => lab.deploy('payments', 'decline-amount') },
    { atS: 45, what: 'the acquirer lowers the rate limit', run: async (lab) => lab.setAcquirer({ rateLimitPerS: 1 }) },
  ],
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'payments' },
};
